"""Statistics' periodic jobs (core.scheduler)."""

from datetime import datetime

from sgu.core import scheduler
from sgu.reporting.rollups import refresh_if_due
from sgu.reporting.services import daily_report_if_due


@scheduler.job("reporte diario")
def daily_report(now: datetime) -> object:
    """From 06:00 Lima, yesterday's report if missing (idempotent by date)."""
    return daily_report_if_due(now=now)


@scheduler.job("resúmenes estadísticos")
def refresh_rollups(now: datetime) -> object:
    """A refresh task every 5 minutes, a full rebuild nightly."""
    return refresh_if_due(now=now)
