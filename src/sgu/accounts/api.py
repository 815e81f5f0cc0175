from datetime import datetime
from typing import Annotated

from ninja import Router, Schema, Status
from pydantic import Field, WithJsonSchema

from sgu.accounts import services
from sgu.accounts.auth import UserToken
from sgu.accounts.models import ApiToken
from sgu.core.errors import Unauthorized
from sgu.core.idempotency import run_idempotent
from sgu.core.identity import DOCUMENT_TYPE_MESSAGE, DocumentType
from sgu.core.ratelimit import client_ip
from sgu.core.schemas import NOT_BLANK, Flag, Problem, refused_as

router = Router(tags=["Cuentas"])


class AccountIn(Schema):
    document_type: Annotated[DocumentType, refused_as(DOCUMENT_TYPE_MESSAGE)] = Field(
        examples=["DNI"]
    )
    document_number: str = Field(max_length=20, examples=["45678912"])
    # Not only blanks: the service refuses them with its own message (as on the web).
    first_name: str = Field(
        max_length=150, examples=["Rosa"], json_schema_extra={"pattern": NOT_BLANK}
    )
    last_name: str = Field(
        max_length=150, examples=["Quispe Mamani"], json_schema_extra={"pattern": NOT_BLANK}
    )
    email: str = Field(max_length=254, examples=["rosa@example.pe"])
    phone: str = Field(max_length=20, examples=["987654321"])
    password: str = Field(max_length=128)
    # Only `true` registers: the service refuses `false` with its own message (as on the web).
    consent: Annotated[Flag, WithJsonSchema({"type": "boolean", "enum": [True]})] = Field(
        description="Aceptación explícita del tratamiento de datos (Ley 29733): `true`."
    )


class AccountOut(Schema):
    id: int
    email: str
    email_verified: bool


class TokenIn(Schema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=128)
    otp: str | None = Field(
        None,
        max_length=12,
        description="Código de 6 dígitos de la aplicación de autenticación. Obligatorio para "
        "el personal del regulador (que debe tenerla configurada en la web) y para los "
        "ciudadanos que activaron la verificación en dos pasos. Cada código sirve una vez.",
        examples=["123456"],
    )


class TokenOut(Schema):
    token: str
    expires_at: datetime


@router.post(
    "/accounts",
    response={201: AccountOut, 409: Problem, 422: Problem},
    summary="Registrar una cuenta de ciudadano",
    description="Crea la cuenta y envía un correo con el enlace de confirmación (un solo uso, "
    "vence en 48 horas). Los casos se trasladan a la operadora cuando el correo se confirma. "
    "Admite `Idempotency-Key`.",
)
def register(request, payload: AccountIn):
    def create() -> tuple[int, dict]:
        user = services.register_citizen(**payload.dict())
        return 201, {"id": user.pk, "email": user.email, "email_verified": user.email_verified}

    # Anonymous: one scope for every registration (clients send a random key, e.g. a UUID).
    return Status(*run_idempotent(request, "accounts:register", create))


@router.post(
    "/auth/token",
    response={200: TokenOut, 401: Problem, 429: Problem},
    summary="Obtener un token de acceso (ciudadanos y personal del regulador)",
    description="Tras 5 intentos fallidos para una cuenta (o 30 desde una dirección) en 15 "
    "minutos, responde 429 con `Retry-After` hasta que pase la ventana. Quien usa "
    "verificación en dos pasos envía también `otp`; un código errado cuenta como intento "
    "fallido. Los códigos de recuperación solo sirven en la web.",
)
def token(request, payload: TokenIn):

    raw, row = services.issue_api_token(
        email=payload.email,
        password=payload.password,
        otp=payload.otp,
        ip=client_ip(request),
        request=request,
    )
    return {"token": raw, "expires_at": row.expires_at}


@router.delete(
    "/auth/token",
    response={204: None, 401: Problem},
    summary="Revocar el token con el que se llama",
)
def revoke_token(request):

    header = request.headers.get("Authorization", "")
    raw = header[7:].strip() if header.lower().startswith("bearer ") else ""
    if UserToken().authenticate(request, raw) is None:
        raise Unauthorized("Envíe un token válido en la cabecera Authorization: Bearer <token>.")
    services.revoke_api_token(token=ApiToken.objects.get(token_hash=services.token_hash(raw)))
    return Status(204, None)
