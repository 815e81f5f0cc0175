"""Accounts API (docs/api.md "Accounts"): registration, email confirmation, bearer tokens."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from factories import (
    PASSWORD,
    Api,
    NothingWritten,
    field_errors,
    make_citizen,
    make_operator_agent,
    problem_of,
    row_counts,
)
from sgu.accounts.models import ApiToken, EmailToken, User
from sgu.core.models import IdempotencyRecord

REGISTER = "/api/v1/accounts"
VERIFY = "/api/v1/accounts/verify-email"
TOKEN = "/api/v1/auth/token"

pytestmark = pytest.mark.django_db


def account_payload(**overrides) -> dict:
    data = {
        "document_type": "DNI",
        "document_number": "45678912",
        "first_name": "Rosa",
        "last_name": "Quispe Mamani",
        "email": "rosa.quispe@example.pe",
        "phone": "+51 987 654 321",
        "password": PASSWORD,
        "consent": True,
    }
    data.update(overrides)
    return data


def token_from(mail) -> str:
    match = re.search(r"/cuenta/confirmar/([A-Za-z0-9_\-]+)/", mail.get_content())
    assert match, mail.get_content()
    return match.group(1)


# --- registration ----------------------------------------------------------------------------


def test_given_valid_data_when_registering_then_201_and_a_confirmation_email_really_arrives(
    catalog, anon_api, mailbox, tasks
):
    response = anon_api.post(REGISTER, account_payload())

    assert response.status_code == 201, response.content
    body = response.json()
    user = User.objects.get(email="rosa.quispe@example.pe")
    assert body == {"id": user.pk, "email": "rosa.quispe@example.pe", "email_verified": False}
    assert (user.document_type, user.document_number, user.phone) == (
        "DNI",
        "45678912",
        "987654321",
    )
    assert user.consent_at is not None and user.consent_version == "2026-01"
    tasks()
    mail = mailbox.wait_for("rosa.quispe@example.pe", "Confirme su correo")
    assert "Hola, Rosa" in mail.get_content()
    assert "vence en 48 horas" in mail.get_content()


def test_given_the_emailed_token_when_verifying_twice_then_first_200_and_second_422(
    catalog, anon_api, mailbox, tasks
):
    anon_api.post(REGISTER, account_payload())
    tasks()
    raw = token_from(mailbox.wait_for("rosa.quispe@example.pe", "Confirme su correo"))

    first = anon_api.post(VERIFY, {"token": raw})
    second = anon_api.post(VERIFY, {"token": raw})

    assert first.status_code == 200, first.content
    assert first.json() == {"email_verified": True}
    assert User.objects.get(email="rosa.quispe@example.pe").email_verified
    body = problem_of(second, 422)
    assert field_errors(body) == {"token": "El enlace de confirmación no es válido o ya fue usado."}


def test_given_an_expired_token_when_verifying_then_422_says_it_expired(
    catalog, anon_api, mailbox, tasks
):
    anon_api.post(REGISTER, account_payload())
    tasks()
    raw = token_from(mailbox.wait_for("rosa.quispe@example.pe", "Confirme su correo"))
    EmailToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    body = problem_of(anon_api.post(VERIFY, {"token": raw}), 422)

    assert "venció" in body["detail"]
    assert field_errors(body) == {"token": "El enlace de confirmación venció; solicite uno nuevo."}
    assert not User.objects.get(email="rosa.quispe@example.pe").email_verified


@pytest.mark.parametrize("raw", ["inventado", "", "x" * 201])
def test_given_a_made_up_token_when_verifying_then_422(catalog, anon_api, raw):
    body = problem_of(anon_api.post(VERIFY, {"token": raw}), 422)
    assert body["errors"][0]["field"] == "token"


def test_given_an_existing_email_in_other_letter_case_when_registering_then_409_in_spanish(
    catalog, anon_api
):
    make_citizen(email_addr="rosa.quispe@example.pe")

    with NothingWritten():
        response = anon_api.post(
            REGISTER, account_payload(email="Rosa.Quispe@EXAMPLE.pe", document_number="12345678")
        )

    body = problem_of(response, 409)
    assert body["title"] == "Conflicto con el estado actual"
    assert field_errors(body) == {"email": "Ya existe una cuenta con este correo."}


def test_given_an_existing_document_written_with_its_check_character_when_registering_then_409(
    catalog, anon_api
):
    make_citizen(document_number="45678912")

    with NothingWritten():
        # 45678912 with its check character "4" (computed by hand in test_identity.py).
        response = anon_api.post(REGISTER, account_payload(document_number="45678912-4"))

    body = problem_of(response, 409)
    assert field_errors(body) == {"document_number": "Ya existe una cuenta con este documento."}


def test_given_consent_false_when_registering_then_422_and_nothing_written(catalog, anon_api):
    with NothingWritten():
        response = anon_api.post(REGISTER, account_payload(consent=False))

    body = problem_of(response, 422)
    assert field_errors(body) == {
        "consent": "Debe aceptar el tratamiento de sus datos personales para continuar."
    }
    assert body["detail"] == "Debe aceptar el tratamiento de sus datos personales para continuar."


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        (
            "123",
            [
                "La contraseña es demasiado corta. Debe contener por lo menos 8 caracteres.",
                "Esta contraseña es demasiado común.",
                "Esta contraseña es completamente numérica.",
            ],
        ),
        ("password", ["Esta contraseña es demasiado común."]),
        ("83920174659", ["Esta contraseña es completamente numérica."]),
    ],
)
def test_given_a_weak_password_when_registering_then_422_with_djangos_spanish_messages(
    catalog, anon_api, password, messages
):
    with NothingWritten():
        response = anon_api.post(REGISTER, account_payload(password=password))

    body = problem_of(response, 422)
    assert [e["message"] for e in body["errors"] if e["field"] == "password"] == messages


def test_given_english_accept_language_when_registering_badly_then_messages_stay_spanish(
    catalog, anon_api
):
    response = anon_api.post(
        REGISTER, account_payload(password="password"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )

    body = problem_of(response, 422)
    assert field_errors(body) == {"password": "Esta contraseña es demasiado común."}


def test_given_every_person_field_wrong_when_registering_then_all_are_reported_at_once(
    catalog, anon_api
):
    payload = account_payload(
        document_number="456789125",
        first_name="   ",
        last_name="",
        email="no-es-correo",
        phone="12345",
    )
    with NothingWritten():
        response = anon_api.post(REGISTER, payload)

    body = problem_of(response, 422)
    assert body["detail"] == "Hay 5 datos por corregir."
    assert field_errors(body) == {
        "document_number": "El carácter de verificación del DNI no corresponde al número.",
        "first_name": "Ingrese sus nombres.",
        "last_name": "Ingrese sus apellidos.",
        "email": "Ingrese un correo electrónico válido.",
        "phone": "El número de celular tiene 9 dígitos y empieza con 9.",
    }


def test_given_an_unknown_document_type_when_registering_then_the_field_is_document_type(
    catalog, anon_api
):
    body = problem_of(anon_api.post(REGISTER, account_payload(document_type="LE")), 422)
    assert field_errors(body) == {
        "document_type": "Elija el tipo de documento: DNI, carné de extranjería, RUC o pasaporte."
    }


def test_given_consent_as_a_string_when_registering_then_422_in_spanish(catalog, anon_api):
    with NothingWritten():
        response = anon_api.post(REGISTER, account_payload(consent="quizás"))

    body = problem_of(response, 422)
    assert field_errors(body) == {"consent": "Debe ser verdadero o falso (true/false)."}


def test_given_the_same_idempotency_key_and_body_when_registering_twice_then_one_account(
    catalog, anon_api
):
    before = row_counts()

    first = anon_api.post(REGISTER, account_payload(), HTTP_IDEMPOTENCY_KEY="reg-1")
    second = anon_api.post(REGISTER, account_payload(), HTTP_IDEMPOTENCY_KEY="reg-1")

    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    after = row_counts()
    assert after["User"] == before["User"] + 1
    assert after["OutboundEmail"] == before["OutboundEmail"] + 1
    record = IdempotencyRecord.objects.get(key="reg-1")
    # The body held the password: what is stored cannot be checked without the server's key.
    assert record.request_hash != hashlib.sha256(json.dumps(account_payload()).encode()).hexdigest()


def test_given_the_same_idempotency_key_with_another_body_when_registering_then_409(
    catalog, anon_api
):
    anon_api.post(REGISTER, account_payload(), HTTP_IDEMPOTENCY_KEY="reg-1")

    with NothingWritten():
        response = anon_api.post(
            REGISTER,
            account_payload(email="otra@example.pe", document_number="12345678"),
            HTTP_IDEMPOTENCY_KEY="reg-1",
        )

    problem_of(response, 409)


# --- bearer tokens ---------------------------------------------------------------------------


def test_given_right_credentials_when_asking_a_token_then_200_with_its_expiry(catalog, anon_api):
    user = make_citizen()
    before = timezone.now()

    response = anon_api.post(TOKEN, {"email": user.email.upper(), "password": PASSWORD})

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert len(body["token"]) >= 40
    expires = timezone.datetime.fromisoformat(body["expires_at"])
    assert before + timedelta(hours=12) <= expires <= timezone.now() + timedelta(hours=12)
    assert Api(body["token"]).get("/api/v1/cases").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"), [("{email}", "Otra.Clave.2026"), ("nadie@example.pe", PASSWORD)]
)
def test_given_wrong_credentials_when_asking_a_token_then_401_problem(
    catalog, anon_api, email, password
):
    user = make_citizen()

    response = anon_api.post(TOKEN, {"email": email.format(email=user.email), "password": password})

    body = problem_of(response, 401)
    assert body["detail"] == "Correo o contraseña incorrectos."
    assert ApiToken.objects.count() == 0


def test_given_a_deactivated_account_when_asking_a_token_then_401(catalog, anon_api):
    user = make_citizen()
    User.objects.filter(pk=user.pk).update(is_active=False)

    problem_of(anon_api.post(TOKEN, {"email": user.email, "password": PASSWORD}), 401)


def test_given_operator_staff_when_asking_a_bearer_token_then_401(claro, anon_api):
    agent = make_operator_agent(claro)

    body = problem_of(anon_api.post(TOKEN, {"email": agent.email, "password": PASSWORD}), 401)

    assert body["detail"] == "Correo o contraseña incorrectos."
    assert ApiToken.objects.count() == 0


def test_given_a_token_that_just_expired_when_used_then_401_at_once(catalog, anon_api):
    user = make_citizen()
    raw = anon_api.post(TOKEN, {"email": user.email, "password": PASSWORD}).json()["token"]
    client = Api(raw)
    assert client.get("/api/v1/cases").status_code == 200

    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = client.get("/api/v1/cases")
    body = problem_of(response, 401)
    assert body["title"] == "Autenticación requerida"
    assert response["WWW-Authenticate"] == "Bearer"


def test_given_a_token_when_revoked_then_204_and_it_stops_working_at_once(catalog, anon_api):
    user = make_citizen()
    raw = anon_api.post(TOKEN, {"email": user.email, "password": PASSWORD}).json()["token"]
    other = anon_api.post(TOKEN, {"email": user.email, "password": PASSWORD}).json()["token"]
    client = Api(raw)
    assert client.get("/api/v1/cases").status_code == 200

    revoked = client.client.delete(TOKEN, HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert revoked.status_code == 204
    problem_of(client.get("/api/v1/cases"), 401)
    problem_of(client.client.delete(TOKEN, HTTP_AUTHORIZATION=f"Bearer {raw}"), 401)
    # Only the token used to call is revoked.
    assert Api(other).get("/api/v1/cases").status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer inventado", "Token abc"])
def test_given_no_valid_token_when_revoking_then_401_problem(catalog, anon_api, header):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    problem_of(anon_api.client.delete(TOKEN, **extra), 401)


def test_given_a_malformed_body_when_asking_a_token_then_400_problem(catalog, anon_api):
    body = problem_of(anon_api.post(TOKEN, raw='{"email": '), 400)
    assert body["title"] == "Solicitud mal formada"
