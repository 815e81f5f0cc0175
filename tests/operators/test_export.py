"""Operators export their tray (CSV and XLSX, streamed) from the web and the API, with the
tray's filters and `updated_since`; only their own cases, no personal data, audited."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from factories import acknowledge, make_case, make_citizen, make_operator_agent
from sgu.cases.models import Case
from sgu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

HEADER = [
    "codigo", "estado", "problema_codigo", "problema", "servicio", "canal", "numero_servicio",
    "registrado", "trasladado", "vence", "en_atencion_desde", "respondido", "resultado",
    "reclamo_estado", "reclamo_codigo", "actualizado", "vencido",
]  # fmt: skip


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def parse_csv(response) -> list[dict]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    reader = csv.reader(io.StringIO(text[1:]))
    header = next(reader)
    assert header == HEADER
    return [dict(zip(header, row, strict=True)) for row in reader]


def parse_xlsx(response) -> list[dict]:
    ws = load_workbook(io.BytesIO(body(response)), read_only=True).active
    values = list(ws.iter_rows(values_only=True))
    assert list(values[0]) == HEADER
    return [dict(zip(HEADER, row, strict=True)) for row in values[1:]]


@pytest.fixture
def trays(claro, movistar):
    """Claro: three cases (one in progress); Movistar: one."""
    citizen = make_citizen()
    claro_cases = [make_case(citizen, service_number=f"98765432{i}") for i in range(3)]
    acknowledge(claro_cases[0])
    movistar_case = make_case(citizen, operator="MOVISTAR")
    return {"claro": claro_cases, "movistar": movistar_case, "citizen": citizen}


def test_web_export_follows_the_filters_and_shows_only_the_operators_cases(claro, trays):
    agent = make_operator_agent(claro)
    web = Client()
    web.force_login(agent)
    response = web.get("/operadora/bandeja/exportar.csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = parse_csv(response)
    codes = {r["codigo"] for r in rows}
    assert codes == {c.code for c in trays["claro"]}
    assert trays["movistar"].code not in body(web.get("/operadora/bandeja/exportar.csv")).decode()
    first = next(r for r in rows if r["codigo"] == trays["claro"][0].code)
    # For a person: Spanish words, not the codes the API gives the operator's systems.
    assert first["estado"] == "En atención" and first["numero_servicio"] == "987654320"
    assert first["canal"] == "Web" and first["servicio"] == "Telefonía móvil"
    assert first["vencido"] == "No" and first["en_atencion_desde"] != ""
    # Nothing personal: no name, document or email of the citizen anywhere in the file.
    citizen = trays["citizen"]
    text = body(web.get("/operadora/bandeja/exportar.csv")).decode()
    for private in (citizen.email, citizen.document_number, citizen.last_name):
        assert private not in text

    filtered = parse_xlsx(web.get("/operadora/bandeja/exportar.xlsx?state=IN_PROGRESS"))
    assert [r["codigo"] for r in filtered] == [trays["claro"][0].code]
    assert filtered[0]["numero_servicio"] == "987654320"  # text, not a number

    event = AuditEvent.objects.filter(action="cases.exported").order_by("id").last()
    assert event.actor == agent
    assert event.data["rows"] == 1 and event.data["format"] == "xlsx"
    assert event.data["filters"] == {"state": "IN_PROGRESS"}


def test_web_tray_offers_the_downloads(claro, trays):
    web = Client()
    web.force_login(make_operator_agent(claro))
    html = web.get("/operadora/bandeja/?state=FORWARDED").content.decode()
    assert 'formaction="/operadora/bandeja/exportar.csv"' in html
    assert 'formaction="/operadora/bandeja/exportar.xlsx"' in html


def test_api_export_with_updated_since(claro, trays, claro_api):
    cases = trays["claro"]
    old = timezone.now() - timedelta(days=2)
    Case.objects.filter(pk__in=[c.pk for c in cases[1:]]).update(updated_at=old)
    since = (timezone.now() - timedelta(hours=1)).isoformat()

    response = claro_api.get("/api/v1/operator/cases/export", QUERY_STRING="format=csv")
    assert response.status_code == 200
    assert {r["codigo"] for r in parse_csv(response)} == {c.code for c in cases}

    recent = claro_api.client.get(
        "/api/v1/operator/cases/export",
        {"format": "xlsx", "updated_since": since},
        HTTP_AUTHORIZATION=f"Bearer {claro_api.token}",
    )
    assert recent.status_code == 200
    assert recent["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [r["codigo"] for r in parse_xlsx(recent)] == [cases[0].code]

    listing = claro_api.client.get(
        "/api/v1/operator/cases",
        {"updated_since": since},
        HTTP_AUTHORIZATION=f"Bearer {claro_api.token}",
    ).json()
    assert [c["code"] for c in listing["items"]] == [cases[0].code]

    event = AuditEvent.objects.filter(action="cases.exported").order_by("id").last()
    assert event.actor is None and event.data["api_key"] is not None
    assert event.data["rows"] == 1 and event.data["filters"]["updated_since"].startswith("20")


def test_api_export_refuses_bad_input_and_other_keys(claro, trays, claro_api, movistar_api):
    bad = claro_api.get("/api/v1/operator/cases/export", QUERY_STRING="format=pdf")
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "format"
    bad_date = claro_api.get("/api/v1/operator/cases/export", QUERY_STRING="updated_since=ayer")
    assert bad_date.status_code == 422
    assert "fecha" in bad_date.json()["errors"][0]["message"]
    assert not AuditEvent.objects.filter(action="cases.exported").exists()

    assert Client().get("/api/v1/operator/cases/export").status_code == 401
    other = parse_csv(movistar_api.get("/api/v1/operator/cases/export"))
    assert [r["codigo"] for r in other] == [trays["movistar"].code]


def test_formulas_never_reach_the_spreadsheet(claro, citizen, claro_api):
    make_case(citizen)
    Case.objects.update(service_number="=1+2")
    rows = parse_csv(claro_api.get("/api/v1/operator/cases/export"))
    assert rows[0]["numero_servicio"] == "'=1+2"


def test_updated_since_with_an_unusual_offset_is_read_as_an_instant(claro, trays, claro_api):
    # Valid ISO 8601 that PostgreSQL would refuse as it stands (found by schemathesis).
    for path in ("/api/v1/operator/cases", "/api/v1/operator/cases/export"):
        response = claro_api.client.get(
            path,
            {"updated_since": "2026-01-01T00:00:00-23:24"},
            HTTP_AUTHORIZATION=f"Bearer {claro_api.token}",
        )
        assert response.status_code == 200, path
    listing = claro_api.client.get(
        "/api/v1/operator/cases",
        {"updated_since": "2026-01-01T00:00:00-23:24"},
        HTTP_AUTHORIZATION=f"Bearer {claro_api.token}",
    ).json()
    assert len(listing["items"]) == 3
    edge = claro_api.client.get(
        "/api/v1/operator/cases",
        {"updated_since": "0001-01-01T00:00:00+01:00"},
        HTTP_AUTHORIZATION=f"Bearer {claro_api.token}",
    )
    assert edge.status_code == 422 and edge.json()["errors"][0]["field"] == "updated_since"
