"""Operators' API (API key): their own tray only."""

from datetime import date, datetime

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from sgu.accounts.auth import operator_auth
from sgu.cases import selectors, services
from sgu.cases.models import Outcome
from sgu.cases.schemas import CasePage, OperatorCaseOut, case_dict, summary_dict
from sgu.cases.workflow import State, allowed_actions
from sgu.core.pagination import clamp_limit, keyset_page
from sgu.core.principal import Principal
from sgu.core.schemas import Problem

router = Router(tags=["Operadoras"], auth=operator_auth)


class SolutionIn(Schema):
    outcome: Outcome
    detail: str = Field(max_length=4000)
    actions: str = Field(default="", max_length=4000)
    executed_at: date
    responsible: str = Field(max_length=120)


def render(principal: Principal, code: str) -> dict:
    case = selectors.operator_case(principal.operator, code)
    return case_dict(
        case,
        timezone.now(),
        actions=allowed_actions(case.state, principal.actor_role),
        with_citizen=True,
    )


@router.get(
    "/cases",
    response={200: CasePage, 401: Problem, 422: Problem},
    summary="Bandeja de la operadora",
    description="Solo los casos de la operadora dueña de la clave. Ordenados por plazo; con "
    "`updated_since` se ordenan por fecha de actualización (para sincronizar).",
)
def tray(
    request,
    state: State | None = None,
    subcategory: str | None = None,
    overdue: bool | None = None,
    updated_since: datetime | None = None,
    limit: int | None = None,
    cursor: str | None = None,
):
    principal: Principal = request.auth
    now = timezone.now()
    qs = selectors.operator_tray(
        principal.operator,
        state=state,
        subcategory=subcategory,
        overdue=overdue,
        updated_since=updated_since,
        now=now,
    )
    ordering = ["updated_at", "id"] if updated_since else ["due_at", "id"]
    rows, next_cursor = keyset_page(qs, ordering, cursor, clamp_limit(limit))
    return {"items": [summary_dict(c, now) for c in rows], "next_cursor": next_cursor}


@router.get(
    "/cases/{code}",
    response={200: OperatorCaseOut, 401: Problem, 404: Problem},
    summary="Un caso de la bandeja (404 si es de otra operadora)",
)
def get_case(request, code: str):
    return render(request.auth, code)


@router.post(
    "/cases/{code}/ack",
    response={200: OperatorCaseOut, 401: Problem, 404: Problem, 409: Problem},
    summary="Tomar el caso en atención (IN_PROGRESS)",
)
def acknowledge(request, code: str):
    principal: Principal = request.auth
    case = selectors.operator_case(principal.operator, code)
    services.acknowledge_case(case=case, by=principal)
    return render(principal, code)


@router.post(
    "/cases/{code}/solution",
    response={200: OperatorCaseOut, 401: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Registrar la solución (ANSWERED); se notifica al ciudadano",
)
def solution(request, code: str, payload: SolutionIn):
    principal: Principal = request.auth
    case = selectors.operator_case(principal.operator, code)
    services.record_solution(case=case, data=services.SolutionInput(**payload.dict()), by=principal)
    return render(principal, code)
