"""Reads on the inoperatividad register and contingency windows, already scoped to who asks.

An operator sees only its own attention points and events; anything else is "not found"
(never "forbidden": no leak). The regulator never sees events closed as error or test.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from sgu.cases import selectors as cases
from sgu.catalog.models import Operator
from sgu.core.calendar import LIMA
from sgu.core.errors import NotFound
from sgu.outages import policies
from sgu.outages.models import (
    AffectedApplication,
    AttentionPoint,
    ClosingReason,
    ContingencyExtension,
    ContingencyWindow,
    OutageEvent,
    ProcedureSubcategory,
    Scenario,
)

POINT_NOT_FOUND = "No existe ese punto de atención entre los de su empresa."
EVENT_NOT_FOUND = "No existe ese evento de inoperatividad entre los de su empresa."

# --- operator ---------


def operator_points(operator: Operator, *, active: bool | None = None) -> QuerySet[AttentionPoint]:
    qs = AttentionPoint.objects.filter(operator=operator)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("name", "id")


def operator_point(operator: Operator, pk: int) -> AttentionPoint:
    point = AttentionPoint.objects.filter(operator=operator, pk=pk).first()
    if point is None:
        raise NotFound(POINT_NOT_FOUND)
    return point


def operator_point_by_code(operator: Operator, code: str) -> AttentionPoint | None:
    return AttentionPoint.objects.filter(operator=operator, code=(code or "").strip()).first()


def operator_events(operator: Operator) -> QuerySet[OutageEvent]:
    return (
        OutageEvent.objects.filter(operator=operator)
        .select_related("attention_point", "failure_confirmed_by", "evaluated_by", "approved_by")
        .prefetch_related("applications")
    )


def operator_applications(
    operator: Operator, *, active: bool | None = True
) -> QuerySet[AffectedApplication]:
    """The common catalog of affected applications plus the operator's own (never
    another operator's)."""
    qs = AffectedApplication.objects.filter(Q(operator__isnull=True) | Q(operator=operator))
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("operator_id", "order", "name", "id")


def operator_applications_by_code(
    operator: Operator, codes: Iterable[str | None]
) -> dict[str, AffectedApplication]:
    wanted = {(c or "").strip().upper() for c in codes}
    return {a.code: a for a in operator_applications(operator).filter(code__in=wanted)}


def operator_open_events(operator: Operator) -> QuerySet[OutageEvent]:
    """Open events come first on the operator's page: there are few (one per point and
    procedure type at most)."""
    return operator_events(operator).filter(ended_at__isnull=True).order_by("-started_at", "-id")


def operator_closed_events(operator: Operator) -> QuerySet[OutageEvent]:
    """Closed events, for keyset pagination on (-started_at, -id)."""
    return operator_events(operator).filter(ended_at__isnull=False)


def operator_event(operator: Operator, pk: int) -> OutageEvent:
    event = operator_events(operator).filter(pk=pk).first()
    if event is None:
        raise NotFound(EVENT_NOT_FOUND)
    return event


def open_event_for(point: AttentionPoint, procedure_type: str) -> OutageEvent | None:
    return OutageEvent.objects.filter(
        attention_point=point, procedure_type=procedure_type, ended_at__isnull=True
    ).first()


# --- regulator ---------


@dataclass(frozen=True)
class EventFilters:
    operator: str = ""  # operator code
    point: str = ""  # attention point code or part of its name
    ubigeo: str = ""  # prefix: 15 (Lima department), 1501 (province), 150101
    procedure_type: str = ""
    scenario: str = ""
    status: str = ""  # ABIERTO | CERRADO
    flagged: bool = False  # any alert of policies.flags
    review_state: str = ""  # REPORTADO | PENDIENTE (closed, not yet approved) | NO_PROCEDE
    started_from: datetime | None = None
    started_to: datetime | None = None


def reportable_events() -> QuerySet[OutageEvent]:
    """Never an event registered as error or test, nor one closed as "Error de usuario"
    whatever its scenario: every path to the regulator (pages, API, exports) starts here."""
    return OutageEvent.objects.exclude(scenario=Scenario.ERROR_O_PRUEBA).exclude(
        closing_reason=ClosingReason.ERROR_USUARIO
    )


def regulator_events(
    filters: EventFilters | None = None, *, now: datetime | None = None
) -> QuerySet[OutageEvent]:
    """Every operator's reportable events (never those that were errors or tests)."""
    f = filters or EventFilters()
    qs = (
        reportable_events()
        .select_related("operator", "attention_point")
        .prefetch_related("applications")
        .order_by("-started_at", "-id")
    )
    if f.operator:
        qs = qs.filter(operator__code=f.operator)
    if f.point:
        qs = qs.filter(
            Q(attention_point__code__iexact=f.point) | Q(attention_point__name__icontains=f.point)
        )
    if f.ubigeo:
        qs = qs.filter(attention_point__ubigeo__startswith=f.ubigeo)
    if f.procedure_type:
        qs = qs.filter(procedure_type=f.procedure_type)
    if f.scenario:
        qs = qs.filter(scenario=f.scenario)
    if f.status == "ABIERTO":
        qs = qs.filter(ended_at__isnull=True)
    elif f.status == "CERRADO":
        qs = qs.filter(ended_at__isnull=False)
    if f.flagged:
        qs = qs.filter(policies.flagged_q(now or timezone.now()))
    if f.review_state == "REPORTADO":
        qs = qs.filter(approved_at__isnull=False)
    elif f.review_state == "PENDIENTE":
        qs = qs.filter(ended_at__isnull=False, approved_at__isnull=True).exclude(
            evaluation_proceeds=False
        )
    elif f.review_state == "NO_PROCEDE":
        qs = qs.filter(evaluation_proceeds=False)
    if f.started_from is not None:
        qs = qs.filter(started_at__gte=f.started_from)
    if f.started_to is not None:
        qs = qs.filter(started_at__lt=f.started_to)
    return qs


# --- contingency windows ---------


def contingency_windows() -> QuerySet[ContingencyWindow]:
    return (
        ContingencyWindow.objects.select_related("operator", "registered_by")
        .annotate(
            n_extended=Count("extensions"),
            n_reopened=Count("extensions", filter=Q(extensions__reopened=True)),
        )
        .order_by("-starts_at", "-id")
    )


def contingency_window(pk: int) -> ContingencyWindow:
    window = contingency_windows().filter(pk=pk).first()
    if window is None:
        raise NotFound("No existe esa ventana de contingencia.")
    return window


def window_extensions(window: ContingencyWindow) -> QuerySet[ContingencyExtension]:
    return (
        ContingencyExtension.objects.filter(window=window)
        .select_related("case__operator")
        .order_by("case__code")
    )


# --- evaluation (criteria of "Criterios de Evaluación – Reporte de Inoperatividad") ---------


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


class FailureWindow(TypedDict):
    confirmed: bool
    started_at: str | None
    ended_at: str | None


class DayCases(TypedDict):
    day: str  # YYYY-MM-DD, Lima
    cases: int


class EvaluationFigures(TypedDict):
    """What `evaluation_figures` returns; kept as is in OutageEvent.evaluation (JSON)."""

    failure_window: FailureWindow
    inside_failure_window: bool | None
    closing_reason: str
    duration_minutes: int
    over_one_hour: bool
    subcategories: list[str]
    cases_during: int
    cases_previous_days: list[DayCases]
    cases_previous_average: float
    cases_increase: bool


def evaluation_figures(
    event: OutageEvent, *, days: int = policies.PREVIOUS_DAYS
) -> EvaluationFigures:
    """The figures a reviewer decides on, for a closed event:

    1. inside the falla masiva window the systems-failure team confirmed, or not;
    2. the closing reason and the duration, flagged when over 1 hour;
    3. the SGU cases of the operator for the event's procedure (its subcategories) received
       during the event, against the same hours of each of the previous `days` days — one
       aggregate query.
    """
    start = event.started_at
    end = event.ended_at or timezone.now()
    if event.scenario == Scenario.FALLA_MASIVA and event.failure_started_at is not None:
        inside = start >= event.failure_started_at and (
            event.failure_ended_at is None or end <= event.failure_ended_at
        )
    else:
        inside = None
    minutes = int((end - start).total_seconds() // 60)
    mapped = list(
        ProcedureSubcategory.objects.filter(procedure_type=event.procedure_type)
        .select_related("subcategory")
        .order_by("subcategory__name")
    )
    base = cases.operator_tray(event.operator)
    if mapped:
        base = base.filter(subcategory_id__in=[m.subcategory_id for m in mapped])
    windows = {
        f"d{k}": Q(
            registered_at__gte=start - timedelta(days=k), registered_at__lt=end - timedelta(days=k)
        )
        for k in range(days + 1)
    }
    counts = base.order_by().aggregate(**{k: Count("id", filter=q) for k, q in windows.items()})
    previous: list[DayCases] = [
        {
            "day": f"{timezone.localtime(start - timedelta(days=k), LIMA).date():%Y-%m-%d}",
            "cases": counts[f"d{k}"],
        }
        for k in range(1, days + 1)
    ]
    average = round(sum(p["cases"] for p in previous) / days, 1) if days else 0.0
    during = counts["d0"]
    return {
        "failure_window": {
            "confirmed": event.failure_confirmed_at is not None,
            "started_at": _iso(event.failure_started_at),
            "ended_at": _iso(event.failure_ended_at),
        },
        "inside_failure_window": inside,
        "closing_reason": event.closing_reason,
        "duration_minutes": minutes,
        "over_one_hour": minutes > policies.LONG_EVENT_MINUTES,
        "subcategories": [m.subcategory.name for m in mapped],
        "cases_during": during,
        "cases_previous_days": previous,
        "cases_previous_average": average,
        "cases_increase": during > average,
    }
