"""The task queue's safety net. django-tasks marks a task RUNNING when a worker takes it and
nothing else ever looks at it again: a worker killed in the middle (OOM, SIGKILL, the machine
going down) would leave an acknowledged email, webhook or bajas report waiting forever. The
scheduler hands such tasks back to the queue. Every task of the SGU may run twice: emails and
webhook deliveries check under a row lock whether they were already sent, and a bajas report
is taken again only when its own claim is as old (service_requests.ingest.process_batch)."""

import logging
from datetime import datetime, timedelta
from typing import cast

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("sgu.worker")


def abandoned_after() -> timedelta:
    """How long a task may run before it is taken for abandoned. Far above the longest task
    (a 1 000 000-row report takes ≈ 20 s)."""
    minutes = cast(float, settings.SGU.get("TASK_ABANDONED_AFTER_MINUTES", 30))
    return timedelta(minutes=minutes)


def requeue_abandoned_tasks(*, now: datetime | None = None) -> int:
    """Put back in the queue every task that has been RUNNING for longer than
    `abandoned_after()`. Returns how many."""
    now = now or timezone.now()
    stale = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - abandoned_after()
    )
    ids = list(stale.values_list("id", flat=True))
    if not ids:
        return 0
    # The status test again in the UPDATE: a task that finished meanwhile stays finished.
    count = DBTaskResult.objects.filter(id__in=ids, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None, run_after=now
    )
    if count:
        logger.warning("%s tareas abandonadas por un worker vuelven a la cola", count)
    return count
