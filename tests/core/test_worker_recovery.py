"""A worker killed in the middle of a task leaves it RUNNING; the scheduler's safety net puts
it back in the queue, so an acknowledged email or report is never lost."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import run_tasks
from service_requests.helpers import baja, csv_bytes, send
from sgu.core.worker import requeue_abandoned_tasks
from sgu.service_requests.ingest import process_batch
from sgu.service_requests.models import Batch, ServiceRequest
from web.conftest import register_case

pytestmark = pytest.mark.django_db


def die_while_running(started_minutes_ago: int) -> None:
    """What a worker leaves when it is killed after claiming every queued task."""
    DBTaskResult.objects.filter(status="READY").update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
        worker_ids=["muerto"],
    )


def test_an_email_left_running_by_a_dead_worker_is_sent_after_all(citizen, mailbox):
    case = register_case(citizen)
    queued = DBTaskResult.objects.count()  # the registration's emails
    die_while_running(31)
    run_tasks()
    assert mailbox.messages == []  # nobody takes a RUNNING task by itself

    assert requeue_abandoned_tasks() == queued
    run_tasks()
    subjects = [str(m["Subject"]) for m in mailbox.messages]
    assert len(subjects) == queued and any(case.code in s for s in subjects)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    assert requeue_abandoned_tasks() == 0  # finished: stays finished


def test_a_task_still_running_within_the_limit_is_left_alone(citizen, mailbox):
    register_case(citizen)
    die_while_running(29)
    assert requeue_abandoned_tasks() == 0
    run_tasks()
    assert mailbox.messages == []
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"RUNNING"}


def test_a_report_left_processing_by_a_dead_worker_lands_once(claro):
    batch = send(claro, csv_bytes([baja("B-1"), baja("B-2")]), process=False)
    # The worker claimed the task and the batch, then died before committing the merge.
    die_while_running(45)
    Batch.objects.filter(pk=batch.pk).update(
        state="PROCESSING", started_at=timezone.now() - timedelta(minutes=45)
    )

    assert requeue_abandoned_tasks() == 1
    run_tasks()
    batch.refresh_from_db()
    assert (batch.state, batch.rows_total, batch.rows_ok) == ("DONE", 2, 2)
    assert ServiceRequest.objects.filter(operator=claro).count() == 2


def test_a_report_another_worker_is_processing_now_is_not_taken_twice(claro):
    batch = send(claro, csv_bytes([baja("B-1")]), process=False)
    Batch.objects.filter(pk=batch.pk).update(
        state="PROCESSING", started_at=timezone.now() - timedelta(minutes=2)
    )
    assert process_batch(batch.pk) is None
    batch.refresh_from_db()
    assert batch.state == "PROCESSING"
