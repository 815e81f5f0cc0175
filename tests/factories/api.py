"""API clients with a bearer token, request bodies, and what a problem+json answer must be."""

import base64
import json

from django.test import Client

from factories.people import PASSWORD
from sgu.accounts import services as accounts


class Api:
    """A JSON client with a bearer token."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.token = token

    def _headers(self, extra):
        h = {}
        if self.token:
            h["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        h.update(extra)
        return h

    def get(self, path, **extra):
        return self.client.get(path, **self._headers(extra))

    def post(self, path, data=None, raw: str | None = None, **extra):
        body = raw if raw is not None else json.dumps(data if data is not None else {})
        return self.client.post(path, body, content_type="application/json", **self._headers(extra))

    def upload(self, path, file, **extra):
        return self.client.post(path, {"file": file}, **self._headers(extra))


def citizen_api(user) -> Api:
    raw, _ = accounts.issue_api_token(email=user.email, password=PASSWORD)
    return Api(raw)


def operator_api(operator) -> Api:
    raw, _ = accounts.create_operator_key(operator=operator, name="pruebas")
    return Api(raw)


def case_payload(**overrides) -> dict:
    payload = {
        "operator": "CLARO",
        "subcategory": "recarga-no-acreditada",
        "service_number": "987654321",
        "description": "Recargué 10 soles en una bodega y el saldo no llegó.",
        "fields": {
            "monto_recarga": "10",
            "fecha_recarga": "2026-01-15",
            "medio_recarga": "Bodega o agente",
        },
    }
    payload.update(overrides)
    return payload


PROBLEM = "application/problem+json"


def problem_of(response, status: int) -> dict:
    """Assert `response` is an RFC 9457 problem with exactly the contract's keys."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "errors"}, body
    assert body["status"] == status
    assert isinstance(body["errors"], list)
    for e in body["errors"]:
        assert set(e) == {"field", "message"}, e
    return body


def field_errors(body: dict) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body["errors"]}


def cursor_of(values: list) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
