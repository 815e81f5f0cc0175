"""People made through the real services: citizens, operator agents and admins, regulator
staff, with a known password and second factor."""

from django.test import Client
from django.utils import timezone

from sgu.accounts import services as accounts
from sgu.accounts import totp
from sgu.accounts.models import Role, User

PASSWORD = "Clave.Segura.2026"


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


_seq = iter(range(10_000_000, 99_999_999))


def dni() -> str:
    return f"{next(_seq):08d}"


def make_citizen(*, verified: bool = True, email_addr: str | None = None, **kw):
    number = kw.pop("document_number", None) or dni()
    user = accounts.register_citizen(
        document_type=kw.pop("document_type", "DNI"),
        document_number=number,
        first_name=kw.pop("first_name", "Ana"),
        last_name=kw.pop("last_name", "Pérez Rojas"),
        email=email_addr or f"ciudadano{number}@example.pe",
        phone=kw.pop("phone", "987654321"),
        password=PASSWORD,
        consent=True,
    )
    if verified:
        User.objects.filter(pk=user.pk).update(email_verified_at=timezone.now())
        user.refresh_from_db()
    return user


def make_operator_agent(operator, email_addr: str | None = None):
    return accounts.create_staff_user(
        email=email_addr or f"agente.{operator.code.lower()}.{next(_seq)}@example.pe",
        password=PASSWORD,
        role=Role.OPERATOR_AGENT,
        first_name="Agente",
        last_name=operator.name,
        operator=operator,
    )


def make_regulator(role: str = "REGULATOR_AGENT"):
    return accounts.create_staff_user(
        email=f"orientador.{dni()}@regulador.gob.pe",
        password=PASSWORD,
        role=role,
        first_name="Lucía",
        last_name="Orientadora",
    )


def make_admin(operator):
    return accounts.create_staff_user(
        email=f"admin.{operator.code.lower()}@example.pe",
        password=PASSWORD,
        role=Role.OPERATOR_ADMIN,
        first_name="Admin",
        last_name=operator.name,
        operator=operator,
    )


def enrol_two_factor(user, secret: str = TOTP_SECRET) -> str:
    """Give the user a confirmed authenticator with a known secret; returns the secret."""
    accounts.enrol_known_secret(user=user, secret=secret)
    return secret


def staff_token(user) -> str:
    """A bearer token for a regulator staff member, with the second factor as the API wants
    it. Each call may reuse the current code: the stored step is cleared first (a test-only
    shortcut; the service refuses a code used twice)."""

    enrol_two_factor(user)
    raw, _ = accounts.issue_api_token(
        email=user.email, password=PASSWORD, otp=totp.now_code(TOTP_SECRET)
    )
    return raw


def log_in_with_code(client, user) -> None:
    """Log in through the real pages: password, then the authenticator's code."""

    secret = enrol_two_factor(user)
    response = client.post("/cuenta/ingresar/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response
    assert response["Location"].startswith("/cuenta/verificar/"), response["Location"]
    response = client.post("/cuenta/verificar/", {"code": totp.now_code(secret)})
    assert response.status_code == 302, response.content.decode()


def logged(user) -> Client:
    """A browser session of `user` (the Django test client, already signed in)."""
    web = Client()
    web.force_login(user)
    return web
