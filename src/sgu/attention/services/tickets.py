"""The citizen's ticket: the 1st level tells the citizen, the same day, what happens
next and when."""

from datetime import datetime, timedelta

from sgu.accounts.models import User
from sgu.attention import selectors
from sgu.attention.models import (
    Criticality,
    Escalation,
    Query,
)
from sgu.attention.services._common import _citizen_of, _event
from sgu.attention.workflow import (
    is_legal_motive,
)
from sgu.core.calendar import LIMA, format_day
from sgu.notifications.services import queue_email

# --- the citizen's ticket (attention manual: the 1st level tells the citizen, the same day, what
# happens next and the average response time) ----------------------------------------------------


def _duration_label(value: timedelta) -> str:
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes < 60:
        return "1 minuto" if minutes == 1 else f"{minutes} minutos"
    hours = round(minutes / 60)
    if hours < 48:
        return "1 hora" if hours == 1 else f"{hours} horas"
    return f"{round(hours / 24)} días"


def _days_label(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} día hábil" if text == "1" else f"{text} días hábiles"


def _due_label(due: datetime) -> str:
    local = due.astimezone(LIMA)
    return f"{format_day(local.date())} a las {local:%H:%M}"


def query_expectation(query: Query, now: datetime) -> str:
    """What the citizen is told to expect for a consulta: the average first response of the
    same kind (motive and channel class) over the last 30 days, else the plazo."""
    virtual = query.due_at is not None
    average, n = selectors.average_query_response(
        motive_id=query.motive_id, virtual=virtual, now=now
    )
    kind = f"consultas de «{query.motive.name}»" if query.motive is not None else "consultas"
    if virtual:
        kind += " por el canal virtual"
    if average is not None:
        text = (
            f"Tiempo de respuesta esperado: unas {_duration_label(average)} (promedio de las "
            f"{kind} respondidas en los últimos 30 días: {n})."
        )
    else:
        text = "Tiempo de respuesta esperado: sin respuestas de este tipo en los últimos 30 días."
    if query.due_at is not None:  # virtual
        text += f" Plazo máximo: 24 horas de días hábiles, vence el {_due_label(query.due_at)}."
    return text


def escalation_expectation(hop: Escalation, now: datetime) -> str:
    """What the citizen is told to expect for an escalation: the average answer of the
    2nd-level escalations of the same criticality over the last 30 days, and the plazo."""
    average, n = selectors.average_escalation_response(criticality=hop.criticality, now=now)
    label = Criticality(hop.criticality).label.lower()
    if average is not None:
        text = (
            f"Tiempo de respuesta esperado: unos {_days_label(average)} (promedio de los "
            f"escalamientos de criticidad {label} respondidos en los últimos 30 días: {n})."
        )
    else:
        text = "Tiempo de respuesta esperado: sin respuestas de este tipo en los últimos 30 días."
    return (
        f"{text} Plazo máximo: {_days_label(hop.max_business_days)}, vence el "
        f"{_due_label(hop.due_at)}."
    )


def _ticket(
    *,
    to: str,
    code: str,
    name: str,
    subject: str,
    steps: list[str],
    expected: str,
    **where: object,
) -> dict[str, object]:
    data: dict[str, object] = {}
    if to:
        email = queue_email(
            to=to,
            template="attention_ticket",
            context={
                "code": code,
                "name": name,
                "subject": subject,
                "steps": steps,
                "expected": expected,
            },
            case_code=code,
        )
        data = {"email_id": email.pk, "email_to": to}
    else:
        data = {"medium": "sin correo: el 1.er nivel se lo informa en la atención"}
    return data


def _query_ticket(query: Query, *, by: User, now: datetime) -> None:
    expected = query_expectation(query, now)
    steps = [
        "Un orientador revisa su consulta y le responde"
        + (" a este correo." if query.email else "."),
        "Si necesita la opinión de un área especializada, se la enviamos y le avisamos.",
    ]
    if is_legal_motive(query.motive):
        steps.append(
            "Por ser una consulta legal, la respuesta pasa por una revisión de calidad antes "
            "de enviarse."
        )
    data = _ticket(
        to=query.email,
        code=query.code,
        name=query.display_name,
        subject="Registramos su consulta",
        steps=steps,
        expected=expected,
    )
    _event(kind="TICKET", by=by, now=now, query=query, note=expected, data=data)


def _escalation_ticket(hop: Escalation, *, by: User, now: datetime) -> None:
    expected = escalation_expectation(hop, now)
    item = "consulta" if hop.query_id else "caso"
    to, name = _citizen_of(hop)
    steps = [
        f"Su {item} pasó a un área especializada del regulador ({hop.area.name}).",
        "Cuando el área responda, le informamos la respuesta el mismo día.",
    ]
    data = _ticket(
        to=to,
        code=hop.item_code,
        name=name,
        subject=f"Su {item} pasó al área especializada",
        steps=steps,
        expected=expected,
    )
    _event(kind="TICKET", by=by, now=now, escalation=hop, note=expected, data=data)
