"""Operators' API (API key): their own tray only."""

from typing import Literal

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from sgu.accounts.auth import operator_auth
from sgu.cases import selectors, services
from sgu.cases.models import ClaimState, Outcome
from sgu.cases.schemas import (
    CasePage,
    ClaimPage,
    OperatorCaseOut,
    OperatorClaimOut,
    case_dict,
    claim_dict,
    summary_dict,
)
from sgu.cases.workflow import State, allowed_actions
from sgu.core.export import XLSX_CONTENT_TYPE
from sgu.core.openapi import doc
from sgu.core.pagination import clamp_limit, keyset_page
from sgu.core.principal import Principal
from sgu.core.schemas import Day, Instant, Limit, Problem
from sgu.operators import openapi_docs as docs
from sgu.operators.exports import tray_export

router = Router(tags=["Operadoras"], auth=operator_auth)


class SolutionIn(Schema):
    outcome: Outcome
    detail: str = Field(max_length=4000)
    actions: str = Field(default="", max_length=4000)
    executed_at: Day
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
    description="Solo los casos de la operadora dueña de la clave (un caso de otra operadora "
    "nunca aparece). Ordenados por plazo, el que vence primero arriba. Filtros: `state`, "
    "`subcategory`, `overdue` (vencidos o dentro del plazo). Para sincronizar un sistema propio: "
    "`updated_since` (instante ISO 8601 con zona) trae solo los casos actualizados desde "
    "entonces, ordenados por fecha de actualización; guarde el `updated_at` más reciente que "
    "recibió y úselo en la próxima consulta. Paginado por cursor: `limit` (por defecto 50, "
    "máximo 500) y `next_cursor`.",
    openapi_extra=doc(r200=docs.CASE_PAGE),
)
def tray(
    request,
    state: State | None = None,
    subcategory: str | None = None,
    overdue: bool | None = None,
    updated_since: Instant | None = None,
    limit: Limit | None = None,
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


EXPORT_CONTENT = {
    "text/csv": {
        "schema": {"type": "string"},
        "example": "\ufeffcodigo,estado,problema_codigo,problema,servicio,canal,numero_servicio,"
        "registrado,trasladado,vence,en_atencion_desde,respondido,resultado,reclamo_estado,"
        "reclamo_codigo,actualizado,vencido\r\nSGU-2026-0000123,FORWARDED,MOV-COB,"
        "Sin cobertura,MOVIL,WEB,987654321,2026-03-02T09:15:00-05:00,"
        "2026-03-02T09:15:01-05:00,2026-03-05T17:30:00-05:00,,,,,,"
        "2026-03-02T09:15:01-05:00,NO\r\n",
    },
    XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
}


# Declared before /cases/{code}: "export" is not a case code.
@router.get(
    "/cases/export",
    response={401: Problem, 422: Problem, 429: Problem},
    summary="Exportar la bandeja (CSV o XLSX)",
    description="La bandeja de la operadora dueña de la clave, completa (sin paginar) y con "
    "los mismos filtros que `GET /operator/cases`, como CSV (UTF-8 con BOM, separado por comas) "
    "o XLSX. Se transmite mientras se genera. Con `updated_since` trae solo los casos "
    "actualizados desde ese instante, ordenados por fecha de actualización: sirve para "
    "sincronizar un sistema propio. Columnas: codigo, estado, problema_codigo, problema, "
    "servicio, canal, numero_servicio, registrado, trasladado, vence, en_atencion_desde, "
    "respondido, resultado, reclamo_estado, reclamo_codigo, actualizado, vencido (SI/NO). "
    "No incluye datos personales del ciudadano (están en el detalle del caso). Cada "
    "exportación queda en la auditoría.",
    openapi_extra={
        "responses": {200: {"description": "El archivo, como adjunto.", "content": EXPORT_CONTENT}}
    },
)
def export_tray(
    request,
    format: Literal["csv", "xlsx"] = "csv",
    state: State | None = None,
    subcategory: str | None = None,
    overdue: bool | None = None,
    updated_since: Instant | None = None,
):

    principal: Principal = request.auth
    filters = {
        "state": state,
        "subcategory": subcategory,
        "overdue": overdue,
        "updated_since": updated_since,
    }
    return tray_export(
        qs=selectors.operator_tray(principal.operator, now=timezone.now(), **filters),
        ordering=["updated_at", "id"] if updated_since else ["due_at", "id"],
        fmt=format,
        operator=principal.operator,
        filters=filters,
        user=principal.user,
        api_key_id=principal.api_key_id,
        request=request,
    )


@router.get(
    "/cases/{code}",
    response={200: OperatorCaseOut, 401: Problem, 404: Problem},
    summary="Un caso de la bandeja (404 si es de otra operadora)",
    description="El caso completo: datos del problema, plazo y cómo se calculó, solución, "
    "calificación, reclamo, adjuntos, historial, las acciones que la operadora puede hacer "
    "ahora (`allowed_actions`) y los datos de contacto del ciudadano. Un caso de otra "
    "operadora, o uno aún no trasladado, responde 404 (nunca 403: no revela que existe).",
    openapi_extra=doc(r200=docs.CASE),
)
def get_case(request, code: str):
    return render(request.auth, code)


@router.post(
    "/cases/{code}/ack",
    response={200: OperatorCaseOut, 401: Problem, 404: Problem, 409: Problem},
    summary="Tomar el caso en atención (IN_PROGRESS)",
    description="Marca que la operadora empezó a atender un caso trasladado (FORWARDED → "
    "IN_PROGRESS). No cambia el plazo. 409 si el caso no está en estado FORWARDED (ya en "
    "atención, vencido, respondido o cerrado).",
    openapi_extra=doc(r200=docs.CASE_IN_PROGRESS),
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
    description="Resultado (`RESOLVED`, `NOT_RESOLVED`, `NOT_APPLICABLE`), respuesta para el "
    "usuario, acciones realizadas, fecha de ejecución (no futura) y responsable. El ciudadano "
    "la recibe por correo y puede calificarla. 409 si el caso no admite respuesta en su estado "
    "actual; 422 con cada campo por corregir.",
    openapi_extra=doc(docs.SOLUTION_IN, r200=docs.CASE_ANSWERED),
)
def solution(request, code: str, payload: SolutionIn):
    principal: Principal = request.auth
    case = selectors.operator_case(principal.operator, code)
    services.record_solution(case=case, data=services.SolutionInput(**payload.dict()), by=principal)
    return render(principal, code)


class ReturnIn(Schema):
    reason: str = Field(max_length=4000, description="Por qué el caso no corresponde.")


@router.post(
    "/cases/{code}/return",
    response={200: OperatorCaseOut, 401: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Devolver un caso que no corresponde a la operadora (RETURNED)",
    description="Para un caso que no es de la operadora (la línea no es suya, el usuario no es "
    "su cliente). El regulador revisa la devolución y reasigna o cierra el caso; se avisa al "
    "ciudadano. 409 si el caso ya fue respondido o cerrado.",
    openapi_extra=doc(docs.RETURN_IN, r200=docs.CASE_RETURNED),
)
def return_case(request, code: str, payload: ReturnIn):
    principal: Principal = request.auth
    case = selectors.operator_case(principal.operator, code)
    services.return_case(case=case, reason=payload.reason, by=principal)
    return render(principal, code)


class ClaimCodeIn(Schema):
    claim_code: str = Field(max_length=40, examples=["R-2026-000123"])


def _claim_out(claim) -> dict:
    return {
        **claim_dict(claim),
        "case_code": claim.case.code,
        "subcategory": claim.case.subcategory.code,
        "holder_name": claim.holder_name,
        "holder_document_type": claim.holder_document_type,
        "holder_document_number": claim.holder_document_number,
        "service_number": claim.service_number,
        "notify_email": claim.notify_email,
    }


@router.get(
    "/claims",
    response={200: ClaimPage, 401: Problem, 422: Problem},
    summary="Reclamos de la operadora (p. ej. los que esperan código)",
    description="Reclamos formales generados por ciudadanos a partir de casos de la "
    "operadora, con los datos del titular que la operadora necesita para registrarlos. "
    "`state=PENDING_CODE`: los que esperan el código de reclamo de la operadora, el que vence "
    "primero arriba (`code_due_at`). Paginado por cursor.",
    openapi_extra=doc(r200=docs.CLAIM_PAGE),
)
def claims(
    request,
    state: ClaimState | None = None,
    limit: Limit | None = None,
    cursor: str | None = None,
):
    principal: Principal = request.auth
    rows, next_cursor = keyset_page(
        selectors.operator_claims(principal.operator, state=state),
        ["code_due_at", "id"],
        cursor,
        clamp_limit(limit),
    )
    return {"items": [_claim_out(c) for c in rows], "next_cursor": next_cursor}


@router.post(
    "/claims/{claim_id}/code",
    response={200: OperatorClaimOut, 401: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Asignar el código de reclamo (CODED)",
    description="El código con que la operadora registró el reclamo en su sistema; único por "
    "operadora (409 si ya lo usó otro reclamo, o si este ya tiene código). Se envía al "
    "ciudadano el código, el formulario en PDF y el plazo legal de resolución.",
    openapi_extra=doc(docs.CLAIM_CODE_IN, r200=docs.CLAIM_CODED),
)
def assign_code(request, claim_id: int, payload: ClaimCodeIn):
    principal: Principal = request.auth
    claim = selectors.operator_claim(principal.operator, claim_id)
    services.assign_claim_code(claim=claim, claim_code=payload.claim_code, by=principal)
    return _claim_out(selectors.operator_claim(principal.operator, claim_id))
