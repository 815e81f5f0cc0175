"""Reads on the inoperatividad register and contingency windows, already scoped to who asks.

An operator sees only its own attention points and events; anything else is "not found"
(never "forbidden": no leak). The regulator never sees events closed as error or test.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from sgu.core.errors import NotFound
from sgu.outages.models import (
    AttentionPoint,
    ContingencyExtension,
    ContingencyWindow,
    OutageEvent,
    Scenario,
)

POINT_NOT_FOUND = "No existe ese punto de atención entre los de su empresa."
EVENT_NOT_FOUND = "No existe ese evento de inoperatividad entre los de su empresa."

# --- operator ---------------------------------------------------------------------------------


def operator_points(operator, *, active: bool | None = None) -> QuerySet[AttentionPoint]:
    qs = AttentionPoint.objects.filter(operator=operator)
    if active is not None:
        qs = qs.filter(active=active)
    return qs.order_by("name", "id")


def operator_point(operator, pk: int) -> AttentionPoint:
    point = AttentionPoint.objects.filter(operator=operator, pk=pk).first()
    if point is None:
        raise NotFound(POINT_NOT_FOUND)
    return point


def operator_point_by_code(operator, code: str) -> AttentionPoint | None:
    return AttentionPoint.objects.filter(operator=operator, code=(code or "").strip()).first()


def operator_events(operator) -> QuerySet[OutageEvent]:
    return OutageEvent.objects.filter(operator=operator).select_related("attention_point")


def operator_open_events(operator) -> QuerySet[OutageEvent]:
    """Open events come first on the operator's page: there are few (one per point and
    procedure type at most)."""
    return operator_events(operator).filter(ended_at__isnull=True).order_by("-started_at", "-id")


def operator_closed_events(operator) -> QuerySet[OutageEvent]:
    """Closed events, for keyset pagination on (-started_at, -id)."""
    return operator_events(operator).filter(ended_at__isnull=False)


def operator_event(operator, pk: int) -> OutageEvent:
    event = operator_events(operator).filter(pk=pk).first()
    if event is None:
        raise NotFound(EVENT_NOT_FOUND)
    return event


def open_event_for(point: AttentionPoint, procedure_type: str) -> OutageEvent | None:
    return OutageEvent.objects.filter(
        attention_point=point, procedure_type=procedure_type, ended_at__isnull=True
    ).first()


# --- regulator --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFilters:
    operator: str = ""  # operator code
    point: str = ""  # attention point code or part of its name
    ubigeo: str = ""  # prefix: 15 (Lima department), 1501 (province), 150101
    procedure_type: str = ""
    scenario: str = ""
    status: str = ""  # ABIERTO | CERRADO
    flagged: bool = False  # late registration or late closing
    started_from: datetime | None = None
    started_to: datetime | None = None


def regulator_events(filters: EventFilters | None = None) -> QuerySet[OutageEvent]:
    """Every operator's reportable events (never those that were errors or tests)."""
    f = filters or EventFilters()
    qs = (
        OutageEvent.objects.exclude(scenario=Scenario.ERROR_O_PRUEBA)
        .select_related("operator", "attention_point")
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
        qs = qs.filter(Q(registered_late=True) | Q(closed_late=True))
    if f.started_from is not None:
        qs = qs.filter(started_at__gte=f.started_from)
    if f.started_to is not None:
        qs = qs.filter(started_at__lt=f.started_to)
    return qs


# --- contingency windows ------------------------------------------------------------------------


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
