"""Every error under /api/ is RFC 9457 problem+json in Spanish (docs/api.md "Conventions")."""

import pytest
from django.test import Client

from factories import Api, make_case, make_operator_agent, problem_of
from sgu.api import translate_validation

pytestmark = pytest.mark.django_db


def test_given_an_unknown_api_path_when_called_then_404_problem_not_an_html_page(api):
    body = problem_of(api.get("/api/v1/no-existe"), 404)
    assert body == {
        "type": "about:blank",
        "title": "No encontrado",
        "status": 404,
        "detail": "El recurso no existe.",
        "errors": [],
    }


def test_given_a_wrong_method_when_called_then_405_problem_with_the_allowed_methods(api):
    response = api.client.put("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {api.token}")

    body = problem_of(response, 405)
    assert body["title"] == "Método no permitido"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_given_a_web_path_when_not_found_then_it_stays_an_html_page(catalog):
    response = Client().get("/no-existe-esta-pagina/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_given_a_session_post_without_csrf_token_when_called_then_403_problem_in_spanish(claro):
    case = make_case(operator="CLARO")
    agent = Client(enforce_csrf_checks=True)
    agent.force_login(make_operator_agent(claro))

    body = problem_of(agent.post(f"/api/v1/operator/cases/{case.code}/ack"), 403)

    assert body["title"] == "Acceso denegado"
    assert "CSRF" in body["detail"] and "recargue la página" in body["detail"]


def test_given_an_english_accept_language_when_failing_then_still_spanish(catalog):
    response = Api().get("/api/v1/cases", HTTP_ACCEPT_LANGUAGE="en")
    assert problem_of(response, 401)["title"] == "Autenticación requerida"


# --- translate_validation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("loc", "field"),
    [
        (("body", "payload", "score"), "score"),
        (("body", "payload", "fields", "monto"), "fields.monto"),
        (("body", "payload"), "body"),
        (("query", "limit"), "limit"),
        (("path", "code"), "code"),
        (("file", "file"), "file"),
        (("form", "report_date"), "report_date"),
        (("body", "payload", "items", 0, "name"), "items.0.name"),
        ((), "body"),
    ],
)
def test_given_a_pydantic_error_location_when_translated_then_the_field_is_the_clients_name(
    loc, field
):
    [error] = translate_validation([{"type": "missing", "loc": loc, "msg": "Field required"}])
    assert (error.field, error.message) == (field, "Este dato es obligatorio.")


@pytest.mark.parametrize(
    ("error", "message"),
    [
        ({"type": "greater_than_equal", "ctx": {"ge": 1}}, "Debe ser como mínimo 1."),
        ({"type": "less_than_equal", "ctx": {"le": 5}}, "Debe ser como máximo 5."),
        ({"type": "string_too_long", "ctx": {"max_length": 20}}, "Admite hasta 20 caracteres."),
        (
            {"type": "string_too_short", "ctx": {"min_length": 3}},
            "Debe tener al menos 3 caracteres.",
        ),
        ({"type": "enum", "ctx": {"expected": "'A' or 'B'"}}, "Valor no permitido; use 'A' o 'B'."),
        ({"type": "int_parsing"}, "Debe ser un número entero."),
        ({"type": "date_from_datetime_parsing"}, "Debe ser una fecha AAAA-MM-DD."),
        # An error type nobody listed never shows pydantic's English text.
        ({"type": "url_parsing", "msg": "Input should be a valid URL"}, "Valor no válido."),
    ],
)
def test_given_a_pydantic_error_type_when_translated_then_the_message_is_spanish(error, message):
    [translated] = translate_validation([{"loc": ("body", "payload", "x"), **error}])
    assert translated.message == message


ENGLISH = ("Input should", "Field required", "value is not", "String should", "valid", "Error")


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/v1/cases", {"operator": 1, "subcategory": [], "service_number": {}, "fields": 3}),
        ("/api/v1/cases", {"description": None}),
        ("/api/v1/accounts", {"consent": "x", "email": 5, "password": None}),
        ("/api/v1/auth/token", {"email": [], "password": {}}),
    ],
)
def test_given_wrongly_typed_json_when_posted_then_no_english_message_leaks(api, path, payload):
    response = api.post(path, payload)

    body = problem_of(response, 422)
    texts = [body["title"], body["detail"]] + [e["message"] for e in body["errors"]]
    for text in texts:
        assert not any(word in text for word in ENGLISH), text
