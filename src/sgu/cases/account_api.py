"""The account endpoint whose work crosses into the cases: confirming the email forwards the
cases that waited for it (cases.services.confirm_email)."""

from ninja import Router, Schema
from pydantic import Field

from sgu.cases import services
from sgu.core.schemas import Problem

router = Router(tags=["Cuentas"])


class VerifyIn(Schema):
    token: str = Field(max_length=200)


class VerifyOut(Schema):
    email_verified: bool


@router.post(
    "/accounts/verify-email",
    response={200: VerifyOut, 422: Problem},
    summary="Confirmar el correo con el token recibido",
)
def verify_email(request, payload: VerifyIn):
    services.confirm_email(token=payload.token)
    return {"email_verified": True}
