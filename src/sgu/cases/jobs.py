"""The cases' periodic jobs (core.scheduler) and the files they own (core.files)."""

from datetime import datetime

from sgu.cases import services
from sgu.cases.models import Attachment, Claim
from sgu.core import scheduler
from sgu.core.files import stored_files

stored_files("attachments", Attachment, "file")
stored_files("claims", Claim, "form_pdf")


@scheduler.job("vencer casos", label="vencidos")
def expire_overdue(now: datetime) -> int:
    return services.expire_overdue_cases(now=now)


@scheduler.job("cerrar sin calificación", label="cerrados sin calificación")
def close_unrated(now: datetime) -> int:
    return services.close_unrated_cases(now=now)
