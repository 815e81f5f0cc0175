"""A worker killed in the middle of a task leaves it RUNNING; once its heartbeat is stale
for the lease (30 s, not 30 minutes) the task goes back to the queue, so an acknowledged
email or report is never lost and waits under a minute. A worker that is alive keeps its
task however long it runs."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from factories import register_case, run_tasks
from service_requests.helpers import baja, csv_bytes, send
from sgu.core.models import ProcessHeartbeat
from sgu.core.worker import beat, heartbeat_every, requeue_abandoned_tasks
from sgu.service_requests.ingest import process_batch
from sgu.service_requests.models import Batch, ServiceRequest

pytestmark = pytest.mark.django_db


def die_while_running(started_seconds_ago: int, worker: str = "muerto") -> list:
    """What a worker leaves when it is killed after claiming every queued task."""
    ids = list(DBTaskResult.objects.filter(status="READY").values_list("id", flat=True))
    DBTaskResult.objects.filter(id__in=ids).update(
        status="RUNNING",
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago),
        worker_ids=[worker],
    )
    return ids


def last_beat(worker: str, seconds_ago: int, task_id: str = "") -> None:
    beat(worker, ProcessHeartbeat.WORKER, every=heartbeat_every(), task_id=task_id)
    ProcessHeartbeat.objects.filter(name=worker).update(
        seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_an_email_left_running_by_a_dead_worker_is_sent_within_a_minute(citizen, mailbox):
    case = register_case(citizen)
    queued = DBTaskResult.objects.count()  # the registration's emails
    die_while_running(31)
    last_beat("muerto", seconds_ago=40)  # it beat every 10 s, then was killed

    run_tasks()  # a live worker takes them back by itself (no scheduler needed)

    subjects = [str(m["Subject"]) for m in mailbox.messages]
    assert len(subjects) == queued and any(case.code in s for s in subjects)
    tasks = DBTaskResult.objects.all()
    assert {t.status for t in tasks} == {"SUCCESSFUL"}
    # Attempts counted right: the dead worker's claim and the one that finished.
    assert {len(t.worker_ids) for t in tasks} == {2}
    assert requeue_abandoned_tasks() == 0  # finished: stays finished


def test_a_task_claimed_moments_ago_is_left_alone(citizen, mailbox):
    register_case(citizen)
    die_while_running(10)  # its worker may not have beaten yet
    assert requeue_abandoned_tasks() == 0
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"RUNNING"}


def test_a_long_task_of_a_live_worker_is_left_alone(citizen, mailbox):
    register_case(citizen)
    task_id = die_while_running(45 * 60, worker="vivo")[0]
    DBTaskResult.objects.exclude(id=task_id).delete()
    last_beat("vivo", seconds_ago=3, task_id=str(task_id))
    assert requeue_abandoned_tasks() == 0
    assert DBTaskResult.objects.get(id=task_id).status == "RUNNING"


def test_a_live_worker_that_lost_track_of_its_task_gives_it_back(citizen, mailbox):
    register_case(citizen)
    ids = die_while_running(45, worker="vivo")
    last_beat("vivo", seconds_ago=3, task_id="")  # alive, but idle: the task is nobody's
    assert requeue_abandoned_tasks() == len(ids)


def test_a_report_left_processing_by_a_dead_worker_lands_once(claro):
    batch = send(claro, csv_bytes([baja("B-1"), baja("B-2")]), process=False)
    # The worker claimed the task and the batch, then died before committing the merge.
    die_while_running(45)
    Batch.objects.filter(pk=batch.pk).update(
        state="PROCESSING", started_at=timezone.now() - timedelta(seconds=45)
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
