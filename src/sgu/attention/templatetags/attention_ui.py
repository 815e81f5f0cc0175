from django import template

from sgu.attention.criteria import COMPLEXITY_DESCRIPTIONS, CRITICALITY_CRITERIA
from sgu.attention.models import Complexity, Criticality
from sgu.attention.selectors import hops_of, seat_of
from sgu.attention.workflow import HopAction, HopState, query_late
from sgu.core.calendar import LIMA, format_day
from sgu.core.templatetags.sgu_ui import numero

register = template.Library()

_STYLES = {
    HopState.PENDING: "waiting",
    HopState.AT_HIGHER_LEVEL: "waiting",
    HopState.ANSWERED: "done",
    HopState.INFORMED: "closed",
    HopState.SENT_BACK: "overdue",
    HopState.CLOSED: "closed",
}

_EVENTS = {
    **dict(HopAction.choices),
    "REGISTER": "Consulta registrada",
    "ANSWER": "Respondido",
    "ESCALATE": "Escalado",
    "EXTEND": "Plazo ampliado (avisado al ciudadano)",
    "TAKE": "Tomado por el área (fin del tiempo de respuesta)",
    "TICKET": "Constancia al ciudadano (código y tiempo esperado)",
    "REVIEW_REQUESTED": "Respuesta enviada a la revisión de calidad",
    "REVIEW_APPROVED": "Revisión de calidad: conforme",
    "REVIEW_RETURNED": "Revisión de calidad: observada y devuelta",
    "PAUSE": "Plazo de solución en pausa (espera a un tercero)",
    "RESUME": "Plazo de solución reanudado",
    "REQUIREMENT": "Pasa a requerimiento funcional",
}


@register.filter
def nivel(level) -> str:
    """1 → «1.er nivel», 2 → «2.º nivel», 3 → «3.er nivel» (one spelling everywhere)."""
    try:
        n = int(level)
    except (TypeError, ValueError):
        return ""
    return f"{n}.{'er' if n in (1, 3) else 'º'} nivel"


@register.filter
def awaiting_inform(hop) -> bool:
    """An answer from an area that the 1st level still has to pass on to the citizen."""
    return hop.state == HopState.ANSWERED and not hop.parent_id


@register.filter
def hop_style(state: str) -> str:
    return _STYLES.get(state, "waiting")


@register.filter
def hop_overdue(hop, now) -> bool:
    return hop.state in (HopState.PENDING, HopState.AT_HIGHER_LEVEL) and hop.due_at < now


@register.filter
def attention_event_label(kind: str) -> str:
    return _EVENTS.get(kind, kind)


@register.filter
def first_level_user(hop, user) -> bool:
    return seat_of(user).first_level


@register.filter
def indicator(row: dict, key: str) -> str:
    """A figure as shown: decimal comma, "—" when there is nothing to compute it from."""
    value = row.get(key)
    if value is None:
        return "—"
    if "pct" in key:
        return f"{numero(float(value), 1)} %"
    return numero(value)


@register.simple_tag
def case_escalations(case) -> list:
    """The escalations of a case (for the regulator's case page)."""

    return hops_of(case=case)


@register.filter
def same_lima_day(a, b) -> bool:

    return (
        a is not None and b is not None and a.astimezone(LIMA).date() == b.astimezone(LIMA).date()
    )


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    hours, minutes = divmod(minutes, 60)
    if hours >= 48:
        return f"{hours // 24} días"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


@register.simple_tag
def query_clock(query, now) -> dict:
    """The virtual consulta's clock as a list shows it: due time, countdown, late flag.

    `late` is `workflow.query_late` (the same rule the API answers)."""
    if query.due_at is None:
        return {"has_plazo": False, "late": False, "label": "Sin plazo (atención inmediata)"}
    late = query_late(query, now)
    due = query.due_at.astimezone(LIMA)
    due_label = f"{format_day(due.date())} a las {due:%H:%M}"
    if query.first_response_at is not None:
        label = (
            "Respondida fuera de plazo, "
            f"{_span((query.first_response_at - query.due_at).total_seconds())} tarde"
            if late
            else "Respondida dentro del plazo"
        )
    elif late:
        label = f"Vencida hace {_span((now - query.due_at).total_seconds())}"
    else:
        label = f"Vence en {_span((query.due_at - now).total_seconds())}"
    return {"has_plazo": True, "late": late, "label": label, "due": due_label}


@register.filter
def duracion(value) -> str:
    """A response time as people read it: "2 h 05 min", "3 días 4 h"; "—" when none."""
    if value is None:
        return "—"
    minutes = max(0, round(value.total_seconds() / 60))
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} día{'s' if days != 1 else ''} {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


@register.inclusion_tag("attention/_criteria.html")
def incident_criteria():
    """The criticality criteria and the complexity descriptions (manual 9.3.5–9.3.6), shown
    next to the choice."""

    return {
        "criticality": [(Criticality(k).label, v) for k, v in CRITICALITY_CRITERIA.items()],
        "complexity": [(Complexity(k).label, v) for k, v in COMPLEXITY_DESCRIPTIONS.items()],
    }
