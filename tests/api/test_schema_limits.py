"""The published schema says the limits the code enforces, and the code refuses what the
schema calls invalid: `limit` has its minimum and maximum; a number is not a date
(`report_date=0` and `updated_since=0.5` were taken as 1970-01-01) and `false` is not a
service number (it was taken as 0). The lists of values (document types, regions, query
channels), the bounds of `stale_days` and of lists, and `true`/`false` as the only booleans of a
body are declared, and anything else is refused with the message the web form gives."""

import re

import pytest
from django.test import Client

from factories import (
    Api,
    acknowledge,
    field_errors,
    make_case,
    make_regulator,
    problem_of,
    solution_payload,
    staff_token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(db) -> dict:
    return Client().get("/api/v1/openapi.json").json()


def test_every_limit_parameter_declares_its_bounds(schema):
    seen = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "limit":
                    seen += 1
                    declared = parameter["schema"]
                    if "anyOf" in declared:
                        declared = next(s for s in declared["anyOf"] if s.get("type") == "integer")
                    assert (declared["minimum"], declared["maximum"]) == (1, 500), (method, path)
    assert seen >= 12


@pytest.mark.parametrize("limit", ["0", "501", "-1"])
def test_a_limit_outside_its_declared_bounds_is_a_422(claro_api, limit):
    body = problem_of(claro_api.get(f"/api/v1/operator/cases?limit={limit}"), 422)
    assert "limit" in field_errors(body)


@pytest.mark.parametrize(
    "path", ["/api/v1/operator/cases/export", "/api/v1/operator/cases"], ids=["export", "tray"]
)
@pytest.mark.parametrize("value", ["0.5", "0", "1700000000", "-3e2"])
def test_a_number_is_not_an_instant(claro_api, path, value):
    body = problem_of(claro_api.get(f"{path}?updated_since={value}"), 422)
    assert field_errors(body) == {"updated_since": "Debe ser una fecha y hora ISO 8601."}


def test_an_iso_instant_is_still_an_instant(claro_api):
    response = claro_api.get("/api/v1/operator/cases?updated_since=2026-01-01T00:00:00%2B00:00")
    assert response.status_code == 200, response.content


@pytest.mark.parametrize("value", ["0", "20260309", "1.5"])
def test_a_number_is_not_a_report_date(claro_api, value):
    body = problem_of(
        claro_api.get(f"/api/v1/operator/service-requests/batches?report_date={value}"), 422
    )
    assert field_errors(body) == {"report_date": "Debe ser una fecha AAAA-MM-DD."}
    ok = claro_api.get("/api/v1/operator/service-requests/batches?report_date=2026-03-09")
    assert ok.status_code == 200


ROW = {
    "request_code": "B-2026-000123",
    "kind": "BAJA",
    "channel": "TELEFONICO",
    "requested_at": "2026-03-09 10:15",
    "document_type": "DNI",
    "document_number": "45678912",
    "service_number": "987654321",
    "service": "MOVIL",
    "status": "REGISTRADA",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [("service_number", False), ("document_number", True), ("service_number", 1.5)],
)
def test_a_boolean_or_fraction_is_not_a_number_in_a_row(claro_api, field, value):
    payload = {"report_date": "2026-03-09", "rows": [{**ROW, field: value}]}
    body = problem_of(claro_api.post("/api/v1/operator/service-requests/row-batches", payload), 422)
    assert any(name.endswith(field) for name in field_errors(body)), body["errors"]


def test_a_row_batch_dated_with_a_number_is_a_422(claro_api):
    payload = {"report_date": 0, "rows": [ROW]}
    body = problem_of(claro_api.post("/api/v1/operator/service-requests/row-batches", payload), 422)
    assert field_errors(body) == {"report_date": "Debe ser una fecha AAAA-MM-DD."}


def test_a_solution_executed_on_a_number_is_a_422(claro_api):
    case = acknowledge(make_case())
    payload = solution_payload(executed_at=0)
    body = problem_of(claro_api.post(f"/api/v1/operator/cases/{case.code}/solution", payload), 422)
    assert field_errors(body) == {"executed_at": "Debe ser una fecha AAAA-MM-DD."}


# --- what the schema now declares, and the API refuses alike ---------------------------------


def _component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]["properties"]


def _enum_of(prop: dict, schema: dict) -> list:
    if "$ref" in prop:
        prop = schema["components"]["schemas"][prop["$ref"].rsplit("/", 1)[1]]
    return prop["enum"]


def test_choices_bounds_and_lists_are_declared(schema):
    documents = ["DNI", "CE", "RUC", "PASAPORTE"]
    account = _component(schema, "AccountIn")
    assert _enum_of(account["document_type"], schema) == documents
    assert account["consent"]["enum"] == [True]
    query = _component(schema, "QueryIn")
    assert query["document_type"]["enum"] == ["", *documents]
    assert query["channel"]["enum"] == ["PRESENCIAL", "TELEFONICO", "WEB", "EMAIL", "APP", "CARTA"]
    assert query["region"]["enum"][:3] == ["", "AMAZONAS", "ANCASH"]
    assert _component(schema, "EscalateIn")["region"]["enum"] == query["region"]["enum"]
    items = _component(schema, "InfoReplaceIn")["items"]
    assert (items["minItems"], items["maxItems"]) == (1, 500)
    outage = schema["components"]["schemas"]["OutageIn"]
    assert outage["properties"]["applications"]["minItems"] == 1
    assert "applications" in outage["required"]
    (stale,) = schema["paths"]["/api/v1/staff/operator-information"]["get"]["parameters"]
    declared = next(s for s in stale["schema"]["anyOf"] if s.get("type") == "integer")
    assert (declared["minimum"], declared["maximum"]) == (1, 3650)


ACCOUNT = {
    "document_type": "DNI",
    "document_number": "45678912",
    "first_name": "Rosa",
    "last_name": "Quispe",
    "email": "rosa@example.pe",
    "phone": "987654321",
    "password": "una-clave-larga-2026",
    "consent": True,
}
BOOLEAN = "Debe ser verdadero o falso (true/false)."


@pytest.mark.parametrize("value", ["true", "yes", 1, "1"])
def test_only_true_is_consent(catalog, anon_api, value):
    body = problem_of(anon_api.post("/api/v1/accounts", {**ACCOUNT, "consent": value}), 422)
    assert field_errors(body) == {"consent": BOOLEAN}


def test_a_document_type_outside_the_list_is_refused_before_anything_else(catalog, anon_api):
    payload = {**ACCOUNT, "document_type": "dni", "consent": False}
    body = problem_of(anon_api.post("/api/v1/accounts", payload), 422)
    assert field_errors(body) == {
        "document_type": "Elija el tipo de documento: DNI, carné de extranjería, RUC o pasaporte."
    }


@pytest.mark.parametrize("value", ["on", 0, "false"])
def test_a_flag_is_true_or_false_only(claro_api, value):
    body = problem_of(claro_api.post("/api/v1/operator/outages", {"manual": value}), 422)
    assert field_errors(body)["manual"] == BOOLEAN


QUERY = {"channel": "WEB", "motive": "otros-informacion", "question": "¿Cuándo?", "name": "Ana"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("region", "lima", "Elija la región (departamento) de la lista."),
        ("region", " LIMA", "Elija la región (departamento) de la lista."),
        (
            "document_type",
            "LE",
            "Elija el tipo de documento: DNI, carné de extranjería, RUC o pasaporte.",
        ),
        ("anonymous", "true", BOOLEAN),
    ],
)
def test_a_query_takes_the_listed_spellings_only(catalog, field, value, message):
    # Anonymous: the document would be dropped, yet a type outside the list is still refused.
    staff = Api(staff_token(make_regulator()))
    payload = {**QUERY, "anonymous": True, "name": "", field: value}
    body = problem_of(staff.post("/api/v1/staff/queries", payload), 422)
    assert field_errors(body) == {field: message}


@pytest.mark.parametrize("blank", [" ", "\x1c\x85", "\u3000\t"])
def test_a_name_of_blanks_is_invalid_for_the_schema_and_the_api(schema, catalog, anon_api, blank):
    # The schema's pattern lists the blanks the service trims (not the regex \s).
    pattern = _component(schema, "AccountIn")["first_name"]["pattern"]
    assert re.search(pattern, blank) is None and re.search(pattern, f"{blank}Rosa")
    body = problem_of(anon_api.post("/api/v1/accounts", {**ACCOUNT, "first_name": blank}), 422)
    assert field_errors(body) == {"first_name": "Ingrese sus nombres."}
