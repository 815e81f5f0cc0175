"""The case as the API shows it (API.md, "A case"), shared by citizen, operator and staff
endpoints. The selector decides what the caller may see (e.g. internal notes)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from sgu.cases import policies
from sgu.cases.models import Case
from sgu.cases.workflow import State


class SolutionOut(Schema):
    outcome: str
    detail: str
    actions: str
    executed_at: date
    responsible: str


class RatingOut(Schema):
    resolved: bool
    score: int
    comment: str
    rated_at: datetime


class ClaimOut(Schema):
    id: int
    state: str = Field(examples=["PENDING_CODE"])
    claim_code: str | None
    requested_at: datetime
    coded_at: datetime | None
    due_at: datetime | None = Field(description="Plazo legal de resolución del reclamo.")
    code_due_at: datetime = Field(description="Plazo para asignar el código (inmediato).")
    coded_late: bool
    resolution_days: int
    reason: str
    request: str
    amount: Decimal | None


class OperatorClaimOut(ClaimOut):
    case_code: str
    subcategory: str
    holder_name: str
    holder_document_type: str
    holder_document_number: str
    service_number: str
    notify_email: str


class ClaimPage(Schema):
    items: list[OperatorClaimOut]
    next_cursor: str | None


class OfficeOut(Schema):
    code: str
    name: str
    ubigeo: str
    latitude: float
    longitude: float


class EventOut(Schema):
    at: datetime
    kind: str
    actor_role: str
    from_state: str | None
    to_state: str | None
    note: str


class AttachmentOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    content_type: str = ""


class CitizenOut(Schema):
    document_type: str
    document_number: str
    first_name: str
    last_name: str
    email: str
    phone: str


class CaseOut(Schema):
    code: str = Field(examples=["SGU-2026-0000123"])
    state: State
    operator: str
    subcategory: str
    service: str
    channel: str
    service_number: str
    description: str
    fields: dict[str, Any]
    registered_at: datetime
    forwarded_at: datetime | None
    due_at: datetime | None
    due_explanation: str = ""
    answered_at: datetime | None
    overdue: bool
    solution: SolutionOut | None
    rating: RatingOut | None
    claim: ClaimOut | None
    office: OfficeOut | None
    attachments: list[AttachmentOut] = []
    timeline: list[EventOut] = []
    allowed_actions: list[str] = []
    claim_refusal: str | None = Field(
        default=None,
        description="Por qué el ciudadano no puede generar un reclamo ahora (null: puede; "
        "«No estoy conforme» después de una respuesta, o un caso vencido).",
    )
    claim_until: datetime | None = Field(
        default=None,
        description="Hasta cuándo puede generar el reclamo, si el administrador fijó un límite.",
    )


class OperatorCaseOut(CaseOut):
    """What the operator needs to solve the case, including the citizen's contact data."""

    citizen: CitizenOut
    updated_at: datetime


class CaseSummaryOut(Schema):
    code: str
    state: State
    operator: str
    subcategory: str
    service_number: str
    registered_at: datetime
    due_at: datetime | None
    overdue: bool
    updated_at: datetime


class CasePage(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None


def claim_dict(claim) -> dict:
    return {
        "id": claim.pk,
        "state": claim.state,
        "claim_code": claim.claim_code,
        "requested_at": claim.requested_at,
        "coded_at": claim.coded_at,
        "due_at": claim.resolution_due_at,
        "code_due_at": claim.code_due_at,
        "coded_late": claim.coded_late,
        "resolution_days": claim.resolution_days,
        "reason": claim.reason,
        "request": claim.request,
        "amount": claim.amount,
    }


def is_overdue(case: Case, now: datetime) -> bool:
    if case.state == State.OVERDUE:
        return True
    return case.state in (State.FORWARDED, State.IN_PROGRESS) and (
        case.due_at is not None and case.due_at < now
    )


def summary_dict(case: Case, now: datetime) -> dict:
    return {
        "code": case.code,
        "state": case.state,
        "operator": case.operator.code,
        "subcategory": case.subcategory.code,
        "service_number": case.service_number,
        "registered_at": case.registered_at,
        "due_at": case.due_at,
        "overdue": is_overdue(case, now),
        "updated_at": case.updated_at,
    }


def case_summary(case: Case) -> dict:
    """The case's own fields, where every representation of a case starts: the API's case
    (citizen, operator, regulator) and the payload of the operator's webhooks."""
    return {
        "code": case.code,
        "state": case.state,
        "operator": case.operator.code,
        "subcategory": case.subcategory.code,
        "service": case.service,
        "channel": case.channel,
        "registered_at": case.registered_at,
        "forwarded_at": case.forwarded_at,
        "due_at": case.due_at,
    }


def case_dict(
    case: Case,
    now: datetime,
    *,
    actions: list[str],
    with_citizen: bool = False,
    with_registrar: bool = False,
) -> dict:
    """The case as the API shows it; regulator staff also see the citizen and who registered
    it (`with_citizen`, `with_registrar`)."""
    solution = getattr(case, "solution", None) if hasattr(case, "solution") else None
    rating = getattr(case, "rating", None) if hasattr(case, "rating") else None
    claim = getattr(case, "claim", None) if hasattr(case, "claim") else None
    office = case.office
    refusal = None if claim is not None else policies.claim_refusal(case, now)
    if claim is not None or refusal is not None:
        # The state alone would offer it (e.g. a closed case); the case's data says no.
        actions = [a for a in actions if a != "REQUEST_CLAIM"]
    data = {
        **case_summary(case),
        "service_number": case.service_number,
        "description": case.description,
        "fields": case.fields,
        "due_explanation": case.due_explanation,
        "answered_at": case.answered_at,
        "overdue": is_overdue(case, now),
        "solution": None
        if solution is None
        else {
            "outcome": solution.outcome,
            "detail": solution.detail,
            "actions": solution.actions,
            "executed_at": solution.executed_at,
            "responsible": solution.responsible,
        },
        "rating": None
        if rating is None
        else {
            "resolved": rating.resolved,
            "score": rating.score,
            "comment": rating.comment,
            "rated_at": rating.rated_at,
        },
        "claim": claim_dict(claim) if claim is not None else None,
        "claim_refusal": refusal,
        "claim_until": None if claim is not None else policies.claim_window_closes_at(case),
        "office": None
        if office is None
        else {
            "code": office.code,
            "name": office.name,
            "ubigeo": office.ubigeo,
            "latitude": float(office.latitude),
            "longitude": float(office.longitude),
        },
        "attachments": [
            {
                "id": a.pk,
                "name": a.name,
                "size": a.size,
                "sha256": a.sha256,
                "content_type": a.content_type,
            }
            for a in case.attachments.all()
        ],
        "timeline": [
            {
                "at": e.at,
                "kind": e.kind,
                "actor_role": e.actor_role,
                "from_state": e.from_state or None,
                "to_state": e.to_state or None,
                "note": e.note,
            }
            for e in getattr(case, "timeline", None) or case.events.filter(internal=False)
        ],
        "allowed_actions": actions,
    }
    if with_citizen:
        c = case.citizen
        data["citizen"] = {
            "document_type": c.document_type,
            "document_number": c.document_number,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "email": c.email,
            "phone": c.phone,
        }
        data["updated_at"] = case.updated_at
    if with_registrar:
        agent = case.registered_by
        data["registered_by"] = (
            None if agent is None else {"email": agent.email, "name": agent.get_full_name()}
        )
    return data
