"""Every write on the provider's work: its staff, the requirements the regulator files and
their stages (sgu.provider.workflow), the replicas to the advisors, their confirmations and
evaluations. One function per use case, keyword arguments, one transaction; the emails to
the client are queued in that same transaction."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from sgu.accounts import services as accounts
from sgu.accounts.models import PROVIDER_ROLES, REGULATOR_ROLES, Role, User
from sgu.cases.attachments import CheckedUpload, check_upload
from sgu.core import audit, config
from sgu.core.calendar import LIMA, load_calendar
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    Forbidden,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from sgu.core.principal import Principal
from sgu.core.sequences import next_number
from sgu.knowledge.models import ArticleVersion, VersionStatus
from sgu.notifications.services import queue_email
from sgu.provider import selectors
from sgu.provider.models import (
    Evaluation,
    EvaluationAttempt,
    Provider,
    ProviderStaff,
    Replica,
    ReplicaState,
    ReportSubscription,
    Requirement,
    RequirementAttachment,
    RequirementSequence,
    RequirementStep,
    RequirementType,
    Stage,
    Trainee,
)
from sgu.provider.workflow import (
    REPLICA_OPTIONAL,
    STAGE_DAYS,
    TRAINERS,
    attachable,
    granted_days_for,
    transition,
)

LEAD_ROLES = (Role.PROVIDER_OPS_SUPERVISOR, Role.PROVIDER_MONITOR)


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _user(by: Principal) -> User:
    user: User | None = by.user
    if user is None or not user.is_active:
        raise Forbidden(selectors.NOT_ALLOWED)
    return user


def _text(
    value: str | None,
    field: str,
    label: str,
    errors: ErrorCollector,
    *,
    low: int = 1,
    high: int = 4000,
) -> str:
    text = (value or "").strip().replace("\r\n", "\n")
    if len(text) < low:
        errors.add(field, f"Escriba {label} (al menos {low} caracteres).")
    elif len(text) > high:
        errors.add(field, f"{label[0].upper()}{label[1:]} admite hasta {high} caracteres.")
    return text


def _date(
    value: date | str | None,
    field: str,
    label: str,
    errors: ErrorCollector,
    *,
    required: bool = False,
) -> date | None:
    if value is None or value == "":
        if required:
            errors.add(field, f"Indique {label} (AAAA-MM-DD).")
        return None
    if isinstance(value, datetime):
        return value.astimezone(LIMA).date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors.add(field, f"{label[0].upper()}{label[1:]} no es válida; use AAAA-MM-DD.")
        return None


# --- providers and staff ----------------------------------------------------------------------


@transaction.atomic
def create_provider(*, code: str, name: str, client_email: str = "", ruc: str = "") -> Provider:
    errors = ErrorCollector()
    code = (code or "").strip().upper()
    if not code or len(code) > 30:
        errors.add("code", "Indique el código del proveedor (hasta 30 caracteres).")
    name = _text(name, "name", "la razón social", errors, low=3, high=200)
    errors.raise_if_any()
    if Provider.objects.filter(code=code).exists():
        raise Conflict(f"Ya existe el proveedor {code}.")
    return Provider.objects.create(code=code, name=name, client_email=client_email, ruc=ruc)


@transaction.atomic
def add_staff(
    *,
    provider: Provider,
    email: str,
    password: str,
    role: str,
    first_name: str,
    last_name: str,
    now: datetime | None = None,
) -> User:
    """A person of the provider: their account with a provider role, and their seat."""
    if role not in PROVIDER_ROLES:
        raise ValidationFailed.of([FieldError("role", "Use un rol del proveedor.")])
    now = _now(now)
    user = accounts.create_staff_user(
        email=email,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        now=now,
    )
    seat_staff(provider=provider, user=user, now=now)
    return user


@transaction.atomic
def seat_staff(*, provider: Provider, user: User, now: datetime | None = None) -> ProviderStaff:
    """An existing person with a provider role joins a provider's team (the admin's «personal
    del proveedor»): from then on they see that provider's work, and only it."""
    refusal = seat_refusal(user)
    if refusal:
        raise ValidationFailed.of([FieldError("user", refusal)])
    return ProviderStaff.objects.create(provider=provider, user=user, created_at=_now(now))


def seat_refusal(user: User) -> str | None:
    """Why this person cannot join a provider's team (the admin's form asks it too)."""
    if user.role not in PROVIDER_ROLES:
        return "Solo una persona con un rol del proveedor integra su equipo."
    if ProviderStaff.objects.filter(user=user).exists():
        return "Esa persona ya integra el equipo de un proveedor."
    return None


# --- requirements -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RequirementInput:
    type: str
    topic: str
    description: str
    requested_date: date | str | None = None


def _due(stage: str, start: datetime, granted_days: int | None = None) -> datetime | None:
    days = granted_days if stage == Stage.REPLICA else STAGE_DAYS.get(stage)
    if days is None:
        return None
    return load_calendar().add_business_days(start, days).due_at


def _open_step(req: Requirement, stage: str, now: datetime) -> None:
    due = _due(stage, now, req.granted_days)
    req.stage = stage
    req.stage_started_at = now
    req.stage_due_at = due
    if stage != Stage.CLOSED:
        RequirementStep.objects.create(requirement=req, stage=stage, started_at=now, due_at=due)


def _checked_files(
    files: list[UploadedFile],
    errors: ErrorCollector,
    field: str,
    *,
    already: int,
    refusals: list[str],
) -> list[CheckedUpload]:
    """Each file through the platform's one check (`check_upload`: PDF, JPEG or PNG by
    content, up to MAX_ATTACHMENT_BYTES), and no more than MAX_ATTACHMENTS per requirement."""
    limit = config.integer("MAX_ATTACHMENTS")
    if len(files) + already > limit:
        errors.add(field, f"Puede adjuntar como máximo {limit} archivos por requerimiento.")
        return []
    checked = []
    for i, upload in enumerate(files):
        ok = check_upload(upload, errors, f"{field}[{i}]" if len(files) > 1 else field, refusals)
        if ok is not None:
            checked.append(ok)
    return checked


def _refuse_files(errors: ErrorCollector, refusals: list[str]) -> None:
    """Only files refused, all for one reason: the status says which (413 size, 415 type),
    on the page and in the API alike — the rule of a case's attachments."""
    if errors and len(refusals) == len(errors.errors) and len(set(refusals)) == 1:
        refused = PayloadTooLarge if refusals[0] == "size" else UnsupportedMediaType
        raise refused(ValidationFailed.of(errors.errors).detail, errors.errors)


def _store_files(
    req: Requirement, uploads: list[CheckedUpload], user: User, now: datetime
) -> list[RequirementAttachment]:
    stored = []
    for u in uploads:
        a = RequirementAttachment(
            requirement=req,
            name=u.name,
            content_type=u.content_type,
            size=u.size,
            sha256=u.sha256,
            uploaded_at=now,
            uploaded_by=user,
        )
        a.file.save(u.name, u.upload, save=False)
        a.save()
        stored.append(a)
    return stored


@transaction.atomic
def file_requirement(
    *,
    provider: Provider,
    data: RequirementInput,
    by: Principal,
    attachments: list[UploadedFile] | None = None,
    now: datetime | None = None,
) -> Requirement:
    """The regulator files a requirement, with its files if any; Experiencia Cliente has 1
    business day to accept or observe it."""
    user = _user(by)
    if user.role not in REGULATOR_ROLES:
        raise Forbidden("Solo el personal del regulador registra requerimientos al proveedor.")
    now = _now(now)
    errors = ErrorCollector()
    if data.type not in RequirementType.values:
        errors.add("type", "Tipo no válido; use " + ", ".join(RequirementType.values) + ".")
    topic = " ".join((data.topic or "").split())
    if len(topic) < 3:
        errors.add("topic", "Indique el tema (al menos 3 caracteres).")
    elif len(topic) > 200:
        errors.add("topic", "El tema admite hasta 200 caracteres.")
    description = _text(data.description, "description", "la descripción", errors, low=10)
    requested = _date(data.requested_date, "requested_date", "la fecha solicitada", errors)
    if requested is not None and requested < now.astimezone(LIMA).date():
        errors.add("requested_date", "La fecha solicitada no puede ser anterior a hoy.")
    if not provider.active:
        errors.add("provider", "El proveedor no está activo.")
    refusals: list[str] = []
    uploads = _checked_files(
        list(attachments or []), errors, "attachments", already=0, refusals=refusals
    )
    _refuse_files(errors, refusals)
    errors.raise_if_any()
    year = now.astimezone(LIMA).year
    req = Requirement(
        code=f"REQ-{year}-{next_number(RequirementSequence, year):05d}",
        provider=provider,
        type=data.type,
        topic=topic,
        description=description,
        requested_date=requested,
        filed_at=now,
        filed_by=user,
        stage_started_at=now,
    )
    req.stage_due_at = _due(Stage.VALIDATION, now)
    req.save()
    RequirementStep.objects.create(
        requirement=req, stage=Stage.VALIDATION, started_at=now, due_at=req.stage_due_at
    )
    _store_files(req, uploads, user, now)
    audit.record("provider.requirement_filed", actor=user, target=req.code)
    return req


@transaction.atomic
def add_attachments(
    *,
    requirement: Requirement,
    files: list[UploadedFile],
    by: Principal,
    now: datetime | None = None,
) -> list[RequirementAttachment]:
    """The regulator attaches more files to a requirement it filed (the precisions it owes,
    an updated document…), until the requirement is closed."""
    user = _user(by)
    if user.role not in REGULATOR_ROLES:
        raise Forbidden("Solo el personal del regulador adjunta archivos a un requerimiento.")
    now = _now(now)
    locked = Requirement.objects.select_for_update().get(pk=requirement.pk)
    if not attachable(locked.stage):
        raise Conflict("El requerimiento está cerrado: ya no se le adjuntan archivos.")
    errors = ErrorCollector()
    files = list(files or [])
    if not files:
        errors.add("file", "Adjunte un archivo PDF, JPEG o PNG.")
    refusals: list[str] = []
    uploads = _checked_files(
        files, errors, "file", already=locked.attachments.count(), refusals=refusals
    )
    _refuse_files(errors, refusals)
    errors.raise_if_any()
    stored = _store_files(locked, uploads, user, now)
    audit.record(
        "provider.requirement_attachment_added",
        actor=user,
        target=locked.code,
        data={"files": [{"name": a.name, "sha256": a.sha256} for a in stored]},
    )
    return stored


def _move(
    *,
    requirement: Requirement,
    action: str,
    by: Principal,
    note: str = "",
    now: datetime,
) -> tuple[Requirement, User]:
    user = _user(by)
    seat = selectors.seat_of(user)
    req = Requirement.objects.select_for_update().filter(pk=requirement.pk).first()
    if req is None or not (seat.regulator or seat.provider_id == req.provider_id):
        raise Forbidden(selectors.REQUIREMENT_NOT_FOUND)
    found = transition(action, req.stage, user.role)
    step = req.steps.filter(ended_at__isnull=True).first()
    if step is not None:
        step.ended_at = now
        step.ended_by = user
        step.action = action
        step.note = note
        step.save(update_fields=["ended_at", "ended_by", "action", "note"])
    if found.target == Stage.CLOSED:
        req.closed_at = now
    _open_step(req, found.target, now)
    return req, user


def _save(req: Requirement, *extra: str) -> Requirement:
    req.save(update_fields=["stage", "stage_started_at", "stage_due_at", "closed_at", *extra])
    return req


@transaction.atomic
def accept(
    *, requirement: Requirement, by: Principal, note: str = "", now: datetime | None = None
) -> Requirement:
    """Experiencia Cliente validates it and passes it to the operations supervisor."""
    errors = ErrorCollector()
    note = _text(note, "note", "la nota", errors, low=0)
    errors.raise_if_any()
    req, _ = _move(requirement=requirement, action="accept", by=by, note=note, now=_now(now))
    return _save(req)


@transaction.atomic
def observe(
    *, requirement: Requirement, by: Principal, questions: str, now: datetime | None = None
) -> Requirement:
    """Returned to the client asking for precisions: the provider's clock stops until the
    client answers (all the doubts in one message)."""
    errors = ErrorCollector()
    questions = _text(questions, "questions", "las precisiones que pide", errors, low=10)
    errors.raise_if_any()
    req, _ = _move(requirement=requirement, action="observe", by=by, note=questions, now=_now(now))
    return _save(req)


@transaction.atomic
def answer_observation(
    *, requirement: Requirement, by: Principal, answer: str, now: datetime | None = None
) -> Requirement:
    """The client answers the precisions: a new 1-day validation starts for the provider."""
    errors = ErrorCollector()
    answer = _text(answer, "answer", "la respuesta", errors, low=5)
    errors.raise_if_any()
    req, _ = _move(requirement=requirement, action="answer", by=by, note=answer, now=_now(now))
    return _save(req)


@transaction.atomic
def acknowledge(
    *, requirement: Requirement, by: Principal, note: str = "", now: datetime | None = None
) -> Requirement:
    """The operations supervisor took knowledge (to share with the advisors as information,
    not yet to apply)."""
    errors = ErrorCollector()
    note = _text(note, "note", "la nota", errors, low=0)
    errors.raise_if_any()
    req, _ = _move(requirement=requirement, action="acknowledge", by=by, note=note, now=_now(now))
    return _save(req)


@transaction.atomic
def confirm_feasibility(
    *,
    requirement: Requirement,
    by: Principal,
    granted_days: int | None = None,
    note: str = "",
    now: datetime | None = None,
) -> Requirement:
    """Feasible: the plazo granted for the deployment by type (15–30 days, by complexity,
    for a system change)."""
    errors = ErrorCollector()
    note = _text(note, "note", "el análisis de viabilidad", errors, low=0)
    if granted_days is not None and (
        isinstance(granted_days, bool) or not isinstance(granted_days, int)
    ):
        errors.add("granted_days", "El plazo debe ser un número entero de días hábiles.")
        granted_days = -1
    days, problem = granted_days_for(requirement.type, granted_days)
    if problem:
        errors.add("granted_days", problem)
    errors.raise_if_any()
    req, _ = _move(requirement=requirement, action="feasibility", by=by, note=note, now=_now(now))
    req.granted_days = days
    req.feasibility_note = note
    return _save(req, "granted_days", "feasibility_note")


def _client_addresses(req: Requirement) -> list[str]:
    out = [req.filed_by.email]
    if req.provider.client_email and req.provider.client_email not in out:
        out.append(req.provider.client_email)
    return out


def _tell_client(req: Requirement, template: str, context: dict[str, object]) -> None:
    for to in _client_addresses(req):
        queue_email(
            to=to, template=template, context={"requirement": req, **context}, case_code=req.code
        )


@transaction.atomic
def start_deployment(
    *, requirement: Requirement, by: Principal, now: datetime | None = None
) -> Requirement:
    """The client is told the deployment starts; the granted plazo runs from now."""
    now = _now(now)
    req, _ = _move(requirement=requirement, action="start", by=by, now=now)
    _save(req)
    _tell_client(req, "provider_deployment_started", {"due_at": req.stage_due_at})
    return req


@transaction.atomic
def complete_replica(
    *, requirement: Requirement, by: Principal, now: datetime | None = None
) -> Requirement:
    """The replica is complete: every replica of the requirement closed (at least one,
    except a system change or access, which may have none)."""
    replicas = list(Replica.objects.filter(requirement=requirement))
    if any(r.state != ReplicaState.CLOSED for r in replicas):
        raise Conflict("Aún hay réplicas sin cerrar: todos los asesores deben confirmarlas.")
    if not replicas and requirement.type not in REPLICA_OPTIONAL:
        raise Conflict("Programe y cierre al menos una réplica a los asesores.")
    req, _ = _move(requirement=requirement, action="complete", by=by, now=_now(now))
    return _save(req)


@transaction.atomic
def report_final_status(
    *, requirement: Requirement, by: Principal, status: str, now: datetime | None = None
) -> Requirement:
    """The final status is told to the client; the requirement closes."""
    errors = ErrorCollector()
    status = _text(status, "status", "el estatus final", errors, low=5)
    errors.raise_if_any()
    now = _now(now)
    req, _ = _move(requirement=requirement, action="report", by=by, note=status, now=now)
    req.final_status = status
    _save(req, "final_status")
    req.refresh_from_db()
    compliance = selectors.compliance_of(req.steps.all(), now)
    _tell_client(req, "provider_final_status", {"status": status, "compliance": compliance})
    return req


# --- replicas ---------------------------------------------------------------------------------


def _provider_user(by: Principal, provider_id: int, roles: Collection[str]) -> User:
    user = _user(by)
    seat = selectors.seat_of(user)
    if seat.provider_id != provider_id or user.role not in roles:
        raise Forbidden(
            "Esta operación es para Experiencia Cliente y los formadores del proveedor."
        )
    return user


@transaction.atomic
def plan_replica(
    *,
    requirement: Requirement,
    article_version: ArticleVersion | None,
    memory_aid: str,
    scheduled_for: date | str | None,
    trainer: User | None,
    advisors: list[User] | None,
    by: Principal,
    now: datetime | None = None,
) -> Replica:
    """A replica: the material (an approved article version and an ayuda memoria), its date,
    its trainer and the people it targets — the operation's supervisors and monitors first
    (always), then the advisors chosen (every active advisor when none is named)."""
    now = _now(now)
    _provider_user(by, requirement.provider_id, TRAINERS)
    errors = ErrorCollector()
    if requirement.stage not in (Stage.DEPLOYMENT_START, Stage.REPLICA):
        errors.add(
            "requirement",
            "Se programa una réplica cuando la viabilidad está confirmada y hasta completarla.",
        )
    if article_version is None or article_version.status != VersionStatus.APPROVED:
        errors.add("article_version", "Elija una versión aprobada de un artículo.")
    memory_aid = _text(memory_aid, "memory_aid", "la ayuda memoria", errors, low=10)
    day = _date(scheduled_for, "scheduled_for", "la fecha de la réplica", errors, required=True)
    if day is not None and day < now.astimezone(LIMA).date():
        errors.add("scheduled_for", "La fecha de la réplica no puede ser anterior a hoy.")
    provider = requirement.provider
    trainers = selectors.staff_of(provider, TRAINERS)
    if trainer is None or not trainers.filter(pk=trainer.pk).exists():
        errors.add("trainer", "Elija un formador del proveedor.")
    all_advisors = selectors.staff_of(provider, [Role.PROVIDER_ADVISOR])
    if advisors:
        ids = {a.pk for a in advisors}
        if all_advisors.filter(pk__in=ids).count() != len(ids):
            errors.add("advisors", "Elija asesores activos del proveedor.")
        chosen = list(all_advisors.filter(pk__in=ids))
    else:
        chosen = list(all_advisors)
    leads = list(selectors.staff_of(provider, LEAD_ROLES))
    if not leads:
        errors.add("advisors", "El proveedor no tiene supervisor de operaciones ni monitor.")
    if not chosen:
        errors.add("advisors", "El proveedor no tiene asesores a quienes replicar.")
    errors.raise_if_any()
    # Each refused just above when missing.
    assert article_version is not None and day is not None and trainer is not None
    replica = Replica.objects.create(
        requirement=requirement,
        article_version=article_version,
        memory_aid=memory_aid,
        scheduled_for=day,
        trainer=trainer,
        created_at=now,
    )
    Trainee.objects.bulk_create(
        [Trainee(replica=replica, user=u, lead=True) for u in leads]
        + [Trainee(replica=replica, user=u, lead=False) for u in chosen]
    )
    return replica


def _locked_replica(replica: Replica) -> Replica:
    return Replica.objects.select_for_update().select_related("requirement").get(pk=replica.pk)


@transaction.atomic
def start_replica(*, replica: Replica, by: Principal, now: datetime | None = None) -> Replica:
    """The replica starts (the deployment must have been announced): the client is told."""
    now = _now(now)
    locked = _locked_replica(replica)
    _provider_user(by, locked.requirement.provider_id, TRAINERS)
    if locked.state != ReplicaState.PLANNED:
        raise Conflict("La réplica ya empezó.")
    if locked.requirement.stage != Stage.REPLICA:
        raise Conflict("Primero comunique al cliente el inicio del despliegue.")
    locked.state = ReplicaState.IN_PROGRESS
    locked.started_at = now
    locked.save(update_fields=["state", "started_at"])
    _tell_client(locked.requirement, "provider_replica_started", {"replica": locked})
    return locked


def _close_if_done(replica: Replica, now: datetime) -> None:
    trainees = list(Trainee.objects.filter(replica=replica))
    deployment = selectors.deployment_of(replica, trainees)
    if deployment.total and deployment.done == deployment.total:
        replica.state = ReplicaState.CLOSED
        replica.closed_at = now
        replica.save(update_fields=["state", "closed_at"])
        _tell_client(
            replica.requirement,
            "provider_replica_closed",
            {"replica": replica, "deployment": deployment},
        )


@transaction.atomic
def confirm_training(*, replica: Replica, by: Principal, now: datetime | None = None) -> Trainee:
    """ "I was informed and trained": the person's own confirmation, with its time, tied to
    the replica and its article version. Advisors confirm after every supervisor and
    monitor of the replica."""
    now = _now(now)
    user = _user(by)
    locked = _locked_replica(replica)
    trainee = Trainee.objects.select_for_update().filter(replica=locked, user=user).first()
    if trainee is None:
        raise Forbidden("Esta réplica no está dirigida a usted.")
    if locked.state == ReplicaState.PLANNED:
        raise Conflict("La réplica aún no empieza.")
    if trainee.confirmed_at is not None:
        return trainee
    if not trainee.lead and locked.trainees.filter(lead=True, confirmed_at__isnull=True).exists():
        raise Conflict(
            "Primero se capacita al supervisor de operaciones y al monitor; "
            "los asesores confirman después de ellos."
        )
    trainee.confirmed_at = now
    trainee.confirmed_version_id = locked.article_version_id
    trainee.save(update_fields=["confirmed_at", "confirmed_version"])
    audit.record(
        "provider.training_confirmed",
        actor=user,
        target=f"réplica {locked.pk}",
        data={"version": locked.article_version_id},
    )
    _close_if_done(locked, now)
    return trainee


@dataclass(frozen=True)
class Question:
    text: str
    options: list[str]
    answer: int


@transaction.atomic
def schedule_evaluation(
    *,
    replica: Replica,
    questions: list[Question],
    pass_mark: int,
    max_attempts: int,
    opens_at: datetime | None,
    by: Principal,
    now: datetime | None = None,
) -> Evaluation:
    """The trainer's short questions (each with its options and the right one), the pass
    mark (%) and the attempts allowed; advisors take it from `opens_at`."""
    now = _now(now)
    locked = _locked_replica(replica)
    _provider_user(by, locked.requirement.provider_id, TRAINERS)
    errors = ErrorCollector()
    if locked.state == ReplicaState.CLOSED:
        errors.add("replica", "La réplica ya está cerrada.")
    if not questions:
        errors.add("questions", "Escriba al menos una pregunta.")
    clean = []
    for i, q in enumerate(questions or []):
        text = " ".join((q.text or "").split())
        options = [" ".join((o or "").split()) for o in (q.options or [])]
        if len(text) < 5 or len(text) > 300:
            errors.add(f"questions.{i}.text", "Cada pregunta tiene de 5 a 300 caracteres.")
        if len(options) < 2 or len(options) > 6 or any(not o for o in options):
            errors.add(f"questions.{i}.options", "Cada pregunta tiene de 2 a 6 opciones.")
        if not isinstance(q.answer, int) or not 0 <= q.answer < max(len(options), 1):
            errors.add(f"questions.{i}.answer", "Indique cuál de las opciones es la correcta.")
        clean.append({"text": text, "options": options, "answer": q.answer})
    if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
        errors.add("pass_mark", "La nota aprobatoria es un porcentaje de 1 a 100.")
    if (
        isinstance(max_attempts, bool)
        or not isinstance(max_attempts, int)
        or not 1 <= max_attempts <= 10
    ):
        errors.add("max_attempts", "Los intentos permitidos van de 1 a 10.")
    if Evaluation.objects.filter(replica=locked).exists():
        errors.add("replica", "La réplica ya tiene su evaluación programada.")
    errors.raise_if_any()
    return Evaluation.objects.create(
        replica=locked,
        questions=clean,
        pass_mark=pass_mark,
        max_attempts=max_attempts,
        opens_at=opens_at or now,
    )


@transaction.atomic
def submit_evaluation(
    *, replica: Replica, answers: list[int], by: Principal, now: datetime | None = None
) -> EvaluationAttempt:
    """An advisor's attempt: score = right answers × 100 ÷ questions (rounded down); passed
    when it reaches the pass mark. Retries while attempts remain and it is not passed."""
    now = _now(now)
    user = _user(by)
    locked = _locked_replica(replica)
    trainee = Trainee.objects.select_for_update().filter(replica=locked, user=user).first()
    evaluation = Evaluation.objects.filter(replica=locked).first()
    if trainee is None or trainee.lead:
        raise Forbidden("Esta evaluación es para los asesores a quienes se dirige la réplica.")
    if evaluation is None:
        raise Conflict("Esta réplica no tiene evaluación.")
    if trainee.confirmed_at is None:
        raise Conflict("Primero confirme haber sido informado y capacitado.")
    if now < evaluation.opens_at:
        raise Conflict("La evaluación aún no está disponible.")
    if trainee.passed_at is not None:
        raise Conflict("Ya aprobó esta evaluación.")
    used = EvaluationAttempt.objects.filter(evaluation=evaluation, user=user).count()
    if used >= evaluation.max_attempts:
        raise Conflict("Ya usó todos sus intentos; consulte a su formador.")
    questions = evaluation.questions
    if (
        not isinstance(answers, list)
        or len(answers) != len(questions)
        or any(isinstance(a, bool) or not isinstance(a, int) for a in answers)
    ):
        raise ValidationFailed.of(
            [FieldError("answers", f"Responda las {len(questions)} preguntas.")]
        )
    right = sum(a == q["answer"] for a, q in zip(answers, questions, strict=True))
    score = right * 100 // len(questions)
    passed = score >= evaluation.pass_mark
    try:
        with transaction.atomic():
            attempt = EvaluationAttempt.objects.create(
                evaluation=evaluation,
                user=user,
                number=used + 1,
                submitted_at=now,
                answers=answers,
                score=score,
                passed=passed,
            )
    except IntegrityError:
        raise Conflict("Ese intento ya fue registrado.") from None
    if passed:
        trainee.passed_at = now
        trainee.save(update_fields=["passed_at"])
        _close_if_done(locked, now)
    return attempt


def act(
    *,
    requirement: Requirement,
    action: str,
    by: Principal,
    text: str = "",
    granted_days: int | None = None,
    now: datetime | None = None,
) -> Requirement:
    """One of the workflow's actions by name (the page's buttons and the API's endpoint):
    `text` is the note, the precisions asked, the client's answer or the final status."""
    if action == "accept":
        return accept(requirement=requirement, by=by, note=text, now=now)
    if action == "observe":
        return observe(requirement=requirement, by=by, questions=text, now=now)
    if action == "answer":
        return answer_observation(requirement=requirement, by=by, answer=text, now=now)
    if action == "acknowledge":
        return acknowledge(requirement=requirement, by=by, note=text, now=now)
    if action == "feasibility":
        return confirm_feasibility(
            requirement=requirement, by=by, granted_days=granted_days, note=text, now=now
        )
    if action == "start":
        return start_deployment(requirement=requirement, by=by, now=now)
    if action == "complete":
        return complete_replica(requirement=requirement, by=by, now=now)
    if action == "report":
        return report_final_status(requirement=requirement, by=by, status=text, now=now)
    raise ValidationFailed.of(
        [FieldError("action", "Acción no válida; use " + ", ".join(ACTION_NAMES) + ".")]
    )


ACTION_NAMES = (
    "accept",
    "observe",
    "answer",
    "acknowledge",
    "feasibility",
    "start",
    "complete",
    "report",
)


# --- reports emailed on schedule ------------------------------------------------------------------


@transaction.atomic
def subscribe_report(
    *, provider: Provider, email: str, period: str, by: Principal, now: datetime | None = None
) -> ReportSubscription:
    """The client chooses to receive the report weekly, fortnightly or monthly."""
    user = _user(by)
    if user.role not in REGULATOR_ROLES:
        raise Forbidden("Solo el cliente (el regulador) elige recibir el reporte.")
    errors = ErrorCollector()
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors.add("email", "Escriba un correo válido.")
    if period not in selectors.PERIODS:
        errors.add("period", "Periodicidad no válida; use weekly, fortnightly o monthly.")
    errors.raise_if_any()
    found, _ = ReportSubscription.objects.get_or_create(
        provider=provider,
        email=email,
        period=period,
        defaults={"created_by": user, "created_at": _now(now)},
    )
    return found


def send_due_reports(*, now: datetime | None = None) -> int:
    """Each subscription gets the last complete period's report once (the scheduler's job).
    Returns the emails queued."""
    now = _now(now)
    today = now.astimezone(LIMA).date()
    sent = 0
    for sub in ReportSubscription.objects.select_related("provider", "created_by"):
        previous, _current = selectors.periods(sub.period, today, 2)
        if sub.last_period_end is not None and sub.last_period_end >= previous[1]:
            continue
        with transaction.atomic():
            locked = ReportSubscription.objects.select_for_update().get(pk=sub.pk)
            if locked.last_period_end is not None and locked.last_period_end >= previous[1]:
                continue
            rows = selectors.report(
                sub.created_by, sub.period, previous[1], 1, provider=sub.provider.code
            )
            queue_email(
                to=sub.email,
                template="provider_report",
                context={
                    "provider": sub.provider,
                    "row": rows[0],
                    "period_label": selectors.PERIODS[sub.period].lower(),
                    "period": sub.period,
                },
            )
            locked.last_period_end = previous[1]
            locked.save(update_fields=["last_period_end"])
            sent += 1
    return sent
