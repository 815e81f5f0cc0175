"""The regulator's export keeps the fixed layout of docs/outages.md, in CSV and in XLSX."""

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from factories import lima
from outages.helpers import make_point, make_supervisor, register
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role
from sgu.outages import services

# The published layout (docs/outages.md, "Exportación"): names and order.
LAYOUT = [
    "operadora",
    "numero",
    "punto_codigo",
    "punto_nombre",
    "punto_tipo",
    "ubigeo",
    "tipo_procedimiento",
    "escenario",
    "sistemas_afectados",
    "inicio",
    "fin",
    "duracion_minutos",
    "motivo_cierre",
    "registro_manual",
    "registrado_en",
    "cierre_registrado_en",
    "plazo_reporte",
    "registro_fuera_de_plazo",
    "cierre_fuera_de_plazo",
    "aplicativos",
    "estado_revision",
    "aprobado_reportado_en",
    "reporte_fuera_de_plazo",
]


@pytest.fixture
def register_book(claro_admin, claro_store, movistar_admin):
    closed = register(
        claro_admin,
        claro_store,
        systems='=HYPERLINK("http://malo")  CRM, ventas',
        started_at=lima(2026, 3, 9, 10),
        now=lima(2026, 3, 9, 10, 5),
    )
    services.close_outage(
        event=closed,
        ended_at=lima(2026, 3, 9, 12, 30),
        closing_reason="CONECTIVIDAD",
        by=principal_for_user(claro_admin),
        now=lima(2026, 3, 16, 9),  # Monday 16: after Thursday 12 23:59:59
    )
    callcenter = make_point(
        movistar_admin,
        code="CC-104",
        name="Centro de llamadas 104",
        kind="CENTRO_LLAMADAS",
        ubigeo="150101",
    )
    register(
        movistar_admin,
        callcenter,
        procedure_type="CONSULTAS",
        scenario="EVENTO_NO_PREVISTO",
        systems="Central telefónica (corte de energía)",
        started_at=lima(2026, 3, 10, 8, 15),
        manual=True,
        now=lima(2026, 3, 10, 9),
    )
    register(  # an error/test event: never exported
        claro_admin,
        claro_store,
        procedure_type="ALTAS",
        scenario="ERROR_O_PRUEBA",
        started_at=lima(2026, 3, 11, 9),
        now=lima(2026, 3, 11, 9),
    )
    # A falla masiva that turned out to be a test: closed as "Error de usuario" with its
    # justification, it is never exported although its scenario is reportable.
    mistaken = register(
        claro_admin,
        claro_store,
        procedure_type="BAJAS",
        started_at=lima(2026, 3, 11, 10),
        now=lima(2026, 3, 11, 10),
    )
    services.close_outage(
        event=mistaken,
        ended_at=lima(2026, 3, 11, 10, 30),
        closing_reason="ERROR_USUARIO",
        closing_justification="Registro de prueba del jefe de canal en capacitación.",
        by=principal_for_user(claro_admin),
        now=lima(2026, 3, 11, 11),
    )


@pytest.fixture
def regulator(catalog):
    client = Client()
    client.force_login(make_supervisor(Role.REGULATOR_AGENT))
    return client


EXPECTED_ROWS = [
    [
        "MOVISTAR", "1", "CC-104", "Centro de llamadas 104", "CENTRO_LLAMADAS", "150101",
        "CONSULTAS", "EVENTO_NO_PREVISTO", "Central telefónica (corte de energía)",
        "2026-03-10 08:15:00", "", "", "", "SI", "2026-03-10 09:00:00", "", "", "NO", "NO",
        "SIAC ÚNICO", "Abierto", "", "NO",
    ],
    [
        "CLARO", "1", "CAC-MIRAFLORES", "CAC Miraflores", "TIENDA", "150122", "RECLAMOS",
        "FALLA_MASIVA", "'=HYPERLINK(\"http://malo\") CRM, ventas", "2026-03-09 10:00:00",
        "2026-03-09 12:30:00", "150", "CONECTIVIDAD", "NO", "2026-03-09 10:05:00",
        "2026-03-16 09:00:00", "2026-03-12 23:59:59", "NO", "SI",
        "SIAC ÚNICO", "Falla masiva por confirmar", "", "NO",
    ],
]  # fmt: skip


def test_csv_layout(regulator, register_book):
    r = regulator.get("/inoperatividad/regulador/exportar.csv")
    assert r.status_code == 200
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    assert r["Content-Disposition"].startswith('attachment; filename="inoperatividad-')
    assert r.streaming
    raw = b"".join(r.streaming_content)
    assert raw.startswith("\ufeff".encode())  # BOM: spreadsheets read the accents
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(LAYOUT)
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == LAYOUT
    assert rows[1:] == EXPECTED_ROWS


def test_csv_follows_the_filters(regulator, register_book):
    r = regulator.get("/inoperatividad/regulador/exportar.csv?operator=CLARO&flagged=si")
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert [row[:2] for row in rows[1:]] == [["CLARO", "1"]]


def test_xlsx_layout(regulator, register_book):
    r = regulator.get("/inoperatividad/regulador/exportar.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "inoperatividad-" in r["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    sheet = book["Inoperatividad"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == LAYOUT
    assert len(rows) == 3
    claro = rows[2]
    assert claro[:2] == ["CLARO", 1]  # numbers stay numbers
    assert claro[11] == 150
    # Text stays text, even when it looks like a formula.
    assert claro[8] == '=HYPERLINK("http://malo") CRM, ventas'
    assert sheet.cell(row=3, column=9).data_type == "s"
    assert claro[9:11] == ["2026-03-09 10:00:00", "2026-03-09 12:30:00"]
    assert claro[17:19] == ["NO", "SI"]
    movistar = rows[1]
    assert movistar[10] is None or movistar[10] == ""  # open: no end


def test_export_is_for_the_regulator_only(client, claro_admin, register_book):
    assert client.get("/inoperatividad/regulador/exportar.csv").status_code == 302  # login
    client.force_login(claro_admin)
    assert client.get("/inoperatividad/regulador/exportar.csv").status_code == 403
    assert client.get("/inoperatividad/regulador/exportar.xlsx").status_code == 403
