"""Personal data (Ley 29733): a citizen downloads everything about them — and only them — and
asks for a correction, which regulator staff see and handle."""

import json

import pytest
from django.test import Client
from django.utils import timezone

from factories import (
    Mailbox,
    answer,
    citizen_principal,
    error_of,
    make_case,
    make_citizen,
    make_operator_agent,
    make_regulator,
    operator_principal,
    overdue_case,
    png_upload,
    rate,
    request_claim,
    text,
)
from sgu.accounts.models import CorrectionRequest
from sgu.cases import services as cases
from sgu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

PAGE = "/cuenta/mis-datos/"
DOWNLOAD = "/cuenta/mis-datos/descargar/"
STAFF = "/cuenta/correcciones/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_download_holds_the_citizens_data_and_only_theirs(catalog):
    rosa = make_citizen(first_name="Rosa", last_name="Quispe Mamani", document_number="45678912")
    other = make_citizen(first_name="Pedro", last_name="Otro Caso")

    answered = make_case(rosa, description="Recargué 10 soles y el saldo no llegó nunca.")
    cases.add_attachments(
        case=answered,
        files=[png_upload("voucher.png")],
        by=citizen_principal(rosa),
    )
    cases.record_event(
        case=answered,
        kind="NOTE",
        by=operator_principal(answered.operator),
        now=timezone.now(),
        note="NOTA-INTERNA: revisar con el área de fraude",
        internal=True,
    )
    answer(answered)
    rate(answered, resolved=True, score=4, comment="Tardaron pero resolvieron.")
    claimed = overdue_case(rosa)
    request_claim(claimed)
    theirs = make_case(other, description="Caso de otra persona que no debe aparecer.")

    response = signed_in(rosa).get(DOWNLOAD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="mis-datos-sgu.json"'
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    data = json.loads(body)

    assert data["profile"]["first_name"] == "Rosa"
    assert data["profile"]["document_number"] == "45678912"
    assert data["profile"]["email"] == rosa.email
    assert data["consent"]["text_version"] == "2026-01"
    assert data["consent"]["channel"] == "WEB"
    assert sorted(c["code"] for c in data["cases"]) == sorted([answered.code, claimed.code])
    by_code = {c["code"]: c for c in data["cases"]}
    first = by_code[answered.code]
    assert first["rating"] == {
        "resolved": True,
        "score": 4,
        "comment": "Tardaron pero resolvieron.",
        "rated_at": first["rating"]["rated_at"],
    }
    assert first["solution"]["outcome"] == "RESOLVED"
    assert [a["name"] for a in first["attachments"]] == ["voucher.png"]
    assert first["attachments"][0]["content_type"] == "image/png"
    assert "file" not in first["attachments"][0]  # metadata only, no storage path
    kinds = [e["event"] for e in first["timeline"]]
    assert "NOTE" not in kinds and len(kinds) >= 3
    assert by_code[claimed.code]["claim"]["state"] == "PENDING_CODE"
    assert by_code[claimed.code]["claim"]["holder_document_number"] == "45678912"
    # Nothing internal, nothing of anybody else.
    assert "NOTA-INTERNA" not in body
    assert theirs.code not in body and "Pedro" not in body and other.email not in body
    assert "password" not in body and "pbkdf2" not in body and "md5$" not in body

    event = AuditEvent.objects.get(action="personal_data.exported")
    assert event.actor == rosa and event.target == f"user:{rosa.pk}"


def test_only_citizens_download_and_anonymous_people_log_in(claro):
    assert Client().get(DOWNLOAD)["Location"].startswith("/cuenta/ingresar/")
    assert signed_in(make_operator_agent(claro)).get(DOWNLOAD).status_code == 403
    assert signed_in(make_regulator()).get(DOWNLOAD).status_code == 403
    assert not AuditEvent.objects.filter(action="personal_data.exported").exists()


def test_the_page_links_the_download_and_the_form(catalog):
    page = signed_in(make_citizen()).get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="{DOWNLOAD}"' in html
    assert "Pedir una corrección" in text(page)


def test_a_correction_request_is_registered_acknowledged_and_seen_by_staff(catalog, mailbox, tasks):
    citizen = make_citizen(first_name="Rosa", last_name="Quispe Mamani")
    client = signed_in(citizen)

    response = client.post(
        PAGE,
        {
            "field": "last_name",
            "requested_value": "  Quispe   Mamani de Torres ",
            "note": "Así figura en mi DNI.",
        },
    )
    assert response.status_code == 302
    correction = CorrectionRequest.objects.get()
    assert correction.user == citizen
    assert correction.current_value == "Quispe Mamani"
    assert correction.requested_value == "Quispe Mamani de Torres"
    assert correction.status == CorrectionRequest.Status.PENDING
    page = client.get(PAGE)
    assert "Registramos su solicitud de corrección de «Apellidos»" in text(page)
    assert "Quispe Mamani de Torres" in text(page)

    tasks()
    message = mailbox.wait_for(citizen.email, "Recibimos su pedido de corrección")
    assert "Valor correcto: Quispe Mamani de Torres" in Mailbox.text(message)
    assert AuditEvent.objects.filter(
        action="personal_data.correction_requested", actor=citizen
    ).exists()

    # Regulator staff see it and record what they did.
    staff = signed_in(make_regulator())
    listing = staff.get(STAFF)
    assert listing.status_code == 200
    assert "Quispe Mamani de Torres" in text(listing) and citizen.email in text(listing)
    refused = staff.post(STAFF, {"id": correction.pk, "status": "REJECTED", "response": ""})
    assert refused.status_code == 302
    correction.refresh_from_db()
    assert correction.status == CorrectionRequest.Status.PENDING
    staff.post(STAFF, {"id": correction.pk, "status": "DONE", "response": "Corregido."})
    correction.refresh_from_db()
    assert correction.status == CorrectionRequest.Status.DONE
    assert correction.handled_by is not None and correction.response == "Corregido."
    assert "Atendida: Corregido." in text(client.get(PAGE))


def test_a_correction_request_needs_a_field_and_a_value(catalog):
    client = signed_in(make_citizen())
    response = client.post(PAGE, {"field": "", "requested_value": "  "})
    assert response.status_code == 422
    assert error_of(response, "id_field") == "Elija el dato que desea corregir."
    assert error_of(response, "id_requested_value") == "Escriba el valor correcto."
    bogus = client.post(PAGE, {"field": "password", "requested_value": "x"})
    assert bogus.status_code == 422
    assert CorrectionRequest.objects.count() == 0


def test_only_regulator_staff_see_the_corrections(claro):
    make_citizen()
    assert signed_in(make_citizen()).get(STAFF).status_code == 403
    assert signed_in(make_operator_agent(claro)).get(STAFF).status_code == 403
    assert signed_in(make_regulator()).post(STAFF, {"id": 999, "status": "DONE"}).status_code == 404
