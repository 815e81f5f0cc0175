"""The reclamo: the citizen files it in one step and the operator assigns its code at once."""

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from sgu.cases import document_links, policies
from sgu.cases.claim_form import render_claim_form
from sgu.cases.models import (
    Case,
    Claim,
    ClaimState,
    Rating,
)
from sgu.cases.services._common import MAX_DESCRIPTION, SYSTEM, _locked, _move
from sgu.cases.services.answers import _rating_window_closed
from sgu.cases.workflow import OPEN_STATES, Action
from sgu.catalog import selectors as catalog
from sgu.catalog.models import Subcategory
from sgu.core import config
from sgu.core.calendar import load_calendar
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    ValidationFailed,
)
from sgu.core.principal import Principal
from sgu.notifications.services import queue_email
from sgu.operators import services as operator_events

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


def claim_amount(case: Case) -> Decimal | None:
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
        assert score is not None  # checked above when the rating is recorded
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
    amount = claim_amount(case)
    code_due = load_calendar().add_business_hours(now, config.integer("CLAIM_CODE_BUSINESS_HOURS"))
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
    operator_events.claim_requested(claim=claim, now=now)
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
    pdf = render_claim_form(claim, case)
    claim.form_pdf.save(f"reclamo-{case.code}.pdf", ContentFile(pdf), save=False)
    claim.save(update_fields=["form_pdf"])
    documents, attached = claim_email_documents(case=case, form_size=len(pdf))
    queue_email(
        to=claim.notify_email,
        template="claim_coded",
        context={
            "case": case,
            "claim": claim,
            "citizen": case.citizen,
            "documents": documents,
            "documents_attached": attached,
            "links_until": now + timedelta(days=document_links.link_days()),
        },
        case_code=case.code,
        attachments=[
            {
                "filename": f"reclamo-{claim_code}.pdf".replace("/", "-"),
                "content_type": "application/pdf",
                "path": claim.form_pdf.name,
            },
            *(
                {"filename": d["name"], "content_type": d["content_type"], "path": d["path"]}
                for d in (documents if attached else [])
            ),
        ],
    )
    return claim


def claim_email_documents(*, case: Case, form_size: int) -> tuple[list[dict[str, object]], bool]:
    """The case's attachments for the claim email ("documentos adicionales de corresponder"),
    and whether they go attached: yes while the email (form included) stays within
    `SGU["CLAIM_EMAIL_ATTACHMENTS_MAX_BYTES"]`, else each goes as a signed, expiring link for
    the citizen. Sizes come from the rows: nothing is read from storage here (the worker reads
    the files when it sends, outside any transaction)."""
    rows = list(case.attachments.order_by("uploaded_at", "id"))
    total = form_size + sum(a.size for a in rows)
    attached = total <= config.integer("CLAIM_EMAIL_ATTACHMENTS_MAX_BYTES")
    documents = [
        {
            "name": a.name,
            "size": a.size,
            "content_type": a.content_type,
            "path": a.file.name,
            "token": ""
            if attached
            else document_links.sign(
                case_code=case.code, attachment_id=a.pk, user_id=case.citizen_id
            ),
        }
        for a in rows
    ]
    return documents, attached
