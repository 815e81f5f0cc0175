"""Returns and the regulator's review: a case sent back, reassigned or confirmed."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sgu.cases.models import (
    Case,
)
from sgu.cases.schemas import case_summary
from sgu.cases.services._common import MAX_DESCRIPTION, _locked, _move, compute_deadline
from sgu.cases.services.registration import _start_plazo
from sgu.cases.workflow import Action, State
from sgu.catalog import selectors as catalog
from sgu.core.errors import (
    Conflict,
    FieldError,
    ValidationFailed,
)
from sgu.core.principal import Principal
from sgu.notifications.services import queue_email
from sgu.operators import services as operator_events

# --- returns and the regulator's review -----------------------------------------------------


@transaction.atomic
def return_case(*, case: Case, reason: str, by: Principal, now: datetime | None = None) -> Case:
    """The operator says the case is not theirs (wrong operator, not a customer)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed.of(
            [
                FieldError(
                    "reason", "Explique por qué el caso no corresponde (al menos 10 caracteres)."
                )
            ]
        )
    case = _locked(case)
    _move(case, Action.RETURN, by, now, note=reason[:MAX_DESCRIPTION])
    case.save(update_fields=["state", "updated_at"])
    queue_email(
        to=case.citizen.email,
        template="case_returned",
        context={"case": case, "citizen": case.citizen, "reason": reason},
        case_code=case.code,
    )
    return case


@transaction.atomic
def reassign_case(
    *, case: Case, operator_code: str, note: str = "", by: Principal, now: datetime | None = None
) -> Case:
    """The regulator sends a returned case to the right operator; a new plazo starts."""
    now = now or timezone.now()
    new_operator = catalog.operator_by_code(operator_code)
    case = _locked(case)
    if new_operator.pk == case.operator_id:
        raise ValidationFailed.of(
            [FieldError("operator", "Elija una operadora distinta de la que devolvió el caso.")]
        )
    previous = case.operator
    deadline = compute_deadline(case.subcategory, now)
    _move(
        case,
        Action.REASSIGN,
        by,
        now,
        note=(note or "").strip()[:MAX_DESCRIPTION]
        or f"Reasignado de {previous.name} a {new_operator.name}.",
        data={
            "from_operator": previous.code,
            "to_operator": new_operator.code,
            "due_at": deadline.due_at.isoformat(),
        },
    )
    case.operator = new_operator
    _start_plazo(case, now, deadline)
    case.acknowledged_at = None
    case.save(
        update_fields=[
            "state",
            "operator",
            "forwarded_at",
            "received_on",
            "due_at",
            "due_explanation",
            "acknowledged_at",
            "updated_at",
        ]
    )
    operator_events.case_reassigned(
        case=case, previous=previous, summary=case_summary(case), now=now
    )
    queue_email(
        to=case.citizen.email,
        template="case_reassigned",
        context={"case": case, "citizen": case.citizen, "previous": previous},
        case_code=case.code,
    )
    return case


@transaction.atomic
def confirm_return(*, case: Case, note: str, by: Principal, now: datetime | None = None) -> Case:
    """The regulator agrees the case was not the operator's: it is closed."""
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) < 10:
        raise ValidationFailed.of(
            [
                FieldError(
                    "note", "Explique al ciudadano por qué se cierra (al menos 10 caracteres)."
                )
            ]
        )
    case = _locked(case)
    # CLOSE is also the way out of ANSWERED, RATED and CLAIM_CODED: only a returned case has
    # a return to confirm.
    if case.state != State.RETURNED:
        raise Conflict(
            "Solo se puede confirmar la devolución de un caso devuelto por la operadora "
            f"(estado: {State(case.state).label.lower()})."
        )
    _move(case, Action.CLOSE, by, now, note=note[:MAX_DESCRIPTION], data={"return_confirmed": True})
    case.closed_at = now
    case.save(update_fields=["state", "closed_at", "updated_at"])
    queue_email(
        to=case.citizen.email,
        template="case_return_confirmed",
        context={"case": case, "citizen": case.citizen, "note": note},
        case_code=case.code,
    )
    return case
