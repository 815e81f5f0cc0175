"""While PostgreSQL is unreachable every request answers 503 with Retry-After — problem+json
under /api/, a Spanish page elsewhere — never a 500 (the rate-limit middleware's query used
to make it an HTML 500 on the API); when it is back, the next request works.

The database is made really unreachable: the request's thread gets a connection configured
for a port where nothing listens (psycopg: "Connection refused")."""

import socket
from contextlib import contextmanager

import pytest
from django.db import connections
from django.db.utils import load_backend
from django.test import Client

from factories import PASSWORD, case_payload, problem_of

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def database_unreachable():
    """The default connection of this thread points at a closed port until the block ends."""
    original = connections["default"]
    broken_settings = {
        **original.settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "sgu",
        "USER": "sgu",
        "PASSWORD": "",
        "HOST": "127.0.0.1",
        "PORT": str(_closed_port()),
        "OPTIONS": {"connect_timeout": 2},
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
    }
    backend = load_backend("django.db.backends.postgresql")
    connections["default"] = backend.DatabaseWrapper(broken_settings, "default")
    try:
        yield
    finally:
        connections["default"].close()
        connections["default"] = original


def client() -> Client:
    # A real server answers the request; the test client would re-raise what it handled.
    return Client(raise_request_exception=False)


def assert_unavailable_problem(response) -> dict:
    body = problem_of(response, 503)
    assert int(response["Retry-After"]) > 0
    assert "base de datos" in body["detail"]
    return body


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/cases"),
        ("get", "/api/v1/catalog/operators"),
        ("get", "/api/v1/public/indicators"),
        ("post", "/api/v1/cases"),
        ("post", "/api/v1/auth/token"),
    ],
)
def test_the_api_answers_503_problem_json_while_the_database_is_down(api, method, path):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token}"}
    with database_unreachable():
        if method == "post":
            response = client().post(
                path, case_payload(), content_type="application/json", **headers
            )
        else:
            response = client().get(path, **headers)
    assert_unavailable_problem(response)


def test_the_api_answers_503_even_with_rate_limits_off(api, settings):
    # Then the first query is the view's own (ninja's exception handler, not handler500).
    settings.SGU = {
        **settings.SGU,
        "RATE_LIMITS": {**settings.SGU["RATE_LIMITS"], "ENABLED": False},
    }
    with database_unreachable():
        response = client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert_unavailable_problem(response)


@pytest.mark.parametrize("path", ["/", "/cuenta/ingresar/", "/casos/", "/indicadores/"])
def test_web_pages_answer_a_spanish_503_page_while_the_database_is_down(citizen, path):
    web = client()
    web.force_login(citizen)  # a session cookie: the session is read from the database
    with database_unreachable():
        response = web.get(path)
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'lang="es"' in html and "base de datos no responde" in html


def test_a_web_login_while_the_database_is_down_is_a_503_page(citizen):
    with database_unreachable():
        response = client().post(
            "/cuenta/ingresar/", {"username": citizen.email, "password": PASSWORD}
        )
    assert response.status_code == 503
    assert "Retry-After" in response


def test_requests_work_again_when_the_database_is_back(api):
    with database_unreachable():
        assert (
            client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {api.token}").status_code
            == 503
        )
    response = client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {api.token}")
    assert response.status_code == 200, response.content
