"""Input no view should see is refused with a Spanish message and changes nothing, never a
500: NUL bytes (PostgreSQL refuses them in text: the statement failed with DataError), a
multipart body without its boundary, a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413)."""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from factories import Api, NothingWritten, case_payload, field_errors, make_case, problem_of

pytestmark = pytest.mark.django_db

NUL = "\x00"


@pytest.mark.parametrize("field", ["operator", "subcategory", "description", "service_number"])
def test_a_nul_byte_in_a_case_field_is_a_422_naming_the_field(api, field):
    payload = case_payload()
    payload[field] = payload[field][:4] + NUL + payload[field][4:]
    with NothingWritten():
        body = problem_of(api.post("/api/v1/cases", payload), 422)
    assert "carácter nulo" in field_errors(body)[field]


def test_a_nul_byte_inside_nested_fields_names_its_path(api):
    payload = case_payload()
    payload["fields"]["medio_recarga"] = "Bodega" + NUL
    body = problem_of(api.post("/api/v1/cases", payload), 422)
    assert list(field_errors(body)) == ["fields.medio_recarga"]


def test_an_escaped_backslash_before_u0000_is_plain_text_and_accepted(api):
    # The JSON text `\\u0000` is a backslash and the letters u0000, not a NUL.
    payload = case_payload(description="Recargué 10 soles; el ticket dice \\u0000 y nada más.")
    response = api.post("/api/v1/cases", payload)
    assert response.status_code == 201, response.content


def test_a_nul_byte_in_the_login_email_is_a_422_on_the_api(catalog):
    with NothingWritten():
        body = problem_of(
            Api().post("/api/v1/auth/token", {"email": "ana" + NUL + "@x.pe", "password": "x"}),
            422,
        )
    assert "email" in field_errors(body)


def test_a_nul_byte_in_the_web_login_form_gets_a_spanish_page(catalog):
    form = urlencode({"username": "ana" + NUL + "@x.pe", "password": "x"})
    response = Client().post(
        "/cuenta/ingresar/", form, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 422
    assert "text/html" in response["Content-Type"]
    assert "carácter nulo" in response.content.decode()


def test_a_nul_byte_in_a_multipart_web_form_is_refused_by_the_form(catalog):
    response = Client().post(
        "/cuenta/ingresar/", {"username": "ana" + NUL + "@x.pe", "password": "x"}
    )
    assert response.status_code == 200  # the login page again, with the form's error
    assert "_auth_user_id" not in Client().session


def test_a_nul_byte_in_the_query_string_is_a_422(claro_api):
    body = problem_of(claro_api.get("/api/v1/operator/cases?subcategory=a%00b"), 422)
    assert list(field_errors(body)) == ["subcategory"]


def test_a_nul_byte_in_a_web_search_gets_a_spanish_page(claro_agent):
    web = Client()
    web.force_login(claro_agent)
    response = web.get("/operadora/bandeja/?q=a%00b")
    assert response.status_code == 422
    assert "carácter nulo" in response.content.decode()


def test_a_nul_byte_in_the_path_or_a_header_is_a_400(api):
    problem_of(api.get("/api/v1/cases/SGU-2026%00"), 400)
    problem_of(api.get("/api/v1/cases", HTTP_IDEMPOTENCY_KEY="k" + NUL), 400)
    problem_of(api.get("/api/v1/cases", HTTP_COOKIE="sessionid=abcdefgh" + NUL + "ij"), 400)


def test_multipart_without_boundary_is_a_400_on_the_api(api, citizen):
    case = make_case(citizen)
    with NothingWritten():
        response = api.client.post(
            f"/api/v1/cases/{case.code}/attachments",
            "--x\r\nContent-Disposition: form-data; name=file\r\n\r\nabc\r\n--x--",
            content_type="multipart/form-data",
            HTTP_AUTHORIZATION=f"Bearer {api.token}",
        )
    body = problem_of(response, 400)
    assert "boundary" in body["detail"]


def test_multipart_without_boundary_gets_a_spanish_page_on_the_web(citizen):
    web = Client()
    web.force_login(citizen)
    response = web.post("/casos/nuevo/", "abc", content_type="multipart/form-data")
    assert response.status_code == 400
    assert "boundary" in response.content.decode()
    assert 'lang="es"' in response.content.decode()


def test_a_json_body_over_the_limit_is_a_413(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # 1 MB: the same code path as 12 MB
    payload = case_payload(description="x" * (1024 * 1024 + 1))
    with NothingWritten():
        body = problem_of(api.post("/api/v1/cases", payload), 413)
    assert "1 MB" in body["detail"]


def test_a_json_body_over_the_real_limit_is_a_413(api):
    raw = json.dumps(case_payload(description="x" * (13 * 1024 * 1024)))
    with NothingWritten():
        problem_of(api.post("/api/v1/cases", raw=raw), 413)


def test_a_web_form_over_the_limit_gets_a_413_page(citizen, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    web = Client()
    web.force_login(citizen)
    form = urlencode({"description": "x" * 2048})
    response = web.post("/casos/nuevo/", form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "demasiado grande" in response.content.decode()
