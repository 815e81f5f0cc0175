"""Yes/no rules of the inoperatividad register, asked alike by services, views, templates and
the API: which closing reasons a scenario allows, who registers and reviews, the review
state of an event and the flags (alerts) the operator and the regulator see.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.db.models import F, Q

from sgu.core import config
from sgu.core.principal import Principal
from sgu.operators import selectors as operators
from sgu.operators.models import StaffDuty
from sgu.outages.models import ClosingReason, OutageEvent, Scenario, ScenarioClosingReason

EVALUATION_HOURS = 24  # "un plazo de atención de 24 horas"
LONG_EVENT_MINUTES = 60  # criterion 2: "informar si el rango es mayor a 1 hora"
PREVIOUS_DAYS = 7  # criterion 3: the same hours of the previous days
MIN_JUSTIFICATION = 15


def long_open_hours() -> int:
    """An event open longer than this is flagged (SGU_OUTAGE_LONG_OPEN_HOURS, default 4)."""
    return config.integer("OUTAGE_LONG_OPEN_HOURS", 4)


# --- closing reasons by scenario ---------


def allowed_closing_reasons(scenario: str) -> list[str]:
    """The reasons the table admits for `scenario`, plus "Error de usuario" (always: an event
    found to be an error or a test closes that way, whatever its scenario). An event
    registered as error or test closes only that way."""
    if scenario == Scenario.ERROR_O_PRUEBA:
        return [ClosingReason.ERROR_USUARIO]
    rows = set(
        ScenarioClosingReason.objects.filter(scenario=scenario).values_list(
            "closing_reason", flat=True
        )
    )
    return [r for r in ClosingReason.values if r in rows or r == ClosingReason.ERROR_USUARIO]


def closing_reason_table() -> dict[str, list[str]]:
    return {s: allowed_closing_reasons(s) for s in Scenario.values}


def needs_justification(closing_reason: str) -> bool:
    return closing_reason == ClosingReason.ERROR_USUARIO


# --- who ---------


def _names(people) -> str:
    return ", ".join(f"{p.get_full_name() or p.email} ({p.email})" for p in people)


def can_register(by: Principal) -> bool:
    """Only the channel's head/supervisor/coordinator, or an operator's system (API key),
    registers and closes events; agents only see them."""
    if by.operator is None:
        return False
    if by.api_key_id is not None and by.user is None:
        return True
    return operators.has_duty(by.user, StaffDuty.CHANNEL_HEAD)


def register_refusal(operator) -> str:
    text = (
        "Solo el jefe, supervisor o coordinador de canal de la operadora (o su sistema, con "
        "una clave de API) registra y cierra eventos de inoperatividad; los agentes los ven."
    )
    holders = operators.duty_holders(operator, StaffDuty.CHANNEL_HEAD)
    if holders:
        return f"{text} Pídaselo a {_names(holders)}."
    return f"{text} El administrador de su empresa asigna esa función en «Personal»."


REVIEW_DUTIES = {
    "confirm": (
        StaffDuty.SYSTEMS_FAILURE,
        "Solo el equipo de Fallas de Sistemas y Plataforma de la operadora confirma una falla "
        "masiva.",
    ),
    "evaluate": (
        StaffDuty.OUTAGE_REVIEWER,
        "Solo Control e Información de la operadora evalúa los eventos de inoperatividad.",
    ),
    "approve": (
        StaffDuty.OUTAGE_MANAGER,
        "Solo un gerente de la operadora aprueba el reporte de inoperatividad.",
    ),
}


def can_review(by: Principal, step: str) -> bool:
    """A review step is a person's decision: an API key alone does not confirm, evaluate or
    approve."""
    duty, _ = REVIEW_DUTIES[step]
    return by.operator is not None and operators.has_duty(by.user, duty)


def review_refusal(operator, step: str) -> str:
    duty, text = REVIEW_DUTIES[step]
    holders = operators.duty_holders(operator, duty)
    if holders:
        return f"{text} Pídaselo a {_names(holders)}."
    return f"{text} El administrador de su empresa asigna esa función en «Personal»."


# --- review state ---------


class ReviewState(models.TextChoices):
    ABIERTO = "ABIERTO", "Abierto"
    DESCARTADO = "DESCARTADO", "Error de usuario: no se reporta"
    POR_CONFIRMAR = "POR_CONFIRMAR", "Falla masiva por confirmar"
    POR_EVALUAR = "POR_EVALUAR", "Por evaluar"
    NO_PROCEDE = "NO_PROCEDE", "Evaluado: no procede reportar"
    POR_APROBAR = "POR_APROBAR", "Evaluado: por aprobar"
    REPORTADO = "REPORTADO", "Aprobado y reportado al regulador"


def needs_confirmation(event: OutageEvent) -> bool:
    return (
        event.scenario == Scenario.FALLA_MASIVA
        and event.failure_confirmed_at is None
        and not event.discarded
    )


def review_state(event: OutageEvent) -> str:
    if event.discarded:
        return ReviewState.DESCARTADO
    if event.is_open:
        return ReviewState.ABIERTO
    if event.approved_at is not None:
        return ReviewState.REPORTADO
    if needs_confirmation(event):
        return ReviewState.POR_CONFIRMAR
    if event.evaluated_at is None:
        return ReviewState.POR_EVALUAR
    if not event.evaluation_proceeds:
        return ReviewState.NO_PROCEDE
    return ReviewState.POR_APROBAR


def review_state_label(event: OutageEvent) -> str:
    return ReviewState(review_state(event)).label


def can_confirm(event: OutageEvent) -> bool:
    return needs_confirmation(event)


def can_evaluate(event: OutageEvent) -> bool:
    return review_state(event) == ReviewState.POR_EVALUAR


def can_approve(event: OutageEvent) -> bool:
    return review_state(event) == ReviewState.POR_APROBAR


def evaluation_due_at(event: OutageEvent) -> datetime | None:
    if event.closed_at is None:
        return None
    return event.closed_at + timedelta(hours=EVALUATION_HOURS)


# --- flags ---------


class FlagCode(models.TextChoices):
    REGISTRO_TARDIO = "REGISTRO_TARDIO", "Registrado después de 3 días hábiles del inicio"
    CIERRE_TARDIO = "CIERRE_TARDIO", "Cierre registrado después de 3 días hábiles del fin"
    ABIERTO_DEMASIADO = "ABIERTO_DEMASIADO", "Abierto por más tiempo del admitido"
    EVALUACION_VENCIDA = "EVALUACION_VENCIDA", "Sin evaluar 24 horas después del cierre"
    SIN_APROBAR = "SIN_APROBAR", "Cerrado y aún sin aprobar"
    REPORTE_TARDIO = "REPORTE_TARDIO", "Reporte fuera de plazo (3 días hábiles del fin)"


@dataclass(frozen=True)
class Flag:
    code: str
    label: str


PENDING = (ReviewState.POR_CONFIRMAR, ReviewState.POR_EVALUAR, ReviewState.POR_APROBAR)


def flags(event: OutageEvent, now: datetime) -> list[Flag]:
    """Every alert on one event at `now`: the one rule the operator's pages, the regulator's
    pages, the API and the templates show."""
    out: list[Flag] = []

    def add(code: FlagCode, label: str | None = None) -> None:
        out.append(Flag(code.value, label or code.label))

    if not event.reportable:
        return out
    state = review_state(event)
    if event.registered_late:
        add(FlagCode.REGISTRO_TARDIO)
    if event.closed_late:
        add(FlagCode.CIERRE_TARDIO)
    hours = long_open_hours()
    if event.is_open and now - event.started_at > timedelta(hours=hours):
        add(FlagCode.ABIERTO_DEMASIADO, f"Abierto hace más de {hours} horas")
    due = evaluation_due_at(event)
    if due is not None:
        late_pending = state in (ReviewState.POR_CONFIRMAR, ReviewState.POR_EVALUAR) and now > due
        late_done = event.evaluated_at is not None and event.evaluated_at > due
        if late_pending or late_done:
            add(FlagCode.EVALUACION_VENCIDA)
    if state in PENDING:
        add(FlagCode.SIN_APROBAR)
    due_report = event.report_due_at
    if due_report is not None and (event.reported_late or (state in PENDING and now > due_report)):
        add(FlagCode.REPORTE_TARDIO)
    return out


def flagged_q(now: datetime) -> Q:
    """The same rule as `flags`, as a filter (the regulator's "with alerts" list): any event
    that `flags` gives at least one flag. Errors and tests are excluded by the caller."""
    pending = (
        Q(ended_at__isnull=False, approved_at__isnull=True)
        & ~Q(evaluation_proceeds=False)
        & ~Q(closing_reason=ClosingReason.ERROR_USUARIO)
    )
    return (
        Q(registered_late=True)
        | Q(closed_late=True)
        | Q(ended_at__isnull=True, started_at__lt=now - timedelta(hours=long_open_hours()))
        | pending
        | Q(approved_at__gt=F("report_due_at"))
        | Q(evaluated_at__gt=F("closed_at") + timedelta(hours=EVALUATION_HOURS))
    )
