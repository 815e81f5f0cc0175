"""The public status lookup (API and page): both the request code and the holder's document
must match; nothing else is shown; rate-limited per IP."""

import re

import pytest
from django.test import Client

from factories import field_errors, problem_of
from service_requests.helpers import DAY2, baja, csv_bytes, migracion, send
from sgu.service_requests.selectors import LOOKUP_NOT_FOUND

pytestmark = pytest.mark.django_db

STATUS = "/api/v1/public/service-requests/status"
PAGE = "/bajas-migraciones/consulta/"


@pytest.fixture
def reported(claro):
    send(
        claro,
        csv_bytes(
            [
                baja("B-77", status="EJECUTADA", executed_at="2026-03-09 18:00"),
                migracion("M-5", document_type="RUC", document_number="20100047218"),
            ]
        ),
    )


@pytest.fixture
def limit(settings):
    def set_limit(n: int) -> None:
        settings.SGU = {
            **settings.SGU,
            "SERVICE_REQUESTS": {**settings.SGU["SERVICE_REQUESTS"], "LOOKUP_LIMIT": n},
        }

    return set_limit


def test_code_and_document_give_the_status_and_nothing_else(reported, anon_api):
    response = anon_api.get(f"{STATUS}?request_code=b-77&document_number=45678912")

    assert response.status_code == 200
    assert response.json() == {
        "request_code": "B-77",
        "kind": "BAJA",
        "status": "EJECUTADA",
        "status_label": "Ejecutada",
        "service_state": "DADO_DE_BAJA",
        "service_state_label": "Dado de baja",
        "requested_at": "2026-03-09T15:15:00Z",
        "scheduled_date": "2026-03-12",
        "executed_at": "2026-03-09T23:00:00Z",
    }


def test_a_dni_typed_with_its_check_character_or_dots_matches(reported, anon_api):
    assert anon_api.get(f"{STATUS}?request_code=B-77&document_number=45678912-4").status_code == 200
    assert anon_api.get(f"{STATUS}?request_code=M-5&document_number=20100047218").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "request_code=B-77&document_number=45678913",  # another document
        "request_code=B-78&document_number=45678912",  # another code
        "request_code=M-5&document_number=45678912",  # a code of someone else
    ],
)
def test_anything_but_both_matching_is_the_same_404(reported, anon_api, query):
    problem = problem_of(anon_api.get(f"{STATUS}?{query}"), 404)

    assert problem["detail"] == LOOKUP_NOT_FOUND


def test_missing_data_is_named(anon_api):
    problem = problem_of(anon_api.get(STATUS), 422)

    assert field_errors(problem) == {
        "request_code": "Ingrese el código de pedido.",
        "document_number": "Ingrese el número de documento.",
    }


def test_the_lookup_is_rate_limited_per_ip_with_a_spanish_429(reported, anon_api, limit):
    limit(3)
    query = f"{STATUS}?request_code=B-77&document_number=45678912"
    for _ in range(3):
        assert anon_api.get(query).status_code == 200

    refused = anon_api.get(query)

    problem = problem_of(refused, 429)
    assert problem["title"] == "Demasiadas solicitudes"
    assert re.fullmatch(
        r"Demasiadas solicitudes\. Intente nuevamente en \d+ segundos\.", problem["detail"]
    )
    assert int(refused["Retry-After"]) > 0
    # Another address is not affected.
    assert anon_api.get(query, REMOTE_ADDR="10.0.0.7").status_code == 200


def test_the_page_shows_the_status_after_a_post(reported):
    client = Client()
    page = client.get(PAGE)
    assert page.status_code == 200 and 'name="request_code"' in page.content.decode()

    found = client.post(PAGE, {"request_code": "b-77", "document_number": "45678912"})

    html = found.content.decode()
    assert found.status_code == 200
    assert "B-77" in html and "Ejecutada" in html and "12/03/2026" in html
    assert "45678912" not in html.split("</form>")[-1]  # the document is not echoed back


def test_the_page_says_not_found_without_telling_which_part(reported):
    response = Client().post(PAGE, {"request_code": "B-77", "document_number": "11111111"})

    assert response.status_code == 404
    assert LOOKUP_NOT_FOUND in response.content.decode()


def test_the_page_is_rate_limited_too(reported, limit):
    limit(2)
    client = Client()
    for _ in range(2):
        client.post(PAGE, {"request_code": "B-77", "document_number": "45678912"})

    refused = client.post(PAGE, {"request_code": "B-77", "document_number": "45678912"})

    assert refused.status_code == 429
    assert "Demasiadas solicitudes" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0


def test_a_later_report_changes_what_the_public_sees(reported, claro, anon_api):
    send(
        claro,
        csv_bytes(
            [
                migracion(
                    "M-5",
                    document_type="RUC",
                    document_number="20100047218",
                    status="RECHAZADA",
                    rejection_reason="Deuda",
                )
            ]
        ),
        day=DAY2,
    )

    body = anon_api.get(f"{STATUS}?request_code=M-5&document_number=20100047218").json()
    assert body["status"] == "RECHAZADA"
    assert "Deuda" not in str(body)  # the rejection reason is not public
