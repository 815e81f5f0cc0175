"""Every write on the inoperatividad register and on contingency windows.

One function per use case, keyword arguments, one transaction each. Every refusal is a
`DomainError` with a Spanish message (the API turns it into problem+json, the web into form
errors), and all field errors are gathered before refusing.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from sgu.accounts.models import Role
from sgu.cases import services as cases
from sgu.catalog import selectors as catalog
from sgu.catalog.models import Operator
from sgu.core.calendar import END_OF_DAY, LIMA, BusinessCalendar, format_day, load_calendar
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    Forbidden,
    NotFound,
    ValidationFailed,
    one_of,
)
from sgu.core.principal import Actor, Principal
from sgu.outages import policies, selectors
from sgu.outages.contingency import Extension, Plazo, compute_extension, explain
from sgu.outages.models import (
    AffectedApplication,
    ApplicationGroup,
    AttentionPoint,
    AttentionPointKind,
    ClosingReason,
    ContingencyExtension,
    ContingencyScope,
    ContingencyWindow,
    OutageEvent,
    OutageSequence,
    ProcedureType,
    Scenario,
)

SYSTEM = Principal(actor_role=Actor.SYSTEM)
REPORT_BUSINESS_DAYS = 3  # DOMAIN §8: events are reported within 3 business days of their end
MAX_SYSTEMS = 500
MAX_REASON = 2000
MAX_APPLICATIONS = 20

_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,39}$")
# INEI ubigeo: department 01–25, province and district 01–99.
_UBIGEO = re.compile(r"^(0[1-9]|1[0-9]|2[0-5])(0[1-9]|[1-9][0-9])(0[1-9]|[1-9][0-9])$")


def _local(at: datetime) -> str:
    return f"{timezone.localtime(at, LIMA):%d/%m/%Y %H:%M}"


def _require_operator_staff(
    by: Principal,
    *,
    admin: bool = False,
    what: str = "Solo el administrador de la operadora gestiona los puntos de atención.",
) -> None:
    if by.operator is None:
        raise Forbidden("Esta operación es para el personal de una empresa operadora.")
    if admin and (by.user is None or by.user.role != Role.OPERATOR_ADMIN):
        raise Forbidden(what)


def _require_registrar(by: Principal) -> None:
    """Registering and closing: the channel's head or the operator's system (policies)."""
    _require_operator_staff(by)
    if not policies.can_register(by):
        raise Forbidden(policies.register_refusal(by.operator))


def report_deadline(cal: BusinessCalendar, at: datetime) -> datetime:
    """23:59:59 Lima of the 3rd business day after the Lima day of `at` (UTC)."""
    d = timezone.localtime(at, LIMA).date()
    for _ in range(REPORT_BUSINESS_DAYS):
        d = cal.next_business_day(d)
    return datetime.combine(d, END_OF_DAY, tzinfo=LIMA).astimezone(UTC)


# --- attention points ---------


@dataclass(frozen=True)
class PointInput:
    code: str
    name: str
    kind: str
    ubigeo: str
    address: str = ""
    active: bool = True


class _PointValues(TypedDict):
    code: str
    name: str
    kind: str
    ubigeo: str
    address: str
    active: bool


def _clean_point(data: PointInput, errors: ErrorCollector) -> _PointValues:
    code = (data.code or "").strip().upper()
    if not _CODE.fullmatch(code):
        errors.add(
            "code",
            "El código tiene de 2 a 40 letras sin tildes, dígitos, guiones o guiones bajos "
            "(p. ej. CAC-MIRAFLORES).",
        )
    name = " ".join((data.name or "").split())
    if len(name) < 3:
        errors.add("name", "Escriba el nombre del punto de atención (al menos 3 caracteres).")
    elif len(name) > 120:
        errors.add("name", "El nombre admite hasta 120 caracteres.")
    if data.kind not in AttentionPointKind.values:
        errors.add("kind", f"Elija el tipo: {one_of(AttentionPointKind)}.")
    ubigeo = (data.ubigeo or "").strip()
    if not _UBIGEO.fullmatch(ubigeo):
        errors.add("ubigeo", "El ubigeo tiene 6 dígitos (código INEI del distrito, p. ej. 150122).")
    address = " ".join((data.address or "").split())
    if len(address) > 200:
        errors.add("address", "La dirección admite hasta 200 caracteres.")
    if not isinstance(data.active, bool):
        errors.add("active", "Indique si el punto está activo (sí o no).")
    return {
        "code": code,
        "name": name,
        "kind": data.kind,
        "ubigeo": ubigeo,
        "address": address,
        "active": data.active,
    }


def _duplicate_code(code: str) -> Conflict:
    return Conflict(
        f"Ya existe un punto de atención con el código {code} en su empresa.",
        [FieldError("code", "Código repetido.")],
    )


@transaction.atomic
def create_attention_point(*, data: PointInput, by: Principal) -> AttentionPoint:
    _require_operator_staff(by, admin=True)
    errors = ErrorCollector()
    values = _clean_point(data, errors)
    errors.raise_if_any()
    if AttentionPoint.objects.filter(operator=by.operator, code=values["code"]).exists():
        raise _duplicate_code(values["code"])
    try:
        with transaction.atomic():
            return AttentionPoint.objects.create(operator=by.operator, **values)
    except IntegrityError:
        raise _duplicate_code(values["code"]) from None


@transaction.atomic
def update_attention_point(
    *, point: AttentionPoint, data: PointInput, by: Principal
) -> AttentionPoint:
    _require_operator_staff(by, admin=True)
    point = selectors.operator_point(by.operator, point.pk)  # scoped: another's is not found
    errors = ErrorCollector()
    values = _clean_point(data, errors)
    errors.raise_if_any()
    taken = AttentionPoint.objects.filter(operator=by.operator, code=values["code"])
    if taken.exclude(pk=point.pk).exists():
        raise _duplicate_code(values["code"])
    for name, value in values.items():
        setattr(point, name, value)
    try:
        with transaction.atomic():
            point.save()
    except IntegrityError:
        raise _duplicate_code(values["code"]) from None
    return point


# --- outage events ---------


def next_outage_number(operator_id: int) -> int:
    """The operator's next correlative number.

    One UPDATE … RETURNING on the operator's row: the row lock serialises concurrent
    registrations on PostgreSQL, the database lock on SQLite. A rolled-back registration
    gives its number back; no number is ever given twice.
    """
    table = OutageSequence._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET last_number = last_number + 1 WHERE operator_id = %s "
            "RETURNING last_number",
            [operator_id],
        )
        row = cur.fetchone()
        if row is None:
            cur.execute(
                f"INSERT INTO {table} (operator_id, last_number) VALUES (%s, 0) "
                "ON CONFLICT (operator_id) DO NOTHING",
                [operator_id],
            )
            cur.execute(
                f"UPDATE {table} SET last_number = last_number + 1 WHERE operator_id = %s "
                "RETURNING last_number",
                [operator_id],
            )
            row = cur.fetchone()
    return int(row[0])


@dataclass(frozen=True)
class OutageInput:
    attention_point: str  # the point's code
    procedure_type: str
    scenario: str
    systems: str = ""  # optional detail besides the applications of the catalog
    started_at: datetime | None = None
    manual: bool = False
    # A regularisation of a paper form may arrive already closed.
    ended_at: datetime | None = None
    closing_reason: str = ""
    applications: tuple[str, ...] | list[str] = ()  # codes of the catalog
    closing_justification: str = ""


def _open_conflict(open_event: OutageEvent | None) -> Conflict:
    number = f" (N.º {open_event.number})" if open_event is not None else ""
    return Conflict(
        f"Ya hay un evento abierto{number} para este punto de atención y tipo de "
        "procedimiento. Ciérrelo antes de registrar otro.",
        [FieldError("procedure_type", "Ya hay un evento abierto para este procedimiento.")],
    )


def _check_end(
    errors: ErrorCollector,
    *,
    started_at: datetime | None,
    ended_at: datetime | None,
    closing_reason: str,
    now: datetime,
    scenario: str,
    justification: str,
) -> str:
    if ended_at is None:
        errors.add("ended_at", "Indique la fecha y hora de fin.")
    elif ended_at.tzinfo is None:
        errors.add("ended_at", "La fecha y hora de fin debe indicar la zona horaria.")
    else:
        if ended_at > now:
            errors.add("ended_at", "La fecha y hora de fin no puede ser futura.")
        if started_at is not None and started_at.tzinfo is not None and ended_at < started_at:
            errors.add(
                "ended_at",
                f"El fin no puede ser anterior al inicio ({_local(started_at)}).",
            )
    if closing_reason not in ClosingReason.values:
        errors.add(
            "closing_reason",
            f"Elija el motivo de cierre: {one_of(ClosingReason)}.",
        )
    elif scenario in Scenario.values:
        allowed = policies.allowed_closing_reasons(scenario)
        if closing_reason not in allowed:
            labels = ", ".join(ClosingReason(r).label for r in allowed)
            errors.add(
                "closing_reason",
                f"El motivo «{ClosingReason(closing_reason).label}» no corresponde al escenario "
                f"«{Scenario(scenario).label}». Motivos admitidos: {labels}.",
            )
    text = (justification or "").strip() if isinstance(justification, str) else ""
    if policies.needs_justification(closing_reason) and len(text) < policies.MIN_JUSTIFICATION:
        errors.add(
            "closing_justification",
            "Un evento registrado por error o como prueba se cierra como «Error de usuario» "
            f"con su sustento: explique qué pasó (al menos {policies.MIN_JUSTIFICATION} "
            "caracteres).",
        )
    if len(text) > MAX_REASON:
        errors.add("closing_justification", f"El sustento admite hasta {MAX_REASON} caracteres.")
    return text


@transaction.atomic
def register_outage(
    *, data: OutageInput, by: Principal, now: datetime | None = None
) -> OutageEvent:
    """An operator registers an event in which an attention point could not take a kind of
    procedure. Each operator's events get a correlative number."""
    now = now or timezone.now()
    _require_registrar(by)
    errors = ErrorCollector()
    point = None
    if not (data.attention_point or "").strip():
        errors.add("attention_point", "Elija el punto de atención.")
    else:
        point = selectors.operator_point_by_code(by.operator, data.attention_point)
        if point is None:
            errors.add("attention_point", "No existe ese punto de atención en su empresa.")
        elif not point.active:
            errors.add("attention_point", "Ese punto de atención está desactivado.")
    if data.procedure_type not in ProcedureType.values:
        errors.add("procedure_type", f"Elija el tipo de procedimiento: {one_of(ProcedureType)}.")
    if data.scenario not in Scenario.values:
        errors.add("scenario", f"Elija el escenario: {one_of(Scenario)}.")
    systems = " ".join((data.systems or "").split())
    if len(systems) > MAX_SYSTEMS:
        errors.add("systems", f"El detalle de sistemas admite hasta {MAX_SYSTEMS} caracteres.")
    applications = _clean_applications(by.operator, data.applications, errors)
    started_at = data.started_at
    if started_at is None:
        errors.add("started_at", "Indique la fecha y hora de inicio.")
    elif started_at.tzinfo is None:
        errors.add("started_at", "La fecha y hora de inicio debe indicar la zona horaria.")
    elif started_at > now:
        errors.add("started_at", "La fecha y hora de inicio no puede ser futura.")
    if not isinstance(data.manual, bool):
        errors.add("manual", "Indique si es un registro manual posterior (sí o no).")
    closing = data.ended_at is not None or bool(data.closing_reason)
    justification = ""
    if closing:
        justification = _check_end(
            errors,
            started_at=started_at,
            ended_at=data.ended_at,
            closing_reason=data.closing_reason,
            now=now,
            scenario=data.scenario,
            justification=data.closing_justification,
        )
    errors.raise_if_any()
    assert point is not None and started_at is not None

    if not closing:
        # A friendly answer in the common case; the partial unique index decides races.
        existing = selectors.open_event_for(point, data.procedure_type)
        if existing is not None:
            raise _open_conflict(existing)
    cal = load_calendar()
    event = OutageEvent(
        operator=by.operator,
        attention_point=point,
        procedure_type=data.procedure_type,
        scenario=data.scenario,
        systems=systems,
        started_at=started_at,
        manual=data.manual,
        registered_at=now,
        registered_by=by.user,
        registered_by_key_id=by.api_key_id,
        registered_late=now > report_deadline(cal, started_at),
    )
    if closing:
        assert data.ended_at is not None  # refused by _check_end when missing
        _set_closed(event, data.ended_at, data.closing_reason, justification, by, now, cal)
    event.number = next_outage_number(by.operator.pk)
    try:
        with transaction.atomic():
            event.save(force_insert=True)
    except IntegrityError:
        # Another request opened the same (point, procedure type) first. Raising rolls back
        # the whole registration, so the correlative number is given back too.
        raise _open_conflict(selectors.open_event_for(point, data.procedure_type)) from None
    event.applications.set(applications)
    return event


def _clean_applications(
    operator: Operator, codes: object, errors: ErrorCollector
) -> list[AffectedApplication]:
    if not isinstance(codes, (list, tuple)) or not all(isinstance(c, str) for c in codes):
        errors.add("applications", "Indique los aplicativos afectados como una lista de códigos.")
        return []
    wanted = list(dict.fromkeys((c or "").strip().upper() for c in codes if (c or "").strip()))
    if not wanted:
        errors.add(
            "applications",
            "Elija al menos un aplicativo afectado (p. ej. SIAC ÚNICO o SISACT).",
        )
        return []
    if len(wanted) > MAX_APPLICATIONS:
        errors.add("applications", f"Elija hasta {MAX_APPLICATIONS} aplicativos.")
        return []
    found = selectors.operator_applications_by_code(operator, wanted)
    unknown = [c for c in wanted if c not in found]
    if unknown:
        errors.add(
            "applications",
            "No están en el catálogo de aplicativos de su empresa: " + ", ".join(unknown) + ".",
        )
    return [found[c] for c in wanted if c in found]


def _set_closed(
    event: OutageEvent,
    ended_at: datetime,
    closing_reason: str,
    justification: str,
    by: Principal,
    now: datetime,
    cal: BusinessCalendar,
) -> None:
    event.ended_at = ended_at
    event.closing_reason = closing_reason
    event.closing_justification = justification
    event.closed_at = now
    event.closed_by = by.user
    event.closed_by_key_id = by.api_key_id
    event.report_due_at = report_deadline(cal, ended_at)
    event.closed_late = now > event.report_due_at


@transaction.atomic
def close_outage(
    *,
    event: OutageEvent,
    ended_at: datetime | None,
    closing_reason: str,
    by: Principal,
    closing_justification: str = "",
    now: datetime | None = None,
) -> OutageEvent:
    """Record the end of an event and why it ended (a reason the scenario admits; "Error de
    usuario" with its justification, and then the event is never reported)."""
    now = now or timezone.now()
    _require_registrar(by)
    event = _locked_event(event, by)
    if not event.is_open:
        raise Conflict(f"El evento N.º {event.number} ya está cerrado.")
    errors = ErrorCollector()
    justification = _check_end(
        errors,
        started_at=event.started_at,
        ended_at=ended_at,
        closing_reason=closing_reason,
        now=now,
        scenario=event.scenario,
        justification=closing_justification,
    )
    errors.raise_if_any()
    assert ended_at is not None
    _set_closed(event, ended_at, closing_reason, justification, by, now, load_calendar())
    event.save()
    return event


# --- review before reporting ---------


def _locked_event(event: OutageEvent, by: Principal) -> OutageEvent:
    found = (
        OutageEvent.objects.select_for_update().filter(pk=event.pk, operator=by.operator).first()
    )
    if found is None:
        raise NotFound(selectors.EVENT_NOT_FOUND)
    return found


def _require_reviewer(by: Principal, step: str) -> None:
    _require_operator_staff(by)
    if not policies.can_review(by, step):
        raise Forbidden(policies.review_refusal(by.operator, step))


def _check_instant(
    errors: ErrorCollector,
    field: str,
    value: datetime | None,
    label: str,
    now: datetime,
    *,
    required: bool,
) -> None:
    if value is None:
        if required:
            errors.add(field, f"Indique la fecha y hora de {label}.")
    elif not isinstance(value, datetime) or value.tzinfo is None:
        errors.add(field, f"La fecha y hora de {label} debe indicar la zona horaria.")
    elif value > now:
        errors.add(field, f"La fecha y hora de {label} no puede ser futura.")


@transaction.atomic
def confirm_mass_failure(
    *,
    event: OutageEvent,
    failure_started_at: datetime | None,
    failure_ended_at: datetime | None = None,
    by: Principal,
    now: datetime | None = None,
) -> OutageEvent:
    """The systems-failure team confirms that a falla masiva happened, with the window of the
    failure it announced ("Comunicado de Fallas"): only then is the event an inoperatividad
    that may be reported."""
    now = now or timezone.now()
    _require_reviewer(by, "confirm")
    event = _locked_event(event, by)
    if not policies.can_confirm(event):
        if event.scenario != Scenario.FALLA_MASIVA:
            raise Conflict(f"El evento N.º {event.number} no se registró como falla masiva.")
        raise Conflict(
            f"El evento N.º {event.number} no está por confirmar "
            f"({policies.review_state_label(event).lower()})."
        )
    errors = ErrorCollector()
    _check_instant(
        errors, "failure_started_at", failure_started_at, "inicio de la falla", now, required=True
    )
    _check_instant(
        errors, "failure_ended_at", failure_ended_at, "fin de la falla", now, required=False
    )
    if (
        not errors
        and failure_ended_at is not None
        and failure_started_at is not None
        and failure_ended_at < failure_started_at
    ):
        errors.add("failure_ended_at", "El fin de la falla no puede ser anterior a su inicio.")
    errors.raise_if_any()
    event.failure_confirmed_at = now
    event.failure_confirmed_by = by.user
    event.failure_started_at = failure_started_at
    event.failure_ended_at = failure_ended_at
    event.save()
    return event


@transaction.atomic
def evaluate_outage(
    *,
    event: OutageEvent,
    proceeds: bool | None,
    note: str = "",
    by: Principal,
    now: datetime | None = None,
) -> OutageEvent:
    """Control e Información evaluates a closed event with the document's criteria (the
    figures are kept as they were seen) and says whether it proceeds to be reported."""
    now = now or timezone.now()
    _require_reviewer(by, "evaluate")
    event = _locked_event(event, by)
    if not policies.can_evaluate(event):
        raise Conflict(
            f"El evento N.º {event.number} no está por evaluar "
            f"({policies.review_state_label(event).lower()})."
        )
    errors = ErrorCollector()
    if not isinstance(proceeds, bool):
        errors.add("proceeds", "Indique si procede reportar el evento (sí o no).")
    text = (note or "").strip() if isinstance(note, str) else ""
    if proceeds is False and len(text) < 10:
        errors.add("note", "Explique por qué no procede reportarlo (al menos 10 caracteres).")
    if len(text) > MAX_REASON:
        errors.add("note", f"La observación admite hasta {MAX_REASON} caracteres.")
    errors.raise_if_any()
    event.evaluation = selectors.evaluation_figures(event)
    event.evaluation_proceeds = proceeds
    event.evaluation_note = text
    event.evaluated_at = now
    event.evaluated_by = by.user
    event.save()
    return event


@transaction.atomic
def approve_outage(
    *, event: OutageEvent, by: Principal, now: datetime | None = None
) -> OutageEvent:
    """A manager approves an evaluated event: it is reported to the regulator now (late when
    after 3 business days of its end)."""
    now = now or timezone.now()
    _require_reviewer(by, "approve")
    event = _locked_event(event, by)
    if not policies.can_approve(event):
        raise Conflict(
            f"El evento N.º {event.number} no está por aprobar "
            f"({policies.review_state_label(event).lower()})."
        )
    event.approved_at = now
    event.approved_by = by.user
    event.save()
    return event


# --- the operator's own affected applications ---------


@dataclass(frozen=True)
class ApplicationInput:
    code: str
    name: str
    group: str
    note: str = ""


@transaction.atomic
def create_application(*, data: ApplicationInput, by: Principal) -> AffectedApplication:
    """The operator's administrator adds an application of its own to the catalog."""
    _require_operator_staff(
        by,
        admin=True,
        what="Solo el administrador de la operadora agrega aplicativos al catálogo.",
    )
    errors = ErrorCollector()
    code = (data.code or "").strip().upper()
    if not _CODE.fullmatch(code):
        errors.add(
            "code",
            "El código tiene de 2 a 40 letras sin tildes, dígitos, guiones o guiones bajos "
            "(p. ej. CRM-VENTAS).",
        )
    name = " ".join((data.name or "").split())
    if len(name) < 2 or len(name) > 80:
        errors.add("name", "Escriba el nombre del aplicativo (de 2 a 80 caracteres).")
    if data.group not in ApplicationGroup.values:
        errors.add("group", f"Elija el tipo: {one_of(ApplicationGroup)}.")
    note = " ".join((data.note or "").split())
    if len(note) > 200:
        errors.add("note", "La nota admite hasta 200 caracteres.")
    errors.raise_if_any()
    if selectors.operator_applications(by.operator, active=None).filter(code=code).exists():
        raise Conflict(
            f"Ya existe un aplicativo con el código {code} en su catálogo.",
            [FieldError("code", "Código repetido.")],
        )
    try:
        with transaction.atomic():
            return AffectedApplication.objects.create(
                operator=by.operator, code=code, name=name, group=data.group, note=note
            )
    except IntegrityError:
        raise Conflict(
            f"Ya existe un aplicativo con el código {code} en su catálogo.",
            [FieldError("code", "Código repetido.")],
        ) from None


# --- contingency windows ---------


def _require_supervisor(by: Principal) -> None:
    if by.actor_role == Actor.SYSTEM and by.user is None:
        return
    user = by.user
    if user is None or not (user.role == Role.REGULATOR_SUPERVISOR or user.is_superuser):
        raise Forbidden("Solo un supervisor del regulador registra ventanas de contingencia.")


@dataclass(frozen=True)
class WindowInput:
    starts_at: datetime | None
    ends_at: datetime | None
    scope: str
    operator: str = ""  # operator code, for scope OPERATOR
    reason: str = ""


@dataclass(frozen=True)
class ApplyResult:
    window: ContingencyWindow
    candidates: int  # cases that matched the window's period and scope
    extended: int  # extended now (by this application)
    reopened: int  # of those, OVERDUE cases put back
    now_on_time: int  # answered cases whose answer is now within the plazo
    reapplied: int  # extensions granted by later windows re-applied afterwards


def window_label(window: ContingencyWindow) -> str:
    if window.scope == ContingencyScope.SGU:
        where = "SGU no disponible"
    else:
        assert window.operator is not None  # an OPERATOR window has one (CheckConstraint)
        where = f"interfaz de {window.operator.name} con el SGU no disponible"
    return f"Contingencia N.º {window.pk} — {where}"


@dataclass(frozen=True)
class _CleanWindow:
    starts_at: datetime
    ends_at: datetime
    scope: str
    operator: Operator | None
    reason: str


def clean_window(data: WindowInput, *, now: datetime | None = None) -> _CleanWindow:
    """Validate a window (every error at once); used before registering, also by the admin."""
    now = now or timezone.now()
    errors = ErrorCollector()
    for name in ("starts_at", "ends_at"):
        value = getattr(data, name)
        label = "inicio" if name == "starts_at" else "fin"
        if value is None:
            errors.add(name, f"Indique la fecha y hora de {label}.")
        elif value.tzinfo is None:
            errors.add(name, f"La fecha y hora de {label} debe indicar la zona horaria.")
    starts, ends = data.starts_at, data.ends_at
    if not errors:
        assert starts is not None and ends is not None
        if ends <= starts:
            errors.add("ends_at", "El fin debe ser posterior al inicio.")
        if ends > now:
            errors.add(
                "ends_at",
                "Registre la ventana cuando haya terminado: el fin no puede ser futuro.",
            )
        elif now - starts > timedelta(days=366):
            errors.add("starts_at", "La ventana no puede empezar hace más de un año.")
    operator: Operator | None = None
    if data.scope not in ContingencyScope.values:
        errors.add("scope", "Elija el alcance: SGU (todo el sistema) u OPERATOR (una operadora).")
    elif data.scope == ContingencyScope.OPERATOR:
        if not (data.operator or "").strip():
            errors.add("operator", "Elija la operadora cuya interfaz no estuvo disponible.")
        else:
            try:
                operator = catalog.operator_by_code(data.operator.strip())
            except ValidationFailed as exc:
                errors.errors.extend(exc.errors)
    elif (data.operator or "").strip():
        errors.add("operator", "Una ventana de todo el SGU no lleva operadora.")
    reason = (data.reason or "").strip()
    if len(reason) < 10:
        errors.add("reason", "Explique el motivo (al menos 10 caracteres).")
    elif len(reason) > MAX_REASON:
        errors.add("reason", f"El motivo admite hasta {MAX_REASON} caracteres.")
    errors.raise_if_any()
    assert starts is not None and ends is not None
    return _CleanWindow(starts, ends, data.scope, operator, reason)


def register_contingency_window(
    *, data: WindowInput, by: Principal, now: datetime | None = None, batch: int | None = None
) -> ApplyResult:
    """Register a window (after the fact) and extend the plazos it affected at once."""
    now = now or timezone.now()
    _require_supervisor(by)
    clean = clean_window(data, now=now)
    window = ContingencyWindow.objects.create(
        starts_at=clean.starts_at,
        ends_at=clean.ends_at,
        scope=clean.scope,
        operator=clean.operator,
        reason=clean.reason,
        registered_at=now,
        registered_by=by.user,
    )
    return apply_contingency_window(window=window, by=by, now=now, batch=batch)


def apply_contingency_window(
    *,
    window: ContingencyWindow,
    by: Principal,
    now: datetime | None = None,
    batch: int | None = None,
) -> ApplyResult:
    """Extend every case this window affected and has not extended yet (idempotent).

    Windows are applied in the order of their start: after this one, every window already
    applied that starts later is applied again, so a plazo this window moved into a later
    window gets that window's extension too (docs/contingency.md, "Varias ventanas").
    """
    now = now or timezone.now()
    _require_supervisor(by)
    cal = load_calendar()
    summary = _apply_one(window, cal, by, now, batch)
    later = (
        ContingencyWindow.objects.filter(last_applied_at__isnull=False)
        .exclude(pk=window.pk)
        .filter(starts_at__gte=window.starts_at)
        .select_related("operator")
        .order_by("starts_at", "id")
    )
    reapplied = 0
    for other in later:
        if other.starts_at == window.starts_at and other.pk < window.pk:
            continue
        reapplied += _apply_one(other, cal, by, now, batch)["extended"]
    window.refresh_from_db()
    return ApplyResult(
        window=window,
        candidates=summary["candidates"],
        extended=summary["extended"],
        reopened=summary["reopened"],
        now_on_time=summary["now_on_time"],
        reapplied=reapplied,
    )


def _apply_one(
    window: ContingencyWindow,
    cal: BusinessCalendar,
    by: Principal,
    now: datetime,
    batch: int | None,
) -> dict[str, int]:
    label = window_label(window)
    span = (window.starts_at, window.ends_at)
    planned: dict[int, Extension] = {}

    def plan(plazos: list[cases.RunningPlazo]) -> list[cases.DueExtension]:
        # Runs inside the batch's transaction, after the cases are locked: what another
        # application of this window committed meanwhile is visible here.
        ids = [p.case_id for p in plazos]
        done = set(
            ContingencyExtension.objects.filter(window=window, case_id__in=ids).values_list(
                "case_id", flat=True
            )
        )
        covered = defaultdict(list)
        others = (
            ContingencyExtension.objects.filter(case_id__in=ids)
            .exclude(window=window)
            .values_list("case_id", "window__starts_at", "window__ends_at")
        )
        for case_id, starts, ends in others:
            covered[case_id].append((starts, ends))
        out = []
        for p in plazos:
            if p.case_id in done:
                continue
            ext = compute_extension(
                cal,
                Plazo(
                    unit=p.unit,
                    forwarded_at=p.forwarded_at,
                    received_on=p.received_on,
                    due_at=p.due_at,
                    answered_at=p.answered_at,
                ),
                span,
                covered[p.case_id],
            )
            if ext is None:
                continue
            planned[p.case_id] = ext
            out.append(
                cases.DueExtension(
                    case_id=p.case_id,
                    new_due_at=ext.new_due_at,
                    note=explain(ext, label),
                    data={
                        "window_id": window.pk,
                        "scope": window.scope,
                        "operator": window.operator.code if window.operator else None,
                        "window_starts_at": window.starts_at.isoformat(),
                        "window_ends_at": window.ends_at.isoformat(),
                        "reason": window.reason[:300],
                        "overlap_from": ext.overlap_from.isoformat(),
                        "overlap_to": ext.overlap_to.isoformat(),
                        "lost_business_seconds": ext.lost_seconds,
                        "unit": ext.unit,
                        "amount": str(ext.amount),
                    },
                )
            )
        return out

    def record(applied: list[cases.AppliedExtension]) -> None:
        ContingencyExtension.objects.bulk_create(
            ContingencyExtension(
                window=window,
                case_id=a.case_id,
                applied_at=now,
                overlap_from=planned[a.case_id].overlap_from,
                overlap_to=planned[a.case_id].overlap_to,
                lost_seconds=planned[a.case_id].lost_seconds,
                unit=planned[a.case_id].unit,
                amount=planned[a.case_id].amount,
                previous_due_at=a.previous_due_at,
                new_due_at=a.new_due_at,
                reopened=a.reopened,
            )
            for a in applied
        )

    summary = cases.extend_plazos_for_contingency(
        starts_at=window.starts_at,
        ends_at=window.ends_at,
        operator_id=window.operator_id,
        plan=plan,
        record=record,
        by=by,
        now=now,
        batch=batch,
    )
    ContingencyWindow.objects.filter(pk=window.pk).update(last_applied_at=now)
    return summary


def describe_window(window: ContingencyWindow) -> str:
    """ "del lunes 06/04/2026 10:00 al lunes 06/04/2026 14:00"."""
    a = timezone.localtime(window.starts_at, LIMA)
    b = timezone.localtime(window.ends_at, LIMA)
    return f"del {format_day(a.date())} {a:%H:%M} al {format_day(b.date())} {b:%H:%M}"
