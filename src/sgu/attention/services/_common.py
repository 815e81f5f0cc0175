"""What the attention writes share: the plazos of consultas and
escalations, timeline events and moving a hop."""

from collections.abc import Mapping
from datetime import datetime, time
from typing import Any

from sgu.accounts.models import User
from sgu.attention import selectors
from sgu.attention.models import (
    AttentionEvent,
    Escalation,
    Query,
)
from sgu.attention.workflow import (
    HopAction,
    HopActor,
    HopState,
    TransitionNotAllowed,
    transition,
)
from sgu.cases.models import Case
from sgu.core import config
from sgu.core.calendar import Deadline, load_calendar
from sgu.core.errors import Conflict, ErrorCollector, Forbidden

MAX_TEXT = 4000

DEFAULT_CRITICALITY_DAYS = {"ALTO": 5, "MEDIO": 4, "BAJO": 2}


def _config() -> dict[str, Any]:
    """settings.SGU["ATTENTION"]: its values as the settings give them (each read converts)."""
    return config.section("ATTENTION")


def criticality_days() -> dict[str, int]:
    return {**DEFAULT_CRITICALITY_DAYS, **_config().get("CRITICALITY_BUSINESS_DAYS", {})}


def query_deadline(at: datetime) -> Deadline:
    """A virtual consulta's clock (attention manual 7.4.1.1): answered within 24 hours;
    what arrives on a non-business day or after the attention's own cut-off (16:30, not the
    SGU's 17:00) counts as received the next business day."""
    config = _config()
    cutoff = time.fromisoformat(str(config.get("QUERY_CUTOFF", "16:30")))
    return (
        load_calendar()
        .with_cutoff(cutoff)
        .add_hours_of_business_days(at, config.get("VIRTUAL_QUERY_HOURS", 24))
    )


def _first_response(query: Query, now: datetime) -> None:
    """The first answer or escalation stops a consulta's clock (saved by the caller)."""
    if query.first_response_at is None:
        query.first_response_at = now
        if query.due_at is not None:
            query.on_time = now <= query.due_at


DEFAULT_SOLUTION_DAYS = {
    "ALTO": {"BAJA": 3, "MEDIA": 4, "ALTA": 5, "MUY_ALTA": 5, "INDEFINIDA": 5},
    "MEDIO": {"BAJA": 2, "MEDIA": 3, "ALTA": 4, "MUY_ALTA": 5, "INDEFINIDA": 5},
    "BAJO": {"BAJA": 2, "MEDIA": 2, "ALTA": 3, "MUY_ALTA": 4, "INDEFINIDA": 5},
}


def solution_days(criticality: str, complexity: str) -> int:
    """The 3rd level's solution plazo in business days (manual 9.3.4: 2 to 5)."""
    matrix = _config().get("SOLUTION_BUSINESS_DAYS") or DEFAULT_SOLUTION_DAYS
    return int(
        matrix.get(criticality, {}).get(complexity, DEFAULT_SOLUTION_DAYS[criticality][complexity])
    )


def escalation_deadline(criticality: str, at: datetime) -> Deadline:
    """The level's clock: the criticality's maximum response in business days, counted from
    the day the hop is received (the same rules as a plazo: DOMAIN §5)."""
    return load_calendar().add_business_days(at, criticality_days()[criticality])


# --- helpers -------------------------------------------------------------------------------


def _event(
    *,
    kind: str,
    by: User | None,
    now: datetime,
    escalation: Escalation | None = None,
    query: Query | None = None,
    case: Case | None = None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: Mapping[str, object] | None = None,
) -> AttentionEvent:
    if escalation is not None:
        case = case or escalation.case
        query = query or escalation.query
    event = AttentionEvent(
        escalation=escalation,
        query=query,
        case=case,
        at=now,
        kind=kind,
        actor=by,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )
    event.save(force_insert=True)
    return event


def _move(
    hop: Escalation, action: str, actor: str, by: User | None, now: datetime, **kw: Any
) -> None:
    try:
        t = transition(action, hop.state, actor, hop.level)
    except TransitionNotAllowed as exc:
        raise Conflict(exc.message) from None
    previous = hop.state
    hop.state = t.target
    hop.save()
    _event(
        kind=action, by=by, now=now, escalation=hop, from_state=previous, to_state=t.target, **kw
    )


def _require(user: User, escalation: Escalation, actor: str) -> None:
    if actor not in selectors.actors_for(user, escalation):
        if actor == HopActor.AREA:
            raise Forbidden(f"Solo los integrantes de {escalation.area.name} pueden hacer esto.")
        raise Forbidden("Solo el 1.er nivel puede hacer esto.")


def _text(errors: ErrorCollector, field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.add(field, message)
    elif len(value) > MAX_TEXT:
        errors.add(field, f"Escriba como máximo {MAX_TEXT} caracteres.")
    return value


def _locked(hop: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("area", "case", "case__citizen", "query", "parent")
        .get(pk=hop.pk)
    )


def _close_sent_back(
    query_or_case_hops: list[Escalation], by: User, now: datetime, note: str
) -> None:
    for hop in query_or_case_hops:
        if hop.state == HopState.SENT_BACK:
            _move(_locked(hop), HopAction.CLOSE, HopActor.FIRST_LEVEL, by, now, note=note)


def _active_top_hop(*, case: Case | None = None, query: Query | None = None) -> Escalation | None:
    qs = Escalation.objects.filter(parent__isnull=True).exclude(
        state__in=[HopState.INFORMED, HopState.CLOSED]
    )
    qs = qs.filter(case=case) if case is not None else qs.filter(query=query)
    return qs.order_by("-escalated_at", "-id").first()


def validation_deadline(at: datetime) -> Deadline:
    """Level 2 validates a 3rd-level answer within 1 business day (manual 9.3.7.2)."""
    days = int(_config().get("VALIDATION_BUSINESS_DAYS", 1))
    return load_calendar().add_business_days(at, days)


def _citizen_of(hop: Escalation) -> tuple[str, str]:
    """(email, name) of whom a hop is for: the consulta's, or the case's citizen's."""
    if hop.query is not None:
        return hop.query.email, hop.query.display_name
    assert hop.case is not None  # a hop is of a consulta or of a case (CheckConstraint)
    return hop.case.citizen.email, hop.case.citizen.get_full_name()
