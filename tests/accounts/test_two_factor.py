"""Two-factor authentication: TOTP (RFC 6238), enrolment, enforcement on every page, recovery
codes, lockout, the admin and the API token."""

import base64
import re
import time
from unittest import mock

import pytest
from django.test import Client

from factories import (
    PASSWORD,
    TOTP_SECRET,
    Api,
    enrol_two_factor,
    make_citizen,
    make_operator_agent,
    make_regulator,
    text,
)
from sgu.accounts import services, totp
from sgu.accounts.models import RecoveryCode, TwoFactorDevice, User
from sgu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

LOGIN = "/cuenta/ingresar/"
VERIFY = "/cuenta/verificar/"
SETUP = "/cuenta/verificar/configurar/"
STAFF_HOME = "/regulador/"
TRAY = "/operadora/bandeja/"

# --- the algorithm: RFC 6238 appendix B (SHA-1, the 20-byte ASCII secret "1234…890") -------

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("timestamp", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_the_rfc_6238_test_vectors(timestamp, expected):
    assert totp.code_at(RFC_SECRET, timestamp, digits=8) == expected
    # Six-digit codes (what apps show) are the last six digits of the same number.
    assert totp.code_at(RFC_SECRET, timestamp) == expected[-6:]


def test_a_code_is_accepted_one_step_either_side_and_never_twice():
    t = 1111111111  # step 37037037
    step = totp.step_at(t)
    before, now, after = (totp.code_at(RFC_SECRET, t + d * 30) for d in (-1, 0, 1))
    assert totp.matching_step(RFC_SECRET, now, timestamp=t) == step
    assert totp.matching_step(RFC_SECRET, before, timestamp=t) == step - 1
    assert totp.matching_step(RFC_SECRET, after, timestamp=t) == step + 1
    two_steps_old = totp.code_at(RFC_SECRET, t - 60)
    assert totp.matching_step(RFC_SECRET, two_steps_old, timestamp=t) is None
    # Used at `step`: neither it nor an earlier one is accepted again.
    assert totp.matching_step(RFC_SECRET, now, last_step=step, timestamp=t) is None
    assert totp.matching_step(RFC_SECRET, before, last_step=step, timestamp=t) is None
    assert totp.matching_step(RFC_SECRET, after, last_step=step, timestamp=t) == step + 1
    for junk in ("", "12345", "1234567", "abcdef", None):
        assert totp.matching_step(RFC_SECRET, junk, timestamp=t) is None


def test_the_provisioning_link_and_qr_code():
    uri = totp.provisioning_uri("JBSWY3DPEHPK3PXP", "ana@example.pe")
    assert uri == (
        "otpauth://totp/SGU:ana@example.pe?secret=JBSWY3DPEHPK3PXP&issuer=SGU&digits=6&period=30"
    )
    svg = totp.qr_svg(uri)
    assert svg.startswith("<svg") and "style=" not in svg and "<script" not in svg


# --- helpers ------------------------------------------------------------------------------


def password_login(client, user):
    return client.post(LOGIN, {"username": user.email, "password": PASSWORD})


def secret_on_page(response) -> str:
    match = re.search(
        r'<code class="secret" id="totp-secret">([A-Z2-7 ]+)</code>', text_html(response)
    )
    assert match, "la página no muestra la clave"
    return match.group(1).replace(" ", "")


def text_html(response) -> str:
    return response.content.decode()


def audit_actions(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(target=f"user:{user.pk}")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


# --- enrolment ----------------------------------------------------------------------------


def test_staff_without_2fa_are_sent_to_enrol_and_reach_nothing_else(catalog):
    regulator = make_regulator()
    client = Client()

    response = password_login(client, regulator)
    assert response["Location"] == f"{SETUP}?next=%2Fregulador%2F"
    # Every other page, the API through the session, and the admin send back to enrolment.
    for path in (STAFF_HOME, "/regulador/bandeja/", "/admin/", "/", "/casos/"):
        r = client.get(path)
        assert r.status_code == 302 and r["Location"].startswith(SETUP), path
    assert client.get("/api/v1/staff/cases").status_code == 401
    htmx = client.get("/regulador/bandeja/", HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == SETUP

    page = client.get(SETUP + "?next=/regulador/")
    assert page.status_code == 200
    body = text(page)
    assert "Activar la verificación en dos pasos" in body
    assert "<svg" in text_html(page)  # the QR code, drawn on the server
    secret = secret_on_page(page)
    # Reloading shows the same secret (the person may be scanning it).
    assert secret_on_page(client.get(SETUP)) == secret

    wrong = client.post(SETUP, {"code": "000000", "next": "/regulador/"})
    assert wrong.status_code == 422
    assert "El código no es correcto o ya fue usado" in text(wrong)
    assert TwoFactorDevice.objects.get(user=regulator).confirmed_at is None

    done = client.post(SETUP, {"code": totp.now_code(secret), "next": "/regulador/"})
    assert done.status_code == 200
    codes = re.findall(
        r"<li><code>([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})</code></li>", text_html(done)
    )
    assert len(codes) == 10 and len(set(codes)) == 10
    # Only their hashes are kept.
    stored = set(RecoveryCode.objects.filter(user=regulator).values_list("code_hash", flat=True))
    assert len(stored) == 10 and not any(c.replace("-", "") in "".join(stored) for c in codes)
    assert TwoFactorDevice.objects.get(user=regulator).confirmed_at is not None
    assert client.get(STAFF_HOME).status_code == 200
    assert audit_actions(regulator) == ["login", "2fa.failed", "2fa.enrolled"]


def test_setup_cannot_replace_an_active_device_without_the_code(catalog):
    regulator = make_regulator()
    enrol_two_factor(regulator)
    client = Client()
    password_login(client, regulator)
    r = client.get(SETUP)
    assert r.status_code == 302 and r["Location"].startswith(VERIFY)
    assert client.post(SETUP, {"code": totp.now_code(TOTP_SECRET)}).status_code == 302
    assert TwoFactorDevice.objects.get(user=regulator).secret == TOTP_SECRET


# --- enforcement with a device --------------------------------------------------------------


def test_operator_agent_reaches_the_tray_only_after_the_code(claro):
    agent = make_operator_agent(claro)
    enrol_two_factor(agent)
    client = Client()

    response = password_login(client, agent)
    assert response["Location"] == f"{VERIFY}?next=%2Foperadora%2Fbandeja%2F"
    blocked = client.get(TRAY)
    assert (
        blocked.status_code == 302
        and blocked["Location"] == f"{VERIFY}?next=%2Foperadora%2Fbandeja%2F"
    )
    assert client.get("/api/v1/operator/cases").status_code == 401

    response = client.post(VERIFY, {"code": totp.now_code(TOTP_SECRET), "next": TRAY})
    assert response.status_code == 302 and response["Location"] == TRAY
    assert client.get(TRAY).status_code == 200
    assert client.get("/api/v1/operator/cases").status_code == 200


def test_the_same_code_is_not_accepted_twice(claro):
    agent = make_operator_agent(claro)
    enrol_two_factor(agent)
    code = totp.now_code(TOTP_SECRET)
    first, second = Client(), Client()
    password_login(first, agent)
    password_login(second, agent)
    assert first.post(VERIFY, {"code": code}).status_code == 302
    replay = second.post(VERIFY, {"code": code})
    assert replay.status_code == 422
    assert "ya fue usado" in text(replay)
    assert second.get(TRAY).status_code == 302


def test_logging_out_and_in_again_asks_for_a_new_code(claro):
    agent = make_operator_agent(claro)
    enrol_two_factor(agent)
    client = Client()
    password_login(client, agent)
    client.post(VERIFY, {"code": totp.now_code(TOTP_SECRET)})
    assert client.get(TRAY).status_code == 200
    client.post("/cuenta/salir/")
    password_login(client, agent)
    assert client.get(TRAY).status_code == 302


def test_verification_changes_the_session_key(claro):
    agent = make_operator_agent(claro)
    enrol_two_factor(agent)
    client = Client()
    password_login(client, agent)
    before = client.cookies["sessionid"].value
    client.post(VERIFY, {"code": totp.now_code(TOTP_SECRET)})
    assert client.cookies["sessionid"].value != before


# --- recovery codes -------------------------------------------------------------------------


def test_a_recovery_code_works_once(catalog):
    regulator = make_regulator()
    enrol_two_factor(regulator)
    codes = services._new_recovery_codes(regulator)
    client = Client()
    password_login(client, regulator)

    # Typed in lower case, without dashes: still accepted.
    r = client.post(VERIFY, {"code": codes[0].lower().replace("-", " ")}, follow=True)
    assert r.redirect_chain[-1][0] == STAFF_HOME
    assert "le quedan 9" in text(r)

    other = Client()
    password_login(other, regulator)
    again = other.post(VERIFY, {"code": codes[0]})
    assert again.status_code == 422
    assert other.get(STAFF_HOME).status_code == 302
    actions = audit_actions(regulator)
    assert actions.count("2fa.recovery_code_used") == 1
    assert actions[-1] == "2fa.failed"
    used = AuditEvent.objects.get(action="2fa.recovery_code_used")
    assert used.data == {"remaining": 9}


def test_regenerating_recovery_codes_replaces_them(catalog):
    regulator = make_regulator()
    enrol_two_factor(regulator)
    old = services._new_recovery_codes(regulator)
    client = Client()
    client.force_login(regulator)

    wrong = client.post("/cuenta/seguridad/", {"action": "regenerate", "regenerate-code": "123456"})
    assert wrong.status_code == 422 and "El código no es correcto" in text(wrong)
    r = client.post(
        "/cuenta/seguridad/",
        {"action": "regenerate", "regenerate-code": totp.now_code(TOTP_SECRET)},
    )
    assert r.status_code == 200
    new = re.findall(r"<li><code>([A-Z2-9-]{14})</code></li>", text_html(r))
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(user=regulator).count() == 10
    fresh = Client()
    password_login(fresh, regulator)
    assert fresh.post(VERIFY, {"code": old[1]}).status_code == 422
    assert fresh.post(VERIFY, {"code": new[1]}).status_code == 302
    assert "2fa.recovery_codes_regenerated" in audit_actions(regulator)


# --- lockout ---------------------------------------------------------------------------------


def test_wrong_codes_lock_the_account_like_wrong_passwords(claro, settings):
    settings.SGU = {**settings.SGU, "LOGIN_MAX_FAILURES_ACCOUNT": 3}
    agent = make_operator_agent(claro)
    enrol_two_factor(agent)
    client = Client()
    password_login(client, agent)
    right = totp.now_code(TOTP_SECRET)
    wrong = f"{(int(right) + 500000) % 1000000:06d}"
    for _ in range(3):
        assert client.post(VERIFY, {"code": wrong}).status_code == 422
    locked = client.post(VERIFY, {"code": right})
    assert locked.status_code == 429
    assert "Demasiados intentos fallidos" in text(locked)
    assert client.get(TRAY).status_code == 302
    # The password form is locked too (same counter), and the API token as well.
    assert password_login(Client(), agent).status_code == 429
    assert audit_actions(agent).count("2fa.failed") == 3


# --- citizens: optional ------------------------------------------------------------------------


def test_citizens_log_in_without_a_code_until_they_enable_it(catalog):
    citizen = make_citizen()
    client = Client()
    assert password_login(client, citizen)["Location"] == "/casos/"
    assert client.get("/casos/").status_code == 200

    page = client.get("/cuenta/seguridad/")
    assert "Está desactivada" in text(page)
    setup = client.get(SETUP)
    secret = secret_on_page(setup)
    r = client.post(SETUP, {"code": totp.now_code(secret)})
    assert r.status_code == 200 and "Sus códigos de recuperación" in text(r)

    other = Client()
    assert password_login(other, citizen)["Location"] == f"{VERIFY}?next=%2Fcasos%2F"
    assert other.get("/casos/").status_code == 302

    # Turning it off needs a current code (a fresh one: the last was used).
    device = TwoFactorDevice.objects.get(user=citizen)
    later = totp.code_at(secret, time.time() + 30)
    assert (
        client.post(
            "/cuenta/seguridad/", {"action": "disable", "disable-code": "000000"}
        ).status_code
        == 422
    )
    assert TwoFactorDevice.objects.filter(user=citizen).exists()
    r = client.post("/cuenta/seguridad/", {"action": "disable", "disable-code": later})
    assert r.status_code == 302
    assert not TwoFactorDevice.objects.filter(pk=device.pk).exists()
    assert not RecoveryCode.objects.filter(user=citizen).exists()
    assert password_login(Client(), citizen)["Location"] == "/casos/"
    assert {"2fa.enrolled", "2fa.disabled"} <= set(audit_actions(citizen))


def test_staff_cannot_turn_it_off(catalog):
    regulator = make_regulator()
    enrol_two_factor(regulator)
    client = Client()
    client.force_login(regulator)
    assert "Desactivar" not in text(client.get("/cuenta/seguridad/"))
    r = client.post(
        "/cuenta/seguridad/",
        {"action": "disable", "disable-code": totp.now_code(TOTP_SECRET)},
    )
    assert r.status_code == 422
    assert "obligatoria" in text(r)
    assert TwoFactorDevice.objects.filter(user=regulator).exists()


# --- the admin -------------------------------------------------------------------------------


def test_the_admin_login_goes_through_the_code_too(catalog):
    admin = User.objects.create_superuser("admin@regulador.gob.pe", PASSWORD)
    enrol_two_factor(admin)
    client = Client()
    r = client.get("/admin/")
    assert r["Location"].startswith("/admin/login/")
    r = client.post(LOGIN, {"username": admin.email, "password": PASSWORD, "next": "/admin/"})
    assert r["Location"] == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    r = client.post(VERIFY, {"code": totp.now_code(TOTP_SECRET), "next": "/admin/"})
    assert r["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_an_administrator_resets_a_lost_device(catalog):
    admin = User.objects.create_superuser("admin@regulador.gob.pe", PASSWORD)
    agent_user = make_regulator()
    enrol_two_factor(agent_user)
    services._new_recovery_codes(agent_user)
    lost = Client()
    lost.force_login(agent_user)  # verified with the device now lost (maybe stolen)
    assert lost.get("/regulador/").status_code == 200
    client = Client()
    client.force_login(admin)
    r = client.post(
        "/admin/accounts/user/",
        {"action": "reset_two_factor", "_selected_action": [agent_user.pk]},
    )
    assert r.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=agent_user).exists()
    assert not RecoveryCode.objects.filter(user=agent_user).exists()
    event = AuditEvent.objects.get(action="2fa.disabled")
    assert event.actor == admin and event.data == {"reset_by_admin": True}
    assert password_login(Client(), agent_user)["Location"].startswith(SETUP)
    assert lost.get("/regulador/")["Location"].startswith("/cuenta/ingresar/")  # ended
    assert client.get("/admin/").status_code == 200  # the administrator's own session stays


# --- the API token -----------------------------------------------------------------------------


TOKEN = "/api/v1/auth/token"


def test_staff_need_the_code_for_an_api_token(catalog):
    regulator = make_regulator()
    api = Api()
    r = api.post(TOKEN, {"email": regulator.email, "password": PASSWORD})
    assert r.status_code == 401 and "configúrela en la web" in r.json()["detail"]

    enrol_two_factor(regulator)
    r = api.post(TOKEN, {"email": regulator.email, "password": PASSWORD})
    assert r.status_code == 401 and "otp" in r.json()["detail"]
    r = api.post(TOKEN, {"email": regulator.email, "password": PASSWORD, "otp": "000000"})
    assert r.status_code == 401
    assert r.json()["detail"] == "El código de verificación no es correcto o ya fue usado."
    code = totp.now_code(TOTP_SECRET)
    r = api.post(TOKEN, {"email": regulator.email, "password": PASSWORD, "otp": code})
    assert r.status_code == 200, r.content
    assert Api(r.json()["token"]).get("/api/v1/staff/cases").status_code == 200
    # The same code a second time: refused.
    r = api.post(TOKEN, {"email": regulator.email, "password": PASSWORD, "otp": code})
    assert r.status_code == 401
    assert audit_actions(regulator).count("2fa.failed") == 2


def test_citizens_without_2fa_get_a_token_with_the_password_alone(catalog):
    citizen = make_citizen()
    r = Api().post(TOKEN, {"email": citizen.email, "password": PASSWORD})
    assert r.status_code == 200


def test_the_service_refuses_a_used_code_and_takes_the_next_one(claro):
    """The accepted step is stored (under a row lock): the same code fails the second time,
    the next step's code works."""
    agent = make_operator_agent(claro)
    enrol_two_factor(agent)
    device = TwoFactorDevice.objects.get(user=agent)
    code = totp.now_code(TOTP_SECRET)
    assert services._use_totp(device_id=device.pk, code=code) is not None
    assert services._use_totp(device_id=device.pk, code=code) is None
    with mock.patch("time.time", return_value=time.time() + 30):
        assert (
            services._use_totp(
                device_id=device.pk, code=totp.code_at(TOTP_SECRET, time.time() + 30)
            )
            is not None
        )
