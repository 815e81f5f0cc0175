"""Every write on cases. One function per use case, one transaction each: the state change,
its timeline event and the notifications it causes commit together or not at all."""

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from sgu.accounts import services as accounts
from sgu.cases import policies
from sgu.cases.attachments import CheckedUpload, check_upload
from sgu.cases.claim_form import render_claim_form
from sgu.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    CaseSequence,
    Channel,
    Claim,
    ClaimState,
    Outcome,
    Rating,
    SavedTrayView,
    Solution,
)
from sgu.cases.workflow import OPEN_STATES, Action, Actor, State, TransitionNotAllowed, transition
from sgu.catalog import selectors as catalog
from sgu.catalog.fields import clean_extra_fields
from sgu.catalog.models import DeadlineUnit, Subcategory
from sgu.core.calendar import Deadline, load_calendar
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from sgu.core.principal import Principal
from sgu.core.sequences import next_number
from sgu.notifications.services import EmailSpec, queue_email, queue_emails, replace_case_code
from sgu.operators import services as operator_events

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
    _transition(case, action, by, now, note=note, internal=internal, data=data).save(
        force_insert=True
    )


def _transition(
    case: Case,
    action: str,
    by: Principal,
    now: datetime,
    *,
    note: str = "",
    internal: bool = False,
    data: dict | None = None,
) -> CaseEvent:
    """Apply a workflow transition to the case in memory; return its timeline event unsaved."""
    try:
        t = transition(action, case.state, by.actor_role)
    except TransitionNotAllowed as exc:
        raise Conflict(exc.message) from None
    previous = case.state
    case.state = t.target
    return _event(
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
    event = _event(
        case,
        kind=kind,
        by=by,
        now=now,
        from_state=from_state,
        to_state=to_state,
        note=note,
        internal=internal,
        data=data,
    )
    event.save(force_insert=True)
    return event


def _event(
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
    return CaseEvent(
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
    """The next correlative code of the year, e.g. SGU-2026-0000123 (core/sequences.py)."""
    number = next_number(CaseSequence, year)
    return f"{settings.SGU['CASE_CODE_PREFIX']}-{year}-{number:07d}"


# Not a digit: a provisional code never equals a correlative one.
PROVISIONAL_MARK = "~"


def _provisional_code(year: int) -> str:
    """A case's code until it is numbered, last, in the same transaction: never committed,
    never seen by another transaction (READ COMMITTED), unique among those in flight (the
    column is UNIQUE: two equal ones would make the second wait for the first)."""
    return f"{settings.SGU['CASE_CODE_PREFIX']}-{year}-{PROVISIONAL_MARK}{secrets.token_hex(4)}"


def _number_case(case: Case, year: int) -> None:
    """Give the case its correlative code: the sequence row of the year is locked from here to
    COMMIT, so this is the registration's last write but the provisional code's replacements
    in the rows that carry it (email, webhook, idempotent response)."""
    if connection.vendor != "postgresql":
        # SQLite: the whole database is locked from the first write to COMMIT anyway.
        case.code = next_case_code(year)
        Case.objects.filter(pk=case.pk).update(code=case.code)
        return
    # PostgreSQL: the bump and the case's code in one statement (one round trip under the lock).
    # The format is next_case_code's: at least 7 digits, more if the year ever needs them.
    prefix = f"{settings.SGU['CASE_CODE_PREFIX']}-{year}-"
    with connection.cursor() as cur:
        for _ in range(2):
            cur.execute(
                "WITH n AS (UPDATE cases_casesequence SET last_number = last_number + 1 "
                "WHERE year = %s RETURNING last_number) "
                "UPDATE cases_case SET code = %s || lpad(n.last_number::text, "
                "greatest(7, length(n.last_number::text)), '0') FROM n "
                "WHERE cases_case.id = %s RETURNING cases_case.code",
                [year, prefix, case.pk],
            )
            row = cur.fetchone()
            if row is not None:
                case.code = row[0]
                return
            # The year's first number: its row is created as core.sequences does.
            cur.execute(
                "INSERT INTO cases_casesequence (year, last_number) VALUES (%s, 0) "
                "ON CONFLICT (year) DO NOTHING",
                [year],
            )
    raise RuntimeError(f"no sequence row for {year}")  # unreachable: the row was just made


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
            errors.add(
                "service_number", "El número de línea móvil tiene 9 dígitos y empieza con 9."
            )
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


def _check_uploads(
    files: list, errors: ErrorCollector, already: int = 0, refusals: list[str] | None = None
) -> list[CheckedUpload]:
    limit = settings.SGU["MAX_ATTACHMENTS"]
    if len(files) + already > limit:
        errors.add("attachments", f"Puede adjuntar como máximo {limit} archivos por caso.")
        return []
    checked = []
    for i, f in enumerate(files):
        ok = check_upload(f, errors, f"attachments[{i}]" if len(files) > 1 else "file", refusals)
        if ok:
            checked.append(ok)
    return checked


def _store_attachments(
    case: Case, uploads: list[CheckedUpload], by: Principal, now: datetime
) -> list[Attachment]:
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

    deadline = compute_deadline(subcategory, now) if citizen.email_verified else None
    # Everything is written under a provisional code; the correlative number is the last write
    # before COMMIT (_number_case): the year's sequence row stays locked from its UPDATE until
    # the COMMIT, and every concurrent registration queues on it.
    provisional = _provisional_code(timezone.localtime(now).year)
    case = Case(
        code=provisional,
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
    events = [_event(case, kind=Action.REGISTER, by=by, now=now, to_state=State.REGISTERED)]
    if deadline is not None:
        # Registered and forwarded at once: one INSERT of the case in its final state, both
        # steps on the timeline.
        events.append(_forward_in_memory(case, now, deadline))
    case.save(force_insert=True)
    CaseEvent.objects.bulk_create(events)
    stored = _store_attachments(case, uploads, by, now)
    delivery = operator_events.case_forwarded(case, now) if deadline is not None else None
    email = queue_email(
        to=citizen.email,
        template="case_registered",
        context={"case": case, "citizen": citizen},
        case_code=case.code,
    )
    _loaded_as_new(case, events, stored)
    _number_case(case, timezone.localtime(now).year)
    if delivery is not None:
        operator_events.replace_case_code(delivery, provisional, case.code)
    replace_case_code(email, provisional, case.code)
    return case


def _loaded_as_new(case: Case, events: list[CaseEvent], attachments: list[Attachment]) -> None:
    """Leave a case just registered as the detail selectors load one, so that it can be shown
    without reading it back: none of its one-to-one relations (solution, rating, claim) exist
    yet; its attachments and its timeline are the ones written in this transaction."""
    for rel in Case._meta.related_objects:
        if rel.one_to_one:
            rel.set_cached_value(case, None)
    loaded = case.attachments.all()
    loaded._result_cache = list(attachments)  # what prefetch_related stores
    loaded._prefetch_done = True
    case._prefetched_objects_cache = {"attachments": loaded}
    case.timeline = [e for e in events if not e.internal]


def _forward_in_memory(case: Case, now: datetime, deadline: Deadline) -> CaseEvent:
    """FORWARD with its plazo, applied to the case in memory; the timeline event, unsaved."""
    event = _transition(
        case, Action.FORWARD, SYSTEM, now, data={"due_at": deadline.due_at.isoformat()}
    )
    _start_plazo(case, now, deadline)
    return event


def _start_plazo(case: Case, now: datetime, deadline: Deadline) -> None:
    """The operator's plazo runs from the moment the case reaches its tray."""
    case.forwarded_at = now
    case.received_on = deadline.received_on
    case.due_at = deadline.due_at
    case.due_explanation = deadline.explanation()


def _forward(case: Case, now: datetime) -> None:
    event = _forward_in_memory(case, now, compute_deadline(case.subcategory, now))
    event.save(force_insert=True)
    case.save(
        update_fields=[
            "state",
            "forwarded_at",
            "received_on",
            "due_at",
            "due_explanation",
            "updated_at",
        ]
    )


@transaction.atomic
def confirm_email(*, token: str, now: datetime | None = None):
    """The flow «email confirmed → waiting cases forwarded»: the citizen's token is used
    (accounts) and the cases they registered before confirming go to their operators, in one
    transaction. Web and API confirm through here."""
    now = now or timezone.now()
    user = accounts.confirm_email(token=token, now=now)
    forward_waiting_cases(citizen=user, now=now)
    return user


@transaction.atomic
def forward_waiting_cases(*, citizen, now: datetime | None = None) -> list[Case]:
    """Forward the cases a citizen registered before confirming their email.

    The plazo starts now, when the operator can first see the case.
    """
    now = now or timezone.now()
    waiting = list(
        Case.objects.select_for_update(of=("self",))
        .select_related("subcategory", "operator")
        .filter(citizen=citizen, state=State.REGISTERED)
        .order_by("id")
    )
    for case in waiting:
        _forward(case, now)
        operator_events.case_forwarded(case, now)
        queue_email(
            to=citizen.email,
            template="case_forwarded",
            context={"case": case, "citizen": citizen},
            case_code=case.code,
        )
    return waiting


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock: two agents acting at once cannot both win."""
    return (
        # Lock the case row only, not the joined operator/citizen rows every case shares.
        Case.objects.select_for_update(of=("self",))
        .select_related("subcategory", "operator", "citizen")
        .get(pk=case.pk)
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
        errors.add("outcome", "Elija el resultado: «Resuelto», «No resuelto» o «No corresponde».")
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
            errors.add(
                "executed_at", "La fecha de ejecución no puede ser anterior al registro del caso."
            )
    errors.raise_if_any()

    case = _locked(case)
    on_time = case.due_at is not None and now <= case.due_at
    response_days = None
    if case.received_on is not None:
        response_days = load_calendar().business_days_taken(case.received_on, now)
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
        response_business_days=response_days,
    )
    case.answered_at = now
    case.rating_due_at = (
        load_calendar().add_business_days(now, settings.SGU["RATING_WINDOW_BUSINESS_DAYS"]).due_at
    )
    case.save(update_fields=["state", "answered_at", "rating_due_at", "updated_at"])
    queue_email(
        to=case.citizen.email,
        template="case_answered",
        context={"case": case, "citizen": case.citizen, "solution": case.solution},
        case_code=case.code,
    )
    return case


_RATING_WINDOW_CLOSED = (
    "El plazo para calificar la respuesta venció el {due}; el caso se cierra sin calificación."
)


_local = policies.local
_rating_window_closed = policies.rating_window_closed


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
    if _rating_window_closed(case, now):
        raise Conflict(_RATING_WINDOW_CLOSED.format(due=_local(case.rating_due_at)))
    _move(case, Action.RATE, by, now, data={"resolved": resolved, "score": score})
    Rating.objects.create(case=case, resolved=resolved, score=score, comment=comment, rated_at=now)
    case.save(update_fields=["state", "updated_at"])
    return case


# While the case is still in the operator's hands; the case page asks it too.
ATTACHABLE_STATES = frozenset({State.REGISTERED, State.FORWARDED, State.IN_PROGRESS, State.OVERDUE})


@transaction.atomic
def add_attachments(
    *, case: Case, files: list, by: Principal, now: datetime | None = None
) -> list[Attachment]:
    """Evidence added after registration, while the case is still in the operator's hands."""
    now = now or timezone.now()
    case = _locked(case)
    if case.state not in ATTACHABLE_STATES:
        raise Conflict("Ya no se pueden adjuntar archivos: el caso fue atendido o cerrado.")
    errors = ErrorCollector()
    if not files:
        errors.add("file", "Adjunte un archivo PDF, JPEG o PNG.")
    refusals: list[str] = []
    uploads = _check_uploads(files, errors, already=case.attachments.count(), refusals=refusals)
    if errors and len(refusals) == len(errors.errors) and len(set(refusals)) == 1:
        # Only files refused, all for one reason: the status says which (web and API alike).
        refused = PayloadTooLarge if refusals[0] == "size" else UnsupportedMediaType
        raise refused(ValidationFailed.of(errors.errors).detail, errors.errors)
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


# --- deadlines that act (run by the scheduler) -----------------------------------------------


def _lock_batch(qs, batch: int) -> list[int]:
    """Ids of up to `batch` rows, locked for this transaction.

    On PostgreSQL, SKIP LOCKED lets two schedulers share the work: each takes rows the other
    has not locked, and a row moved by one no longer matches the other's filter. On SQLite
    the IMMEDIATE transaction already holds the database's only write lock.
    """
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return list(qs.values_list("id", flat=True)[:batch])


def expire_overdue_cases(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Move every open case whose plazo passed to OVERDUE, once, and tell its citizen."""
    now = now or timezone.now()
    batch = batch or settings.SGU["SCHEDULER_BATCH"]
    moved = 0
    while True:
        with transaction.atomic():
            ids = _lock_batch(
                Case.objects.filter(state__in=OPEN_STATES, due_at__lt=now).order_by("due_at", "id"),
                batch,
            )
            if not ids:
                return moved
            cases = list(
                Case.objects.filter(pk__in=ids)
                .select_related("citizen", "operator", "subcategory__category")
                .order_by("id")
            )
            Case.objects.filter(pk__in=ids).update(state=State.OVERDUE, updated_at=now)
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case=c,
                    at=now,
                    kind=Action.EXPIRE,
                    actor_role=Actor.SYSTEM,
                    from_state=c.state,
                    to_state=State.OVERDUE,
                    note="Venció el plazo sin respuesta de la operadora.",
                    data={"due_at": c.due_at.isoformat()},
                )
                for c in cases
            )
            queue_emails(
                [
                    EmailSpec(
                        to=c.citizen.email,
                        template="case_overdue",
                        context={"case": c, "citizen": c.citizen},
                        case_code=c.code,
                    )
                    for c in cases
                ]
            )
            moved += len(cases)


def close_unrated_cases(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Close answered cases whose rating window ended: counted as not rated, never satisfied."""
    now = now or timezone.now()
    batch = batch or settings.SGU["SCHEDULER_BATCH"]
    closed = 0
    while True:
        with transaction.atomic():
            ids = _lock_batch(
                Case.objects.filter(state=State.ANSWERED, rating_due_at__lt=now).order_by(
                    "rating_due_at", "id"
                ),
                batch,
            )
            if not ids:
                return closed
            Case.objects.filter(pk__in=ids).update(
                state=State.CLOSED, closed_at=now, updated_at=now
            )
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case_id=pk,
                    at=now,
                    kind=Action.CLOSE,
                    actor_role=Actor.SYSTEM,
                    from_state=State.ANSWERED,
                    to_state=State.CLOSED,
                    note="Cerrado sin calificación: venció el plazo para calificar.",
                    data={"rated": False},
                )
                for pk in ids
            )
            closed += len(ids)


# --- reclamo -----------------------------------------------------------------------------------


def claim_resolution_days(subcategory: Subcategory, amount: Decimal | None, year: int) -> int:
    """Legal resolution deadline of a claim on this matter (DOMAIN §4–§5)."""
    days = subcategory.claim_deadline_days or 0
    above = subcategory.claim_deadline_days_above_half_uit
    if above and amount is not None:
        uit = catalog.uit_for(year)
        if uit is not None and amount > uit.half:
            return above
    return days


def _claim_amount(case: Case) -> Decimal | None:
    name = case.subcategory.claim_amount_field
    if not name:
        # Any money field of the case is the amount claimed on a billing matter.
        money = [f.name for f in case.subcategory.fields.all() if f.type == "MONEY"]
        name = money[0] if money else ""
    value = case.fields.get(name) if name else None
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except (InvalidOperation, ValueError):
        return None


def _expire_if_due(case: Case, now: datetime) -> None:
    """The scheduler may not have run yet: a passed plazo is a passed plazo."""
    if case.state in OPEN_STATES and case.due_at is not None and case.due_at < now:
        _move(
            case,
            Action.EXPIRE,
            SYSTEM,
            now,
            note="Venció el plazo sin respuesta de la operadora.",
            data={"due_at": case.due_at.isoformat()},
        )
        case.save(update_fields=["state", "updated_at"])


claim_refusal = policies.claim_refusal  # the one rule; services, views and the API ask it


@transaction.atomic
def request_claim(
    *,
    case: Case,
    reason: str,
    request: str = "",
    score: int | None = None,
    by: Principal,
    now: datetime | None = None,
) -> Claim:
    """Turn a case into a formal reclamo, one step for the citizen: "No estoy conforme" after
    an answer (recorded as the rating "not resolved" when there is none and the rating window
    is open; `score` is then its satisfaction), or an overdue case."""
    now = now or timezone.now()
    case = _locked(case)
    refusal = claim_refusal(case, now)
    if refusal is not None:
        raise Conflict(refusal)
    errors = ErrorCollector()
    reason = (reason or "").strip()
    if len(reason) < 10:
        errors.add("reason", "Explique el motivo del reclamo (al menos 10 caracteres).")
    elif len(reason) > MAX_DESCRIPTION:
        errors.add("reason", f"El motivo admite hasta {MAX_DESCRIPTION} caracteres.")
    request = (request or "").strip() or "Que se solucione el problema reportado."
    if len(request) > MAX_DESCRIPTION:
        errors.add("request", f"El pedido admite hasta {MAX_DESCRIPTION} caracteres.")
    records_rating = policies.claim_records_rating(case, now)
    if records_rating and (
        isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5
    ):
        errors.add("score", "Indique qué tan satisfecho está con la respuesta (de 1 a 5).")
    errors.raise_if_any()

    _expire_if_due(case, now)
    not_conforme = policies.claim_follows_answer(case)
    if records_rating:
        _move(
            case,
            Action.RATE,
            by,
            now,
            note="No está conforme con la respuesta de la operadora.",
            data={"resolved": False, "score": score, "not_conforme": True},
        )
        Rating.objects.create(case=case, resolved=False, score=score, comment="", rated_at=now)
    elif _rating_window_closed(case, now):
        # The window closed before the scheduler saw it: closed unrated (satisfaction figures
        # count it so), then claimed.
        _move(
            case,
            Action.CLOSE,
            SYSTEM,
            now,
            note="Cerrado sin calificación: venció el plazo para calificar.",
            data={"rated": False},
        )
        case.closed_at = now
        case.save(update_fields=["state", "closed_at", "updated_at"])
    _move(
        case,
        Action.REQUEST_CLAIM,
        by,
        now,
        note=reason[:200],
        data={"not_conforme": not_conforme},
    )
    case.save(update_fields=["state", "updated_at"])
    citizen = case.citizen
    amount = _claim_amount(case)
    code_due = load_calendar().add_business_hours(now, settings.SGU["CLAIM_CODE_BUSINESS_HOURS"])
    claim = Claim.objects.create(
        case=case,
        operator=case.operator,
        holder_name=citizen.get_full_name(),
        holder_document_type=citizen.document_type,
        holder_document_number=citizen.document_number,
        service=case.service,
        service_number=case.service_number,
        reason=reason,
        request=request,
        amount=amount,
        notify_email=citizen.email,
        resolution_days=claim_resolution_days(
            case.subcategory, amount, timezone.localtime(now).year
        ),
        requested_at=now,
        code_due_at=code_due.due_at,
    )
    operator_events.claim_requested(claim, now)
    queue_email(
        to=citizen.email,
        template="claim_requested",
        context={"case": case, "claim": claim, "citizen": citizen},
        case_code=case.code,
    )
    return claim


_CLAIM_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_/.]{0,39}$")


@transaction.atomic
def assign_claim_code(
    *, claim: Claim, claim_code: str, by: Principal, now: datetime | None = None
) -> Claim:
    """The operator's code for the claim; the citizen gets code, PDF form and deadline."""
    now = now or timezone.now()
    claim_code = (claim_code or "").strip()
    if not _CLAIM_CODE.fullmatch(claim_code):
        raise ValidationFailed.of(
            [
                FieldError(
                    "claim_code",
                    "El código de reclamo tiene de 1 a 40 letras, dígitos o los signos - _ / .",
                )
            ]
        )
    claim = Claim.objects.select_for_update().get(pk=claim.pk)
    if claim.state != ClaimState.PENDING_CODE:
        raise Conflict(f"Este reclamo ya tiene el código {claim.claim_code}.")
    late = now > claim.code_due_at
    claim.state = ClaimState.CODED
    claim.claim_code = claim_code
    claim.coded_at = now
    claim.coded_late = late
    claim.resolution_due_at = (
        load_calendar().add_business_days(claim.requested_at, claim.resolution_days).due_at
    )
    # The unique constraint decides, not a prior SELECT: two agents giving the same code to
    # two claims at once would both pass a check, and the second UPDATE would be a 500.
    try:
        with transaction.atomic():
            claim.save(
                update_fields=["state", "claim_code", "coded_at", "coded_late", "resolution_due_at"]
            )
    except IntegrityError:
        raise Conflict(
            f"El código {claim_code} ya fue asignado a otro reclamo de su empresa.",
            [FieldError("claim_code", "Código repetido.")],
        ) from None
    case = _locked(claim.case)
    _move(
        case,
        Action.ASSIGN_CLAIM_CODE,
        by,
        now,
        note=f"Código de reclamo: {claim_code}" + (" (asignado fuera de plazo)" if late else ""),
        data={"claim_code": claim_code, "late": late},
    )
    case.save(update_fields=["state", "updated_at"])
    claim.form_pdf.save(
        f"reclamo-{case.code}.pdf", ContentFile(render_claim_form(claim, case)), save=False
    )
    claim.save(update_fields=["form_pdf"])
    queue_email(
        to=claim.notify_email,
        template="claim_coded",
        context={"case": case, "claim": claim, "citizen": case.citizen},
        case_code=case.code,
        attachments=[
            {
                "filename": f"reclamo-{claim_code}.pdf".replace("/", "-"),
                "content_type": "application/pdf",
                "path": claim.form_pdf.name,
            }
        ],
    )
    return claim


# --- returns and the regulator's review -----------------------------------------------------


@transaction.atomic
def return_case(*, case: Case, reason: str, by: Principal, now: datetime | None = None) -> Case:
    """The operator says the case is not theirs (wrong operator, not a customer)."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise ValidationFailed.of(
            [
                FieldError(
                    "reason", "Explique por qué el caso no corresponde (al menos 10 caracteres)."
                )
            ]
        )
    case = _locked(case)
    _move(case, Action.RETURN, by, now, note=reason[:MAX_DESCRIPTION])
    case.save(update_fields=["state", "updated_at"])
    queue_email(
        to=case.citizen.email,
        template="case_returned",
        context={"case": case, "citizen": case.citizen, "reason": reason},
        case_code=case.code,
    )
    return case


@transaction.atomic
def reassign_case(
    *, case: Case, operator_code: str, note: str = "", by: Principal, now: datetime | None = None
) -> Case:
    """The regulator sends a returned case to the right operator; a new plazo starts."""
    now = now or timezone.now()
    new_operator = catalog.operator_by_code(operator_code)
    case = _locked(case)
    if new_operator.pk == case.operator_id:
        raise ValidationFailed.of(
            [FieldError("operator", "Elija una operadora distinta de la que devolvió el caso.")]
        )
    previous = case.operator
    deadline = compute_deadline(case.subcategory, now)
    _move(
        case,
        Action.REASSIGN,
        by,
        now,
        note=(note or "").strip()[:MAX_DESCRIPTION]
        or f"Reasignado de {previous.name} a {new_operator.name}.",
        data={
            "from_operator": previous.code,
            "to_operator": new_operator.code,
            "due_at": deadline.due_at.isoformat(),
        },
    )
    case.operator = new_operator
    _start_plazo(case, now, deadline)
    case.acknowledged_at = None
    case.save(
        update_fields=[
            "state",
            "operator",
            "forwarded_at",
            "received_on",
            "due_at",
            "due_explanation",
            "acknowledged_at",
            "updated_at",
        ]
    )
    operator_events.case_reassigned(case, previous, now)
    queue_email(
        to=case.citizen.email,
        template="case_reassigned",
        context={"case": case, "citizen": case.citizen, "previous": previous},
        case_code=case.code,
    )
    return case


@transaction.atomic
def confirm_return(*, case: Case, note: str, by: Principal, now: datetime | None = None) -> Case:
    """The regulator agrees the case was not the operator's: it is closed."""
    now = now or timezone.now()
    note = (note or "").strip()
    if len(note) < 10:
        raise ValidationFailed.of(
            [
                FieldError(
                    "note", "Explique al ciudadano por qué se cierra (al menos 10 caracteres)."
                )
            ]
        )
    case = _locked(case)
    # CLOSE is also the way out of ANSWERED, RATED and CLAIM_CODED: only a returned case has
    # a return to confirm.
    if case.state != State.RETURNED:
        raise Conflict(
            "Solo se puede confirmar la devolución de un caso devuelto por la operadora "
            f"(estado: {State(case.state).label.lower()})."
        )
    _move(case, Action.CLOSE, by, now, note=note[:MAX_DESCRIPTION], data={"return_confirmed": True})
    case.closed_at = now
    case.save(update_fields=["state", "closed_at", "updated_at"])
    queue_email(
        to=case.citizen.email,
        template="case_return_confirmed",
        context={"case": case, "citizen": case.citizen, "note": note},
        case_code=case.code,
    )
    return case


# --- contingency windows (the rule lives in sgu.outages.contingency) -------------------------

CONTINGENCY_EXTENSION = "CONTINGENCY_EXTENSION"


@dataclass(frozen=True)
class RunningPlazo:
    """What the contingency rule reads about a case, taken under the case's row lock."""

    case_id: int
    code: str
    state: str
    unit: str  # the subcategory's deadline unit
    forwarded_at: datetime
    received_on: date | None
    due_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class DueExtension:
    case_id: int
    new_due_at: datetime
    note: str  # Spanish: why and by how much (timeline and due-date explanation)
    data: dict


@dataclass(frozen=True)
class AppliedExtension:
    case_id: int
    previous_due_at: datetime
    new_due_at: datetime
    reopened: bool


def extend_plazos_for_contingency(
    *,
    starts_at: datetime,
    ends_at: datetime,
    operator_id: int | None,
    plan,
    record,
    by: Principal,
    now: datetime | None = None,
    batch: int | None = None,
) -> dict[str, int]:
    """Extend the plazo of every case that was running during [starts_at, ends_at].

    Candidates: forwarded before the window ended, due after it started, and either still
    owed (FORWARDED, IN_PROGRESS, OVERDUE) or answered after it started (their on-time flag
    is recomputed). Reclamos already generated from an overdue case are left alone.

    Works in batches of `batch` cases, one transaction each, every case row locked. Inside
    each batch's transaction ``plan(list[RunningPlazo]) -> list[DueExtension]`` decides the
    new due dates (and leaves out cases it already extended), then this function writes them
    with one bulk update, records a CONTINGENCY_EXTENSION event on each timeline, puts back
    to FORWARDED / IN_PROGRESS (REOPEN / RESUME) an OVERDUE case whose new due date has not
    passed, and calls ``record(list[AppliedExtension])`` so the caller's bookkeeping commits
    with it. `updated_at` is set to the wall clock, so operators syncing with
    `updated_since` see the change.
    """

    now = now or timezone.now()
    batch = batch or settings.SGU["SCHEDULER_BATCH"]
    owed = [State.FORWARDED, State.IN_PROGRESS, State.OVERDUE]
    match = Q(forwarded_at__lt=ends_at, due_at__gt=starts_at) & (
        Q(state__in=owed) | Q(answered_at__gt=starts_at)
    )
    if operator_id is not None:
        match &= Q(operator_id=operator_id)
    ids = list(Case.objects.filter(match).order_by("id").values_list("id", flat=True))
    summary = {"candidates": len(ids), "extended": 0, "reopened": 0, "now_on_time": 0}
    for i in range(0, len(ids), batch):
        with transaction.atomic():
            cases = {
                c.pk: c
                for c in Case.objects.select_for_update(of=("self",))
                .select_related("subcategory")
                .filter(match, pk__in=ids[i : i + batch])
                .order_by("id")
            }
            extensions = plan(
                [
                    RunningPlazo(
                        case_id=c.pk,
                        code=c.code,
                        state=c.state,
                        unit=c.subcategory.deadline_unit,
                        forwarded_at=c.forwarded_at,
                        received_on=c.received_on,
                        due_at=c.due_at,
                        answered_at=c.answered_at,
                    )
                    for c in cases.values()
                ]
            )
            changed, events, applied, on_time = [], [], [], []
            stamp = timezone.now()
            for ext in extensions:
                case = cases[ext.case_id]
                previous_due, previous_state = case.due_at, case.state
                case.due_at = ext.new_due_at
                case.due_explanation = (
                    f"{case.due_explanation}\nAmpliación por contingencia: {ext.note}".strip()
                )
                # Wall-clock time, per batch: operators' `updated_since` sync compares it with
                # what they have already seen (a batch commits a moment after this stamp).
                case.updated_at = stamp
                reopen = previous_state == State.OVERDUE and ext.new_due_at > now
                data = {
                    **ext.data,
                    "previous_due_at": previous_due.isoformat(),
                    "new_due_at": ext.new_due_at.isoformat(),
                    "reopened": reopen,
                }
                note = ext.note
                if case.answered_at is not None:
                    # A later due date can only turn a late answer into one in time.
                    in_time = case.answered_at <= ext.new_due_at
                    data["answered_on_time"] = in_time
                    if in_time and case.answered_at > previous_due:
                        on_time.append(case.pk)
                        note += (
                            " Con la ampliación, la respuesta de la operadora queda dentro "
                            "del plazo."
                        )
                events.append(
                    CaseEvent(
                        case=case,
                        at=now,
                        kind=CONTINGENCY_EXTENSION,
                        actor=by.user,
                        actor_role=by.actor_role,
                        from_state=previous_state,
                        to_state=previous_state,
                        note=note,
                        data=data,
                    )
                )
                if reopen:
                    action = Action.REOPEN if case.acknowledged_at is None else Action.RESUME
                    t = transition(action, previous_state, Actor.SYSTEM)
                    case.state = t.target
                    events.append(
                        CaseEvent(
                            case=case,
                            at=now,
                            kind=action,
                            actor_role=Actor.SYSTEM,
                            from_state=previous_state,
                            to_state=t.target,
                            note="El plazo se amplió por contingencia y aún no vence: "
                            "la operadora debe responder.",
                            data={"due_at": ext.new_due_at.isoformat()},
                        )
                    )
                changed.append(case)
                applied.append(
                    AppliedExtension(case.pk, previous_due, ext.new_due_at, reopened=reopen)
                )
            Case.objects.bulk_update(changed, ["due_at", "due_explanation", "state", "updated_at"])
            CaseEvent.objects.bulk_create(events)
            if on_time:
                summary["now_on_time"] += Solution.objects.filter(case_id__in=on_time).update(
                    on_time=True
                )
            record(applied)
            summary["extended"] += len(applied)
            summary["reopened"] += sum(1 for a in applied if a.reopened)
    return summary


# --- assisted channels (orientador at an office or on the phone) ------------------------------


@dataclass(frozen=True)
class CitizenInput:
    document_type: str
    document_number: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    phone: str = ""


ASSISTED_CHANNELS = (Channel.PRESENCIAL, Channel.TELEFONICO)


@transaction.atomic
def register_assisted_case(
    *,
    agent,
    citizen: CitizenInput,
    channel: str,
    data: CaseInput,
    office_code: str | None = None,
    now: datetime | None = None,
) -> Case:
    """A regulator agent registers a case for a citizen: the citizen found by document or
    created on the spot, the channel and the agent's office recorded, the same emails as on
    the web. All in one transaction. Web and API register through the attention's flow
    (attention.services.register_assisted_case), which also offers the survey."""
    now = now or timezone.now()
    errors = ErrorCollector()
    office = getattr(agent, "office", None)
    if office is None:
        errors.add(
            "office",
            "Su usuario no tiene una oficina asignada; pida al administrador que se la asigne "
            "antes de registrar casos.",
        )
    elif office_code and office_code != office.code:
        errors.add("office", f"Solo puede registrar casos en su oficina ({office.code}).")
    if channel not in ASSISTED_CHANNELS:
        errors.add("channel", "Elija el canal: presencial o telefónico.")
    errors.raise_if_any()
    try:
        person, _ = accounts.find_or_create_citizen_for_assisted(
            document_type=citizen.document_type,
            document_number=citizen.document_number,
            first_name=citizen.first_name,
            last_name=citizen.last_name,
            email=citizen.email,
            phone=citizen.phone,
            channel=channel,
            now=now,
        )
    except ValidationFailed as exc:
        # The citizen's data is named as it is sent: citizen.<field>.
        raise ValidationFailed.of(
            [FieldError(f"citizen.{e.field}", e.message) for e in exc.errors]
        ) from None
    except Conflict as exc:
        raise Conflict(
            exc.detail, [FieldError(f"citizen.{e.field}", e.message) for e in exc.errors]
        ) from None
    case = register_case(
        citizen=person,
        data=data,
        by=Principal(actor_role=Actor.REGULATOR, user=agent),
        channel=channel,
        office=office,
        now=now,
    )
    return case


@transaction.atomic
def email_receipt(*, case: Case, by: Principal, now: datetime | None = None) -> None:
    """Email the citizen the constancia (code, plazo) of a case registered for them."""
    now = now or timezone.now()
    queue_email(
        to=case.citizen.email,
        template="case_receipt",
        context={"case": case, "citizen": case.citizen},
        case_code=case.code,
    )
    record_event(
        case,
        kind="RECEIPT_SENT",
        by=by,
        now=now,
        note="Constancia enviada por correo.",
        internal=True,
        data={"to": case.citizen.email},
    )


# --- saved tray views ---------------------------------------------------------------------------


def save_tray_view(*, user, name: str, query: str):
    """Save (or overwrite, by name) a tracking-tray filter for this user."""

    name = " ".join((name or "").split())
    errors = ErrorCollector()
    if not name:
        errors.add("name", "Dé un nombre a la vista, por ejemplo «vencidos de hoy».")
    elif len(name) > 80:
        errors.add("name", "El nombre admite hasta 80 caracteres.")
    query = (query or "").lstrip("?")
    if len(query) > 1000:
        errors.add("query", "Los filtros son demasiado largos.")
    errors.raise_if_any()
    view, _ = SavedTrayView.objects.update_or_create(
        user=user, name=name, defaults={"query": query}
    )
    return view


def delete_tray_view(*, user, view_id: int) -> None:

    SavedTrayView.objects.filter(user=user, pk=view_id).delete()
