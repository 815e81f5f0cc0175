"""core.tasks: a task enqueued from synchronous code (rows.insert) and from async code (the
ORM's asave) is written as the same row: the library's fields, the request id beside the
arguments, and the far-future `run_after` the library gives a task to run at once."""

import pytest
from asgiref.sync import async_to_sync
from django_tasks_db.models import DBTaskResult, get_date_max

from sgu.core import requestid
from sgu.notifications import tasks


def written(task_id) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=task_id)


@pytest.mark.django_db(transaction=True)
def test_a_task_enqueued_from_sync_and_from_async_code_is_the_same_row():
    token = requestid.use("peticion-41")
    try:
        sync_result = tasks.send_email.enqueue(41)
        async_result = async_to_sync(tasks.send_email.aenqueue)(41)
    finally:
        requestid.reset(token)

    ours, theirs = written(sync_result.id), written(async_result.id)
    for row in (ours, theirs):
        assert row.run_after == get_date_max()
        assert row.args_kwargs["args"] == [41] and row.args_kwargs["kwargs"] == {}
        assert row.args_kwargs["request_id"] == "peticion-41"
        assert row.task_path == "sgu.notifications.tasks.send_email"
        assert row.status == "READY" and row.enqueued_at is not None
    skip = {"id", "enqueued_at"}
    for field in DBTaskResult._meta.concrete_fields:
        if field.attname not in skip:
            assert getattr(ours, field.attname) == getattr(theirs, field.attname), field.attname
