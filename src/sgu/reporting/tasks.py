"""Background work of the reporting app: keeping the statistics' rollups up to date."""

from django_tasks import task

from sgu.reporting import rollups


@task()
def refresh_rollups(full: bool = False) -> dict:

    return rollups.refresh(full=full)
