"""The instant every test runs at: a plain Wednesday morning in Lima, or the one `SGU_TEST_NOW`
names; `SGU_TEST_NON_WORKING` adds days the administrator declared non-working."""

import os
from datetime import date, datetime

from sgu.core.calendar import LIMA

DEFAULT_NOW = "2026-11-25T10:00:00"  # Wednesday, a business day, before the 17:00 cut-off


def pinned_now() -> datetime:
    value = datetime.fromisoformat(os.environ.get("SGU_TEST_NOW") or DEFAULT_NOW)
    return value if value.tzinfo else value.replace(tzinfo=LIMA)


def declared_non_working_days() -> list[date]:
    raw = os.environ.get("SGU_TEST_NON_WORKING", "")
    return [date.fromisoformat(d.strip()) for d in raw.split(",") if d.strip()]
