"""A citizen reports a problem: validation, the case, its evidence, and forwarding once the
email is confirmed."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from sgu.accounts import services as accounts
from sgu.accounts.models import User
from sgu.cases.attachments import CheckedUpload, check_upload
from sgu.cases.models import (
    Attachment,
    Case,
    CaseEvent,
    Channel,
)
from sgu.cases.schemas import case_summary
from sgu.cases.services._common import (
    MAX_DESCRIPTION,
    SYSTEM,
    _event,
    _locked,
    _number_case,
    _provisional_code,
    _transition,
    _write_before_number,
    compute_deadline,
    record_event,
)
from sgu.cases.workflow import Action, State
from sgu.catalog import selectors as catalog
from sgu.catalog.fields import clean_extra_fields
from sgu.catalog.models import Office
from sgu.core import config
from sgu.core.calendar import Deadline
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from sgu.core.principal import Principal
from sgu.notifications.services import EmailAlong, queue_email
from sgu.operators import selectors as operators
from sgu.operators import services as operator_events


def _clean_service_number(service: str, value: str, errors: ErrorCollector) -> str:
    raw = re.sub(r"[\s\-]", "", value or "")
    if service == "MOVIL":
        if raw.startswith("+51"):
            raw = raw[3:]
        if not re.fullmatch(r"9[0-9]{8}", raw):
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
    files: list[UploadedFile],
    errors: ErrorCollector,
    already: int = 0,
    refusals: list[str] | None = None,
) -> list[CheckedUpload]:
    limit = config.integer("MAX_ATTACHMENTS")
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
    fields: dict[str, object] | None = None


@transaction.atomic
def register_case(
    *,
    citizen: User,
    data: CaseInput,
    by: Principal,
    channel: str = Channel.WEB,
    attachments: list[UploadedFile] | None = None,
    office: Office | None = None,
    now: datetime | None = None,
    before_numbering: Callable[[Case], None] | None = None,
) -> Case:
    """Register a problem; forward it at once if the citizen's email is confirmed.

    `before_numbering(case)`: called in the transaction with the case written and loaded as
    returned, its code still provisional, just before it is numbered — for a write that belongs
    in the transaction but not under the year's sequence lock (the API's idempotent answer)."""
    now = now or timezone.now()
    errors = ErrorCollector()
    operator = subcategory = None
    try:
        operator = catalog.operator_by_code(data.operator)
    except ValidationFailed as exc:
        errors.errors.extend(exc.errors)
    else:
        # Only operators bound by the SGU receive cases (instructivo point ii); for another
        # one the citizen is told where to go instead.
        refusal = operators.scope_refusal(operator, timezone.localdate(now))
        if refusal is not None:
            errors.add("operator", refusal)
    try:
        subcategory = catalog.subcategory_by_code(data.subcategory)
    except ValidationFailed as exc:
        errors.errors.extend(exc.errors)
    service = subcategory.service_code if subcategory else ""
    service_number = _clean_service_number(service, data.service_number, errors)
    description = _clean_description(data.description, errors)
    fields = (
        clean_extra_fields(
            subcategory,
            data.fields,
            errors,
            # Operator-information fields offer the chosen operator's current lists.
            operator_choices=lambda kind: operators.current_names(operator, kind, now),
        )
        if subcategory
        else {}
    )
    uploads = _check_uploads(list(attachments or []), errors)
    if channel not in Channel.values:
        errors.add("channel", "Canal no válido.")
    errors.raise_if_any()

    assert subcategory is not None  # errors.raise_if_any() refused its absence
    deadline = compute_deadline(subcategory, now) if citizen.email_verified else None
    # Everything is written under a provisional code; the correlative number is the last write
    # before COMMIT (_number_case; on PostgreSQL the case's row itself is written then, with
    # it): the year's sequence row stays locked from then until the COMMIT, and every
    # concurrent registration queues on it.
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
    # Rendered by the worker, with the case's final code; what it shows of the registration
    # is pinned here (plain values, or rows that do not change), as it is now. Written with
    # the case's events (on PostgreSQL, in their statement).
    email = EmailAlong(
        to=citizen.email,
        template="case_registered",
        context={
            "case": case,
            "first_name": citizen.first_name,
            "operator": operator,
            "subcategory": subcategory,
            "service_number": service_number,
            "due_at": case.due_at,
        },
        case_code_of="case",
    )
    _write_before_number(case, events, email)
    stored = _store_attachments(case, uploads, by, now)
    delivery = (
        operator_events.case_forwarded(case=case, summary=case_summary(case), now=now)
        if deadline is not None
        else None
    )
    _loaded_as_new(case, events, stored)
    if before_numbering is not None:
        before_numbering(case)
    _number_case(case, timezone.localtime(now).year)
    if delivery is not None:
        operator_events.replace_case_code(
            delivery=delivery, provisional=provisional, code=case.code
        )
    return case


def _loaded_as_new(case: Case, events: list[CaseEvent], attachments: list[Attachment]) -> None:
    """Leave a case just registered as the detail selectors load one, so that it can be shown
    without reading it back: none of its one-to-one relations (solution, rating, claim) exist
    yet; its attachments and its timeline are the ones written in this transaction."""
    for rel in Case._meta.related_objects:
        if rel.one_to_one:
            rel.set_cached_value(case, None)
    loaded = case.attachments.all()
    # What prefetch_related stores (Django's private attributes, hence setattr).
    loaded._result_cache = list(attachments)
    setattr(loaded, "_prefetch_done", True)  # noqa: B010
    setattr(case, "_prefetched_objects_cache", {"attachments": loaded})  # noqa: B010
    setattr(case, "timeline", [e for e in events if not e.internal])  # noqa: B010


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
def confirm_email(*, token: str, now: datetime | None = None) -> User:
    """The flow «email confirmed → waiting cases forwarded»: the citizen's token is used
    (accounts) and the cases they registered before confirming go to their operators, in one
    transaction. Web and API confirm through here."""
    now = now or timezone.now()
    user = accounts.confirm_email(token=token, now=now)
    forward_waiting_cases(citizen=user, now=now)
    return user


@transaction.atomic
def forward_waiting_cases(*, citizen: User, now: datetime | None = None) -> list[Case]:
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
        operator_events.case_forwarded(case=case, summary=case_summary(case), now=now)
        queue_email(
            to=citizen.email,
            template="case_forwarded",
            context={"case": case, "citizen": citizen},
            case_code=case.code,
        )
    return waiting


ATTACHABLE_STATES = frozenset({State.REGISTERED, State.FORWARDED, State.IN_PROGRESS, State.OVERDUE})


@transaction.atomic
def add_attachments(
    *, case: Case, files: list[UploadedFile], by: Principal, now: datetime | None = None
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
            case=case,
            kind="ATTACHMENT",
            by=by,
            now=now,
            note=f"Adjuntó «{a.name}».",
            data={"attachment_id": a.pk, "sha256": a.sha256},
        )
    case.save(update_fields=["updated_at"])
    return stored
