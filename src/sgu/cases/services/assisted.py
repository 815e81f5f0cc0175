"""Assisted channels: an orientador registers a case at an office or on the phone."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sgu.accounts import services as accounts
from sgu.accounts.models import User
from sgu.cases.models import (
    Case,
    Channel,
)
from sgu.cases.services._common import record_event
from sgu.cases.services.registration import CaseInput, register_case
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    ValidationFailed,
)
from sgu.core.principal import Actor, Principal
from sgu.notifications.services import queue_email

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
    agent: User,
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
        case=case,
        kind="RECEIPT_SENT",
        by=by,
        now=now,
        note="Constancia enviada por correo.",
        internal=True,
        data={"to": case.citizen.email},
    )
