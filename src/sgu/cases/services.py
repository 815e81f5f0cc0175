"""Every write on cases. One function per use case, one transaction each: the state change,
its timeline event and the notifications it causes commit together or not at all."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from sgu.cases.attachments import CheckedUpload, check_upload
from sgu.cases.models import Attachment, Case, CaseEvent, Channel, Outcome, Rating, Solution
from sgu.cases.workflow import Action, Actor, State, TransitionNotAllowed, transition
from sgu.catalog import selectors as catalog
from sgu.catalog.fields import clean_extra_fields
from sgu.catalog.models import DeadlineUnit, Subcategory
from sgu.core.calendar import Deadline, load_calendar
from sgu.core.errors import Conflict, ErrorCollector, ValidationFailed
from sgu.core.principal import Principal
from sgu.notifications.services import queue_email

SYSTEM = Principal(actor_role=Actor.SYSTEM)
MAX_DESCRIPTION = 4000


# --- helpers -------------------------------------------------------------------------------


def _move(
    case: Case,
    action: str,
    by: Principal,
    now: datetime,
    *,
    note: str = "",
    internal: bool = False,
    data: dict | None = None,
) -> None:
    """Apply a workflow transition and record it on the timeline (caller saves the case)."""
    try:
        t = transition(action, case.state, by.actor_role)
    except TransitionNotAllowed as exc:
        raise Conflict(exc.message) from None
    previous = case.state
    case.state = t.target
    record_event(
        case,
        kind=action,
        by=by,
        now=now,
        from_state=previous,
        to_state=t.target,
        note=note,
        internal=internal,
        data=data,
    )


def record_event(
    case: Case,
    *,
    kind: str,
    by: Principal,
    now: datetime,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    internal: bool = False,
    data: dict | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        at=now,
        kind=kind,
        actor=by.user,
        actor_role=by.actor_role,
        from_state=from_state,
        to_state=to_state,
        note=note,
        internal=internal,
        data=data or {},
    )


def next_case_code(year: int) -> str:
    """The next correlative code of the year, e.g. SGU-2026-0000123.

    One UPDATE … RETURNING on the year's row: the row lock serialises concurrent
    registrations on PostgreSQL, the database lock on SQLite. No gaps are promised (a rolled
    back registration gives its number back), no duplicates ever.
    """
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE cases_casesequence SET last_number = last_number + 1 WHERE year = %s "
            "RETURNING last_number",
            [year],
        )
        row = cur.fetchone()
        if row is None:
            cur.execute(
                "INSERT INTO cases_casesequence (year, last_number) VALUES (%s, 0) "
                "ON CONFLICT (year) DO NOTHING",
                [year],
            )
            cur.execute(
                "UPDATE cases_casesequence SET last_number = last_number + 1 WHERE year = %s "
                "RETURNING last_number",
                [year],
            )
            row = cur.fetchone()
    return f"{settings.SGU['CASE_CODE_PREFIX']}-{year}-{row[0]:07d}"


def compute_deadline(subcategory: Subcategory, start: datetime) -> Deadline:
    calendar = load_calendar()
    if subcategory.deadline_unit == DeadlineUnit.BUSINESS_HOURS:
        return calendar.add_business_hours(start, subcategory.deadline_amount)
    return calendar.add_business_days(start, subcategory.deadline_amount)


def _clean_service_number(service: str, value: str, errors: ErrorCollector) -> str:
    raw = re.sub(r"[\s\-]", "", value or "")
    if service == "MOVIL":
        if raw.startswith("+51"):
            raw = raw[3:]
        if not re.fullmatch(r"9\d{8}", raw):
            errors.add("service_number", "El número de línea móvil tiene 9 dígitos y empieza con 9.")
    elif not re.fullmatch(r"[A-Za-z0-9]{5,20}", raw):
        errors.add(
            "service_number", "Ingrese el número de servicio o contrato (5 a 20 letras o dígitos)."
        )
    return raw


def _clean_description(value: str, errors: ErrorCollector) -> str:
    text = (value or "").strip()
    if len(text) < 10:
        errors.add("description", "Describa el problema (al menos 10 caracteres).")
    elif len(text) > MAX_DESCRIPTION:
        errors.add("description", f"La descripción admite hasta {MAX_DESCRIPTION} caracteres.")
    return text


def _check_uploads(files: list, errors: ErrorCollector, already: int = 0) -> list[CheckedUpload]:
    limit = settings.SGU["MAX_ATTACHMENTS"]
    if len(files) + already > limit:
        errors.add("attachments", f"Puede adjuntar como máximo {limit} archivos por caso.")
        return []
    checked = []
    for i, f in enumerate(files):
        ok = check_upload(f, errors, f"attachments[{i}]" if len(files) > 1 else "file")
        if ok:
            checked.append(ok)
    return checked


def _store_attachments(case: Case, uploads: list[CheckedUpload], by: Principal, now: datetime) -> list[Attachment]:
    stored = []
    for u in uploads:
        a = Attachment(
            case=case,
            name=u.name,
            content_type=u.content_type,
            size=u.size,
            sha256=u.sha256,
            uploaded_at=now,
            uploaded_by=by.user,
        )
        a.file.save(u.name, u.upload, save=False)
        a.save()
        stored.append(a)
    return stored


# --- use cases -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseInput:
    operator: str
    subcategory: str
    service_number: str
    description: str
    fields: dict | None = None


@transaction.atomic
def register_case(
    *,
    citizen,
    data: CaseInput,
    by: Principal,
    channel: str = Channel.WEB,
    attachments: list | None = None,
    office=None,
    now: datetime | None = None,
) -> Case:
    """Register a problem; forward it at once if the citizen's email is confirmed."""
    now = now or timezone.now()
    errors = ErrorCollector()
    operator = subcategory = None
    try:
        operator = catalog.operator_by_code(data.operator)
    except ValidationFailed as exc:
        errors.errors.extend(exc.errors)
    try:
        subcategory = catalog.subcategory_by_code(data.subcategory)
    except ValidationFailed as exc:
        errors.errors.extend(exc.errors)
    service = subcategory.service_code if subcategory else ""
    service_number = _clean_service_number(service, data.service_number, errors)
    description = _clean_description(data.description, errors)
    fields = clean_extra_fields(subcategory, data.fields, errors) if subcategory else {}
    uploads = _check_uploads(list(attachments or []), errors)
    if channel not in Channel.values:
        errors.add("channel", "Canal no válido.")
    errors.raise_if_any()

    case = Case.objects.create(
        code=next_case_code(timezone.localtime(now).year),
        citizen=citizen,
        operator=operator,
        subcategory=subcategory,
        service=service,
        channel=channel,
        service_number=service_number,
        description=description,
        fields=fields,
        state=State.REGISTERED,
        registered_at=now,
        office=office,
        registered_by=by.user if by.user is not None and by.user != citizen else None,
    )
    record_event(case, kind=Action.REGISTER, by=by, now=now, to_state=State.REGISTERED)
    _store_attachments(case, uploads, by, now)
    if citizen.email_verified:
        _forward(case, now)
    queue_email(
        to=citizen.email,
        template="case_registered",
        context={"case": case, "citizen": citizen},
        case_code=case.code,
    )
    return case


def _forward(case: Case, now: datetime) -> None:
    deadline = compute_deadline(case.subcategory, now)
    _move(case, Action.FORWARD, SYSTEM, now, data={"due_at": deadline.due_at.isoformat()})
    case.forwarded_at = now
    case.received_on = deadline.received_on
    case.due_at = deadline.due_at
    case.due_explanation = deadline.explanation()
    case.save(
        update_fields=[
            "state", "forwarded_at", "received_on", "due_at", "due_explanation", "updated_at"
        ]
    )


@transaction.atomic
def forward_waiting_cases(*, citizen, now: datetime | None = None) -> list[Case]:
    """Forward the cases a citizen registered before confirming their email.

    The plazo starts now, when the operator can first see the case.
    """
    now = now or timezone.now()
    waiting = list(
        Case.objects.select_for_update()
        .select_related("subcategory", "operator")
        .filter(citizen=citizen, state=State.REGISTERED)
        .order_by("id")
    )
    for case in waiting:
        _forward(case, now)
        queue_email(
            to=citizen.email,
            template="case_forwarded",
            context={"case": case, "citizen": citizen},
            case_code=case.code,
        )
    return waiting


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock: two agents acting at once cannot both win."""
    return Case.objects.select_for_update().select_related("subcategory", "operator", "citizen").get(
        pk=case.pk
    )


@transaction.atomic
def acknowledge_case(*, case: Case, by: Principal, now: datetime | None = None) -> Case:
    now = now or timezone.now()
    case = _locked(case)
    _move(case, Action.ACKNOWLEDGE, by, now)
    case.acknowledged_at = now
    case.save(update_fields=["state", "acknowledged_at", "updated_at"])
    return case


@dataclass(frozen=True)
class SolutionInput:
    outcome: str
    detail: str
    actions: str
    executed_at: date | None
    responsible: str


@transaction.atomic
def record_solution(
    *, case: Case, data: SolutionInput, by: Principal, now: datetime | None = None
) -> Case:
    """The operator's answer. The citizen is emailed it."""
    now = now or timezone.now()
    errors = ErrorCollector()
    if data.outcome not in Outcome.values:
        errors.add("outcome", "Elija el resultado: RESOLVED, NOT_RESOLVED o NOT_APPLICABLE.")
    detail = (data.detail or "").strip()
    if len(detail) < 10:
        errors.add("detail", "Explique la solución al usuario (al menos 10 caracteres).")
    elif len(detail) > MAX_DESCRIPTION:
        errors.add("detail", f"El detalle admite hasta {MAX_DESCRIPTION} caracteres.")
    actions = (data.actions or "").strip()
    if len(actions) > MAX_DESCRIPTION:
        errors.add("actions", f"Las acciones admiten hasta {MAX_DESCRIPTION} caracteres.")
    responsible = " ".join((data.responsible or "").split())
    if not responsible:
        errors.add("responsible", "Indique el responsable de la solución.")
    elif len(responsible) > 120:
        errors.add("responsible", "El responsable admite hasta 120 caracteres.")
    if data.executed_at is None:
        errors.add("executed_at", "Indique la fecha de ejecución (AAAA-MM-DD).")
    else:
        if data.executed_at > timezone.localdate(now):
            errors.add("executed_at", "La fecha de ejecución no puede ser futura.")
        if data.executed_at < timezone.localdate(case.registered_at):
            errors.add("executed_at", "La fecha de ejecución no puede ser anterior al registro del caso.")
    errors.raise_if_any()

    case = _locked(case)
    on_time = case.due_at is not None and now <= case.due_at
    _move(case, Action.ANSWER, by, now, data={"outcome": data.outcome, "on_time": on_time})
    Solution.objects.create(
        case=case,
        outcome=data.outcome,
        detail=detail,
        actions=actions,
        executed_at=data.executed_at,
        responsible=responsible,
        recorded_at=now,
        recorded_by=by.user,
        on_time=on_time,
    )
    case.answered_at = now
    case.save(update_fields=["state", "answered_at", "updated_at"])
    queue_email(
        to=case.citizen.email,
        template="case_answered",
        context={"case": case, "citizen": case.citizen, "solution": case.solution},
        case_code=case.code,
    )
    return case


@transaction.atomic
def rate_case(
    *,
    case: Case,
    resolved: bool,
    score: int,
    comment: str = "",
    by: Principal,
    now: datetime | None = None,
) -> Case:
    now = now or timezone.now()
    errors = ErrorCollector()
    if not isinstance(resolved, bool):
        errors.add("resolved", "Indique si el problema se resolvió (sí o no).")
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        errors.add("score", "La satisfacción va de 1 a 5.")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors.add("comment", "El comentario admite hasta 2000 caracteres.")
    errors.raise_if_any()
    case = _locked(case)
    if hasattr(case, "rating"):
        raise Conflict("Este caso ya fue calificado; la calificación no se puede cambiar.")
    _move(case, Action.RATE, by, now, data={"resolved": resolved, "score": score})
    Rating.objects.create(case=case, resolved=resolved, score=score, comment=comment, rated_at=now)
    case.save(update_fields=["state", "updated_at"])
    return case


@transaction.atomic
def add_attachments(*, case: Case, files: list, by: Principal, now: datetime | None = None) -> list[Attachment]:
    """Evidence added after registration, while the case is still in the operator's hands."""
    now = now or timezone.now()
    case = _locked(case)
    if case.state not in {State.REGISTERED, State.FORWARDED, State.IN_PROGRESS, State.OVERDUE}:
        raise Conflict("Ya no se pueden adjuntar archivos: el caso fue atendido o cerrado.")
    errors = ErrorCollector()
    if not files:
        errors.add("file", "Adjunte un archivo PDF, JPEG o PNG.")
    uploads = _check_uploads(files, errors, already=case.attachments.count())
    errors.raise_if_any()
    stored = _store_attachments(case, uploads, by, now)
    for a in stored:
        record_event(
            case,
            kind="ATTACHMENT",
            by=by,
            now=now,
            note=f"Adjuntó «{a.name}».",
            data={"attachment_id": a.pk, "sha256": a.sha256},
        )
    case.save(update_fields=["updated_at"])
    return stored

