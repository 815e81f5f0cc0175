"""The ground floor's periodic jobs (core.scheduler)."""

from datetime import datetime, timedelta

from sgu.core import scheduler, services
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


# The purges run often and bounded rather than once a day unbounded: a backlog (the first run,
# a scheduler stopped for days) goes down by PURGE_MAX_BATCHES × PURGE_BATCH rows a pass.


@scheduler.job(
    "purga de tareas terminadas", every=timedelta(minutes=5), label="tareas terminadas borradas"
)
def purge_tasks(now: datetime) -> int:
    return services.purge_finished_tasks(now=now)


@scheduler.job(
    "purga de claves de idempotencia",
    every=timedelta(minutes=5),
    label="claves de idempotencia borradas",
)
def purge_idempotency(now: datetime) -> int:
    return services.purge_idempotency_records(now=now)


@scheduler.job(
    "purga de contadores de frecuencia",
    every=timedelta(minutes=5),
    label="contadores de frecuencia borrados",
)
def purge_rate_counters(now: datetime) -> int:
    return services.purge_rate_counters(now=now)
