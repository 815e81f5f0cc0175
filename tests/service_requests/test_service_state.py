"""The state of the service (activo, suspendido, dado de baja, migrado) besides the state of
the request, in the daily files, the rows sent by API, monitoring, exports and the public
lookup (bajas-migraciones: the report carries "estado de servicio"). Files in the layout
before the column are still accepted: each row's service state is then "not reported"."""

import csv
import io

import pytest
from django.test import Client

from factories import (
    Api,
    run_tasks,
    staff_token,
)
from outages.helpers import make_supervisor
from service_requests.helpers import DAY, baja, csv_bytes, errors_of, migracion, send, xlsx_bytes
from sgu.accounts.models import Role
from sgu.service_requests.layout import COLUMNS
from sgu.service_requests.models import ServiceRequest, ServiceRequestReport

pytestmark = pytest.mark.django_db

OLD_LAYOUT = [c for c in COLUMNS if c != "service_state"]


def rows():
    return [
        baja("B-1", status="EJECUTADA", executed_at="2026-03-09 18:00"),  # DADO_DE_BAJA
        baja(
            "B-2",
            status="RECHAZADA",
            rejection_reason="Deuda pendiente",
            service_state="SUSPENDIDO",
        ),
        migracion("M-1"),  # ACTIVO
        migracion("M-2", status="EJECUTADA", executed_at="2026-03-09 19:00"),  # MIGRADO
    ]


def states() -> dict[str, str]:
    return dict(ServiceRequest.objects.values_list("request_code", "service_state"))


def test_the_file_carries_the_state_of_each_service(claro):
    batch = send(claro, csv_bytes(rows()))
    assert batch.state == "DONE", errors_of(batch)
    assert states() == {
        "B-1": "DADO_DE_BAJA",
        "B-2": "SUSPENDIDO",
        "M-1": "ACTIVO",
        "M-2": "MIGRADO",
    }
    history = dict(ServiceRequestReport.objects.values_list("request_code", "service_state"))
    assert history == states()


def test_a_workbook_too_and_spelled_as_people_write_it(claro):
    batch = send(
        claro,
        xlsx_bytes(
            [
                baja(
                    "B-9",
                    service_state="Dado de baja",
                    status="EJECUTADA",
                    executed_at="2026-03-09 18:00",
                ),
                migracion("M-9", service_state="suspendido"),
            ]
        ),
        name="reporte.xlsx",
    )
    assert batch.state == "DONE", errors_of(batch)
    assert states() == {"B-9": "DADO_DE_BAJA", "M-9": "SUSPENDIDO"}


def test_a_file_in_the_earlier_layout_is_accepted_with_the_state_not_reported(claro, anon_api):
    batch = send(claro, csv_bytes(rows(), columns=OLD_LAYOUT))
    assert batch.state == "DONE", errors_of(batch)
    assert set(states().values()) == {""}
    # The public lookup says so in words.
    r = anon_api.get(
        "/api/v1/public/service-requests/status?request_code=B-1&document_number=45678912"
    )
    assert r.json()["service_state"] == ""
    assert r.json()["service_state_label"] == "No informado por la operadora"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            baja("B-1", service_state=""),
            "Falta el estado del servicio: use ACTIVO, SUSPENDIDO, DADO_DE_BAJA o MIGRADO.",
        ),
        (
            baja("B-1", service_state="CORTADO"),
            "Estado del servicio no válido «CORTADO»: use "
            "ACTIVO, SUSPENDIDO, DADO_DE_BAJA o MIGRADO.",
        ),
        (
            baja("B-1", status="EJECUTADA", executed_at="2026-03-09 18:00", service_state="ACTIVO"),
            "Una baja EJECUTADA deja el servicio DADO_DE_BAJA.",
        ),
        (
            migracion(
                "M-1", status="EJECUTADA", executed_at="2026-03-09 18:00", service_state="ACTIVO"
            ),
            "Una migración EJECUTADA deja el servicio MIGRADO.",
        ),
        (
            migracion("M-1", service_state="MIGRADO"),
            "El servicio queda MIGRADO solo con una migración EJECUTADA.",
        ),
    ],
)
def test_a_wrong_or_missing_state_is_refused_by_row_and_column(claro, row, message):
    batch = send(claro, csv_bytes([row]))
    assert batch.state == "REJECTED"
    assert errors_of(batch) == [(2, "service_state", message)]
    assert ServiceRequest.objects.count() == 0


def test_rows_by_api_with_and_without_the_state(claro_api, claro):
    url = "/api/v1/operator/service-requests/row-batches"
    with_state = {"report_date": DAY.isoformat(), "rows": [baja("B-1"), migracion("M-1")]}
    r = claro_api.post(url, with_state)
    assert r.status_code == 202, r.content
    run_tasks()
    assert states() == {"B-1": "ACTIVO", "M-1": "ACTIVO"}

    # A client of the earlier layout: no row says it; accepted, "not reported".
    old = [{k: v for k, v in row.items() if k != "service_state"} for row in rows()]
    r = claro_api.post(url, {"report_date": "2026-03-10", "rows": old})
    assert r.status_code == 202, r.content
    run_tasks()
    assert states()["B-1"] == ""

    # Once a row gives it, every row must.
    mixed = [baja("B-3", service_state="ACTIVO"), {**baja("B-4")}]
    mixed[1].pop("service_state")
    r = claro_api.post(url, {"report_date": "2026-03-10", "rows": mixed})
    run_tasks()
    batch_id = r.json()["id"]
    detail = claro_api.get(f"/api/v1/operator/service-requests/batches/{batch_id}").json()
    assert detail["state"] == "REJECTED"


def test_monitoring_exports_and_the_public_lookup_show_both_states(claro, catalog):
    send(claro, csv_bytes(rows()))

    supervisor = make_supervisor(Role.REGULATOR_AGENT)
    api = Api(staff_token(supervisor))
    listed = api.get("/api/v1/staff/service-requests/rejected-bajas").json()
    (b2,) = [r for r in listed["items"] if r["request_code"] == "B-2"]
    assert (b2["status"], b2["service_state"]) == ("RECHAZADA", "SUSPENDIDO")

    client = Client()
    client.force_login(supervisor)
    page = client.get("/bajas-migraciones/regulador/bajas-rechazadas/").content.decode()
    assert "Rechazada · Suspendido" in page
    export = client.get("/bajas-migraciones/regulador/bajas-rechazadas.csv")
    body = b"".join(export.streaming_content) if export.streaming else export.content
    table = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert {(r["codigo_pedido"], r["estado"], r["estado_servicio"]) for r in table} == {
        ("B-2", "RECHAZADA", "SUSPENDIDO")
    }

    public = Client().post(
        "/bajas-migraciones/consulta/", {"request_code": "B-1", "document_number": "45678912"}
    )
    text = " ".join(public.content.decode().split())
    assert "<dt>Estado de su solicitud</dt><dd>Ejecutada</dd>" in text
    assert "<dt>Estado de su servicio</dt><dd>Dado de baja</dd>" in text
