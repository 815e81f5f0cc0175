"""core.tasks: a task enqueued from synchronous code (rows.insert), from async code (the ORM's
asave), or along the row it handles (enqueue_with) is written as the same row: the library's
fields, the request id beside the arguments, and the far-future `run_after` the library gives
a task to run at once."""

import pytest
from asgiref.sync import async_to_sync
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max

from sgu.core import requestid
from sgu.core.tasks import enqueue_with
from sgu.notifications import tasks
from sgu.notifications.models import OutboundEmail


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


@pytest.mark.django_db
def test_a_row_and_its_task_are_written_as_the_row_then_task_enqueue_would():
    """core.tasks.enqueue_with: the outbox row and the task that sends it. On PostgreSQL, in
    one statement, the task's argument being the row's new key."""
    token = requestid.use("peticion-42")
    try:
        email = OutboundEmail(to="rosa@example.pe", template="case_registered", context={})
        with CaptureQueriesContext(connection) as ctx:
            result = enqueue_with(tasks.send_email, email)
        reference = tasks.send_email.enqueue(email.pk)
    finally:
        requestid.reset(token)

    assert email.pk is not None and not email._state.adding
    assert OutboundEmail.objects.get(pk=email.pk).to == "rosa@example.pe"
    assert result.args == [email.pk] and result.status == "READY"
    stored, theirs = written(result.id), written(reference.id)
    assert stored.args_kwargs["args"] == [email.pk]
    for field in DBTaskResult._meta.concrete_fields:
        if field.attname not in {"id", "enqueued_at"}:
            assert getattr(stored, field.attname) == getattr(theirs, field.attname), field.attname
    writes = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith(("INSERT", "WITH"))]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 2), writes


@pytest.mark.django_db
def test_with_another_task_backend_the_row_is_written_and_the_task_enqueued_there(settings):
    """The demo's history queues with the dummy backend (site/demo_history.past_emails)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    email = OutboundEmail(to="rosa@example.pe", template="case_registered", context={})

    result = enqueue_with(tasks.send_email, email)

    assert OutboundEmail.objects.filter(pk=email.pk).exists()
    assert result.args == [email.pk]
    assert not DBTaskResult.objects.exists()
