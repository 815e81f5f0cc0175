"""Reads on bajas y migraciones, already scoped to who asks.

An operator sees only its own reports (anything else is "not found", never "forbidden");
the public sees one request's status, and only when the request code and the holder's
document number both match; the regulator sees every operator, through the monitoring
lists below.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal, TypedDict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sgu.catalog.models import Operator
from sgu.core.calendar import LIMA, BusinessCalendar, load_calendar
from sgu.core.errors import FieldError, NotFound, ValidationFailed
from sgu.service_requests.ingest import config
from sgu.service_requests.models import Batch, BatchError, DailyReport, ServiceRequest

BATCH_NOT_FOUND = "No existe ese reporte entre los de su empresa."
LOOKUP_NOT_FOUND = (
    "No encontramos una solicitud con ese código de pedido y ese número de documento. "
    "Revise ambos datos: el código de pedido se lo dio la operadora al registrar su solicitud."
)

# --- operator -------------------------------------------------------------------------------


def operator_batches(operator: Operator) -> QuerySet[Batch]:
    return Batch.objects.filter(operator=operator).order_by("-uploaded_at", "-id")


def operator_batch(operator: Operator, pk: int) -> Batch:
    batch = Batch.objects.filter(operator=operator, pk=pk).select_related("operator").first()
    if batch is None:
        raise NotFound(BATCH_NOT_FOUND)
    return batch


def batch_errors(batch: Batch, limit: int) -> list[BatchError]:
    return list(batch.errors.order_by("row", "id")[:limit])


def operator_days(
    operator: Operator, *, days: int = 14, today: date | None = None
) -> list[DailyReport]:
    today = today or timezone.localdate(timezone.now(), LIMA)
    return list(
        DailyReport.objects.filter(operator=operator, report_date__gte=today - timedelta(days=days))
        .select_related("batch")
        .order_by("-report_date")
    )


# --- public ---------------------------------------------------------------------------------


def public_status(request_code: str, document_number: str) -> ServiceRequest:
    """The request with that code whose holder has that document; NotFound otherwise,
    with the same message whichever of the two did not match."""
    missing = []
    if not (request_code or "").strip():
        missing.append(FieldError("request_code", "Ingrese el código de pedido."))
    if not (document_number or "").strip():
        missing.append(FieldError("document_number", "Ingrese el número de documento."))
    if missing:
        raise ValidationFailed.of(missing)
    code = (request_code or "").strip().upper()
    number = re.sub(r"[\s.\-]", "", document_number or "").upper()
    if not code or not number or len(code) > 40 or len(number) > 12:
        raise NotFound(LOOKUP_NOT_FOUND)
    numbers = {number}
    if re.fullmatch(r"[0-9]{8}[0-9A-K]", number):
        numbers.add(number[:8])  # a DNI typed with its check character
    found = (
        ServiceRequest.objects.filter(request_code=code, document_number__in=numbers)
        .only(
            "request_code",
            "kind",
            "status",
            "service_state",
            "requested_at",
            "scheduled_date",
            "executed_at",
        )
        .order_by("-updated_at", "-id")
        .first()
    )
    if found is None:
        raise NotFound(LOOKUP_NOT_FOUND)
    return found


# --- regulator: monitoring --------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    operator: str = ""  # operator code
    service: str = ""
    channel: str = ""
    date_from: date | None = None  # requested (lists) or reported (days), Lima, inclusive
    date_to: date | None = None
    only_late: bool = False  # days: only those reported late or not at all


def _lima_start(d: date) -> datetime:
    return datetime.combine(d, time.min, tzinfo=LIMA)


def _requests(f: Filters) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.select_related("operator")
    if f.operator:
        qs = qs.filter(operator__code=f.operator)
    if f.service:
        qs = qs.filter(service=f.service)
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.date_from:
        qs = qs.filter(requested_at__gte=_lima_start(f.date_from))
    if f.date_to:
        qs = qs.filter(requested_at__lt=_lima_start(f.date_to + timedelta(days=1)))
    return qs


def _today(now: datetime | None) -> date:
    return timezone.localtime(now or timezone.now(), LIMA).date()


def overdue_bajas(f: Filters, *, now: datetime | None = None) -> QuerySet[ServiceRequest]:
    """Bajas not executed by their scheduled date: still open after that day, or executed
    after it. Oldest scheduled date first."""
    today = _today(now)
    return (
        _requests(f)
        .filter(kind="BAJA", scheduled_date__isnull=False)
        .filter(
            (Q(status__in=["REGISTRADA", "EN_PROCESO"]) & Q(scheduled_date__lt=today))
            | Q(late_execution=True)
        )
        .order_by("scheduled_date", "id")
    )


def answer_threshold(cal: BusinessCalendar, now: datetime, business_days: int) -> datetime:
    """The instant before which every migration request is past its answer deadline.

    A request is received on a business day (before the cut-off; otherwise on the next
    one) and must be answered by 23:59:59 of the n-th business day after (DOMAIN §5, §7).
    The deadline grows with the received day, so the overdue requests are exactly those
    received on or before the latest business day R whose deadline has passed: those
    registered before R's cut-off. One comparison on an indexed column instead of a
    deadline per row.
    """
    d = timezone.localtime(now, LIMA).date()
    for _ in range(400):
        if cal.is_business_day(d):
            at = datetime.combine(d, time.min, tzinfo=LIMA)
            if cal.add_business_days(at, business_days).due_at < now:
                return datetime.combine(d, cal.cutoff, tzinfo=LIMA)
        d -= timedelta(days=1)
    return datetime.combine(d, time.min, tzinfo=LIMA)


def answer_due(cal: BusinessCalendar, requested_at: datetime) -> datetime:
    return cal.add_business_days(
        requested_at, int(config()["MIGRATION_ANSWER_BUSINESS_DAYS"])
    ).due_at


def unanswered_migrations(
    f: Filters, *, now: datetime | None = None, cal: BusinessCalendar | None = None
) -> QuerySet[ServiceRequest]:
    """Migrations still REGISTRADA (no answer) after 3 business days (config default).
    Oldest first."""
    now = now or timezone.now()
    cal = cal or load_calendar()
    threshold = answer_threshold(cal, now, int(config()["MIGRATION_ANSWER_BUSINESS_DAYS"]))
    return (
        _requests(f)
        .filter(kind="MIGRACION", status="REGISTRADA", requested_at__lt=threshold)
        .order_by("requested_at", "id")
    )


def rejected_bajas(f: Filters) -> QuerySet[ServiceRequest]:
    """Bajas the operator rejected (a baja needs no justification: each is a flag). Most
    recent first."""
    return _requests(f).filter(kind="BAJA", status="RECHAZADA").order_by("-requested_at", "-id")


def daily_reports(f: Filters) -> QuerySet[DailyReport]:
    """Each operator's day: volumes, when it was reported, late or missing. Most recent
    first."""
    qs = DailyReport.objects.select_related("operator", "batch")
    if f.operator:
        qs = qs.filter(operator__code=f.operator)
    if f.date_from:
        qs = qs.filter(report_date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(report_date__lte=f.date_to)
    if f.only_late:
        qs = qs.filter(late=True)
    return qs.order_by("-report_date", "-id")


class OperatorAlerts(TypedDict):
    """One row of the monitoring page's first table: an operator and its count of each alert."""

    code: str
    name: str
    overdue_bajas: int
    unanswered_migrations: int
    rejected_bajas: int
    late_days: int
    missing_days: int


AlertKey = Literal[
    "overdue_bajas", "unanswered_migrations", "rejected_bajas", "late_days", "missing_days"
]


def summary(f: Filters, *, now: datetime | None = None) -> list[OperatorAlerts]:
    """Per operator: how many of each alert (the monitoring page's first table)."""
    now = now or timezone.now()
    cal = load_calendar()
    counts: dict[str, OperatorAlerts] = {}

    def add(qs: QuerySet[ServiceRequest] | QuerySet[DailyReport], key: AlertKey) -> None:
        for row in qs.values("operator__code", "operator__name").annotate(n=Count("id")):
            entry = counts.setdefault(
                row["operator__code"],
                {
                    "code": row["operator__code"],
                    "name": row["operator__name"],
                    "overdue_bajas": 0,
                    "unanswered_migrations": 0,
                    "rejected_bajas": 0,
                    "late_days": 0,
                    "missing_days": 0,
                },
            )
            entry[key] = row["n"]

    add(overdue_bajas(f, now=now).order_by(), "overdue_bajas")
    add(unanswered_migrations(f, now=now, cal=cal).order_by(), "unanswered_migrations")
    add(rejected_bajas(f).order_by(), "rejected_bajas")
    days = daily_reports(Filters(operator=f.operator, date_from=f.date_from, date_to=f.date_to))
    add(days.filter(late=True).order_by(), "late_days")
    add(
        days.filter(batch__isnull=True, missing_flagged_at__isnull=False).order_by(), "missing_days"
    )
    return sorted(counts.values(), key=lambda e: e["name"])
