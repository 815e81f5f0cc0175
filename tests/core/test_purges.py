"""The scheduler's purges (core/services.py, docs/scale.md «Archivo y retención»): finished
tasks, idempotency records and rate-limit windows kept in the database go once past their
retention, a bounded number per pass; queued and running tasks stay whatever their age."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sgu.core import scheduler
from sgu.core.models import IdempotencyRecord, RateCounter
from sgu.core.ratelimit import hit
from sgu.core.services import purge_finished_tasks, purge_idempotency_records

pytestmark = pytest.mark.django_db

SECOND = timedelta(seconds=1)
MONTH = timedelta(days=30)  # SGU_TASK_RETENTION_DAYS
QUARTER = timedelta(days=90)  # SGU_FAILED_TASK_RETENTION_DAYS
TWO_DAYS = timedelta(hours=48)  # SGU_IDEMPOTENCY_RETENTION_HOURS


def task(status: str, *, finished_ago: timedelta | None = None, enqueued_ago=timedelta(0)):
    now = timezone.now()
    row = DBTaskResult.objects.create(
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="sgu.notifications.tasks.send_email",
        queue_name="default",
        backend_name="default",
        run_after=now,
        status=status,
    )
    finished_at = now - finished_ago if finished_ago is not None else None
    DBTaskResult.objects.filter(pk=row.pk).update(
        enqueued_at=now - enqueued_ago,
        started_at=finished_at or (now - enqueued_ago if status == "RUNNING" else None),
        finished_at=finished_at,
    )
    return row.pk


def record(key: str, *, ago: timedelta) -> int:
    row = IdempotencyRecord.objects.create(
        scope="user:1",
        key=key,
        method_path="POST /api/v1/cases",
        request_hash="0" * 64,
        status_code=201,
        response_body={"code": key},
    )
    IdempotencyRecord.objects.filter(pk=row.pk).update(created_at=timezone.now() - ago)
    return row.pk


def tasks_left() -> set:
    return set(DBTaskResult.objects.values_list("pk", flat=True))


def keys_left() -> set:
    return set(IdempotencyRecord.objects.values_list("key", flat=True))


# --- finished tasks -----------------------------------------------------------------------


def test_successful_tasks_go_just_past_thirty_days_and_failed_ones_past_ninety():
    kept = {
        task("SUCCESSFUL", finished_ago=MONTH - SECOND),
        task("FAILED", finished_ago=MONTH + SECOND),  # past a month: an operator may look yet
        task("FAILED", finished_ago=QUARTER - SECOND),
    }
    gone = {
        task("SUCCESSFUL", finished_ago=MONTH + SECOND),
        task("SUCCESSFUL", finished_ago=timedelta(days=400)),
        task("FAILED", finished_ago=QUARTER + SECOND),
    }

    assert purge_finished_tasks(now=timezone.now()) == len(gone)
    assert tasks_left() == kept


def test_queued_and_running_tasks_stay_whatever_their_age():
    old = timedelta(days=400)
    waiting = {
        task("READY", enqueued_ago=old),
        task("RUNNING", enqueued_ago=old),
        # Put back in the queue after it had finished once (never done today): still queued.
        task("READY", finished_ago=old, enqueued_ago=old),
        task("RUNNING", finished_ago=old, enqueued_ago=old),
    }

    assert purge_finished_tasks(now=timezone.now() + timedelta(days=1000)) == 0
    assert tasks_left() == waiting


def test_the_retentions_come_from_the_settings(settings):
    settings.SGU = {**settings.SGU, "TASK_RETENTION_DAYS": 7, "FAILED_TASK_RETENTION_DAYS": 8}
    kept = {
        task("SUCCESSFUL", finished_ago=timedelta(days=6)),
        task("FAILED", finished_ago=timedelta(days=8) - SECOND),
    }
    task("SUCCESSFUL", finished_ago=timedelta(days=7) + SECOND)
    task("FAILED", finished_ago=timedelta(days=8) + SECOND)

    assert purge_finished_tasks(now=timezone.now()) == 2
    assert tasks_left() == kept


def test_a_pass_deletes_a_bounded_number_and_the_next_goes_on():
    for _ in range(25):
        task("SUCCESSFUL", finished_ago=MONTH + timedelta(days=1))
    newest_old = task("SUCCESSFUL", finished_ago=MONTH + SECOND)
    young = task("SUCCESSFUL", finished_ago=timedelta(days=1))
    now = timezone.now()

    assert purge_finished_tasks(now=now, batch=10, max_batches=2) == 20
    assert len(tasks_left()) == 7 and newest_old in tasks_left()  # the oldest went first
    assert purge_finished_tasks(now=now, batch=10, max_batches=2) == 6
    assert purge_finished_tasks(now=now, batch=10, max_batches=2) == 0  # twice: harmless
    assert tasks_left() == {young}


def test_the_batch_budget_is_shared_by_successful_and_failed_tasks():
    """max_batches bounds the DELETEs of a pass, whatever their status (one that finds
    nothing counts too)."""
    for _ in range(3):
        task("SUCCESSFUL", finished_ago=QUARTER + timedelta(days=1))
        task("FAILED", finished_ago=QUARTER + timedelta(days=1))
    now = timezone.now()

    assert purge_finished_tasks(now=now, batch=2, max_batches=2) == 3  # 2 + 1 successful
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"FAILED"}
    assert purge_finished_tasks(now=now, batch=2, max_batches=2) == 2  # 0 successful + 2
    assert purge_finished_tasks(now=now, batch=2, max_batches=2) == 1
    assert purge_finished_tasks(now=now, batch=2, max_batches=2) == 0


def test_finished_tasks_are_found_through_an_index():
    """Without it every pass would read the whole table (core migration 0006)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, DBTaskResult._meta.db_table)
    assert constraints["sgu_task_finished_idx"]["columns"] == ["status", "finished_at"]


# --- idempotency records ------------------------------------------------------------------


def test_idempotency_records_go_just_past_forty_eight_hours():
    record("viejo", ago=TWO_DAYS + SECOND)
    record("muy-viejo", ago=timedelta(days=300))
    record("justo", ago=TWO_DAYS - SECOND)
    record("nuevo", ago=timedelta(minutes=1))

    assert purge_idempotency_records(now=timezone.now()) == 2
    assert keys_left() == {"justo", "nuevo"}


def test_idempotency_retention_comes_from_the_settings(settings):
    settings.SGU = {**settings.SGU, "IDEMPOTENCY_RETENTION_HOURS": 1}
    record("viejo", ago=timedelta(hours=1) + SECOND)
    record("justo", ago=timedelta(hours=1) - SECOND)

    assert purge_idempotency_records(now=timezone.now()) == 1
    assert keys_left() == {"justo"}


def test_idempotency_purge_is_bounded_and_the_next_pass_goes_on():
    for i in range(25):
        record(f"viejo-{i:02}", ago=TWO_DAYS + timedelta(hours=1))
    record("nuevo", ago=timedelta(minutes=5))
    now = timezone.now()

    assert purge_idempotency_records(now=now, batch=10, max_batches=2) == 20
    assert keys_left() == {f"viejo-{i:02}" for i in range(20, 25)} | {"nuevo"}  # lowest ids first
    assert purge_idempotency_records(now=now, batch=10, max_batches=2) == 5
    assert purge_idempotency_records(now=now, batch=10, max_batches=2) == 0
    assert keys_left() == {"nuevo"}


def test_a_kept_record_among_the_lowest_ids_is_never_deleted():
    """Ids follow created_at only roughly (a record written late with a lower id)."""
    record("viejo-1", ago=TWO_DAYS + timedelta(hours=2))
    record("tardio", ago=timedelta(minutes=1))
    record("viejo-2", ago=TWO_DAYS + timedelta(hours=1))

    purge_idempotency_records(now=timezone.now(), batch=10)
    assert "tardio" in keys_left() and "viejo-1" not in keys_left()


def test_a_retention_below_one_refuses_to_run(settings):
    settings.SGU = {**settings.SGU, "IDEMPOTENCY_RETENTION_HOURS": 0}
    record("nuevo", ago=timedelta(0))
    with pytest.raises(ImproperlyConfigured):
        purge_idempotency_records(now=timezone.now())
    assert keys_left() == {"nuevo"}


# --- as the scheduler runs them -----------------------------------------------------------


def test_the_scheduler_runs_the_purges_with_the_time_it_is_given():
    done = task("SUCCESSFUL", finished_ago=timedelta(days=1))
    record("clave", ago=timedelta(hours=1))
    hit("contador", limit=5, window=60)  # a rate-limit window kept in the database
    later = timezone.now() + MONTH  # the pinned clock does not move; the pass is told the time

    said = scheduler.Pass().run(now=later)

    assert "tareas terminadas borradas: 1" in said
    assert "claves de idempotencia borradas: 1" in said
    assert "contadores de frecuencia borrados: 1" in said
    # (Other jobs of the pass may queue tasks of their own.)
    assert done not in tasks_left() and not IdempotencyRecord.objects.exists()
    assert not RateCounter.objects.exists()
    again = scheduler.Pass().run(now=later)  # nothing left, nothing said
    assert not [line for line in again if "borrad" in line]
