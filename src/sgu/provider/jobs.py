"""The provider's periodic jobs (core.scheduler) and the files it owns (core.files)."""

from datetime import datetime

from sgu.core import scheduler
from sgu.core.files import stored_files
from sgu.provider import services
from sgu.provider.models import RequirementAttachment

stored_files("proveedor", RequirementAttachment, "file")


@scheduler.job("reportes del proveedor", label="reportes del proveedor enviados")
def send_reports(now: datetime) -> int:
    return services.send_due_reports(now=now)
