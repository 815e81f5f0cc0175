"""How a case reads in Spanish: states, timeline events, plazos, extra fields."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import timezone

from sgu.cases import selectors
from sgu.cases.workflow import Action, Actor, State
from sgu.catalog.models import FieldType
from sgu.core.calendar import BusinessCalendar, load_calendar

register = template.Library()

# The timeline says what happened, in the past tense.
EVENT_LABELS = {
    Action.REGISTER: "Caso registrado",
    Action.FORWARD: "Enviado a la operadora",
    Action.ACKNOWLEDGE: "La operadora tomó el caso en atención",
    Action.ANSWER: "La operadora registró su respuesta",
    Action.RATE: "Respuesta calificada",
    Action.EXPIRE: "Venció el plazo sin respuesta",
    Action.RETURN: "La operadora devolvió el caso",
    Action.REASSIGN: "Caso reasignado a otra operadora",
    Action.REQUEST_CLAIM: "Reclamo solicitado",
    Action.ASSIGN_CLAIM_CODE: "La operadora asignó el código de reclamo",
    Action.CLOSE: "Caso cerrado",
    "ATTACHMENT": "Archivo adjuntado",
    "NOTE": "Nota",
    "EXTEND": "Plazo ampliado",
    "CONTINGENCY_EXTENSION": "Plazo ampliado por contingencia",
    Action.REOPEN: "Caso reabierto: el plazo ampliado aún no vence",
    Action.RESUME: "Caso de nuevo en atención: el plazo ampliado aún no vence",
}

STATE_STYLE = {
    State.REGISTERED: "waiting",
    State.ANSWERED: "done",
    State.RATED: "done",
    State.OVERDUE: "overdue",
    State.RETURNED: "waiting",
    State.CLAIM_REQUESTED: "waiting",
    State.CLAIM_CODED: "waiting",
    State.CLOSED: "closed",
}

RUNNING_STATES = frozenset({State.FORWARDED, State.IN_PROGRESS, State.OVERDUE})


@register.filter
def event_label(kind: str) -> str:
    if kind in EVENT_LABELS:
        return EVENT_LABELS[kind]
    if kind in Action.values:
        return Action(kind).label
    return kind.replace("_", " ").capitalize()


@register.filter
def actor_label(role: str) -> str:
    return Actor(role).label if role in Actor.values else role


@register.filter
def state_label(state: str) -> str:
    return State(state).label if state in State.values else state


@register.filter
def state_style(state: str) -> str:
    return STATE_STYLE.get(state, "open")


@dataclass(frozen=True)
class DeadlineStatus:
    running: bool  # the operator still owes an answer
    overdue: bool
    label: str
    marked: bool = False  # the scheduler has already put the case in OVERDUE (its state says it)


def deadline_status(case, now: datetime, calendar: BusinessCalendar) -> DeadlineStatus:
    """What a person reads about the plazo of `case` at `now` (business time, Lima)."""
    if case.due_at is None or case.state not in RUNNING_STATES:
        return DeadlineStatus(running=False, overdue=False, label="")
    left = calendar.remaining(now, case.due_at)
    overdue = left.overdue or case.state == State.OVERDUE
    marked = case.state == State.OVERDUE
    return DeadlineStatus(running=True, overdue=overdue, label=left.label, marked=marked)


def _calendar(context) -> BusinessCalendar:
    # One calendar per request (one query), shared by every row of a tray.
    request = context.get("request")
    if request is None:
        return load_calendar()
    cal = getattr(request, "_sgu_calendar", None)
    if cal is None:
        cal = load_calendar()
        request._sgu_calendar = cal
    return cal


@register.simple_tag(takes_context=True)
def deadline(context, case) -> DeadlineStatus:
    now = context.get("now") or timezone.now()
    return deadline_status(case, now, _calendar(context))


@register.simple_tag(takes_context=True)
def claim_counts(context) -> dict[str, int]:
    """The signed-in operator agent's claims waiting for a code (and how many are late);
    counted once per request (the header and the claims tray both show it)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_operator_staff:
        return {"pending": 0, "late": 0}
    counts = getattr(request, "_sgu_claim_counts", None)
    if counts is None:
        counts = selectors.operator_claim_counts(user.operator, now=timezone.now())
        request._sgu_claim_counts = counts
    return counts


@register.filter
def extra_fields(case) -> list[tuple[str, str]]:
    """(label, value) of the case's extra data, in the subcategory's order."""
    values = case.fields or {}
    out: list[tuple[str, str]] = []
    known = set()
    for f in case.subcategory.fields.all():
        known.add(f.name)
        if f.name not in values:
            continue
        out.append((f.label, _show(f.type, values[f.name])))
    # Data whose definition was removed from the catalog afterwards is still shown.
    out.extend((name, str(value)) for name, value in values.items() if name not in known)
    return out


@register.filter
def soles(value) -> str:
    """An amount in soles as the case page shows money: S/ 1,234.50."""
    return "" if value is None else _show(FieldType.MONEY, value)


def _show(kind: str, value) -> str:
    if kind == FieldType.MONEY:
        try:
            return f"S/ {Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if kind == FieldType.DATE and isinstance(value, str) and len(value) == 10:
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"
    return str(value)


def remaining_words(due: datetime, now: datetime) -> str:
    """«quedan 42 min» / «venció hace 1 h 05 min»: the time to a claim's code plazo, to the
    minute (static/sgu/countdown.js says the same, to the second, while the page is open)."""
    seconds = int((due - now).total_seconds())
    late = seconds < 0
    minutes = abs(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        span = f"{days} d {hours} h"
    elif hours:
        span = f"{hours} h {minutes:02d} min"
    else:
        span = f"{minutes} min"
    return f"venció hace {span}" if late else f"quedan {span}"


@register.inclusion_tag("cases/_code_countdown.html")
def code_countdown(claim, now: datetime) -> dict:
    """The live countdown to a pending claim's code plazo: the server's words, and the due
    instant for the script to count down from."""
    return {
        "due": claim.code_due_at,
        "late": now > claim.code_due_at,
        "words": remaining_words(claim.code_due_at, now),
    }
