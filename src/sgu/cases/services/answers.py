"""The operator answers: acknowledgement, the solution, and the citizen's rating of it."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from sgu.cases import policies
from sgu.cases.models import (
    Case,
    Outcome,
    Rating,
    Solution,
)
from sgu.cases.services._common import MAX_DESCRIPTION, _locked, _move
from sgu.cases.workflow import Action
from sgu.core import config
from sgu.core.calendar import load_calendar
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
)
from sgu.core.principal import Principal
from sgu.notifications.services import queue_email


@transaction.atomic
def acknowledge_case(*, case: Case, by: Principal, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    case = _locked(case)
    _move(case, Action.ACKNOWLEDGE, by, now)
    case.acknowledged_at = now
    case.save(update_fields=["state", "acknowledged_at", "updated_at"])
    return case


@dataclass(frozen=True)
class SolutionInput:
    outcome: str
    detail: str
    actions: str
    executed_at: date | None
    responsible: str


@transaction.atomic
def record_solution(
    *, case: Case, data: SolutionInput, by: Principal, now: datetime | None = None
) -> Case:
    """The operator's answer. The citizen is emailed it."""
    now = now or timezone.now()
    errors = ErrorCollector()
    if data.outcome not in Outcome.values:
        errors.add("outcome", "Elija el resultado: «Resuelto», «No resuelto» o «No corresponde».")
    detail = (data.detail or "").strip()
    if len(detail) < 10:
        errors.add("detail", "Explique la solución al usuario (al menos 10 caracteres).")
    elif len(detail) > MAX_DESCRIPTION:
        errors.add("detail", f"El detalle admite hasta {MAX_DESCRIPTION} caracteres.")
    actions = (data.actions or "").strip()
    if len(actions) > MAX_DESCRIPTION:
        errors.add("actions", f"Las acciones admiten hasta {MAX_DESCRIPTION} caracteres.")
    responsible = " ".join((data.responsible or "").split())
    if not responsible:
        errors.add("responsible", "Indique el responsable de la solución.")
    elif len(responsible) > 120:
        errors.add("responsible", "El responsable admite hasta 120 caracteres.")
    if data.executed_at is None:
        errors.add("executed_at", "Indique la fecha de ejecución (AAAA-MM-DD).")
    else:
        if data.executed_at > timezone.localdate(now):
            errors.add("executed_at", "La fecha de ejecución no puede ser futura.")
        if data.executed_at < timezone.localdate(case.registered_at):
            errors.add(
                "executed_at", "La fecha de ejecución no puede ser anterior al registro del caso."
            )
    errors.raise_if_any()
    assert data.executed_at is not None  # refused above when missing

    case = _locked(case)
    on_time = case.due_at is not None and now <= case.due_at
    response_days = None
    if case.received_on is not None:
        response_days = load_calendar().business_days_taken(case.received_on, now)
    _move(case, Action.ANSWER, by, now, data={"outcome": data.outcome, "on_time": on_time})
    Solution.objects.create(
        case=case,
        outcome=data.outcome,
        detail=detail,
        actions=actions,
        executed_at=data.executed_at,
        responsible=responsible,
        recorded_at=now,
        recorded_by=by.user,
        on_time=on_time,
        response_business_days=response_days,
    )
    case.answered_at = now
    case.rating_due_at = (
        load_calendar().add_business_days(now, config.integer("RATING_WINDOW_BUSINESS_DAYS")).due_at
    )
    case.save(update_fields=["state", "answered_at", "rating_due_at", "updated_at"])
    queue_email(
        to=case.citizen.email,
        template="case_answered",
        context={"case": case, "citizen": case.citizen, "solution": case.solution},
        case_code=case.code,
    )
    return case


_RATING_WINDOW_CLOSED = (
    "El plazo para calificar la respuesta venció el {due}; el caso se cierra sin calificación."
)


_local = policies.local
_rating_window_closed = policies.rating_window_closed


@transaction.atomic
def rate_case(
    *,
    case: Case,
    resolved: bool,
    score: int,
    comment: str = "",
    by: Principal,
    now: datetime | None = None,
) -> Case:
    now = now or timezone.now()
    errors = ErrorCollector()
    if not isinstance(resolved, bool):
        errors.add("resolved", "Indique si el problema se resolvió (sí o no).")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        errors.add("score", "La satisfacción va de 1 a 5.")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors.add("comment", "El comentario admite hasta 2000 caracteres.")
    errors.raise_if_any()
    case = _locked(case)
    if hasattr(case, "rating"):
        raise Conflict("Este caso ya fue calificado; la calificación no se puede cambiar.")
    if _rating_window_closed(case, now):
        assert case.rating_due_at is not None  # closed: it had one
        raise Conflict(_RATING_WINDOW_CLOSED.format(due=_local(case.rating_due_at)))
    _move(case, Action.RATE, by, now, data={"resolved": resolved, "score": score})
    Rating.objects.create(case=case, resolved=resolved, score=score, comment=comment, rated_at=now)
    case.save(update_fields=["state", "updated_at"])
    return case


# While the case is still in the operator's hands; the case page asks it too.
