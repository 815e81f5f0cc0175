"""Password reset by email: same answer for any address, a single-use link that expires, the
password rules, every other session and API token ended, audit, rate limits."""

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.test import Client

from factories import (
    PASSWORD,
    Mailbox,
    citizen_api,
    enrol_two_factor,
    error_of,
    make_citizen,
    make_regulator,
    text,
)
from sgu.accounts.models import ApiToken
from sgu.core.models import AuditEvent
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

RESET = "/cuenta/recuperar/"
NEW_PASSWORD = "Otra.Clave.Larga.77"


def ask(client, email):
    return client.post(RESET, {"email": email})


def reset_link(mailbox, address) -> str:
    message = mailbox.wait_for(address, "Recupere su contraseña")
    match = re.search(r"http://[^/\s]+(/cuenta/recuperar/[^/\s]+/[^/\s]+/)", Mailbox.text(message))
    assert match, Mailbox.text(message)
    return match.group(1)


def set_password(client, link, password=NEW_PASSWORD, confirmation=None):
    return client.post(
        link,
        {"password": password, "password_confirmation": confirmation or password},
    )


def test_the_login_page_links_to_password_recovery(client):
    assert f'href="{RESET}"' in client.get("/cuenta/ingresar/").content.decode()


def test_full_reset_over_smtp_ends_other_sessions_and_tokens(catalog, mailbox, tasks):
    citizen = make_citizen()
    elsewhere = Client()
    elsewhere.force_login(citizen)
    assert elsewhere.get("/casos/").status_code == 200
    api = citizen_api(citizen)
    assert api.get("/api/v1/cases").status_code == 200

    client = Client()
    response = ask(client, citizen.email.upper())
    assert response["Location"] == "/cuenta/recuperar/enviado/"
    tasks()
    link = reset_link(mailbox, citizen.email)
    assert "vence en 60 minutos" in Mailbox.text(mailbox.wait_for(citizen.email, "Recupere"))

    page = client.get(link)
    assert page.status_code == 200 and "Elija una contraseña nueva" in text(page)
    done = set_password(client, link)
    assert done.status_code == 302 and done["Location"] == "/cuenta/ingresar/"

    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD) and not citizen.check_password(PASSWORD)
    # The other browser is logged out; the API token no longer works.
    assert elsewhere.get("/casos/")["Location"].startswith("/cuenta/ingresar/")
    assert api.get("/api/v1/cases").status_code == 401
    assert ApiToken.objects.filter(user=citizen, revoked_at__isnull=True).count() == 0
    # A notice of the change is sent too.
    tasks()
    mailbox.wait_for(citizen.email, "Su contraseña del SGU cambió")
    # The new password logs in.
    ok = Client().post("/cuenta/ingresar/", {"username": citizen.email, "password": NEW_PASSWORD})
    assert ok.status_code == 302 and ok["Location"] == "/casos/"
    actions = list(
        AuditEvent.objects.filter(target=f"user:{citizen.pk}")
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert "password_reset.requested" in actions and "password_reset.completed" in actions
    completed = AuditEvent.objects.get(action="password_reset.completed")
    assert completed.data == {"api_tokens_revoked": 1}


def test_the_link_works_only_once(catalog, mailbox, tasks):
    citizen = make_citizen()
    client = Client()
    ask(client, citizen.email)
    tasks()
    link = reset_link(mailbox, citizen.email)
    assert set_password(client, link).status_code == 302

    again = Client().get(link)
    assert again.status_code == 400
    assert "El enlace no es válido, ya fue usado o venció" in text(again)
    reuse = set_password(Client(), link, password="Tercera.Clave.99")
    assert reuse.status_code == 400
    citizen.refresh_from_db()
    assert citizen.check_password(NEW_PASSWORD)


def test_an_expired_link_is_refused(catalog, mailbox, tasks, settings):
    citizen = make_citizen()
    ask(Client(), citizen.email)
    tasks()
    link = reset_link(mailbox, citizen.email)
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=later):
        response = set_password(Client(), link)
    assert response.status_code == 400
    assert "venció" in text(response)
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    # Within the hour, the same link still works.
    soon = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 120)
    with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=soon):
        assert set_password(Client(), link).status_code == 302


def test_the_same_answer_whether_the_email_exists_or_not(catalog, mailbox, tasks):
    citizen = make_citizen()
    known = ask(Client(), citizen.email)
    unknown = ask(Client(), "nadie@example.pe")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    tasks()
    assert mailbox.to("nadie@example.pe") == []
    assert OutboundEmail.objects.filter(to="nadie@example.pe").count() == 0
    sent = Client().get("/cuenta/recuperar/enviado/")
    assert "Si el correo que escribió corresponde a una cuenta" in text(sent)


def test_a_malformed_email_is_named_and_nothing_sent(catalog):
    response = ask(Client(), "no-es-correo")
    assert response.status_code == 422
    assert error_of(response, "id_email") == "Ingrese un correo electrónico válido."
    assert OutboundEmail.objects.count() == 0


def test_the_new_password_follows_the_rules(catalog, mailbox, tasks):
    citizen = make_citizen()
    ask(Client(), citizen.email)
    tasks()
    link = reset_link(mailbox, citizen.email)
    client = Client()
    short = set_password(client, link, password="abc")
    assert short.status_code == 422
    assert "demasiado corta" in error_of(short, "id_password")
    mismatch = set_password(client, link, confirmation="Otra.Cosa.Distinta.1")
    assert mismatch.status_code == 422
    assert error_of(mismatch, "id_password_confirmation") == "Las contraseñas no coinciden."
    citizen.refresh_from_db()
    assert citizen.check_password(PASSWORD)
    # The link was not used up by the refusals.
    assert set_password(client, link).status_code == 302


def test_at_most_three_emails_an_hour_per_address(catalog, mailbox, tasks):
    citizen = make_citizen()
    for _ in range(5):
        assert ask(Client(), citizen.email)["Location"] == "/cuenta/recuperar/enviado/"
    assert OutboundEmail.objects.filter(to=citizen.email, template="password_reset").count() == 3


def test_the_form_is_rate_limited_per_address(catalog, settings):
    limits = {**settings.SGU["RATE_LIMITS"], "auth": (2, 60)}
    settings.SGU = {**settings.SGU, "RATE_LIMITS": limits}
    client = Client(REMOTE_ADDR="10.9.9.9")
    assert ask(client, "a@example.pe").status_code == 302
    assert ask(client, "b@example.pe").status_code == 302
    refused = ask(client, "c@example.pe")
    assert refused.status_code == 429


def test_staff_still_need_their_code_after_a_reset(catalog, mailbox, tasks):

    regulator = make_regulator()
    enrol_two_factor(regulator)
    ask(Client(), regulator.email)
    tasks()
    set_password(Client(), reset_link(mailbox, regulator.email))
    client = Client()
    r = client.post("/cuenta/ingresar/", {"username": regulator.email, "password": NEW_PASSWORD})
    assert r["Location"].startswith("/cuenta/verificar/")


def test_empty_posts_get_spanish_errors_never_a_500(catalog):
    anonymous = Client()
    for path, field, message in (
        (RESET, "id_email", "Ingrese un correo electrónico válido."),
        (
            "/cuenta/confirmar/",
            "id_token",
            "El enlace de confirmación no es válido o ya fue usado.",
        ),
    ):
        response = anonymous.post(path, {})
        assert response.status_code == 422, path
        assert error_of(response, field) == message, path
