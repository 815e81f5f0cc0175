"""A client without credentials is told to authenticate — 401 with `WWW-Authenticate: Bearer`
on every operation that needs credentials, whatever its method (a POST used to get a 403
about a CSRF token it never needed) — and the published schema is one a client can load:
no key twice in any object (Swagger UI refused it: "duplicated mapping key")."""

import json
import re

import pytest
from django.test import Client

from factories import problem_of

pytestmark = pytest.mark.django_db

SCHEMA = "/api/v1/openapi.json"


@pytest.fixture
def schema(db) -> dict:
    return Client().get(SCHEMA).json()


def _no_duplicates(pairs: list) -> dict:
    keys = [k for k, _ in pairs]
    duplicated = {k for k in keys if keys.count(k) > 1}
    assert not duplicated, f"claves repetidas: {sorted(duplicated)}"
    return dict(pairs)


def test_the_schema_has_no_duplicated_keys():
    raw = Client().get(SCHEMA).content
    json.loads(raw, object_pairs_hook=_no_duplicates)


def test_the_claim_form_declares_its_pdf_once(schema):
    responses = schema["paths"]["/api/v1/cases/{code}/claim/form.pdf"]["get"]["responses"]
    assert set(responses["200"]["content"]) == {"application/pdf"}


def operations_behind_credentials(schema: dict):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if operation.get("security"):
                # Any value fits a path parameter: credentials are checked before it is read.
                yield method, re.sub(r"\{[^}]+\}", "1", path)


def test_every_operation_behind_credentials_answers_401_without_them(schema, settings):
    settings.SGU = {
        **settings.SGU,
        "RATE_LIMITS": {**settings.SGU["RATE_LIMITS"], "ENABLED": False},
    }
    # enforce_csrf_checks: as a real client, which gets no exemption from the test client.
    client = Client(enforce_csrf_checks=True)
    operations = list(operations_behind_credentials(schema))
    methods = {method for method, _ in operations}
    assert len(operations) > 40 and {"get", "post"} <= methods
    for method, path in operations:
        if method == "get":
            response = client.get(path)
        else:
            response = getattr(client, method)(path, "{}", content_type="application/json")
        body = problem_of(response, 401)
        assert response["WWW-Authenticate"] == "Bearer", (method, path)
        assert "Authorization" in body["detail"], (method, path)


def test_an_operator_post_without_credentials_is_401_not_a_csrf_403():
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/operator/cases/SGU-2026-0000001/ack", "{}", content_type="application/json"
    )
    problem_of(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_web_session_still_needs_its_csrf_token_on_the_api(citizen):
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.post("/api/v1/cases", "{}", content_type="application/json")
    assert response.status_code == 403
