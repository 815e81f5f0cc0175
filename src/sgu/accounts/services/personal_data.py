"""Personal data (Ley 29733): the download recorded, correction requests and their handling."""

from datetime import datetime

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sgu.accounts.models import (
    CorrectionRequest,
    User,
)
from sgu.core import audit
from sgu.core.errors import (
    ErrorCollector,
    FieldError,
    NotFound,
    ValidationFailed,
)
from sgu.notifications.services import queue_email

# --- personal data (Ley 29733): download and correction -----------------------------------


def record_personal_data_download(*, user: User, request: HttpRequest | None = None) -> None:

    audit.record("personal_data.exported", actor=user, target=f"user:{user.pk}", request=request)


@transaction.atomic
def request_correction(
    *,
    user: User,
    field: str,
    requested_value: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> CorrectionRequest:
    """Register a citizen's request to correct a datum and acknowledge it by email."""

    errors = ErrorCollector()
    if field not in CorrectionRequest.Field.values:
        errors.add("field", "Elija el dato que desea corregir.")
    requested_value = " ".join((requested_value or "").split())
    if not requested_value:
        errors.add("requested_value", "Escriba el valor correcto.")
    elif len(requested_value) > 300:
        errors.add("requested_value", "Admite hasta 300 caracteres.")
    note = (note or "").strip()
    if len(note) > 2000:
        errors.add("note", "Admite hasta 2000 caracteres.")
    errors.raise_if_any()
    current = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "document": f"{user.document_type} {user.document_number}".strip(),
        "email": user.email,
        "phone": user.phone,
    }.get(field, "")
    correction = CorrectionRequest.objects.create(
        user=user,
        field=field,
        current_value=current[:300],
        requested_value=requested_value,
        note=note,
    )
    audit.record(
        "personal_data.correction_requested",
        actor=user,
        target=f"correction:{correction.pk}",
        request=request,
        data={"field": field},
    )
    queue_email(
        to=user.email,
        template="correction_received",
        context={"user": user, "correction": correction},
    )
    return correction


@transaction.atomic
def handle_correction(
    *, correction_id: int, by: User, status: str, response: str = "", now: datetime | None = None
) -> CorrectionRequest:
    """Regulator staff record what they did with a correction request."""

    correction = CorrectionRequest.objects.select_for_update().filter(pk=correction_id).first()
    if correction is None:
        raise NotFound("No existe esa solicitud.")
    if status not in (CorrectionRequest.Status.DONE, CorrectionRequest.Status.REJECTED):
        raise ValidationFailed.of([FieldError("status", "Elija «Atendida» o «No procede».")])
    response = (response or "").strip()
    if status == CorrectionRequest.Status.REJECTED and not response:
        raise ValidationFailed.of([FieldError("response", "Explique por qué no procede.")])
    correction.status = status
    correction.response = response[:2000]
    correction.handled_at = now or timezone.now()
    correction.handled_by = by
    correction.save(update_fields=["status", "response", "handled_at", "handled_by"])
    audit.record(
        "personal_data.correction_handled",
        actor=by,
        target=f"correction:{correction.pk}",
        data={"status": status},
    )
    return correction
