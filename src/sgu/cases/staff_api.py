"""Cases — regulator staff endpoints: the tracking tray and the review of returned cases. The
assisted registration (POST /staff/cases) is the attention's flow, added to this router by
sgu/api.py (attention.api.add_assisted_registration)."""

from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from sgu.accounts.auth import user_auth
from sgu.cases import selectors, services, staff_tray
from sgu.cases.schemas import (
    CaseOut,
    CasePage,
    CaseSummaryOut,
    CitizenOut,
    case_dict,
    summary_dict,
)
from sgu.cases.workflow import allowed_actions
from sgu.core.errors import Forbidden
from sgu.core.pagination import clamp_limit, keyset_page
from sgu.core.principal import Principal
from sgu.core.schemas import Limit, Problem

router = Router(tags=["Regulador"], auth=user_auth)


def staff_principal(request) -> Principal:
    principal: Principal = request.auth
    if principal.user is None or not principal.user.is_regulator_staff:
        raise Forbidden("Esta operación es para el personal del regulador.")
    return principal


class RegisteredByOut(Schema):
    email: str
    name: str


class StaffCaseOut(CaseOut):
    """The case as regulator staff see it: with the citizen and who registered it."""

    citizen: CitizenOut
    registered_by: RegisteredByOut | None
    updated_at: datetime


def _render(principal: Principal, code: str) -> dict:
    case = selectors.regulator_case(principal.user, code)
    return case_dict(
        case, timezone.now(), actions=allowed_actions(case.state, principal.actor_role)
    )


class CitizenIn(Schema):
    document_type: str = Field(max_length=10, examples=["DNI"])
    document_number: str = Field(max_length=12, examples=["45678912"])
    first_name: str = Field(default="", max_length=150)
    last_name: str = Field(default="", max_length=150)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=15)


class AssistedCaseIn(Schema):
    citizen: CitizenIn
    channel: Literal["PRESENCIAL", "TELEFONICO"]
    office: str | None = Field(
        default=None, max_length=20, description="Opcional: si se envía, debe ser la del agente."
    )
    operator: str = Field(max_length=20, examples=["CLARO"])
    subcategory: str = Field(max_length=60, examples=["recarga-no-acreditada"])
    service_number: str = Field(max_length=20, examples=["987654321"])
    description: str = Field(max_length=4000)
    fields: dict[str, Any] = Field(default_factory=dict)


class TrayCaseOut(CaseSummaryOut):
    service: str
    channel: str
    office: str | None
    category: str


class TrayPage(Schema):
    items: list[TrayCaseOut]
    next_cursor: str | None


@router.get(
    "/cases",
    response={200: TrayPage, 401: Problem, 403: Problem, 422: Problem},
    summary="Bandeja de seguimiento del regulador (todas las operadoras)",
    description="Filtros: operator, service, category, subcategory, state, overdue "
    "(true/false), claim_code_late (true/false: código de reclamo asignado tarde o vencido sin "
    "asignar), channel, office, registered_from/registered_to (AAAA-MM-DD, hora de Lima), "
    "q (código, línea o documento, coincidencia exacta), sort (recientes | vence). "
    "Paginación por cursor.",
)
def tray(request, limit: Limit | None = None, cursor: str | None = None):
    staff_principal(request)
    filters, ordering, errors = staff_tray.parse(request.GET)
    errors.raise_if_any()
    rows, next_cursor = keyset_page(
        staff_tray.tray(filters, ordering), ordering, cursor, clamp_limit(limit)
    )
    now = timezone.now()
    items = []
    for c in rows:
        item = summary_dict(c, now)
        item.update(
            service=c.service,
            channel=c.channel,
            office=c.office.code if c.office else None,
            category=c.subcategory.category.code,
        )
        items.append(item)
    return {"items": items, "next_cursor": next_cursor}


class ReassignIn(Schema):
    operator: str = Field(max_length=20, examples=["MOVISTAR"])
    note: str = Field(default="", max_length=4000)


class ConfirmReturnIn(Schema):
    note: str = Field(max_length=4000, description="Explicación para el ciudadano.")


@router.get(
    "/returns",
    response={200: CasePage, 401: Problem, 403: Problem, 422: Problem},
    summary="Bandeja de revisión: casos devueltos por las operadoras",
)
def returns(request, limit: Limit | None = None, cursor: str | None = None):
    staff_principal(request)
    rows, next_cursor = keyset_page(
        selectors.returned_cases(), ["updated_at", "id"], cursor, clamp_limit(limit)
    )
    now = timezone.now()
    return {"items": [summary_dict(c, now) for c in rows], "next_cursor": next_cursor}


@router.post(
    "/cases/{code}/reassign",
    response={200: CaseOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Reasignar un caso devuelto a otra operadora (nuevo plazo)",
)
def reassign(request, code: str, payload: ReassignIn):
    principal = staff_principal(request)
    case = selectors.regulator_case(principal.user, code)
    services.reassign_case(
        case=case, operator_code=payload.operator, note=payload.note, by=principal
    )
    return _render(principal, code)


@router.post(
    "/cases/{code}/confirm-return",
    response={200: CaseOut, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Confirmar la devolución y cerrar el caso",
)
def confirm_return(request, code: str, payload: ConfirmReturnIn):
    principal = staff_principal(request)
    case = selectors.regulator_case(principal.user, code)
    services.confirm_return(case=case, note=payload.note, by=principal)
    return _render(principal, code)
