"""Cases — regulator staff endpoints (review of returned cases; the tracking tray arrives
with the regulator's-side issue)."""

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from sgu.accounts.auth import user_auth
from sgu.cases import selectors, services
from sgu.cases.schemas import CaseOut, CasePage, case_dict, summary_dict
from sgu.cases.workflow import allowed_actions
from sgu.core.errors import Forbidden
from sgu.core.pagination import clamp_limit, keyset_page
from sgu.core.principal import Principal
from sgu.core.schemas import Problem

router = Router(tags=["Regulador"], auth=user_auth)


def _staff(request) -> Principal:
    principal: Principal = request.auth
    if principal.user is None or not principal.user.is_regulator_staff:
        raise Forbidden("Esta operación es para el personal del regulador.")
    return principal


def _render(principal: Principal, code: str) -> dict:
    case = selectors.regulator_case(principal.user, code)
    return case_dict(
        case, timezone.now(), actions=allowed_actions(case.state, principal.actor_role)
    )


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
def returns(request, limit: int | None = None, cursor: str | None = None):
    _staff(request)
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
    principal = _staff(request)
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
    principal = _staff(request)
    case = selectors.regulator_case(principal.user, code)
    services.confirm_return(case=case, note=payload.note, by=principal)
    return _render(principal, code)
