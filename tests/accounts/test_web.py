"""Register, confirm the email (the link really received over SMTP), log in and out."""

import re

import pytest

from factories import (
    PASSWORD,
    TOTP_SECRET,
    Mailbox,
    enrol_two_factor,
    error_of,
    make_citizen,
    make_operator_agent,
    registration_form,
    text,
)
from sgu.accounts import totp
from sgu.accounts.models import EmailToken, User
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

REGISTER = "/cuenta/registro/"


def confirm_link(message) -> str:

    body = Mailbox.text(message)
    match = re.search(r"https?://[^\s]+/cuenta/confirmar/([A-Za-z0-9_\-]+)/", body)
    assert match, body
    return match.group(0)


def test_register_page_shows_every_field_with_a_label_and_the_consent_text(client):
    from sgu.accounts.services import CONSENT_TEXT

    response = client.get(REGISTER)

    assert response.status_code == 200
    html = response.content.decode()
    for field in (
        "document_type",
        "document_number",
        "first_name",
        "last_name",
        "email",
        "phone",
        "password",
        "password_confirmation",
        "consent",
    ):
        assert f'for="id_{field}"' in html, field
        assert f'id="id_{field}"' in html, field
    assert CONSENT_TEXT in text(response)
    assert 'type="email"' in html and 'type="tel"' in html and 'type="password"' in html


def test_register_with_bad_input_shows_every_error_in_spanish_and_creates_nothing(client):
    response = client.post(
        REGISTER,
        registration_form(
            document_number="1234",
            first_name="",
            email="no-es-correo",
            phone="12345",
            password="123",
            password_confirmation="124",
            consent="",
        ),
    )

    assert response.status_code == 422
    assert "DNI tiene 8 dígitos" in error_of(response, "id_document_number")
    assert error_of(response, "id_first_name") == "Ingrese sus nombres."
    assert "correo electrónico válido" in error_of(response, "id_email")
    assert error_of(response, "id_phone")
    assert error_of(response, "id_password")
    assert error_of(response, "id_password_confirmation") == "Las contraseñas no coinciden."
    assert "Debe aceptar" in error_of(response, "id_consent")
    # The summary at the top links to each field.
    html = response.content.decode()
    assert "data-error-summary" in html
    assert 'href="#id_document_number"' in html and 'href="#id_consent"' in html
    assert 'aria-invalid="true"' in html
    # What was typed stays (except passwords); nothing was written.
    assert 'value="Quispe Mamani"' in html
    assert PASSWORD not in html
    assert User.objects.count() == 0
    assert EmailToken.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_register_a_taken_email_or_document_is_shown_on_the_field(client, catalog):
    make_citizen(email_addr="rosa.quispe@example.pe", document_number="45678912")

    response = client.post(REGISTER, registration_form())

    assert response.status_code == 422
    assert error_of(response, "id_email") == "Ya existe una cuenta con este correo."
    assert error_of(response, "id_document_number") == "Ya existe una cuenta con este documento."
    assert User.objects.count() == 1


def test_register_sends_a_confirmation_link_that_works_once_and_only_once(
    client, mailbox, tasks, catalog
):
    response = client.post(REGISTER, registration_form())

    assert response.status_code == 302
    assert response["Location"] == "/cuenta/registro/listo/"
    done = client.get(response["Location"])
    assert "Revise su correo" in text(done)
    assert "rosa.quispe@example.pe" in text(done)
    user = User.objects.get(email="rosa.quispe@example.pe")
    assert user.is_citizen and not user.email_verified
    assert int(client.session["_auth_user_id"]) == user.pk  # logged in

    tasks()
    message = mailbox.wait_for("rosa.quispe@example.pe", "Confirme su correo")
    link = confirm_link(message)
    path = link.split("://", 1)[1].split("/", 1)[1]
    path = "/" + path

    # Opening the link (or a mail scanner prefetching it) does not use the token up.
    for _ in range(2):
        page = client.get(path)
        assert page.status_code == 200
        assert "Confirmar mi correo" in text(page)
    user.refresh_from_db()
    assert not user.email_verified

    confirmed = client.post(path)
    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/casos/"
    user.refresh_from_db()
    assert user.email_verified
    assert "Confirmamos su correo" in text(client.get("/casos/"))

    again = client.post(path)
    assert again.status_code == 400
    assert "no es válido o ya fue usado" in text(again)


def test_confirm_by_pasting_the_code_or_the_link(client, catalog):
    user = make_citizen(verified=False)
    body = OutboundEmail.objects.get(to=user.email, template="confirm_email").body_text
    link = re.search(r"http\S+/cuenta/confirmar/\S+/", body).group(0)

    bad = client.post("/cuenta/confirmar/", {"token": "no-sirve"})
    assert bad.status_code == 422
    assert "no es válido o ya fue usado" in error_of(bad, "id_token")
    assert not User.objects.get(pk=user.pk).email_verified

    ok = client.post("/cuenta/confirmar/", {"token": f"  {link}  "})
    assert ok.status_code == 302
    assert ok["Location"] == "/cuenta/ingresar/"  # not logged in: go log in
    user.refresh_from_db()
    assert user.email_verified


def test_resend_confirmation_when_unverified_and_a_message_when_already_verified(
    client, mailbox, tasks, catalog
):
    user = make_citizen(verified=False)
    client.force_login(user)
    tasks()
    mailbox.clear()

    response = client.post("/cuenta/reenviar-confirmacion/", {"next": "/casos/"})
    assert response.status_code == 302 and response["Location"] == "/casos/"
    tasks()
    assert mailbox.wait_for(user.email, "Confirme su correo")

    verified = make_citizen()
    client.force_login(verified)
    response = client.post("/cuenta/reenviar-confirmacion/", follow=True)
    assert "Su correo ya está confirmado." in text(response)


def test_resend_refuses_a_get_and_an_open_redirect(client, catalog):
    user = make_citizen(verified=False)
    client.force_login(user)
    assert client.get("/cuenta/reenviar-confirmacion/").status_code == 405
    response = client.post("/cuenta/reenviar-confirmacion/", {"next": "https://malo.example/"})
    assert response["Location"] == "/casos/"


def test_login_with_a_wrong_password_says_so_in_spanish(client, catalog):
    user = make_citizen()

    response = client.post("/cuenta/ingresar/", {"username": user.email, "password": "otra"})

    assert response.status_code == 200
    assert "Correo o contraseña incorrectos" in text(response)
    assert "_auth_user_id" not in client.session


def test_login_sends_a_citizen_to_my_cases_and_an_agent_to_the_tray(client, claro):
    citizen = make_citizen()
    agent = make_operator_agent(claro)

    response = client.post(
        "/cuenta/ingresar/", {"username": citizen.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/casos/"

    client.post("/cuenta/salir/")
    enrol_two_factor(agent)
    response = client.post("/cuenta/ingresar/", {"username": agent.email, "password": PASSWORD})
    # Operator users give their second factor first, then land on the tray.
    assert response["Location"] == "/cuenta/verificar/?next=%2Foperadora%2Fbandeja%2F"
    response = client.post(
        "/cuenta/verificar/", {"code": totp.now_code(TOTP_SECRET), "next": "/operadora/bandeja/"}
    )
    assert response.status_code == 302 and response["Location"] == "/operadora/bandeja/"


def test_login_goes_back_to_the_page_asked_for(client, catalog):
    citizen = make_citizen()
    asked = client.get("/casos/nuevo/")
    assert asked.status_code == 302
    assert asked["Location"] == "/cuenta/ingresar/?next=/casos/nuevo/"

    response = client.post(
        asked["Location"],
        {"username": citizen.email, "password": PASSWORD, "next": "/casos/nuevo/"},
    )
    assert response["Location"] == "/casos/nuevo/"


def test_logout_is_a_post(client, catalog):
    client.force_login(make_citizen())

    assert client.get("/cuenta/salir/").status_code == 405
    response = client.post("/cuenta/salir/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" not in client.session
