"""The ground floor's periodic jobs (core.scheduler)."""

from datetime import datetime, timedelta

from sgu.core import scheduler
from sgu.core.files import sweep_all
from sgu.core.worker import requeue_abandoned_tasks


@scheduler.job("tareas abandonadas")
def requeue_abandoned(now: datetime) -> int:
    """Tasks a dead worker left RUNNING go back to the queue."""
    return requeue_abandoned_tasks(now=now)


@scheduler.job("archivos sin registro", every=timedelta(hours=1))
def sweep_orphans(now: datetime) -> int:
    """Hourly, as it walks every stored file: files whose row never committed."""
    return sweep_all(now=now)
