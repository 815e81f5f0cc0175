"""Bajas y migraciones: periodic jobs (core.scheduler) and the files they own (core.files)."""

from datetime import datetime

from sgu.core import scheduler
from sgu.core.files import stored_files
from sgu.service_requests.models import Batch
from sgu.service_requests.services import flag_missing_reports

stored_files("service_requests", Batch, "file")


@scheduler.job("días sin reporte", label="días sin reporte marcados")
def flag_missing(now: datetime) -> int:
    """Each operator's day whose report deadline passed with no accepted report; once."""
    return flag_missing_reports(now=now)
