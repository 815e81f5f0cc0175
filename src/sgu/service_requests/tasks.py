from django_tasks import task

from sgu.service_requests.ingest import process_batch


@task(takes_context=True)
def process_report(context, batch_id: int) -> None:
    """Validate and merge one received report (enqueued with the batch, same transaction).
    A second attempt means the first one's worker died (core/worker.py)."""

    process_batch(batch_id, redelivered=context.attempt > 1)
