from django_tasks import task

# The module, not the name: ingest.py imports services.py, which imports this module.
from sgu.service_requests import ingest


@task(takes_context=True)
def process_report(context, batch_id: int) -> None:
    """Validate and merge one received report (enqueued with the batch, same transaction).
    A second attempt means the first one's worker died (core/worker.py)."""

    ingest.process_batch(batch_id, redelivered=context.attempt > 1)
