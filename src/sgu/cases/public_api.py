"""The public status lookup of a case over the API, without an account. Mounted at /public."""

from datetime import datetime

from django.conf import settings
from ninja import Router, Schema
from pydantic import Field

from sgu.cases.public_selectors import explain_state, public_case_status
from sgu.cases.workflow import State
from sgu.core.ratelimit import limit_by_ip
from sgu.core.schemas import Problem

router = Router()
TAG = ["Casos — consulta pública"]


class CaseStatusOut(Schema):
    code: str
    state: str = Field(description="Estado del caso (REGISTERED, FORWARDED, … CLOSED).")
    state_label: str = Field(description="El estado en palabras.")
    state_explanation: str = Field(description="Qué significa ese estado para el usuario.")
    operator: str = Field(description="Código de la operadora.")
    operator_name: str
    registered_at: datetime
    due_at: datetime | None = Field(description="Vencimiento del plazo; nulo si aún no corre.")


def limit_lookups(request) -> None:
    """Per IP, against enumeration of codes and documents (RateLimited → 429)."""
    limits = settings.SGU["RATE_LIMITS"]
    if not limits.get("ENABLED", True):
        return
    limit, window = limits.get("case_lookup", (10, 60))
    limit_by_ip(request, "case-lookup", limit=limit, window=window)


@router.get(
    "/cases/{code}/status",
    auth=None,
    tags=TAG,
    response={200: CaseStatusOut, 404: Problem, 422: Problem, 429: Problem},
    url_name="public_case_status",
    summary="Estado de un caso (código del caso + documento del ciudadano)",
    description="404 salvo que el código del caso y el número de documento de quien lo "
    "registró coincidan, con el mismo mensaje sea cual sea el dato que no coincide. "
    "Limitado por IP (429 con Retry-After).",
)
def case_status(request, code: str, document_number: str = ""):
    limit_lookups(request)
    case = public_case_status(code, document_number)
    return {
        "code": case.code,
        "state": case.state,
        "state_label": State(case.state).label,
        "state_explanation": explain_state(case.state),
        "operator": case.operator.code,
        "operator_name": case.operator.name,
        "registered_at": case.registered_at,
        "due_at": case.due_at,
    }
