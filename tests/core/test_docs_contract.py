"""docs/api.md and the OpenAPI schema the application serves describe the same API: every
operation (method + path) of /api/v1/openapi.json has its row in docs/api.md, every operation
the document names exists, every enumeration value of the schema is listed, and the webhook
signature example is the one the code computes."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "api.md"
METHODS = "GET|POST|PUT|PATCH|DELETE"
# `METHOD /api/v1/path` anywhere in backticks (a query string after `?` is not the path).
MENTION = re.compile(rf"`({METHODS}) (/api/v1/[^`?\s]*)(?:\?[^`]*)?`")
# A table row that documents an operation: its first cell is exactly `METHOD /api/v1/path`.
ROW = re.compile(rf"^\|\s*`({METHODS}) (/api/v1/[^`?\s]*)`\s*\|", re.MULTILINE)


@pytest.fixture(scope="module")
def served(django_db_blocker) -> dict:
    from django.test import Client

    with django_db_blocker.unblock():  # the middleware may count the request
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def served_operations(schema: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() in METHODS.split("|")
    }


def test_every_served_operation_is_documented(served, doc):
    documented = set(ROW.findall(doc))
    missing = sorted(served_operations(served) - documented)
    assert not missing, f"operaciones sin su fila en docs/api.md: {missing}"


def test_every_documented_operation_is_served(served, doc):
    named = set(MENTION.findall(doc)) | set(ROW.findall(doc))
    unknown = sorted(named - served_operations(served))
    assert not unknown, f"docs/api.md nombra operaciones que la API no sirve: {unknown}"


def test_each_operation_has_one_row(doc):
    rows = ROW.findall(doc)
    repeated = sorted({r for r in rows if rows.count(r) > 1})
    assert not repeated, f"operaciones con más de una fila en docs/api.md: {repeated}"


def _enum_values(node, out: set[str]) -> None:
    if isinstance(node, dict):
        for value in node.get("enum", []):
            if isinstance(value, str):
                out.add(value)
        for child in node.values():
            _enum_values(child, out)
    elif isinstance(node, list):
        for child in node:
            _enum_values(child, out)


def test_every_enumeration_value_is_listed(served, doc):
    values: set[str] = set()
    _enum_values(served, values)
    assert values, "el esquema no declara enumeraciones: ¿cambió su forma?"
    missing = sorted(v for v in values if f"`{v}`" not in doc)
    assert not missing, f"valores de enumeraciones que docs/api.md no lista: {missing}"


def test_the_webhook_signature_example_is_what_the_code_sends(doc):
    from sgu.operators.tasks import sign

    secret = re.search(r"^\s*secreto:\s+(\S+)$", doc, re.MULTILINE)
    body = re.search(r"^\s*cuerpo:\s+(\S.*)$", doc, re.MULTILINE)
    header = re.search(r"^\s*cabecera:\s+X-SGU-Signature: (\S+)$", doc, re.MULTILINE)
    assert secret and body and header, "falta el ejemplo de firma en docs/api.md"
    assert sign(secret.group(1), body.group(1).encode()) == header.group(1)


def test_the_webhook_events_are_the_ones_the_code_sends(doc):
    from sgu.operators.services import EVENTS

    section = doc[doc.index("## Webhooks") :]
    for event in EVENTS:
        assert f"| `{event}` |" in section, event
