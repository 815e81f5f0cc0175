"""Suggestions box (public): anyone may send a suggestion; a citizen's bearer token, when
sent, links it to their account. Rate-limited per IP (429 with Retry-After)."""

from datetime import datetime

from ninja import Router, Schema, Status
from pydantic import Field

from sgu.accounts.auth import user_for_bearer
from sgu.core.errors import Unauthorized
from sgu.core.idempotency import run_idempotent
from sgu.core.schemas import Problem
from sgu.suggestions import selectors, services
from sgu.suggestions.models import SuggestionChannel

router = Router()
TAG = ["Sugerencias"]


class TopicOut(Schema):
    code: str
    name: str


class SuggestionIn(Schema):
    email: str = Field(max_length=254, description="Correo al que se envía la respuesta.")
    text: str = Field(max_length=4000, description="La sugerencia (10 a 4000 caracteres).")
    name: str = Field(default="", max_length=120, description="Nombre (opcional).")
    topic: str = Field(
        default="", max_length=30, description="Código de tema de GET /suggestions/topics."
    )


class AreaOut(Schema):
    code: str
    name: str


class SuggestionOut(Schema):
    code: str = Field(examples=["SUG-2026-000123"])
    state: str = Field(description="RECEIVED (por derivar), ROUTED o ANSWERED.")
    received_at: datetime
    topic: TopicOut | None
    area: AreaOut | None = Field(description="Área responsable, si ya se derivó.")


def _citizen(request):
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    user = user_for_bearer(token) if token else None
    if user is None:
        raise Unauthorized("El token no es válido o venció; envíe la sugerencia sin token.")
    return user


@router.get("/suggestions/topics", auth=None, tags=TAG, response=list[TopicOut])
def topics(request):
    return [{"code": t.code, "name": t.name} for t in selectors.active_topics()]


@router.post(
    "/suggestions",
    auth=None,
    tags=TAG,
    response={201: SuggestionOut, 401: Problem, 409: Problem, 422: Problem, 429: Problem},
    summary="Enviar una sugerencia (sin cuenta)",
    description="Devuelve el código de la sugerencia; se envía un acuse al correo y, luego, "
    "la respuesta del área responsable. Limitado por IP. Admite Idempotency-Key.",
)
def send(request, payload: SuggestionIn):
    services.rate_limit(request)
    citizen = _citizen(request)

    def create() -> tuple[int, dict]:
        s = services.submit_suggestion(
            data=services.SuggestionInput(
                email=payload.email, text=payload.text, name=payload.name, topic=payload.topic
            ),
            channel=SuggestionChannel.API,
            citizen=citizen,
        )
        body = SuggestionOut(
            code=s.code,
            state=s.state,
            received_at=s.received_at,
            topic={"code": s.topic.code, "name": s.topic.name} if s.topic else None,
            area={"code": s.area.code, "name": s.area.name} if s.area else None,
        )
        return 201, body.model_dump(mode="json")

    scope = f"user:{citizen.pk}" if citizen else "suggestions:public"
    return Status(*run_idempotent(request, scope, create))
