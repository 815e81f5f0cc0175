"""The contact-centre provider — endpoints for the regulator (the client) and the provider's
staff: the register of requirements and its actions, replicas, confirmations, evaluations and
the periodic report. The same services and the same isolation as the pages."""

import json
from datetime import date, datetime

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError

from sgu.accounts.auth import user_auth
from sgu.core.calendar import LIMA, load_calendar
from sgu.core.errors import FieldError, NotFound, ValidationFailed
from sgu.core.pagination import clamp_limit, keyset_page
from sgu.core.schemas import Day, Instant, Limit, Problem
from sgu.core.web import send_file
from sgu.knowledge.models import ArticleVersion
from sgu.provider import selectors, services
from sgu.provider.models import (
    Replica,
    ReplicaState,
    Requirement,
    RequirementAttachment,
    RequirementType,
    Stage,
)
from sgu.provider.workflow import allowed_actions, may_attach

router = Router(tags=["Proveedor del centro de contacto"], auth=user_auth)

ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}
FILE_ERRORS = {**ERRORS, 413: Problem, 415: Problem}


def _user(request):
    user = request.auth.user
    selectors.require_seat(user)
    return user


class StepOut(Schema):
    stage: str
    started_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    action: str
    note: str
    verdict: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


def _attachment(a: RequirementAttachment) -> dict:
    return {
        "id": a.pk,
        "name": a.name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "uploaded_at": a.uploaded_at,
        "uploaded_by": str(a.uploaded_by),
    }


class RequirementOut(Schema):
    code: str
    provider: str
    type: str
    topic: str
    description: str
    requested_date: date | None
    filed_at: datetime
    stage: str
    stage_label: str
    owes: str
    stage_due_at: datetime | None
    remaining: str
    overdue: bool
    clock_stopped: bool
    granted_days: int | None
    stages_on_time: int
    stages_late: int
    compliance_percent: float | None
    final: str
    closed_at: datetime | None
    actions: list[str]
    can_attach: bool
    attachments: list[AttachmentOut]
    steps: list[StepOut]


def _requirement(user, req: Requirement, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    st = selectors.status_of(req, now, load_calendar())
    return {
        "code": req.code,
        "provider": req.provider.code,
        "type": req.type,
        "topic": req.topic,
        "description": req.description,
        "requested_date": req.requested_date,
        "filed_at": req.filed_at,
        "stage": req.stage,
        "stage_label": st.stage_label,
        "owes": st.owes,
        "stage_due_at": req.stage_due_at,
        "remaining": st.remaining,
        "overdue": st.overdue,
        "clock_stopped": st.clock_stopped,
        "granted_days": req.granted_days,
        "stages_on_time": st.compliance.on_time,
        "stages_late": st.compliance.late,
        "compliance_percent": st.compliance.percent,
        "final": st.final,
        "closed_at": req.closed_at,
        "actions": [a.name for a in allowed_actions(req.stage, user.role)],
        "can_attach": may_attach(req.stage, user.role),
        "attachments": [_attachment(a) for a in req.attachments.all()],
        "steps": [
            {
                "stage": s.stage,
                "started_at": s.started_at,
                "due_at": s.due_at,
                "ended_at": s.ended_at,
                "action": s.action,
                "note": s.note,
                "verdict": selectors.step_verdict(s, now),
            }
            for s in req.steps.all()
        ],
    }


class RegisterOut(Schema):
    items: list[RequirementOut]
    next_cursor: str | None
    stages_on_time: int
    stages_late: int
    compliance_percent: float | None


class RegisterQuery(Schema):
    stage: str = Field(default="", max_length=16, description="Etapa (VALIDATION, OBSERVED…).")
    type: str = Field(default="", max_length=16, description="Tipo (NEW_INFO, SYSTEM_CHANGE…).")
    topic: str = Field(default="", max_length=200, description="Parte del tema.")
    provider: str = Field(default="", max_length=30, description="Código del proveedor.")
    filed_from: Day | None = None
    filed_to: Day | None = None
    open_only: bool = False
    limit: Limit | None = None
    cursor: str | None = Field(
        default=None, max_length=500, description="El `next_cursor` de la página anterior."
    )


def register_filter(q) -> selectors.RegisterFilter:
    """Stage and type must be known values: a typo would silently empty the list."""
    errors = []
    if q.stage and q.stage not in Stage.values:
        errors.append(FieldError("stage", "Etapa no válida; use " + ", ".join(Stage.values) + "."))
    if q.type and q.type not in RequirementType.values:
        errors.append(
            FieldError("type", "Tipo no válido; use " + ", ".join(RequirementType.values) + ".")
        )
    if q.filed_from and q.filed_to and q.filed_to < q.filed_from:
        errors.append(FieldError("filed_to", "La fecha final no puede ser anterior a la inicial."))
    if errors:
        raise ValidationFailed.of(errors)
    return selectors.RegisterFilter(
        stage=q.stage,
        type=q.type,
        topic=q.topic.strip(),
        provider=q.provider.strip().upper(),
        filed_from=q.filed_from,
        filed_to=q.filed_to,
        open_only=q.open_only,
    )


@router.get(
    "/requirements",
    response={200: RegisterOut, **ERRORS},
    summary="El registro de requerimientos (filtrable), con su % de cumplimiento",
    description="El regulador ve los de todos los proveedores; el personal de un proveedor, "
    "solo los de su proveedor. Más recientes primero. Paginado por cursor: `limit` (por "
    "defecto 50, máximo 500) y `next_cursor` (null en la última página). `stages_on_time`, "
    "`stages_late` y `compliance_percent` son de todo el registro filtrado, no de la página.",
)
def list_requirements(request, q: Query[RegisterQuery]):
    user = _user(request)
    limit = clamp_limit(q.limit)
    now = timezone.now()
    qs = selectors.register(user, register_filter(q))
    rows, next_cursor = keyset_page(qs, ["-filed_at", "-id"], q.cursor, limit)
    total = selectors.register_totals(qs, now)
    return {
        "items": [_requirement(user, r, now) for r in rows],
        "next_cursor": next_cursor,
        "stages_on_time": total.on_time,
        "stages_late": total.late,
        "compliance_percent": total.percent,
    }


class RequirementIn(Schema):
    provider: str = Field(max_length=30, examples=["CONTACTA"])
    type: str = Field(max_length=16, examples=["NEW_INFO"])
    topic: str = Field(max_length=200)
    description: str = Field(max_length=4000)
    requested_date: Day | None = None


_REQUIREMENT_FIELDS = {
    "provider": {"type": "string", "maxLength": 30, "examples": ["CONTACTA"]},
    "type": {"type": "string", "maxLength": 16, "examples": ["NEW_INFO"]},
    "topic": {"type": "string", "maxLength": 200},
    "description": {"type": "string", "maxLength": 4000},
    "requested_date": {"type": "string", "format": "date"},
}
_FILING_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["provider", "type", "topic", "description"],
                    "properties": _REQUIREMENT_FIELDS,
                }
            },
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["provider", "type", "topic", "description"],
                    "properties": {
                        **_REQUIREMENT_FIELDS,
                        "attachments": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "Archivos PDF, JPEG o PNG de hasta 10 MB cada uno "
                            "(hasta 5); repita el campo por cada archivo.",
                        },
                    },
                }
            },
        },
    }
}


def _is_multipart(request) -> bool:
    return (request.content_type or "").startswith("multipart/form-data")


def _filing_input(request) -> tuple[RequirementIn, list]:
    """The filing's fields, from a JSON body or a multipart form (the only way to send files
    with it), checked by the same schema; its files, if any."""
    files: list = []
    if _is_multipart(request):
        # An empty field of a form is a field not sent (the optional date).
        data = {k: v for k in RequirementIn.model_fields if (v := request.POST.get(k, "")) != ""}
        files = request.FILES.getlist("attachments")
    else:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            raise HttpError(400, "invalid JSON") from None
    try:
        return RequirementIn.model_validate(data), files
    except PydanticValidationError as exc:
        raise NinjaValidationError(
            [{**e, "loc": ("body", "payload", *e["loc"])} for e in exc.errors()]
        ) from None


@router.post(
    "/requirements",
    response={201: RequirementOut, **FILE_ERRORS},
    summary="Registrar un requerimiento al proveedor (personal del regulador)",
    description="Tipos: NEW_INFO, TRAINING, REINFORCEMENT, SYSTEM_CHANGE, SYSTEM_ACCESS. "
    "Experiencia Cliente tiene 1 día hábil para validarlo u observarlo. JSON, o "
    "multipart/form-data con los mismos campos y `attachments` (uno por archivo: PDF, JPEG "
    "o PNG, hasta 10 MB cada uno, hasta 5): el requerimiento y sus archivos entran juntos o "
    "nada. Un archivo rechazado, y nada más que corregir, responde 413 (tamaño) o 415 (tipo).",
    openapi_extra=_FILING_BODY,
)
def file_requirement(request):
    user = _user(request)
    payload, files = _filing_input(request)
    try:
        provider = selectors.provider_for(user, payload.provider.strip().upper())
    except NotFound as exc:
        raise ValidationFailed.of([FieldError("provider", exc.detail)]) from None
    req = services.file_requirement(
        provider=provider,
        data=services.RequirementInput(
            type=payload.type,
            topic=payload.topic,
            description=payload.description,
            requested_date=payload.requested_date,
        ),
        attachments=files,
        by=request.auth,
    )
    return Status(201, _requirement(user, selectors.requirement_for(user, req.code)))


@router.get(
    "/requirements/{code}",
    response={200: RequirementOut, **ERRORS},
    summary="Un requerimiento: etapa, quién debe el siguiente paso, tiempo restante, etapas",
)
def get_requirement(request, code: str):
    user = _user(request)
    return _requirement(user, selectors.requirement_for(user, code))


_ATTACH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "description": "PDF, JPEG o PNG de hasta 10 MB; repita el campo "
                            "para enviar varios (hasta 5 por requerimiento).",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "/requirements/{code}/attachments",
    response={201: list[AttachmentOut], **FILE_ERRORS},
    summary="Adjuntar archivos a un requerimiento (personal del regulador)",
    description="Multipart con `file` (uno o varios). Hasta que el requerimiento se cierra "
    "(`can_attach`); 409 después. Las mismas reglas que la página: PDF, JPEG o PNG "
    "reconocidos por su contenido, hasta 10 MB cada uno y 5 por requerimiento; un archivo "
    "rechazado responde 413 (tamaño) o 415 (tipo) con el motivo en español.",
    openapi_extra=_ATTACH_BODY,
)
def attach(request, code: str):
    user = _user(request)
    req = selectors.requirement_for(user, code)
    files = request.FILES.getlist("file") if _is_multipart(request) else []
    stored = services.add_attachments(requirement=req, files=files, by=request.auth)
    return Status(201, [_attachment(a) for a in stored])


@router.get(
    "/requirements/{code}/attachments",
    response={200: list[AttachmentOut], **ERRORS},
    summary="Los archivos de un requerimiento",
)
def list_attachments(request, code: str):
    user = _user(request)
    return [_attachment(a) for a in selectors.requirement_for(user, code).attachments.all()]


@router.get(
    "/requirements/{code}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    summary="Descargar un archivo de un requerimiento",
    description="El archivo tal como se adjuntó, como descarga (`Content-Disposition: "
    "attachment`); 404 si no es de ese requerimiento o el requerimiento no es visible.",
    openapi_extra={
        "responses": {
            200: {
                "description": "El archivo (PDF, JPEG o PNG).",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}}
                    for t in ("application/pdf", "image/jpeg", "image/png")
                },
            }
        }
    },
)
def download_attachment(request, code: str, attachment_id: int):
    user = _user(request)
    found = selectors.attachment_for(user, code, attachment_id)
    return send_file(found.file, filename=found.name, content_type=found.content_type)


class ActionIn(Schema):
    text: str = Field(
        default="",
        max_length=4000,
        description="La nota, las precisiones pedidas (observe), la respuesta del cliente "
        "(answer) o el estatus final (report).",
    )
    granted_days: int | None = Field(
        default=None,
        description="feasibility: días hábiles otorgados (15 a 30, cambio en "
        "los sistemas; 1 en los demás tipos).",
    )


@router.post(
    "/requirements/{code}/actions/{action}",
    response={200: RequirementOut, **ERRORS},
    summary="Mover un requerimiento a su siguiente etapa",
    description="Acciones: accept, observe, answer (regulador), acknowledge, feasibility, "
    "start, complete, report. `actions` del requerimiento dice cuáles puede tomar usted.",
)
def act(request, code: str, action: str, payload: ActionIn):
    user = _user(request)
    req = selectors.requirement_for(user, code)
    services.act(
        requirement=req,
        action=action,
        by=request.auth,
        text=payload.text,
        granted_days=payload.granted_days,
    )
    return _requirement(user, selectors.requirement_for(user, code))


# --- replicas --------------------------------------------------------------------------------


class TraineeOut(Schema):
    name: str
    role: str
    lead: bool
    confirmed_at: datetime | None
    confirmed_version: int | None
    passed_at: datetime | None


class ReplicaOut(Schema):
    id: int
    requirement: str
    topic: str
    article: str
    article_version: int
    memory_aid: str
    scheduled_for: date
    trainer: str
    state: str
    started_at: datetime | None
    closed_at: datetime | None
    done: int
    total: int
    deployment_percent: float
    advisors_unlocked: bool
    has_evaluation: bool
    trainees: list[TraineeOut]


def _replica(replica: Replica) -> dict:
    trainees = list(replica.trainees.all())
    dep = selectors.deployment_of(replica, trainees)
    return {
        "id": replica.pk,
        "requirement": replica.requirement.code,
        "topic": replica.requirement.topic,
        "article": replica.article_version.article.code,
        "article_version": replica.article_version.number,
        "memory_aid": replica.memory_aid,
        "scheduled_for": replica.scheduled_for,
        "trainer": str(replica.trainer),
        "state": replica.state,
        "started_at": replica.started_at,
        "closed_at": replica.closed_at,
        "done": dep.done,
        "total": dep.total,
        "deployment_percent": dep.percent,
        "advisors_unlocked": dep.advisors_unlocked,
        "has_evaluation": selectors.evaluation_of(replica) is not None,
        "trainees": [
            {
                "name": str(t.user),
                "role": t.user.role,
                "lead": t.lead,
                "confirmed_at": t.confirmed_at,
                "confirmed_version": t.confirmed_version_id,
                "passed_at": t.passed_at,
            }
            for t in trainees
        ],
    }


class ReplicaIn(Schema):
    article_version: int = Field(description="Id de la versión aprobada del artículo.")
    memory_aid: str = Field(max_length=4000, description="La ayuda memoria para los asesores.")
    scheduled_for: Day
    trainer_email: str = Field(max_length=254)
    advisor_emails: list[str] = Field(
        default_factory=list, description="Vacío: todos los asesores activos del proveedor."
    )


@router.post(
    "/requirements/{code}/replicas",
    response={201: ReplicaOut, **ERRORS},
    summary="Programar una réplica (Experiencia Cliente o formador)",
    description="El supervisor de operaciones y el monitor se capacitan primero; los asesores "
    "confirman después.",
)
def plan_replica(request, code: str, payload: ReplicaIn):
    user = _user(request)
    req = selectors.requirement_for(user, code)
    version = ArticleVersion.objects.filter(pk=payload.article_version).first()
    staff = selectors.staff_of(req.provider, selectors.PROVIDER_ROLES)
    trainer = staff.filter(email=payload.trainer_email.strip().lower()).first()
    emails = [e.strip().lower() for e in payload.advisor_emails]
    advisors = list(staff.filter(email__in=emails))
    if len(advisors) != len(set(emails)):
        raise ValidationFailed.of(
            [FieldError("advisor_emails", "Hay correos que no son de asesores del proveedor.")]
        )
    replica = services.plan_replica(
        requirement=req,
        article_version=version,
        memory_aid=payload.memory_aid,
        scheduled_for=payload.scheduled_for,
        trainer=trainer,
        advisors=advisors,
        by=request.auth,
    )
    return Status(201, _replica(selectors.replica_for(user, replica.pk)))


class ReplicaRowOut(Schema):
    id: int
    requirement: str
    provider: str
    topic: str
    scheduled_for: date
    trainer: str
    state: str
    state_label: str
    started_at: datetime | None
    closed_at: datetime | None
    done: int
    total: int
    deployment_percent: float


class ReplicaPage(Schema):
    items: list[ReplicaRowOut]
    next_cursor: str | None


class ReplicaQuery(Schema):
    topic: str = Field(default="", max_length=200, description="Parte del tema.")
    state: str = Field(default="", max_length=12, description="PLANNED, IN_PROGRESS o CLOSED.")
    provider: str = Field(default="", max_length=30, description="Código del proveedor.")
    scheduled_from: Day | None = None
    scheduled_to: Day | None = None
    limit: Limit | None = None
    cursor: str | None = Field(
        default=None, max_length=500, description="El `next_cursor` de la página anterior."
    )


def replica_filter(q) -> selectors.ReplicaFilter:
    errors = []
    if q.state and q.state not in ReplicaState.values:
        errors.append(
            FieldError("state", "Estado no válido; use " + ", ".join(ReplicaState.values) + ".")
        )
    if q.scheduled_from and q.scheduled_to and q.scheduled_to < q.scheduled_from:
        errors.append(
            FieldError("scheduled_to", "La fecha final no puede ser anterior a la inicial.")
        )
    if errors:
        raise ValidationFailed.of(errors)
    return selectors.ReplicaFilter(
        topic=q.topic.strip(),
        state=q.state,
        provider=q.provider.strip().upper(),
        scheduled_from=q.scheduled_from,
        scheduled_to=q.scheduled_to,
    )


def replica_row(r: Replica) -> dict:
    return {
        "id": r.pk,
        "requirement": r.requirement.code,
        "provider": r.requirement.provider.code,
        "topic": r.requirement.topic,
        "scheduled_for": r.scheduled_for,
        "trainer": str(r.trainer),
        "state": r.state,
        "state_label": r.get_state_display(),
        "started_at": r.started_at,
        "closed_at": r.closed_at,
        "done": r.ready,
        "total": r.people,
        "deployment_percent": selectors.percent_of(r.ready, r.people),
    }


@router.get(
    "/replicas",
    response={200: ReplicaPage, **ERRORS},
    summary="Las réplicas por tema, fecha, estado y proveedor, con su % de despliegue",
    description="El regulador ve las de todos los proveedores; el personal de un proveedor, "
    "solo las suyas. La fecha programada más reciente primero. Paginado por cursor: `limit` "
    "(por defecto 50, máximo 500) y `next_cursor`.",
)
def list_replicas(request, q: Query[ReplicaQuery]):
    user = _user(request)
    qs = selectors.replica_register(user, replica_filter(q))
    rows, next_cursor = keyset_page(qs, ["-scheduled_for", "-id"], q.cursor, clamp_limit(q.limit))
    return {"items": [replica_row(r) for r in rows], "next_cursor": next_cursor}


@router.get(
    "/replicas/{replica_id}",
    response={200: ReplicaOut, **ERRORS},
    summary="Una réplica: material, personas, % de despliegue",
)
def get_replica(request, replica_id: int):
    user = _user(request)
    return _replica(selectors.replica_for(user, replica_id))


@router.post(
    "/replicas/{replica_id}/start",
    response={200: ReplicaOut, **ERRORS},
    summary="Iniciar la réplica (se avisa al cliente por correo)",
)
def start_replica(request, replica_id: int):
    user = _user(request)
    services.start_replica(replica=selectors.replica_for(user, replica_id), by=request.auth)
    return _replica(selectors.replica_for(user, replica_id))


@router.post(
    "/replicas/{replica_id}/confirm",
    response={200: ReplicaOut, **ERRORS},
    summary="Confirmar haber sido informado y capacitado (la persona misma)",
)
def confirm(request, replica_id: int):
    user = _user(request)
    services.confirm_training(replica=selectors.replica_for(user, replica_id), by=request.auth)
    return _replica(selectors.replica_for(user, replica_id))


class QuestionIn(Schema):
    text: str = Field(max_length=300)
    options: list[str] = Field(max_length=6)
    answer: int = Field(description="Índice (desde 0) de la opción correcta.")


class EvaluationIn(Schema):
    questions: list[QuestionIn] = Field(max_length=20)
    pass_mark: int = Field(description="Nota aprobatoria, en %.")
    max_attempts: int
    opens_at: Instant | None = None


class EvaluationOut(Schema):
    replica: int
    opens_at: datetime
    pass_mark: int
    max_attempts: int
    questions: int


@router.post(
    "/replicas/{replica_id}/evaluation",
    response={201: EvaluationOut, **ERRORS},
    summary="Programar la evaluación de una réplica (formador)",
)
def schedule_evaluation(request, replica_id: int, payload: EvaluationIn):
    user = _user(request)
    ev = services.schedule_evaluation(
        replica=selectors.replica_for(user, replica_id),
        questions=[services.Question(q.text, q.options, q.answer) for q in payload.questions],
        pass_mark=payload.pass_mark,
        max_attempts=payload.max_attempts,
        opens_at=payload.opens_at,
        by=request.auth,
    )
    return Status(
        201,
        {
            "replica": replica_id,
            "opens_at": ev.opens_at,
            "pass_mark": ev.pass_mark,
            "max_attempts": ev.max_attempts,
            "questions": len(ev.questions),
        },
    )


class AttemptIn(Schema):
    answers: list[int] = Field(max_length=20)


class AttemptOut(Schema):
    number: int
    score: int
    passed: bool
    attempts_left: int


@router.post(
    "/replicas/{replica_id}/evaluation/attempts",
    response={201: AttemptOut, **ERRORS},
    summary="Rendir la evaluación (asesor); nota, aprobado e intentos restantes",
)
def submit_attempt(request, replica_id: int, payload: AttemptIn):
    user = _user(request)
    replica = selectors.replica_for(user, replica_id)
    attempt = services.submit_evaluation(replica=replica, answers=payload.answers, by=request.auth)
    left = attempt.evaluation.max_attempts - attempt.number
    return Status(
        201,
        {
            "number": attempt.number,
            "score": attempt.score,
            "passed": attempt.passed,
            "attempts_left": 0 if attempt.passed else left,
        },
    )


# --- reports ---------------------------------------------------------------------------------


class ReportRowOut(Schema):
    start: date
    end: date
    filed: int
    closed: int
    replicas_started: int
    replicas_closed: int
    topics_trained: int
    stages_on_time: int
    stages_evaluated: int
    compliance_percent: float | None


class ReportQuery(Schema):
    period: str = Field(
        default="monthly", max_length=12, description="weekly, fortnightly o monthly."
    )
    until: Day | None = None
    count: int = Field(default=6, ge=1, le=24, description="Periodos, de 1 a 24.")
    provider: str = Field(default="", max_length=30)


@router.get(
    "/reports",
    response={200: list[ReportRowOut], **ERRORS},
    summary="Reporte semanal, quincenal o mensual: réplicas, temas capacitados, % de cumplimiento",
)
def report(request, q: Query[ReportQuery]):
    user = _user(request)
    until = q.until or timezone.localtime(timezone.now(), LIMA).date()
    rows = selectors.report(user, q.period, until, q.count, q.provider.strip().upper())
    return [
        {
            **{k: getattr(r, k) for k in ReportRowOut.model_fields if k != "compliance_percent"},
            "compliance_percent": r.percent,
        }
        for r in rows
    ]
