"""Attention levels — regulator staff endpoints: consultas (register, read, answer) and
escalations (escalate, read, answer, send back, escalate to level 3, inform the citizen).
The same services and the same isolation as the pages."""

from datetime import datetime
from typing import Annotated, Literal

from django.conf import settings
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field, WithJsonSchema

from sgu.accounts.auth import user_auth
from sgu.attention import selectors, services
from sgu.attention.models import Escalation, Query, QueryChannel, Region
from sgu.attention.workflow import (
    allowed_actions,
    can_pause,
    can_resume,
    can_take,
    is_legal_motive,
    query_late,
    solution_late,
    validation_late,
)
from sgu.cases import selectors as case_selectors
from sgu.cases import services as cases
from sgu.cases.schemas import case_dict
from sgu.cases.staff_api import AssistedCaseIn, StaffCaseOut, staff_principal
from sgu.cases.workflow import allowed_actions as case_actions
from sgu.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from sgu.core.idempotency import run_idempotent
from sgu.core.identity import DOCUMENT_TYPE_MESSAGE, DocumentType
from sgu.core.schemas import Flag, Problem, refused_as

router = Router(tags=["Regulador: atención por niveles"], auth=user_auth)

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


def _user(request, *, first_level: bool = False):
    user = request.auth.user
    seat = selectors.seat_of(user)
    if first_level and not seat.first_level:
        raise Forbidden("Esta operación es para el 1.er nivel del regulador.")
    if not (seat.first_level or seat.area_ids):
        raise Forbidden("Esta operación es para el personal del regulador.")
    return user


# A type of document or nothing, spelled as listed (also for an anonymous query, which keeps
# none: the schema cannot say "ignored when anonymous").
DocumentTypeIn = Annotated[
    DocumentType | Literal[""],
    WithJsonSchema({"type": "string", "enum": ["", *DocumentType.values]}),
    refused_as(DOCUMENT_TYPE_MESSAGE),
]

# A department's code or nothing, spelled as listed (the services' message for anything else).
RegionIn = Annotated[
    Region | Literal[""],
    WithJsonSchema({"type": "string", "enum": ["", *Region.values]}),
    refused_as("Elija la región (departamento) de la lista."),
]


class QueryIn(Schema):
    # The service refuses any other channel with its own message.
    channel: str = Field(
        max_length=12, examples=["TELEFONICO"], json_schema_extra={"enum": QueryChannel.values}
    )
    name: str = Field(default="", max_length=200, description="Vacío solo si es anónima.")
    anonymous: Flag = Field(
        default=False,
        description="La persona no quiso dar sus datos: no se guarda nombre, documento, correo "
        "ni teléfono.",
    )
    motive: str = Field(
        default="",
        max_length=40,
        description="Código de un submotivo activo del catálogo (tipificación); obligatorio.",
        examples=["tramites-portabilidad"],
    )
    topic: str = Field(default="", max_length=200, description="Asunto; vacío: el motivo.")
    question: str = Field(max_length=4000)
    document_type: DocumentTypeIn = Field(default="", description="Vacío: sin documento.")
    document_number: str = Field(default="", max_length=12)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=15)
    region: RegionIn = Field(default="", description="Región (departamento) de quien consulta.")


class MotiveOut(Schema):
    code: str
    name: str
    family: str
    legal: bool


class QueryOut(Schema):
    code: str
    state: str
    channel: str
    topic: str
    motive: MotiveOut | None
    question: str
    name: str
    anonymous: bool
    email: str
    registered_at: datetime
    office: str | None
    answer: str
    answered_at: datetime | None
    resolved_level: int | None
    region: str = Field(description="Región (departamento) de quien consulta, o vacía.")
    received_at: datetime | None = Field(
        description="Canal virtual: cuándo se tiene por recibida (corte de las 16:30)."
    )
    due_at: datetime | None = Field(
        description="Canal virtual: plazo de 24 horas de días hábiles; null sin plazo."
    )
    due_explanation: str
    first_response_at: datetime | None
    late: bool = Field(description="Sin primera respuesta a su plazo (o respondida después).")
    draft_answer: str = Field(description="Consulta legal: el proyecto en revisión de calidad.")
    review_observations: str
    reviewed_by: str | None = Field(description="Correo del supervisor de calidad que revisó.")
    reviewed_at: datetime | None


class ReviewIn(Schema):
    decision: str = Field(max_length=10, examples=["APPROVE"], description="APPROVE o RETURN")
    observations: str = Field(default="", max_length=4000)


def _query(q: Query) -> dict:
    return {
        "received_at": q.received_at,
        "due_at": q.due_at,
        "due_explanation": q.due_explanation,
        "first_response_at": q.first_response_at,
        "late": query_late(q, timezone.now()),
        "draft_answer": q.draft_answer,
        "review_observations": q.review_observations,
        "reviewed_by": q.reviewed_by.email if q.reviewed_by_id else None,
        "reviewed_at": q.reviewed_at,
        "code": q.code,
        "state": q.state,
        "channel": q.channel,
        "topic": q.topic,
        "motive": (
            {
                "code": q.motive.code,
                "name": q.motive.name,
                "family": q.motive.parent.name,
                "legal": is_legal_motive(q.motive),
            }
            if q.motive_id
            else None
        ),
        "question": q.question,
        "name": q.name,
        "anonymous": q.anonymous,
        "email": q.email,
        "registered_at": q.registered_at,
        "office": q.office.code if q.office_id else None,
        "answer": q.answer,
        "answered_at": q.answered_at,
        "resolved_level": q.resolved_level,
        "region": q.region,
    }


class TextIn(Schema):
    text: str = Field(max_length=4000, description="La respuesta, el motivo o el mensaje.")


class AnswerIn(TextIn):
    outcome: str = Field(
        default="SOLVED",
        max_length=12,
        description="SOLVED (solucionada) o REQUIREMENT (no es un defecto: pasa a "
        "requerimiento funcional del área usuaria).",
    )
    requirement_title: str = Field(
        default="", max_length=200, description="Con REQUIREMENT: el requerimiento en una línea."
    )
    coordination: str = Field(
        default="NONE", max_length=10, description="NONE, INTERNAL, EXTERNAL o BOTH."
    )
    coordination_with: str = Field(
        default="", max_length=200, description="Con quién se coordinó (si hubo coordinación)."
    )


class PauseIn(Schema):
    waiting_on: str = Field(max_length=10, description="PROVIDER o EXTERNAL.")
    waiting_on_name: str = Field(max_length=200, description="El proveedor o la entidad.")
    reason: str = Field(max_length=4000)


class ResumeIn(Schema):
    note: str = Field(default="", max_length=4000, description="Qué respondió el tercero.")


class EscalateIn(Schema):
    code: str = Field(max_length=20, description="Código del caso (SGU-…) o consulta (CON-…).")
    area: str = Field(max_length=30, examples=["USUARIOS"])
    criticality: str = Field(max_length=8, examples=["ALTO"])
    complexity: str = Field(default="INDEFINIDA", max_length=12)
    priority: str = Field(default="MEDIA", max_length=8, examples=["ALTA"])
    region: RegionIn = Field(
        default="", description="Región del ciudadano (LIMA, CUSCO…); opcional."
    )
    reason: str = Field(max_length=4000)


class EscalateUpIn(Schema):
    area: str = Field(max_length=30, examples=["SOPORTE-TI"])
    criticality: str = Field(max_length=8)
    complexity: str = Field(default="INDEFINIDA", max_length=12)
    priority: str = Field(default="MEDIA", max_length=8, examples=["ALTA"])
    reason: str = Field(max_length=4000)


class EscalationOut(Schema):
    id: int
    item: str
    parent: int | None
    area: str
    level: int
    state: str
    criticality: str
    complexity: str
    priority: str
    taken_at: datetime | None = Field(description="Tomado: fin del tiempo de respuesta.")
    taken_on_time: bool | None
    solution_due_at: datetime | None = Field(
        description="3.er nivel: plazo de solución (criticidad × complejidad)."
    )
    solution_business_days: int | None
    solution_on_time: bool | None
    can_take: bool
    elevated_same_day: bool | None = Field(
        description="2.º nivel: si elevó al 3.er nivel el mismo día en que lo recibió."
    )
    validation_due_at: datetime | None = Field(
        description="2.º nivel: plazo (1 día hábil) para validar la respuesta del 3.er nivel."
    )
    validation_late: bool
    solution_paused_at: datetime | None = Field(
        description="3.er nivel: en pausa desde (espera a un proveedor o entidad externa)."
    )
    solution_paused_seconds: int = Field(
        description="Tiempo hábil (segundos de días hábiles) de las pausas ya cerradas."
    )
    solution_late: bool = Field(description="Vencido el plazo de solución (nunca en pausa).")
    can_pause: bool
    can_resume: bool
    region: str = Field(description="Región (departamento) del ciudadano; vacía si no se sabe.")
    outcome: str = Field(description="SOLVED, REQUIREMENT o vacío (sin responder).")
    requirement: str | None = Field(description="Código del requerimiento funcional (RF-…).")
    coordination: str = Field(description="NONE, INTERNAL, EXTERNAL, BOTH o vacío.")
    coordination_with: str
    reason: str
    escalated_at: datetime
    due_at: datetime
    max_business_days: int
    answer: str
    answered_at: datetime | None
    answer_level: int | None
    response_business_days: int | None
    on_time: bool | None
    sent_back_reason: str
    informed_at: datetime | None
    actions: list[str]


def _escalation(user, hop: Escalation) -> dict:
    return {
        "id": hop.pk,
        "item": hop.item_code,
        "parent": hop.parent_id,
        "area": hop.area.code,
        "level": hop.level,
        "state": hop.state,
        "criticality": hop.criticality,
        "complexity": hop.complexity,
        "priority": hop.priority,
        "taken_at": hop.taken_at,
        "taken_on_time": hop.taken_on_time,
        "solution_due_at": hop.solution_due_at,
        "solution_business_days": hop.solution_business_days,
        "solution_on_time": hop.solution_on_time,
        "can_take": can_take(hop, selectors.actors_for(user, hop)),
        "elevated_same_day": hop.elevated_same_day,
        "validation_due_at": hop.validation_due_at,
        "validation_late": validation_late(hop, timezone.now()),
        "solution_paused_at": hop.paused_at,
        "solution_paused_seconds": hop.paused_seconds,
        "solution_late": solution_late(hop, timezone.now()),
        "can_pause": can_pause(hop, selectors.actors_for(user, hop)),
        "can_resume": can_resume(hop, selectors.actors_for(user, hop)),
        "region": hop.region,
        "outcome": hop.outcome,
        "requirement": selectors.requirement_code(hop),
        "coordination": hop.coordination,
        "coordination_with": hop.coordination_with,
        "reason": hop.reason,
        "escalated_at": hop.escalated_at,
        "due_at": hop.due_at,
        "max_business_days": hop.max_business_days,
        "answer": hop.answer,
        "answered_at": hop.answered_at,
        "answer_level": hop.answer_level,
        "response_business_days": hop.response_business_days,
        "on_time": hop.on_time,
        "sent_back_reason": hop.sent_back_reason,
        "informed_at": hop.informed_at,
        "actions": allowed_actions(hop.state, selectors.actors_for(user, hop), hop.level),
    }


@router.post(
    "/queries",
    response={201: QueryOut, **ERRORS},
    summary="Registrar una consulta (1.er nivel, cualquier canal)",
    description="Código correlativo CON-AAAA-NNNNNNN. Admite `Idempotency-Key`.",
)
def register_query(request, payload: QueryIn):
    user = _user(request, first_level=True)

    def create() -> tuple[int, dict]:
        q = services.register_query(agent=user, **payload.dict())
        return 201, QueryOut.model_validate(_query(q)).model_dump(mode="json")

    return Status(*run_idempotent(request, f"user:{user.pk}", create))


class MotiveFamilyOut(Schema):
    code: str
    name: str
    legal: bool
    motives: list[MotiveOut]


@router.get(
    "/query-motives",
    response={200: list[MotiveFamilyOut], **ERRORS},
    summary="Catálogo de motivos de consulta (tipificación)",
    description="Las familias activas con sus submotivos; `motive` de una consulta es uno de "
    "estos códigos.",
)
def query_motives(request):
    _user(request, first_level=True)
    return [
        {
            "code": family.code,
            "name": family.name,
            "legal": is_legal_motive(family),
            "motives": [
                {
                    "code": m.code,
                    "name": m.name,
                    "family": family.name,
                    "legal": is_legal_motive(m),
                }
                for m in children
            ],
        }
        for family, children in selectors.motive_families()
    ]


@router.get("/queries/{code}", response={200: QueryOut, **ERRORS}, summary="Una consulta")
def get_query(request, code: str):
    user = _user(request, first_level=True)
    return _query(selectors.query_for(user, code))


@router.post(
    "/queries/{code}/answer",
    response={200: QueryOut, **ERRORS},
    summary="Responder una consulta en el 1.er nivel (se envía al correo del ciudadano)",
)
def answer_query(request, code: str, payload: TextIn):
    user = _user(request, first_level=True)
    q = selectors.query_for(user, code)
    services.answer_query(query=q, agent=user, answer=payload.text)
    return _query(selectors.query_for(user, code))


@router.post(
    "/queries/{code}/review",
    response={200: QueryOut, **ERRORS},
    summary="Revisión de calidad de una respuesta legal (supervisor)",
    description="`APPROVE`: la respuesta sale al ciudadano; `RETURN`: vuelve al 1.er nivel con "
    "las observaciones (obligatorias).",
)
def review_query(request, code: str, payload: ReviewIn):
    user = _user(request, first_level=True)
    q = selectors.query_for(user, code)
    services.review_query(
        query=q, supervisor=user, decision=payload.decision, observations=payload.observations
    )
    return _query(selectors.query_for(user, code))


@router.post(
    "/escalations",
    response={201: EscalationOut, **ERRORS},
    summary="Escalar un caso o una consulta a un área del 2.º nivel",
    description="Criticidad ALTO, MEDIO o BAJO (plazo en días hábiles según la configuración); "
    "complejidad BAJA, MEDIA, ALTA, MUY_ALTA o INDEFINIDA.",
)
def escalate(request, payload: EscalateIn):
    user = _user(request, first_level=True)
    code = payload.code.strip().upper()
    prefix = settings.SGU.get("ATTENTION", {}).get("QUERY_CODE_PREFIX", "CON")
    try:
        if code.startswith(f"{prefix}-"):
            case, query = None, selectors.query_for(user, code)
        else:
            case, query = case_selectors.regulator_case(user, code), None
    except NotFound as exc:
        raise ValidationFailed.of([FieldError("code", exc.detail)]) from None
    hop = services.escalate(
        agent=user,
        case=case,
        query=query,
        area_code=payload.area,
        criticality=payload.criticality,
        complexity=payload.complexity,
        priority=payload.priority,
        region=payload.region,
        reason=payload.reason,
    )
    return Status(201, _escalation(user, selectors.escalation_for(user, hop.pk)))


@router.get(
    "/escalations/{escalation_id}",
    response={200: EscalationOut, **ERRORS},
    summary="Un escalamiento (si pertenece a sus áreas o es del 1.er nivel)",
)
def get_escalation(request, escalation_id: int):
    user = _user(request)
    return _escalation(user, selectors.escalation_for(user, escalation_id))


def _act(request, escalation_id: int, do) -> dict:
    user = _user(request)
    hop = selectors.escalation_for(user, escalation_id)
    do(user, hop)
    return _escalation(user, selectors.escalation_for(user, escalation_id))


@router.post(
    "/escalations/{escalation_id}/answer",
    response={200: EscalationOut, **ERRORS},
    summary="Responder al nivel anterior (integrante del área)",
)
def answer(request, escalation_id: int, payload: AnswerIn):
    return _act(
        request,
        escalation_id,
        lambda u, h: services.answer_escalation(
            escalation=h,
            user=u,
            answer=payload.text,
            outcome=payload.outcome,
            requirement_title=payload.requirement_title,
            coordination=payload.coordination,
            coordination_with=payload.coordination_with,
        ),
    )


@router.post(
    "/escalations/{escalation_id}/pause",
    response={200: EscalationOut, **ERRORS},
    summary="Pausar el plazo de solución: se espera a un proveedor o a una entidad externa",
    description="Solo en el 3.er nivel, pendiente y sin otra pausa abierta; la complejidad pasa "
    "a INDEFINIDA.",
)
def pause(request, escalation_id: int, payload: PauseIn):
    return _act(
        request,
        escalation_id,
        lambda u, h: services.pause_solution(
            escalation=h,
            user=u,
            waiting_on=payload.waiting_on,
            waiting_on_name=payload.waiting_on_name,
            reason=payload.reason,
        ),
    )


@router.post(
    "/escalations/{escalation_id}/resume",
    response={200: EscalationOut, **ERRORS},
    summary="Reanudar el plazo de solución (el tercero respondió)",
    description="El vencimiento se corre el tiempo hábil que estuvo en pausa.",
)
def resume(request, escalation_id: int, payload: ResumeIn):
    return _act(
        request,
        escalation_id,
        lambda u, h: services.resume_solution(escalation=h, user=u, note=payload.note),
    )


@router.post(
    "/escalations/{escalation_id}/send-back",
    response={200: EscalationOut, **ERRORS},
    summary="Devolver por no corresponder al área (cuenta como mal derivado)",
)
def send_back(request, escalation_id: int, payload: TextIn):
    return _act(
        request,
        escalation_id,
        lambda u, h: services.send_back(escalation=h, user=u, reason=payload.text),
    )


@router.post(
    "/escalations/{escalation_id}/escalate",
    response={201: EscalationOut, **ERRORS},
    summary="Escalar al 3.er nivel (área del 2.º nivel)",
)
def escalate_up(request, escalation_id: int, payload: EscalateUpIn):
    user = _user(request)
    hop = selectors.escalation_for(user, escalation_id)
    up = services.escalate_up(
        escalation=hop,
        user=user,
        area_code=payload.area,
        criticality=payload.criticality,
        complexity=payload.complexity,
        priority=payload.priority,
        reason=payload.reason,
    )
    return Status(201, _escalation(user, selectors.escalation_for(user, up.pk)))


@router.post(
    "/escalations/{escalation_id}/inform",
    response={200: EscalationOut, **ERRORS},
    summary="Informar al ciudadano la respuesta recibida (1.er nivel; por correo)",
)
def inform(request, escalation_id: int, payload: TextIn):
    return _act(
        request,
        escalation_id,
        lambda u, h: services.inform_citizen(escalation=h, user=u, message=payload.text),
    )


class ExtendIn(Schema):
    days: int = Field(description="Días hábiles de ampliación (1 a 10).")
    reason: str = Field(max_length=4000)


@router.post(
    "/escalations/{escalation_id}/extend",
    response={200: EscalationOut, **ERRORS},
    summary="Ampliar el plazo de un escalamiento (con motivo; se avisa al ciudadano)",
    description="En el 3.er nivel amplía el plazo de solución.",
)
def extend(request, escalation_id: int, payload: ExtendIn):
    return _act(
        request,
        escalation_id,
        lambda u, h: services.extend_escalation(
            escalation=h, user=u, days=payload.days, reason=payload.reason
        ),
    )


@router.post(
    "/escalations/{escalation_id}/take",
    response={200: EscalationOut, **ERRORS},
    summary="Tomar un escalamiento (detiene el tiempo de respuesta)",
    description="El especialista del área lo toma; en el 3.er nivel es el contacto, que también "
    "detiene el tiempo de respuesta del 2.º nivel si nadie lo tomó.",
)
def take(request, escalation_id: int):
    return _act(
        request,
        escalation_id,
        lambda u, h: services.take_escalation(escalation=h, user=u),
    )


# --- assisted registration: the attention's flow on the cases' staff router --------------------


def add_assisted_registration(staff_cases: Router) -> None:
    """POST /staff/cases shares its path with the cases' staff tray (GET), so it must live on
    the same router; sgu/api.py calls this once with that router. The flow is the attention's:
    the case, then the survey on our attention (attention.services.register_assisted_case)."""

    @staff_cases.post(
        "/cases",
        response={
            201: StaffCaseOut,
            400: Problem,
            401: Problem,
            403: Problem,
            409: Problem,
            422: Problem,
        },
        summary="Registrar un caso por un ciudadano (canal presencial o telefónico)",
        description="El ciudadano se busca por documento o se crea (sin contraseña, con su "
        "consentimiento dado a través del orientador y un correo para confirmar la dirección). "
        "El canal y la oficina del orientador quedan registrados. Admite `Idempotency-Key`.",
    )
    def register_assisted(request, payload: AssistedCaseIn):
        principal = staff_principal(request)

        def create() -> tuple[int, dict]:
            body = payload.dict()
            case = services.register_assisted_case(
                agent=principal.user,
                citizen=cases.CitizenInput(**body.pop("citizen")),
                channel=body.pop("channel"),
                office_code=body.pop("office"),
                data=cases.CaseInput(**body),
            )
            data = case_dict(
                case,
                timezone.now(),
                actions=case_actions(case.state, principal.actor_role),
                with_citizen=True,
                with_registrar=True,
            )
            return 201, StaffCaseOut.model_validate(data).model_dump(mode="json")

        return Status(*run_idempotent(request, f"user:{principal.user_id}", create))
