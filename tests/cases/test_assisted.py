"""Assisted channels: an orientador registers a case for a citizen at an office or on the
phone (web form and POST /api/v1/staff/cases), and prints or emails the constancia."""

import pytest
from django.test import Client

from factories import (
    Api,
    Mailbox,
    NothingWritten,
    assisted_form,
    case_payload,
    error_of,
    field_errors,
    make_citizen,
    make_operator_agent,
    make_regulator,
    problem_of,
    staff_token,
    text,
)
from sgu.accounts import services as accounts
from sgu.accounts.models import User
from sgu.cases.models import Case

pytestmark = pytest.mark.django_db

URL = "/api/v1/staff/cases"
NEW = "/regulador/registrar/"


def staff_api(user) -> Api:
    return Api(staff_token(user))


@pytest.fixture
def agent(office):
    user = make_regulator()
    user.office = office
    user.save(update_fields=["office"])
    return user


def body(**citizen) -> dict:
    person = {
        "document_type": "DNI",
        "document_number": "41234567",
        "first_name": "Rosa",
        "last_name": "Quispe Mamani",
        "email": "rosa.quispe@example.pe",
        "phone": "987111222",
    }
    person.update(citizen)
    return {"citizen": person, "channel": "PRESENCIAL", **case_payload()}


def test_new_citizen_is_created_without_password_and_case_records_office(agent, mailbox, tasks):
    response = staff_api(agent).post(URL, body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["channel"] == "PRESENCIAL"
    assert data["office"] == {
        "code": "LIMA-SEDE",
        "name": "Oficina Lima — Sede central",
        "ubigeo": "150130",
        "latitude": -12.08912,
        "longitude": -77.00438,
    }
    assert data["registered_by"]["email"] == agent.email
    assert data["state"] == "REGISTERED"  # waits for the citizen to confirm the email
    person = User.objects.get(document_number="41234567")
    assert not person.has_usable_password()
    assert person.consent_channel == "PRESENCIAL"
    assert person.consent_at is not None and person.email_verified_at is None
    tasks()
    mailbox.wait_for("rosa.quispe@example.pe", "Confirme")
    mailbox.wait_for("rosa.quispe@example.pe", data["code"])


def test_existing_citizen_is_found_by_document_and_case_is_forwarded(agent, catalog):
    known = make_citizen(document_number="42345678")
    response = staff_api(agent).post(
        URL, body(document_number="42345678", first_name="", email="", phone="")
    )
    assert response.status_code == 201, response.content
    assert response.json()["state"] == "FORWARDED"
    assert response.json()["due_at"]
    assert Case.objects.get(code=response.json()["code"]).citizen == known
    assert User.objects.filter(document_number="42345678").count() == 1


def test_agent_without_office_gets_a_clear_422_and_nothing_is_written(catalog):
    nobody = make_regulator()
    with NothingWritten():
        response = staff_api(nobody).post(URL, body())
    errors = field_errors(problem_of(response, 422))
    assert "oficina asignada" in errors["office"]


def test_bad_citizen_data_is_named_and_nothing_is_written(agent):
    with NothingWritten():
        response = staff_api(agent).post(URL, body(document_number="123", email="x"))
    errors = field_errors(problem_of(response, 422))
    assert "citizen.document_number" in errors


def test_new_citizen_needs_contact_data(agent):
    with NothingWritten():
        response = staff_api(agent).post(URL, body(first_name="", email=""))
    errors = field_errors(problem_of(response, 422))
    assert {"citizen.first_name", "citizen.email"} <= set(errors)


def test_idempotency_key_returns_the_first_case(agent):
    client = staff_api(agent)
    first = client.post(URL, body(), HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(URL, body(), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["code"] == again.json()["code"]
    assert Case.objects.count() == 1
    other = client.post(URL, body(phone="987333444"), HTTP_IDEMPOTENCY_KEY="k-1")
    problem_of(other, 409)


def test_citizens_and_operators_cannot_register_assisted_cases(claro, citizen, anon_api):
    problem_of(staff_api(citizen).post(URL, body()), 403)
    problem_of(anon_api.post(URL, body()), 401)
    raw, _ = accounts.create_operator_key(operator=claro, name="x")
    problem_of(Api(raw).post(URL, body()), 401)


# --- web ------------------------------------------------------------------------------------


def test_web_registration_shows_the_receipt_and_emails_it(agent, mailbox, tasks):
    client = Client()
    client.force_login(agent)
    page = client.get(NEW)
    assert page.status_code == 200
    assert "Oficina Lima — Sede central" in text(page)
    response = client.post(NEW, assisted_form())
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "TELEFONICO" and case.office.code == "LIMA-SEDE"
    receipt = client.get(response["Location"])
    assert case.code in text(receipt)
    assert "Imprimir la constancia" in text(receipt)
    sent = client.post(f"/regulador/casos/{case.code}/constancia/enviar/")
    assert sent.status_code == 302
    tasks()
    message = mailbox.wait_for("julio.huaman@example.pe", "Constancia")
    assert case.code in Mailbox.text(message)


def test_web_errors_are_shown_next_to_each_field_and_nothing_is_written(agent):
    client = Client()
    client.force_login(agent)
    with NothingWritten():
        response = client.post(NEW, assisted_form(consent="", document_number="12"))
    assert response.status_code == 422
    assert error_of(response, "id_consent")


def test_web_registration_is_403_for_citizens_and_operators(client, claro, citizen):
    for user in (citizen, make_operator_agent(claro)):
        client.force_login(user)
        assert client.get(NEW).status_code == 403
