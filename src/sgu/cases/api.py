"""Cases — citizen endpoints (API.md)."""

import hmac
from typing import Any

from django.conf import settings
from django.http import FileResponse
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from sgu.accounts.auth import user_auth
from sgu.cases import selectors, services
from sgu.cases.models import Channel
from sgu.cases.schemas import (
    AttachmentOut,
    CaseOut,
    CasePage,
    ClaimOut,
    case_dict,
    claim_dict,
    summary_dict,
)
from sgu.cases.workflow import allowed_actions
from sgu.core.errors import FieldError, Forbidden, ValidationFailed
from sgu.core.idempotency import (
    EarlyAnswer,
    Placeholder,
    replace_text,
    run_idempotent,
    run_idempotent_early,
)
from sgu.core.openapi import validated_response
from sgu.core.pagination import clamp_limit, keyset_page
from sgu.core.principal import Principal
from sgu.core.schemas import Flag, Limit, Problem

router = Router(tags=["Casos — ciudadano"], auth=user_auth)


class CaseIn(Schema):
    operator: str = Field(max_length=20, examples=["CLARO"])
    subcategory: str = Field(max_length=60, examples=["linea-bloqueada-sin-causa"])
    service_number: str = Field(max_length=20, examples=["987654321"])
    description: str = Field(max_length=4000)
    fields: dict[str, Any] = Field(default_factory=dict)


class RatingIn(Schema):
    resolved: Flag
    score: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=2000)


def _citizen(request) -> Principal:
    principal: Principal = request.auth
    if principal.user is None or not principal.user.is_citizen:
        raise Forbidden("Esta operación es para ciudadanos con cuenta en el SGU.")
    return principal


APP_CLIENT_HEADER = "X-SGU-Client"


def _channel(request) -> str:
    """APP for the regulator's registered mobile app (its client id, configured in
    SGU_APP_CLIENT_IDS, in the X-SGU-Client header); WEB for any other API client."""
    client = request.headers.get(APP_CLIENT_HEADER, "").strip()
    if not client:
        return Channel.WEB
    registered = settings.SGU.get("APP_CLIENT_IDS", [])
    if any(hmac.compare_digest(client.encode(), c.encode()) for c in registered):
        return Channel.APP
    raise ValidationFailed.of(
        [FieldError(APP_CLIENT_HEADER, "Cliente no registrado como aplicativo del regulador.")]
    )


def render_case(principal: Principal, code: str) -> dict:
    case = selectors.case_for(principal, code)
    return case_dict(
        case, timezone.now(), actions=allowed_actions(case.state, principal.actor_role)
    )


@router.post(
    "",
    response={201: CaseOut, 400: Problem, 401: Problem, 403: Problem, 409: Problem, 422: Problem},
    summary="Reportar un problema",
    description="Registra el caso con su código correlativo y su plazo. Si el correo del "
    "ciudadano está confirmado, se traslada de inmediato a la operadora. El aplicativo móvil "
    "del regulador se identifica con la cabecera `X-SGU-Client` (su identificador registrado): "
    "sus casos quedan con canal `APP`; un identificador no registrado recibe 422.",
)
def create_case(request, payload: CaseIn):
    principal = _citizen(request)
    channel = _channel(request)

    def answer(case) -> dict:
        # register_case returns the case with all it shows already loaded: no re-read.
        data = case_dict(
            case, timezone.now(), actions=allowed_actions(case.state, principal.actor_role)
        )
        return CaseOut.model_validate(data).model_dump(mode="json")

    def create(early: EarlyAnswer | None) -> tuple[int, dict]:
        if early is None:
            case = services.register_case(
                citizen=principal.user,
                data=services.CaseInput(**payload.dict()),
                by=principal,
                channel=channel,
            )
            return 201, answer(case)
        # With an Idempotency-Key the answer is stored before the case is numbered (not under
        # the year's sequence lock), its provisional code a placeholder for the final one.
        provisional: dict = {}

        def store(case) -> None:
            provisional.update(code=case.code, body=answer(case))
            early.store(
                201, provisional["body"], Placeholder(case.code, "cases.case", case.pk, "code")
            )

        case = services.register_case(
            citizen=principal.user,
            data=services.CaseInput(**payload.dict()),
            by=principal,
            channel=channel,
            before_numbering=store,
        )
        return 201, replace_text(provisional["body"], provisional["code"], case.code)

    status, body = run_idempotent_early(request, f"user:{principal.user_id}", create)
    # The body is CaseOut validated and dumped already (answer(), or the stored answer).
    return validated_response(request, body, status)


@router.get("", response={200: CasePage, 401: Problem, 422: Problem}, summary="Mis casos")
def list_cases(request, limit: Limit | None = None, cursor: str | None = None):
    principal = _citizen(request)
    rows, next_cursor = keyset_page(
        selectors.citizen_cases(principal.user),
        ["-registered_at", "-id"],
        cursor,
        clamp_limit(limit),
    )
    now = timezone.now()
    return {"items": [summary_dict(c, now) for c in rows], "next_cursor": next_cursor}


@router.get("/{code}", response={200: CaseOut, 401: Problem, 404: Problem}, summary="Un caso")
def get_case(request, code: str):
    return render_case(request.auth, code)


@router.post(
    "/{code}/attachments",
    response={
        201: AttachmentOut,
        401: Problem,
        404: Problem,
        409: Problem,
        413: Problem,
        415: Problem,
        422: Problem,
    },
    summary="Adjuntar evidencia (PDF, JPEG o PNG; hasta 10 MB)",
)
def attach(request, code: str, file: File[UploadedFile]):
    principal = _citizen(request)
    case = selectors.citizen_case(principal.user, code)
    # The service decides what is refused and how (413 size, 415 type), as for the web form.
    stored = services.add_attachments(case=case, files=[file], by=principal)[0]
    return Status(
        201,
        {
            "id": stored.pk,
            "name": stored.name,
            "size": stored.size,
            "sha256": stored.sha256,
            "content_type": stored.content_type,
        },
    )


@router.post(
    "/{code}/rating",
    response={200: CaseOut, 401: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Calificar la respuesta de la operadora",
)
def rate(request, code: str, payload: RatingIn):
    principal = _citizen(request)
    case = selectors.citizen_case(principal.user, code)
    services.rate_case(case=case, by=principal, **payload.dict())
    return render_case(principal, code)


class ClaimIn(Schema):
    reason: str = Field(max_length=4000, description="Motivo del reclamo.")
    request: str = Field(default="", max_length=4000, description="Pedido concreto (opcional).")
    score: int | None = Field(
        default=None,
        description="Satisfacción con la respuesta (1 a 5); obligatoria cuando el caso está "
        "atendido y sin calificar: «No estoy conforme» queda como su calificación.",
    )


@router.post(
    "/{code}/claim",
    response={201: ClaimOut, 401: Problem, 404: Problem, 409: Problem, 422: Problem},
    summary="Generar un reclamo formal a partir del caso",
    description="«No estoy conforme»: permitido si la materia es reclamable y no implica la "
    "suspensión de pagos, y el caso está vencido o tiene una respuesta de la operadora "
    "(calificada o no; si no lo está, la no conformidad queda como su calificación con `score`); "
    "una sola vez. 409 con el motivo en otro caso (el mismo que da `claim_refusal` del caso).",
)
def claim(request, code: str, payload: ClaimIn):
    principal = _citizen(request)

    def create() -> tuple[int, dict]:
        case = selectors.citizen_case(principal.user, code)
        row = services.request_claim(case=case, by=principal, **payload.dict())
        return 201, ClaimOut.model_validate(claim_dict(row)).model_dump(mode="json")

    return Status(*run_idempotent(request, f"user:{principal.user_id}", create))


@router.get(
    "/{code}/claim/form.pdf",
    response={200: None, 401: Problem, 404: Problem},
    summary="Formulario del reclamo (PDF)",
    openapi_extra={
        "responses": {
            200: {
                "description": "El formulario del reclamo, en PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def claim_form(request, code: str):
    claim_row = selectors.claim_form_of(request.auth, code)
    return FileResponse(
        claim_row.form_pdf.open("rb"),
        content_type="application/pdf",
        filename=f"reclamo-{code}.pdf",
    )
