"""The operators' API for daily reports (docs/api.md): 202 {id, state}, the batch's state with its
errors, the error CSV, JSON rows, and isolation between operators."""

import csv
import io

import pytest

from factories import field_errors, problem_of, run_tasks
from service_requests.helpers import DAY, baja, csv_bytes, csv_file, migracion, send
from sgu.service_requests.models import Batch, ServiceRequest

pytestmark = pytest.mark.django_db

BATCHES = "/api/v1/operator/service-requests/batches"
ROWS = "/api/v1/operator/service-requests/row-batches"


def post_file(api, file, report_date="2026-03-09", **extra):
    data = {"file": file, "report_date": report_date}
    return api.client.post(BATCHES, data, HTTP_AUTHORIZATION=f"Bearer {api.token}", **extra)


def test_upload_answers_202_and_the_batch_tells_its_state_and_errors(claro_api):
    rows = [baja("B-1"), baja("B-2", document_number="123"), migracion("M-1", to_plan="")]
    created = post_file(claro_api, csv_file(rows))

    assert created.status_code == 202
    body = created.json()
    assert body == {
        "id": body["id"],
        "state": "QUEUED",
        "report_date": "2026-03-09",
        "created": True,
    }

    queued = claro_api.get(f"{BATCHES}/{body['id']}").json()
    assert queued["state"] == "QUEUED" and queued["errors"] == []
    run_tasks()
    done = claro_api.get(f"{BATCHES}/{body['id']}").json()
    assert done["state"] == "REJECTED"
    assert (done["rows_total"], done["rows_ok"], done["rows_rejected"]) == (3, 1, 2)
    assert done["errors"] == [
        {
            "row": 3,
            "field": "document_number",
            "message": "El DNI tiene 8 dígitos (y, opcionalmente, su carácter de verificación).",
        },
        {"row": 4, "field": "to_plan", "message": "Una migración indica el plan de destino."},
    ]
    assert done["errors_csv"] == f"{BATCHES}/{body['id']}/errors.csv"

    response = claro_api.get(done["errors_csv"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [
        ["fila", "columna", "mensaje"],
        ["3", "document_number", done["errors"][0]["message"]],
        ["4", "to_plan", "Una migración indica el plan de destino."],
    ]


def test_a_good_upload_lands_and_the_same_file_again_is_the_same_batch(claro_api):
    first = post_file(claro_api, csv_file([baja(), migracion()])).json()
    run_tasks()
    again = post_file(claro_api, csv_file([baja(), migracion()]))

    assert again.status_code == 202
    assert again.json() == {
        "id": first["id"],
        "state": "DONE",
        "report_date": "2026-03-09",
        "created": False,
    }
    assert ServiceRequest.objects.count() == 2


def test_upload_input_errors_are_problems_in_spanish(claro_api):
    no_file = claro_api.client.post(
        BATCHES, {"report_date": "2026-03-09"}, HTTP_AUTHORIZATION=f"Bearer {claro_api.token}"
    )
    assert field_errors(problem_of(no_file, 422)) == {
        "file": "Adjunte el archivo del reporte (CSV o XLSX)."
    }

    future = post_file(claro_api, csv_file([baja()]), report_date="2099-01-01")
    assert field_errors(problem_of(future, 422)) == {
        "report_date": "El día del reporte no puede ser posterior a hoy."
    }

    as_json = claro_api.post(BATCHES, {"report_date": "2026-03-09"})
    assert set(field_errors(problem_of(as_json, 422))) == {"file", "report_date"}

    pdf = post_file(claro_api, io.BytesIO(b"%PDF-1.4 no es un reporte"))
    assert "Es un PDF" in problem_of(pdf, 415)["detail"]
    assert not Batch.objects.exists()


def test_the_api_needs_an_operator_key(anon_api, api):
    problem_of(anon_api.get(BATCHES), 401)
    problem_of(api.get(BATCHES), 401)  # a citizen's token is not an operator's key


def test_one_operator_never_sees_another_ones_reports(claro, claro_api, movistar_api):
    batch = send(claro, csv_bytes([baja()]))

    assert claro_api.get(f"{BATCHES}/{batch.pk}").status_code == 200
    problem = problem_of(movistar_api.get(f"{BATCHES}/{batch.pk}"), 404)
    assert problem["detail"] == "No existe ese reporte entre los de su empresa."
    problem_of(movistar_api.get(f"{BATCHES}/{batch.pk}/errors.csv"), 404)
    assert movistar_api.get(BATCHES).json() == {"items": [], "next_cursor": None}
    listed = claro_api.get(BATCHES).json()["items"]
    assert [b["id"] for b in listed] == [batch.pk]


def test_the_list_is_paginated_newest_first(claro, claro_api):
    ids = [send(claro, csv_bytes([baja(f"B-{i}")]), process=False).pk for i in range(3)]

    page = claro_api.get(f"{BATCHES}?limit=2").json()
    assert [b["id"] for b in page["items"]] == ids[::-1][:2]
    rest = claro_api.get(f"{BATCHES}?limit=2&cursor={page['next_cursor']}").json()
    assert [b["id"] for b in rest["items"]] == [ids[0]] and rest["next_cursor"] is None


def test_rows_as_json_are_a_report_like_a_file(claro_api):
    payload = {"report_date": "2026-03-09", "rows": [baja(document_number=45678912), migracion()]}
    created = claro_api.post(ROWS, payload)

    assert created.status_code == 202
    run_tasks()
    batch = claro_api.get(f"{BATCHES}/{created.json()['id']}").json()
    assert (batch["state"], batch["source"], batch["rows_ok"]) == ("DONE", "JSON", 2)
    assert ServiceRequest.objects.get(request_code="B-0001").document_number == "45678912"


def test_json_rows_are_numbered_from_one(claro_api):
    created = claro_api.post(
        ROWS, {"report_date": "2026-03-09", "rows": [baja(), baja("B-2", kind="ALTA")]}
    )
    run_tasks()
    batch = claro_api.get(f"{BATCHES}/{created.json()['id']}").json()
    assert [(e["row"], e["field"]) for e in batch["errors"]] == [(2, "kind")]


def test_json_rows_with_unknown_columns_are_refused_at_once(claro_api):
    response = claro_api.post(
        ROWS, {"report_date": "2026-03-09", "rows": [{**baja(), "email": "x@y.pe"}]}
    )

    assert field_errors(problem_of(response, 422)) == {"rows.0.email": "Dato no previsto."}


def test_json_rows_honour_the_idempotency_key(claro_api):
    payload = {"report_date": "2026-03-09", "rows": [baja()]}
    first = claro_api.post(ROWS, payload, HTTP_IDEMPOTENCY_KEY="k-1")
    again = claro_api.post(ROWS, payload, HTTP_IDEMPOTENCY_KEY="k-1")
    other = claro_api.post(ROWS, {**payload, "rows": []}, HTTP_IDEMPOTENCY_KEY="k-1")

    assert again.status_code == 202 and again.json() == first.json()
    problem_of(other, 409)


def test_too_many_json_rows_are_refused(claro_api, settings):
    settings.SGU = {
        **settings.SGU,
        "SERVICE_REQUESTS": {**settings.SGU["SERVICE_REQUESTS"], "MAX_JSON_ROWS": 2},
    }
    response = claro_api.post(ROWS, {"report_date": DAY.isoformat(), "rows": [baja()] * 3})

    assert "Se admiten hasta 2 filas por envío" in field_errors(problem_of(response, 422))["rows"]


def test_the_openapi_schema_documents_the_multipart_upload(anon_api):
    schema = anon_api.get("/api/v1/openapi.json").json()
    upload = schema["paths"][BATCHES]["post"]
    body = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["file", "report_date"]
    assert "202" in upload["responses"]
