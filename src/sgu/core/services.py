"""The ground floor's own writes: the purges of what only grows (docs/scale.md, «Archivo y
retención»). Run by the scheduler (core/jobs.py); each call deletes at most
`PURGE_MAX_BATCHES` × `PURGE_BATCH` rows, one short DELETE per batch in autocommit (no
transaction spans two batches), and the next call goes on where this one stopped."""

from datetime import datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sgu.core import config
from sgu.core.models import IdempotencyRecord, RateCounter


def _positive(name: str, default: int) -> int:
    value = config.integer(name, default)
    if value < 1:  # 0 would purge what was just written: an idempotency key would not hold
        raise ImproperlyConfigured(f"SGU[{name!r}] debe ser 1 o más (vale {value!r}).")
    return value


def _bounds(batch: int | None, max_batches: int | None) -> tuple[int, int]:
    return (
        batch or _positive("PURGE_BATCH", 1000),
        max_batches or _positive("PURGE_MAX_BATCHES", 10),
    )


def task_cutoffs(now: datetime) -> dict[str, datetime]:
    """Finished tasks older than these go, by status. Nothing reads a finished task by its id
    (emails and webhook deliveries keep their own outcome and attempts; /metrics and /readyz
    count only READY and RUNNING), but a FAILED task's traceback is the only trace of an
    exception that escaped a task, and only the admin shows it, with no alert: an operator
    gets longer to find it."""
    return {
        TaskResultStatus.SUCCESSFUL: now - timedelta(days=_positive("TASK_RETENTION_DAYS", 30)),
        TaskResultStatus.FAILED: now - timedelta(days=_positive("FAILED_TASK_RETENTION_DAYS", 90)),
    }


def purge_finished_tasks(
    *, now: datetime | None = None, batch: int | None = None, max_batches: int | None = None
) -> int:
    """Delete SUCCESSFUL and FAILED task results past their retention, oldest first; never a
    READY or RUNNING one. Returns how many."""
    now = now or timezone.now()
    batch, budget = _bounds(batch, max_batches)
    deleted = 0
    for status, cutoff in task_cutoffs(now).items():
        while budget:
            budget -= 1
            # One statement: DELETE … WHERE id IN (SELECT id … ORDER BY finished_at LIMIT n),
            # read through sgu_task_finished_idx (core migration 0006).
            oldest = (
                DBTaskResult.objects.filter(status=status, finished_at__lt=cutoff)
                .order_by("finished_at")
                .values("pk")[:batch]
            )
            n, _ = DBTaskResult.objects.filter(pk__in=oldest).delete()
            deleted += n
            if n < batch:
                break
    return deleted


def purge_idempotency_records(
    *, now: datetime | None = None, batch: int | None = None, max_batches: int | None = None
) -> int:
    """Delete idempotency records older than `IDEMPOTENCY_RETENTION_HOURS`. Returns how many.

    By primary-key range, with no index on created_at (none to maintain on every creating
    POST): ids grow with created_at, so the lowest ids are the oldest records. Each batch
    reads the first `batch` ids and deletes the old ones up to the last old id; it stops at
    the first batch that holds a record still kept."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=_positive("IDEMPOTENCY_RETENTION_HOURS", 48))
    batch, budget = _bounds(batch, max_batches)
    deleted = 0
    for _ in range(budget):
        head = list(
            IdempotencyRecord.objects.order_by("id").values_list("id", "created_at")[:batch]
        )
        old = [pk for pk, created_at in head if created_at < cutoff]
        if old:
            # created_at again: a record written with a lower id but committed late stays.
            n, _ = IdempotencyRecord.objects.filter(id__lte=old[-1], created_at__lt=cutoff).delete()
            deleted += n
        if len(old) < batch:
            break
    return deleted


def purge_rate_counters(
    *, now: datetime | None = None, older_than: timedelta = timedelta(days=1)
) -> int:
    """Forget rate-limit windows older than a day (the counters kept in the database when there
    is no Redis: one row per caller and window). Windows last minutes; one DELETE suffices."""
    now = now or timezone.now()
    deleted, _ = RateCounter.objects.filter(window_start__lt=now - older_than).delete()
    return deleted
