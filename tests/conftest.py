"""Shared fixtures: a real SMTP server, the demo catalog, factories and API clients."""

import email
import email.policy
import json
import os
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from unittest import mock

import hypothesis
import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.test import Client

from sgu.accounts import services as accounts
from sgu.accounts.models import Role
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Office, Operator

PASSWORD = "Clave.Segura.2026"

# Property tests check laws, not speed: on a shared 2-core machine generation can be slow and
# one example can take long, which must not fail a test.
hypothesis.settings.register_profile(
    "sgu", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("sgu")


# --- the clock ---------------------------------------------------------------------------
#
# Time is an input: no test may pass or fail by the hour the suite runs. Every test runs with
# the clock stopped at one Lima instant — by default a plain Wednesday morning, or the one
# `SGU_TEST_NOW` names (.ci/run replays the time-sensitive tests at a Saturday evening, the
# cut-off, a holiday, New Year…). `SGU_TEST_NON_WORKING` names days the administrator has
# declared non-working (CalendarDay rows) in every test that has a database.
# The clock does not tick: a test that needs time to pass moves it (`clock.shift(...)`).

DEFAULT_NOW = "2026-11-25T10:00:00"  # Wednesday, a business day, before the 17:00 cut-off


def pinned_now() -> datetime:
    from sgu.core.calendar import LIMA

    value = datetime.fromisoformat(os.environ.get("SGU_TEST_NOW") or DEFAULT_NOW)
    return value if value.tzinfo else value.replace(tzinfo=LIMA)


def declared_non_working_days() -> list[date]:
    raw = os.environ.get("SGU_TEST_NON_WORKING", "")
    return [date.fromisoformat(d.strip()) for d in raw.split(",") if d.strip()]


@pytest.fixture(autouse=True)
def clock(request):
    """The one clock of the suite (time-machine); the traveller lets a test move it."""
    with time_machine.travel(pinned_now(), tick=False) as traveller:
        days = declared_non_working_days()
        # A django_db marker has set the database up already (pytest-django's own autouse
        # fixture runs first); a db fixture is set up here, before the rows are written.
        has_db = request.node.get_closest_marker("django_db") is not None
        for name in ("transactional_db", "db"):
            if days and not has_db and name in request.fixturenames:
                request.getfixturevalue(name)
                has_db = True
        if days and has_db:
            from sgu.core.models import CalendarDay

            for day in days:
                CalendarDay.objects.get_or_create(
                    date=day, defaults={"reason": "Día no laborable decretado (pruebas)"}
                )
        yield traveller


# --- every test ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """PBKDF2 at production strength costs ~0.3 s per hash; the tests hash a lot."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def reference_read_each_time(settings):
    """Tests write catalog and calendar rows straight through the ORM (no admin, no stamp
    bump), and roll them back: each use reads the tables. tests/core/test_reference.py turns
    the per-process cache of core/reference.py on."""
    settings.SGU = {**settings.SGU, "REFERENCE_CACHE": False}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Evidence and claim forms go to a throw-away folder, never to the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# Every link the platform writes into an email, a receipt or a PDF must lead to a page.
_LINK = re.compile(r"https?://[^\s<>\"'«»]+")


def assert_links_resolve(text: str, base: str | None = None) -> list[str]:
    """Every http(s) link of this site in the text resolves to a view (no 404); returns them."""
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.urls import Resolver404, resolve

    site = urlsplit(base or settings.SITE_URL)
    found = []
    for url in _LINK.findall(text):
        url = url.rstrip(".,;:)")
        parts = urlsplit(url)
        if parts.netloc != site.netloc:
            continue
        try:
            match = resolve(parts.path)
        except Resolver404:
            raise AssertionError(f"{url} leads to no page (404)") from None
        # The admin's catch-all answers any path under /admin/ (with a 404 or a redirect).
        assert match.url_name or match.namespace != "admin", f"{url} leads to no page"
        found.append(url)
    return found


@pytest.fixture(autouse=True)
def email_links_resolve(monkeypatch):
    """Every email any test renders: its links resolve (a wrong path fails the test)."""
    from sgu.notifications import services

    original = services._render

    def render(spec):
        email = original(spec)
        assert_links_resolve(email.body_text)
        return email

    monkeypatch.setattr(services, "_render", render)


# The second factor (TOTP). Django's force_login skips the password; in these tests it skips
# the second factor too, so a test about a page needs one line to be signed in. Tests of the
# second factor itself log in through the real pages (tests/accounts/test_two_factor.py).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def force_login_passes_second_factor(monkeypatch):
    from sgu.accounts.middleware import SESSION_KEY, VERIFIED

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        session = self.session
        session[SESSION_KEY] = VERIFIED
        session.save()

    monkeypatch.setattr(Client, "force_login", force_login)


def enrol_two_factor(user, secret: str = TOTP_SECRET) -> str:
    """Give the user a confirmed authenticator with a known secret; returns the secret."""
    accounts.enrol_known_secret(user=user, secret=secret)
    return secret


def staff_token(user) -> str:
    """A bearer token for a regulator staff member, with the second factor as the API wants
    it. Each call may reuse the current code: the stored step is cleared first (a test-only
    shortcut; the service refuses a code used twice)."""
    from sgu.accounts import totp

    enrol_two_factor(user)
    raw, _ = accounts.issue_api_token(
        email=user.email, password=PASSWORD, otp=totp.now_code(TOTP_SECRET)
    )
    return raw


def log_in_with_code(client, user) -> None:
    """Log in through the real pages: password, then the authenticator's code."""
    from sgu.accounts import totp

    secret = enrol_two_factor(user)
    response = client.post("/cuenta/ingresar/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response
    assert response["Location"].startswith("/cuenta/verificar/"), response["Location"]
    response = client.post("/cuenta/verificar/", {"code": totp.now_code(secret)})
    assert response.status_code == 302, response.content.decode()


# --- a real SMTP server ---------------------------------------------------------------------


@dataclass
class Mailbox:
    """Messages the platform really sent over SMTP, parsed."""

    messages: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
        return "250 OK"

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()

    def to(self, address: str) -> list:
        with self.lock:
            return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, subject_contains: str = "", timeout: float = 10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for m in self.to(address):
                if subject_contains in str(m["Subject"]):
                    return m
            time.sleep(0.05)
        raise AssertionError(f"no llegó correo a {address} con asunto «{subject_contains}»")

    @staticmethod
    def text(msg) -> str:
        part = msg.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield box, controller.port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server, settings):
    """Route the platform's email to the real local SMTP server; returns its Mailbox."""
    box, port = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    box.clear()
    return box


def run_tasks() -> None:
    """Run every queued background task (emails…) with the real worker, then return.

    The worker calls close_old_connections(), which closes a connection whose autocommit is
    off — as it is inside a test's transaction. SQLite's in-memory test database ignores
    that; PostgreSQL's connection would really close. Inside a test it must stay open.
    """
    with (
        mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"),
        mock.patch("sgu.core.worker.close_old_connections"),
    ):
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.fixture
def tasks():
    return run_tasks


# --- data --------------------------------------------------------------------------------------


@pytest.fixture
def catalog(db):
    load_reference_data()


@pytest.fixture
def office(catalog):
    return Office.objects.get(code="LIMA-SEDE")


@pytest.fixture
def claro(catalog):
    return Operator.objects.get(code="CLARO")


@pytest.fixture
def movistar(catalog):
    return Operator.objects.get(code="MOVISTAR")


_seq = iter(range(10_000_000, 99_999_999))


def dni() -> str:
    return f"{next(_seq):08d}"


def make_citizen(*, verified: bool = True, email_addr: str | None = None, **kw):
    from django.utils import timezone

    from sgu.accounts.models import User

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


@pytest.fixture
def citizen(catalog):
    return make_citizen()


@pytest.fixture
def other_citizen(catalog):
    return make_citizen()


def make_operator_agent(operator, email_addr: str | None = None):
    return accounts.create_staff_user(
        email=email_addr or f"agente.{operator.code.lower()}.{next(_seq)}@example.pe",
        password=PASSWORD,
        role=Role.OPERATOR_AGENT,
        first_name="Agente",
        last_name=operator.name,
        operator=operator,
    )


@pytest.fixture
def claro_agent(claro):
    return make_operator_agent(claro)


@pytest.fixture
def movistar_agent(movistar):
    return make_operator_agent(movistar)


# --- API clients ------------------------------------------------------------------------------


class Api:
    """A JSON client with a bearer token."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, extra):
        h = {}
        if self.token:
            h["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        h.update(extra)
        return h

    def get(self, path, **extra):
        return self.client.get(path, **self._headers(extra))

    def post(self, path, data=None, raw: str | None = None, **extra):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(path, body, content_type="application/json", **self._headers(extra))

    def upload(self, path, file, **extra):
        return self.client.post(path, {"file": file}, **self._headers(extra))


@pytest.fixture
def anon_api():
    return Api()


def citizen_api(user) -> Api:
    raw, _ = accounts.issue_api_token(email=user.email, password=PASSWORD)
    return Api(raw)


def operator_api(operator) -> Api:
    raw, _ = accounts.create_operator_key(operator=operator, name="pruebas")
    return Api(raw)


@pytest.fixture
def api(citizen):
    return citizen_api(citizen)


@pytest.fixture
def claro_api(claro):
    return operator_api(claro)


@pytest.fixture
def movistar_api(movistar):
    return operator_api(movistar)


def case_payload(**overrides) -> dict:
    payload = {
        "operator": "CLARO",
        "subcategory": "recarga-no-acreditada",
        "service_number": "987654321",
        "description": "Recargué 10 soles en una bodega y el saldo no llegó.",
        "fields": {
            "monto_recarga": "10",
            "fecha_recarga": "2026-01-15",
            "medio_recarga": "Bodega o agente",
        },
    }
    payload.update(overrides)
    return payload
