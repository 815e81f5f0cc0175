from django_tasks import task

from sgu.service_requests.ingest import process_batch


@task()
def process_report(batch_id: int) -> None:
    """Validate and merge one received report (enqueued with the batch, same transaction)."""

    process_batch(batch_id)
