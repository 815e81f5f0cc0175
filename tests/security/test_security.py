"""Account security: brute-force lockout, rate limits (429 problem+json), security headers
and CSP, idle sessions, the audit trail, redacted logs and `check --deploy`."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from factories import PASSWORD, Api, make_citizen, operator_api
from sgu.core.logging import RedactFilter, redact
from sgu.core.models import AuditEvent

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def web_login(client, email, password):
    return client.post("/cuenta/ingresar/", {"username": email, "password": password})


def test_account_locks_after_5_failures_even_with_the_right_password(catalog):
    user = make_citizen()
    web = Client()
    for _ in range(5):
        assert web_login(web, user.email, "mala-clave").status_code == 200
    response = web_login(web, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Demasiados intentos fallidos" in response.content.decode()
    assert "_auth_user_id" not in web.session
    # The API's token endpoint honours the same lock.
    api = Api()
    r = api.post("/api/v1/auth/token", {"email": user.email, "password": PASSWORD})
    assert r.status_code == 429 and r["Content-Type"] == "application/problem+json"
    assert int(r["Retry-After"]) > 0
    # Another account from another address is not affected.
    other = make_citizen()
    assert web_login(Client(REMOTE_ADDR="10.1.1.1"), other.email, PASSWORD).status_code == 302


def test_ip_is_locked_after_many_failures_on_different_accounts(catalog, settings):
    settings.SGU = {**settings.SGU, "LOGIN_MAX_FAILURES_IP": 3}
    web = Client(REMOTE_ADDR="10.9.9.9")
    for i in range(3):
        web_login(web, f"nadie{i}@example.pe", "x-clave-mala")
    user = make_citizen()
    assert web_login(web, user.email, PASSWORD).status_code == 429
    assert web_login(Client(REMOTE_ADDR="10.9.9.8"), user.email, PASSWORD).status_code == 302


def test_logins_and_failures_are_audited_without_the_password(catalog):
    user = make_citizen()
    web_login(Client(), user.email, "clave-equivocada-123")
    web_login(Client(), user.email, PASSWORD)
    actions = list(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert sorted(actions) == ["login", "login.failed"]
    for event in AuditEvent.objects.all():
        assert "clave-equivocada" not in str(event.data) and PASSWORD not in str(event.data)
    assert AuditEvent.objects.get(action="login").ip == "127.0.0.1"


# Records written only through the services and kept forever: the admin only shows them.
KEPT_FOREVER = [
    "core.AuditEvent",
    "accounts.CorrectionRequest",
    "attention.Query",
    "attention.Escalation",
    "attention.AttentionEvent",
    "attention.Survey",
    "knowledge.Article",
    "knowledge.ArticleVersion",
    "knowledge.ReadConfirmation",
    "outages.AttentionPoint",
    "outages.OutageEvent",
    "service_requests.Batch",
    "service_requests.DailyReport",
    "service_requests.ServiceRequest",
    "suggestions.Suggestion",
]


@pytest.mark.parametrize("label", KEPT_FOREVER)
def test_records_kept_forever_are_read_only_in_admin(label):
    from django.apps import apps
    from django.contrib.admin.sites import site

    admin = site._registry[apps.get_model(label)]
    assert not admin.has_add_permission(None)
    assert not admin.has_change_permission(None)
    assert not admin.has_delete_permission(None)


def test_public_endpoints_answer_429_problem_json(catalog, settings):
    settings.SGU = {
        **settings.SGU,
        "RATE_LIMITS": {**settings.SGU["RATE_LIMITS"], "public": (3, 60)},
    }
    api = Api()
    codes = [
        api.get("/api/v1/public/cases/SGU-2026-0000001/status?document_number=1").status_code
        for _ in range(4)
    ]
    assert codes[:3] == [404, 404, 404] and codes[3] == 429
    r = api.get("/api/v1/public/cases/SGU-2026-0000001/status?document_number=1")
    body = r.json()
    assert r["Content-Type"] == "application/problem+json"
    assert body["status"] == 429 and body["title"] == "Demasiadas solicitudes"
    assert "Retry-After" in r


def test_api_key_rate_limit_is_per_key(claro, settings):

    settings.SGU = {
        **settings.SGU,
        "RATE_LIMITS": {**settings.SGU["RATE_LIMITS"], "api_key": (2, 60)},
    }
    a, b = operator_api(claro), operator_api(claro)
    assert [a.get("/api/v1/operator/cases").status_code for _ in range(3)] == [200, 200, 429]
    assert b.get("/api/v1/operator/cases").status_code == 200


def test_security_headers_and_strict_csp_on_pages(catalog):
    r = Client().get("/cuenta/ingresar/")
    csp = r["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert r["X-Frame-Options"] == "DENY"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Referrer-Policy"] == "same-origin"
    # Narrow exceptions: only the admin and the API docs allow inline styles.
    assert (
        "style-src 'self' 'unsafe-inline'"
        in Client().get("/api/v1/docs")["Content-Security-Policy"]
    )
    assert "script-src 'self';" in Client().get("/api/v1/docs")["Content-Security-Policy"]
    assert (
        "unsafe-inline" not in Client().get("/api/v1/catalog/operators")["Content-Security-Policy"]
    )


def test_hsts_and_secure_cookies_over_https(catalog, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SESSION_COOKIE_SECURE = True
    r = Client().get("/", secure=True)
    assert r["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "Strict-Transport-Security" not in Client().get("/")


def test_admin_login_goes_through_the_platform_login(catalog):
    r = Client().get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/cuenta/ingresar/")


def test_idle_session_expires(catalog, settings):
    user = make_citizen()
    web = Client()
    web.force_login(user)
    assert web.get("/casos/").status_code == 200
    session = web.session
    session["sgu_seen"] -= settings.SESSION_IDLE_SECONDS + 5
    session.save()
    r = web.get("/casos/")
    assert r.status_code == 302 and "/cuenta/ingresar/" in r["Location"]


def test_logs_hide_passwords_tokens_and_document_numbers():
    line = redact(
        "login password=Secreta.123 token: abcDEF123 Authorization: Bearer sgu_xyzXYZ123456 "
        'dni 45678912 ruc 20100017491 caso SGU-2026-0000123 {"password": "otra"}'
    )
    for secret in (
        "Secreta.123",
        "abcDEF123",
        "sgu_xyzXYZ123456",
        "45678912",
        "20100017491",
        '"otra"',
    ):
        assert secret not in line
    assert "*****912" in line and "SGU-2026-0000123" in line

    # The configured handler applies the filter to every record, whatever the logger.
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactFilter) for f in h.filters)
    )
    record = logging.LogRecord(
        "sgu.x",
        logging.INFO,
        __file__,
        1,
        "ciudadano %s con clave password=%s",
        ("45678912", "Hola.123"),
        None,
    )
    assert handler.filter(record)
    message = record.getMessage()
    assert "45678912" not in message and "Hola.123" not in message


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": "x7#" * 20 + "k2P!q9Zr",
        "ALLOWED_HOSTS": "sgu.gob.pe",
        "SGU_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stderr + result.stdout
