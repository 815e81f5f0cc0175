"""Background work of the reporting app: keeping the statistics' rollups up to date."""

from django_tasks import task


@task()
def refresh_rollups(full: bool = False) -> dict:
    from sgu.reporting import rollups

    return rollups.refresh(full=full)
