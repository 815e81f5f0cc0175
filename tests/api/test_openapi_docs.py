"""The operators' part of the OpenAPI schema is documented for the people who integrate
against it: every operation has a summary and a Spanish description, examples of its JSON
request and responses that match their schemas, and its errors declared as problem+json."""

import jsonschema_rs
import pytest

from sgu.api import api

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def schema() -> dict:
    return api.get_openapi_schema()


def operator_operations(schema: dict):
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/operator/"):
            for method, operation in operations.items():
                yield f"{method.upper()} {path}", operation


def check(example, fragment: dict, components: dict, where: str) -> None:
    validator = jsonschema_rs.Draft202012Validator({**fragment, "components": components})
    errors = [e.message for e in validator.iter_errors(example)]
    assert not errors, (where, errors[:3])


def test_every_operator_operation_is_described_with_examples(schema):
    components = schema["components"]
    operations = list(operator_operations(schema))
    assert len(operations) >= 18
    for name, op in operations:
        assert op.get("summary") and len(op.get("description", "")) > 40, name
        assert "operación" in op["description"] or any(
            word in op["description"] for word in (" el ", " la ", " de ")
        ), name  # Spanish
        body = op.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            assert "example" in body, name
            check(body["example"], body["schema"], components, f"{name} request")
        ok = [(s, r) for s, r in op["responses"].items() if str(s).startswith("2")]
        assert ok, name
        for status, response in ok:
            content = response.get("content", {})
            assert content, (name, status)
            for media_type, media in content.items():
                if media.get("schema", {}).get("format") == "binary":
                    continue  # a spreadsheet has no textual example
                assert "example" in media, (name, status, media_type)
                if media_type == "application/json":
                    check(media["example"], media["schema"], components, f"{name} {status}")


def test_errors_are_declared_as_problem_json(schema):
    for name, op in operator_operations(schema):
        responses = {str(s): r for s, r in op["responses"].items()}
        assert {"401", "422", "429"} <= set(responses), name
        if "{" in name:
            assert "404" in responses, name
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert list(response["content"]) == [PROBLEM], (name, status)
                assert "example" in response["content"][PROBLEM] or status not in (
                    "401",
                    "422",
                    "429",
                ), (name, status)
                assert response["description"][0].isupper(), (name, status)
                assert response["description"] not in ("Unauthorized", "Not Found"), name
