"""Inoperatividad register (operators, API key or session) and contingency windows (regulator).

Mounted at the API root: paths start with /operator/… and /staff/… like the other routers.
"""

from datetime import date, datetime, time
from typing import Literal

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from sgu.accounts.auth import operator_auth, user_auth
from sgu.core.calendar import LIMA
from sgu.core.errors import Forbidden
from sgu.core.idempotency import run_idempotent
from sgu.core.openapi import doc
from sgu.core.pagination import clamp_limit, keyset_page
from sgu.core.principal import Principal
from sgu.core.schemas import Day, Flag, Instant, Limit, Problem
from sgu.outages import openapi_docs as docs
from sgu.outages import policies, selectors, services
from sgu.outages.models import (
    AffectedApplication,
    ApplicationGroup,
    AttentionPoint,
    ClosingReason,
    ContingencyScope,
    ContingencyWindow,
    OutageEvent,
    ProcedureType,
    Scenario,
)

router = Router()

OPERATOR_TAG = ["Inoperatividad — operadoras"]
STAFF_TAG = ["Inoperatividad y contingencia — regulador"]

# --- schemas ------------------------------------------------------------------------------------


class PointOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    ubigeo: str
    address: str
    active: bool


class PointPage(Schema):
    items: list[PointOut]
    next_cursor: str | None


class OutageIn(Schema):
    attention_point: str = Field(
        max_length=40, description="Código del punto de atención", examples=["CAC-MIRAFLORES"]
    )
    procedure_type: ProcedureType
    scenario: Scenario
    # At least one: the service refuses an empty list with its own message (as on the web).
    applications: list[str] = Field(
        max_length=20,
        json_schema_extra={"minItems": 1},
        description="Códigos de los aplicativos afectados, del catálogo (al menos uno; "
        "`GET /api/v1/operator/outage-applications`).",
        examples=[["SIAC-UNICO"]],
    )
    systems: str = Field(default="", max_length=500, description="Detalle opcional.")
    started_at: Instant = Field(description="Inicio, ISO 8601 con zona horaria.")
    manual: Flag = Field(
        default=False,
        description="Registro manual posterior (regularización de un formulario en papel).",
    )
    ended_at: Instant | None = Field(
        default=None, description="Solo para un evento que ya terminó (con closing_reason)."
    )
    closing_reason: ClosingReason | None = None
    closing_justification: str = Field(
        default="", max_length=2000, description="Sustento; obligatorio con ERROR_USUARIO."
    )


class CloseIn(Schema):
    ended_at: Instant = Field(description="Fin, ISO 8601 con zona horaria; no antes del inicio.")
    closing_reason: ClosingReason
    closing_justification: str = Field(
        default="",
        max_length=2000,
        description="Sustento; obligatorio al cerrar como ERROR_USUARIO (registro por error o "
        "prueba: el evento no se reporta).",
    )


class ConfirmIn(Schema):
    failure_started_at: Instant = Field(description="Inicio de la falla masiva comunicada.")
    failure_ended_at: Instant | None = Field(default=None, description="Fin, si ya terminó.")


class EvaluateIn(Schema):
    proceeds: Flag = Field(description="Si procede reportar el evento al regulador.")
    note: str = Field(default="", max_length=2000, description="Obligatoria si no procede.")


class ApplicationIn(Schema):
    code: str = Field(max_length=40, examples=["CRM-VENTAS"])
    name: str = Field(max_length=80)
    group: ApplicationGroup
    note: str = Field(default="", max_length=200)


class ApplicationOut(Schema):
    code: str
    name: str
    group: str
    note: str
    common: bool = Field(description="Del catálogo común (no de la operadora).")


class ApplicationList(Schema):
    items: list[ApplicationOut]


class ClosingRule(Schema):
    scenario: str
    closing_reasons: list[str]


class ClosingRules(Schema):
    items: list[ClosingRule]


class FlagOut(Schema):
    code: str
    label: str


class DayCount(Schema):
    day: str
    cases: int


class FailureWindow(Schema):
    confirmed: bool
    started_at: str | None
    ended_at: str | None


class OutageEvaluationOut(Schema):
    failure_window: FailureWindow
    inside_failure_window: bool | None = Field(
        description="Criterio 1: dentro del horario de la falla masiva (nulo si no aplica)."
    )
    closing_reason: str
    duration_minutes: int
    over_one_hour: bool = Field(description="Criterio 2: el rango es mayor a 1 hora.")
    subcategories: list[str] = Field(description="Vacía: todas las materias de la operadora.")
    cases_during: int = Field(description="Criterio 3: casos recibidos durante el evento.")
    cases_previous_days: list[DayCount]
    cases_previous_average: float
    cases_increase: bool


class OutageOut(Schema):
    id: int
    number: int = Field(description="Número correlativo de la operadora.")
    operator: str
    attention_point: PointOut
    procedure_type: str
    scenario: str
    applications: list[ApplicationOut]
    systems: str
    started_at: datetime
    ended_at: datetime | None
    closing_reason: str | None
    closing_justification: str
    manual: bool
    open: bool
    duration_minutes: int | None
    registered_at: datetime
    closed_at: datetime | None
    report_due_at: datetime | None = Field(
        description="23:59:59 (Lima) del 3.er día hábil posterior al fin."
    )
    registered_late: bool = Field(description="Registrado después de 3 días hábiles del inicio.")
    closed_late: bool = Field(description="Cierre registrado después de 3 días hábiles del fin.")
    reportable: bool = Field(
        description="Falso para los eventos de error o prueba y los cerrados como ERROR_USUARIO."
    )
    review_state: str = Field(description="Estado de la revisión antes de reportar.")
    review_state_label: str
    failure_confirmed_at: datetime | None
    failure_started_at: datetime | None
    failure_ended_at: datetime | None
    evaluation_due_at: datetime | None = Field(description="24 horas después del cierre.")
    evaluated_at: datetime | None
    evaluation_proceeds: bool | None
    evaluation_note: str
    evaluation: OutageEvaluationOut | None = Field(description="Cifras vistas al evaluar.")
    approved_at: datetime | None = Field(description="Aprobado y reportado al regulador.")
    reported_late: bool
    flags: list[FlagOut] = Field(description="Alertas del evento ahora (policies.flags).")


class OutagePage(Schema):
    items: list[OutageOut]
    next_cursor: str | None


class WindowIn(Schema):
    starts_at: Instant
    ends_at: Instant
    scope: ContingencyScope
    operator: str | None = Field(default=None, max_length=20, examples=["CLARO"])
    reason: str = Field(max_length=2000)


class WindowOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    scope: str
    operator: str | None
    reason: str
    registered_at: datetime
    last_applied_at: datetime | None
    cases_extended: int
    cases_reopened: int


class ApplyOut(Schema):
    window: WindowOut
    candidates: int = Field(description="Casos del periodo y alcance de la ventana.")
    extended: int = Field(description="Casos ampliados en esta aplicación.")
    reopened: int = Field(description="De ellos, casos vencidos que volvieron a estar abiertos.")
    now_on_time: int = Field(description="Respuestas que con la ampliación quedan a tiempo.")
    reapplied: int = Field(description="Ampliaciones de ventanas posteriores reaplicadas.")


class WindowPage(Schema):
    items: list[WindowOut]
    next_cursor: str | None


# --- dicts ----------------------------------------------------------------------------------------


def point_dict(p: AttentionPoint) -> dict:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "ubigeo": p.ubigeo,
        "address": p.address,
        "active": p.active,
    }


def application_dict(a: AffectedApplication) -> dict:
    return {
        "code": a.code,
        "name": a.name,
        "group": a.group,
        "note": a.note,
        "common": a.operator_id is None,
    }


def outage_dict(e: OutageEvent, operator_code: str) -> dict:
    now = timezone.now()
    return {
        "id": e.pk,
        "number": e.number,
        "operator": operator_code,
        "attention_point": point_dict(e.attention_point),
        "procedure_type": e.procedure_type,
        "scenario": e.scenario,
        "applications": [application_dict(a) for a in e.applications.all()],
        "systems": e.systems,
        "started_at": e.started_at,
        "ended_at": e.ended_at,
        "closing_reason": e.closing_reason or None,
        "closing_justification": e.closing_justification,
        "manual": e.manual,
        "open": e.is_open,
        "duration_minutes": e.duration_minutes,
        "registered_at": e.registered_at,
        "closed_at": e.closed_at,
        "report_due_at": e.report_due_at,
        "registered_late": e.registered_late,
        "closed_late": e.closed_late,
        "reportable": e.reportable,
        "review_state": policies.review_state(e),
        "review_state_label": policies.review_state_label(e),
        "failure_confirmed_at": e.failure_confirmed_at,
        "failure_started_at": e.failure_started_at,
        "failure_ended_at": e.failure_ended_at,
        "evaluation_due_at": policies.evaluation_due_at(e),
        "evaluated_at": e.evaluated_at,
        "evaluation_proceeds": e.evaluation_proceeds,
        "evaluation_note": e.evaluation_note,
        "evaluation": e.evaluation,
        "approved_at": e.approved_at,
        "reported_late": e.reported_late,
        "flags": [{"code": f.code, "label": f.label} for f in policies.flags(e, now)],
    }


def window_dict(w: ContingencyWindow) -> dict:
    return {
        "id": w.pk,
        "starts_at": w.starts_at,
        "ends_at": w.ends_at,
        "scope": w.scope,
        "operator": w.operator.code if w.operator_id else None,
        "reason": w.reason,
        "registered_at": w.registered_at,
        "last_applied_at": w.last_applied_at,
        "cases_extended": getattr(w, "n_extended", 0),
        "cases_reopened": getattr(w, "n_reopened", 0),
    }


def apply_dict(result: services.ApplyResult) -> dict:
    return {
        "window": window_dict(selectors.contingency_window(result.window.pk)),
        "candidates": result.candidates,
        "extended": result.extended,
        "reopened": result.reopened,
        "now_on_time": result.now_on_time,
        "reapplied": result.reapplied,
    }


def _operator_outage(principal: Principal, pk: int) -> dict:
    """The event as its operator sees it after a review step, read again through the selector
    (its applications and review state as just written)."""
    return outage_dict(selectors.operator_event(principal.operator, pk), principal.operator.code)


def _json(schema: type[Schema], data: dict) -> dict:
    return schema.model_validate(data).model_dump(mode="json")


def _scope(principal: Principal) -> str:
    if principal.api_key_id is not None:
        return f"operator-key:{principal.api_key_id}"
    return f"user:{principal.user_id}"


# --- operators ------------------------------------------------------------------------------------


@router.get(
    "/operator/attention-points",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: PointPage, 401: Problem, 422: Problem},
    summary="Puntos de atención de la operadora",
    description="Tiendas, centros de llamadas y otros canales de la operadora, con el código "
    "que se usa al registrar un evento. `active=true`: solo los que se pueden elegir. Se "
    "registran en el portal de la operadora (administrador). Paginado por cursor.",
    openapi_extra=doc(r200=docs.POINT_PAGE),
)
def list_points(
    request, active: bool | None = None, limit: Limit | None = None, cursor: str | None = None
):
    principal: Principal = request.auth
    rows, next_cursor = keyset_page(
        selectors.operator_points(principal.operator, active=active),
        ["id"],
        cursor,
        clamp_limit(limit),
    )
    return {"items": [point_dict(p) for p in rows], "next_cursor": next_cursor}


@router.get(
    "/operator/outages",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: OutagePage, 401: Problem, 422: Problem},
    summary="Registro de inoperatividad de la operadora",
    description="Los eventos de la operadora dueña de la clave. Con `open=true`, solo los "
    "eventos abiertos; con `open=false`, los cerrados. Del más reciente al más antiguo; "
    "paginado por cursor.",
    openapi_extra=doc(r200=docs.OUTAGE_PAGE),
)
def list_outages(
    request, open: bool | None = None, limit: Limit | None = None, cursor: str | None = None
):
    principal: Principal = request.auth
    qs = selectors.operator_events(principal.operator)
    if open is True:
        qs = qs.filter(ended_at__isnull=True)
    elif open is False:
        qs = qs.filter(ended_at__isnull=False)
    rows, next_cursor = keyset_page(qs, ["-started_at", "-id"], cursor, clamp_limit(limit))
    code = principal.operator.code
    return {"items": [outage_dict(e, code) for e in rows], "next_cursor": next_cursor}


@router.post(
    "/operator/outages",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={201: OutageOut, 401: Problem, 403: Problem, 409: Problem, 422: Problem},
    summary="Registrar un evento de inoperatividad",
    description="Un corte en un punto de atención que impide atender un tipo de "
    "procedimiento. `started_at` con zona horaria, no futuro; para registrar un evento que ya "
    "terminó, incluya `ended_at` y `closing_reason`. El número correlativo es por operadora. "
    "409 si ya hay un evento abierto para ese punto de atención y tipo de procedimiento; 422 "
    "con cada campo por corregir. Admite `Idempotency-Key`.",
    openapi_extra=doc(docs.OUTAGE_IN, r201=docs.OUTAGE),
)
def register_outage(request, payload: OutageIn):
    principal: Principal = request.auth

    def create() -> tuple[int, dict]:
        event = services.register_outage(
            data=services.OutageInput(
                attention_point=payload.attention_point,
                procedure_type=payload.procedure_type,
                scenario=payload.scenario,
                systems=payload.systems,
                started_at=payload.started_at,
                manual=payload.manual,
                ended_at=payload.ended_at,
                closing_reason=payload.closing_reason or "",
                applications=list(payload.applications),
                closing_justification=payload.closing_justification,
            ),
            by=principal,
        )
        return 201, _json(OutageOut, outage_dict(event, principal.operator.code))

    return Status(*run_idempotent(request, _scope(principal), create))


@router.get(
    "/operator/outages/{outage_id}",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: OutageOut, 401: Problem, 404: Problem},
    summary="Un evento (404 si es de otra operadora)",
    description="El evento con su punto de atención, duración, plazo de reporte "
    "(`report_due_at`: 23:59:59 del 3.er día hábil posterior al fin) y si se registró o cerró "
    "fuera de plazo.",
    openapi_extra=doc(r200=docs.OUTAGE),
)
def get_outage(request, outage_id: int):
    principal: Principal = request.auth
    event = selectors.operator_event(principal.operator, outage_id)
    return outage_dict(event, principal.operator.code)


@router.post(
    "/operator/outages/{outage_id}/close",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: OutageOut, 401: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Cerrar un evento: fin y motivo de cierre",
    description="`ended_at` con zona horaria, no antes del inicio ni futuro. Calcula la "
    "duración y el plazo de reporte. 409 si el evento ya está cerrado.",
    openapi_extra=doc(docs.CLOSE_IN, r200=docs.OUTAGE_CLOSED),
)
def close_outage(request, outage_id: int, payload: CloseIn):
    principal: Principal = request.auth
    event = selectors.operator_event(principal.operator, outage_id)
    event = services.close_outage(
        event=event,
        ended_at=payload.ended_at,
        closing_reason=payload.closing_reason,
        closing_justification=payload.closing_justification,
        by=principal,
    )
    return outage_dict(event, principal.operator.code)


@router.post(
    "/operator/outages/{outage_id}/confirm",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: OutageOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Confirmar una falla masiva (equipo de Fallas de Sistemas y Plataforma)",
    description="Solo una persona con la función «Equipo de Fallas de Sistemas y Plataforma» "
    "(403 en español si no). Registra quién y cuándo, y el horario de la falla comunicada "
    "(criterio 1 de la evaluación). 409 si el evento no es una falla masiva por confirmar.",
    openapi_extra=doc(docs.CONFIRM_IN, r200=docs.OUTAGE_CONFIRMED),
)
def confirm_outage(request, outage_id: int, payload: ConfirmIn):
    principal: Principal = request.auth
    event = selectors.operator_event(principal.operator, outage_id)
    event = services.confirm_mass_failure(
        event=event,
        failure_started_at=payload.failure_started_at,
        failure_ended_at=payload.failure_ended_at,
        by=principal,
    )
    return _operator_outage(principal, event.pk)


@router.get(
    "/operator/outages/{outage_id}/evaluation",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: OutageEvaluationOut, 401: Problem, 404: Problem},
    summary="Cifras de la evaluación de un evento, ahora",
    description="Dentro o fuera del horario de la falla masiva, duración (¿más de 1 hora?) y "
    "casos recibidos en el SGU por la operadora para ese tipo de procedimiento durante el "
    "evento, comparados con las mismas horas de los 7 días previos.",
    openapi_extra=doc(r200=docs.EVALUATION),
)
def outage_evaluation(request, outage_id: int):
    principal: Principal = request.auth
    return selectors.evaluation_figures(selectors.operator_event(principal.operator, outage_id))


@router.post(
    "/operator/outages/{outage_id}/evaluate",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: OutageOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Evaluar un evento cerrado (Control e Información)",
    description="Guarda las cifras vistas y si procede reportarlo (`note` obligatoria si no "
    "procede). Dentro de las 24 horas del cierre; después, el evento queda con alerta. 409 si "
    "no está por evaluar (p. ej. falla masiva sin confirmar).",
    openapi_extra=doc(docs.EVALUATE_IN, r200=docs.OUTAGE_EVALUATED),
)
def evaluate_outage(request, outage_id: int, payload: EvaluateIn):
    principal: Principal = request.auth
    event = selectors.operator_event(principal.operator, outage_id)
    event = services.evaluate_outage(
        event=event, proceeds=payload.proceeds, note=payload.note, by=principal
    )
    return _operator_outage(principal, event.pk)


@router.post(
    "/operator/outages/{outage_id}/approve",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: OutageOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem},
    summary="Aprobar un evento evaluado: queda reportado al regulador (gerente)",
    description="Solo una persona con la función «Gerente que aprueba el reporte». El "
    "regulador lo recibe en ese momento; fuera de plazo si pasaron 3 días hábiles del fin.",
    openapi_extra=doc(r200=docs.OUTAGE_APPROVED),
)
def approve_outage(request, outage_id: int):
    principal: Principal = request.auth
    event = selectors.operator_event(principal.operator, outage_id)
    event = services.approve_outage(event=event, by=principal)
    return _operator_outage(principal, event.pk)


@router.get(
    "/operator/outage-applications",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: ApplicationList, 401: Problem, 422: Problem},
    summary="Catálogo de aplicativos afectados",
    description="Los comunes (SISACT Prepago, SISACT, SICAR, SIAC ÚNICO, Web Asesor reclamos, "
    "SGA…) y los propios de la operadora; nunca los de otra.",
    openapi_extra=doc(r200=docs.APPLICATIONS),
)
def list_applications(request):
    principal: Principal = request.auth
    rows = selectors.operator_applications(principal.operator)
    return {"items": [application_dict(a) for a in rows]}


@router.post(
    "/operator/outage-applications",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={201: ApplicationOut, 401: Problem, 403: Problem, 409: Problem, 422: Problem},
    summary="Agregar un aplicativo propio al catálogo (administrador)",
    description="Solo el administrador de la operadora agrega aplicativos propios; los ve solo "
    "su operadora y se eligen en los eventos como los del catálogo común.",
    openapi_extra=doc(docs.APPLICATION_IN, r201=docs.APPLICATION_OWN),
)
def add_application(request, payload: ApplicationIn):
    principal: Principal = request.auth
    app = services.create_application(
        data=services.ApplicationInput(
            code=payload.code, name=payload.name, group=payload.group, note=payload.note
        ),
        by=principal,
    )
    return Status(201, application_dict(app))


@router.get(
    "/operator/outage-closing-reasons",
    auth=operator_auth,
    tags=OPERATOR_TAG,
    response={200: ClosingRules, 401: Problem, 422: Problem},
    summary="Motivos de cierre que admite cada escenario",
    description="Para cada escenario, los motivos con los que se cierra un evento de la operadora. "
    "ERROR_USUARIO se admite siempre y pide `closing_justification`; un evento "
    "cerrado así no se reporta ni se exporta.",
    openapi_extra=doc(r200=docs.CLOSING_RULES),
)
def closing_reasons(request):
    table = policies.closing_reason_table()
    return {"items": [{"scenario": k, "closing_reasons": v} for k, v in table.items()]}


# --- regulator ------------------------------------------------------------------------------------


def _staff(request) -> Principal:
    principal: Principal = request.auth
    if principal.user is None or not principal.user.is_regulator_staff:
        raise Forbidden("Esta operación es para el personal del regulador.")
    return principal


def _day_start(d: date | None) -> datetime | None:
    return datetime.combine(d, time.min, tzinfo=LIMA) if d else None


@router.get(
    "/staff/outages",
    auth=user_auth,
    tags=STAFF_TAG,
    response={200: OutagePage, 401: Problem, 403: Problem, 422: Problem},
    summary="Eventos de inoperatividad de todas las operadoras",
    description="Sin los eventos de error o prueba ni los cerrados como ERROR_USUARIO. "
    "`flagged=true`: con alguna alerta (`flags`: registro o cierre tardío, abierto demasiado "
    "tiempo, sin evaluar a las 24 horas, sin aprobar, reporte fuera de plazo). `review_state`: "
    "REPORTADO (aprobado), PENDIENTE (cerrado y sin aprobar), NO_PROCEDE. Fechas de inicio en "
    "hora de Lima (`started_to` inclusive).",
)
def staff_outages(
    request,
    operator: str | None = None,
    point: str | None = None,
    ubigeo: str | None = None,
    procedure_type: ProcedureType | None = None,
    scenario: Scenario | None = None,
    status: Literal["ABIERTO", "CERRADO"] | None = None,
    flagged: bool = False,
    review_state: Literal["REPORTADO", "PENDIENTE", "NO_PROCEDE"] | None = None,
    started_from: Day | None = None,
    started_to: Day | None = None,
    limit: Limit | None = None,
    cursor: str | None = None,
):
    _staff(request)
    filters = selectors.EventFilters(
        operator=operator or "",
        point=point or "",
        ubigeo=ubigeo or "",
        procedure_type=procedure_type or "",
        scenario=scenario or "",
        status=status or "",
        flagged=flagged,
        review_state=review_state or "",
        started_from=_day_start(started_from),
        started_to=_day_start(date.fromordinal(started_to.toordinal() + 1)) if started_to else None,
    )
    rows, next_cursor = keyset_page(
        selectors.regulator_events(filters), ["-started_at", "-id"], cursor, clamp_limit(limit)
    )
    return {
        "items": [outage_dict(e, e.operator.code) for e in rows],
        "next_cursor": next_cursor,
    }


@router.get(
    "/staff/contingency-windows",
    auth=user_auth,
    tags=STAFF_TAG,
    response={200: WindowPage, 401: Problem, 403: Problem, 422: Problem},
    summary="Ventanas de contingencia",
)
def list_windows(request, limit: Limit | None = None, cursor: str | None = None):
    _staff(request)
    rows, next_cursor = keyset_page(
        selectors.contingency_windows(), ["-starts_at", "-id"], cursor, clamp_limit(limit)
    )
    return {"items": [window_dict(w) for w in rows], "next_cursor": next_cursor}


@router.post(
    "/staff/contingency-windows",
    auth=user_auth,
    tags=STAFF_TAG,
    response={201: ApplyOut, 401: Problem, 403: Problem, 409: Problem, 422: Problem},
    summary="Registrar una ventana de contingencia y ampliar los plazos que afectó",
    description="Solo supervisores del regulador. La ventana se registra cuando ya terminó. "
    "Cada caso cuyo plazo corría durante la ventana se amplía por el tiempo hábil que esta "
    "le quitó (docs/contingency.md); un caso vencido por ella vuelve a estar abierto. "
    "Admite `Idempotency-Key`.",
)
def register_window(request, payload: WindowIn):
    principal = _staff(request)

    def create() -> tuple[int, dict]:
        result = services.register_contingency_window(
            data=services.WindowInput(
                starts_at=payload.starts_at,
                ends_at=payload.ends_at,
                scope=payload.scope,
                operator=payload.operator or "",
                reason=payload.reason,
            ),
            by=principal,
        )
        return 201, _json(ApplyOut, apply_dict(result))

    return Status(*run_idempotent(request, _scope(principal), create))


@router.get(
    "/staff/contingency-windows/{window_id}",
    auth=user_auth,
    tags=STAFF_TAG,
    response={200: WindowOut, 401: Problem, 403: Problem, 404: Problem},
    summary="Una ventana de contingencia",
)
def get_window(request, window_id: int):
    _staff(request)
    return window_dict(selectors.contingency_window(window_id))


@router.post(
    "/staff/contingency-windows/{window_id}/apply",
    auth=user_auth,
    tags=STAFF_TAG,
    response={200: ApplyOut, 401: Problem, 403: Problem, 404: Problem},
    summary="Aplicar de nuevo una ventana (idempotente)",
    description="Amplía los casos afectados que aún no amplió; los ya ampliados no cambian.",
)
def apply_window(request, window_id: int):
    principal = _staff(request)
    window = selectors.contingency_window(window_id)
    return apply_dict(services.apply_contingency_window(window=window, by=principal))
