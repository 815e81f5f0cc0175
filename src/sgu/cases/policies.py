"""Yes/no rules on cases and claims that depend on a case's data, not only on its state.

Services, views, templates (through the view's context) and the API ask these functions, so
the same question gets the same answer and the same Spanish reason everywhere.

The reclamo (DOMAIN §6; "Operativa para Generación de Reclamos" of the operator's reclamo
procedure): the user may file a reclamo when *not conforme with the attention* or when *no
answer arrived within the plazo*, if the matter is claimable and does not imply the suspension
of payments. No time limit applies unless an administrator configures one
(`SGU["CLAIM_WINDOW_BUSINESS_DAYS"]`), and then the case page shows it beforehand.
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from sgu.cases.workflow import OPEN_STATES, Action, Actor, State, TransitionNotAllowed, transition
from sgu.core.calendar import load_calendar


def local(at: datetime) -> str:
    return timezone.localtime(at).strftime("%d/%m/%Y %H:%M")


def rating_window_closed(case, now: datetime) -> bool:
    """The scheduler may not have closed it yet: a closed window is a closed window."""
    return (
        case.state == State.ANSWERED and case.rating_due_at is not None and now > case.rating_due_at
    )


def _effective_state(case, now: datetime) -> str:
    """The state the case is in at `now`, counting what the scheduler has not applied yet."""
    if case.state in OPEN_STATES and case.due_at is not None and case.due_at < now:
        return State.OVERDUE
    if rating_window_closed(case, now):
        return State.CLOSED
    return case.state


def claim_window_closes_at(case) -> datetime | None:
    """Until when the citizen may file the reclamo, if an administrator set a limit; counted
    in business days from the operator's answer, or from the passed plazo when there was none.
    None: no limit (the source documents state none)."""
    days = settings.SGU.get("CLAIM_WINDOW_BUSINESS_DAYS")
    if not days:
        return None
    start = case.answered_at or case.due_at
    if start is None:
        return None
    return load_calendar().add_business_days(start, days).due_at


def payment_suspension_guidance(case) -> str:
    """Where to file a reclamo whose matter implies the suspension of payments."""
    sub = case.subcategory
    return sub.claim_elsewhere or (
        f"Presente su reclamo directamente ante {case.operator.name}: en sus centros de "
        "atención, por su línea telefónica gratuita o en su página web."
    )


def claim_refusal(case, now: datetime) -> str | None:
    """Why the citizen may not turn this case into a reclamo at `now`, in Spanish; None if
    they may ("No estoy conforme" after an answer, or an overdue case)."""
    sub = case.subcategory
    if not sub.claimable:
        return "Esta materia no es reclamable: no se puede generar un reclamo desde este caso."
    if sub.suspends_payments:
        return (
            "Este problema implica la suspensión de pagos, por eso su reclamo no se genera en el "
            f"SGU. {payment_suspension_guidance(case)}"
        )
    if hasattr(case, "claim"):
        return "Ya generó un reclamo para este caso."
    state = _effective_state(case, now)
    if state in OPEN_STATES:
        return (
            "La operadora aún está dentro del plazo para responder (vence el "
            f"{local(case.due_at)}). Podrá generar el reclamo si no responde a tiempo o si no "
            "está conforme con su respuesta."
        )
    if state == State.CLOSED and case.answered_at is None:
        return (
            "Este caso se cerró sin una respuesta de la operadora que usted pueda objetar; no "
            "corresponde generar un reclamo desde él."
        )
    if state not in {State.ANSWERED, State.RATED, State.CLOSED}:
        try:
            transition(Action.REQUEST_CLAIM, state, Actor.CITIZEN)
        except TransitionNotAllowed as exc:
            return exc.message
    closes = claim_window_closes_at(case)
    if closes is not None and now > closes:
        return f"El plazo para generar el reclamo venció el {local(closes)}."
    return None


def claim_records_rating(case, now: datetime) -> bool:
    """Whether "No estoy conforme" also records the rating (answered, not rated, and the rating
    window still open): then the citizen gives the satisfaction score in the same step."""
    return case.state == State.ANSWERED and not rating_window_closed(case, now)


def claim_follows_answer(case) -> bool:
    """The reclamo objects to an answer ("No estoy conforme"), not to a missing one."""
    return case.answered_at is not None


def claim_code_late(claim, now: datetime) -> bool:
    """The operator gave the claim code after its plazo, or has not given it and the plazo
    passed. The citizen, the operator and the regulator see the same answer."""
    if claim.coded_at is not None:
        return claim.coded_late
    return now > claim.code_due_at


def claim_code_late_q(now: datetime, prefix: str = "") -> Q:
    """`claim_code_late` as a query condition on claims (or on cases, with prefix "claim__"),
    for the regulator's tray filter and the reports."""
    return Q(**{f"{prefix}coded_late": True}) | Q(
        **{f"{prefix}coded_at__isnull": True, f"{prefix}code_due_at__lt": now}
    )
