"""Factories for the bajas y migraciones suites: reports built in the published layout and
sent through the services (never rows written by hand)."""

import csv
import io
from datetime import date, datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from factories import run_tasks
from sgu.cases.workflow import Actor
from sgu.core.principal import Principal
from sgu.service_requests import services
from sgu.service_requests.layout import COLUMNS
from sgu.service_requests.models import Batch

DAY = date(2026, 3, 9)  # a Monday
DAY2 = date(2026, 3, 10)


def by(operator) -> Principal:
    return Principal(actor_role=Actor.OPERATOR, operator=operator)


def baja(code: str = "B-0001", **overrides) -> dict:
    row = {
        "request_code": code,
        "kind": "BAJA",
        "channel": "TELEFONICO",
        "requested_at": "2026-03-09 10:15:00",
        "document_type": "DNI",
        "document_number": "45678912",
        "service_number": "987654321",
        "contract": "",
        "service": "MOVIL",
        "from_plan": "Max 39.90",
        "to_plan": "",
        "reason": "",
        "status": "REGISTRADA",
        "scheduled_date": "2026-03-12",
        "executed_at": "",
        "rejection_reason": "",
    }
    row.update(overrides)
    return _with_service_state(row, overrides)


def migracion(code: str = "M-0001", **overrides) -> dict:
    row = baja(code, kind="MIGRACION", to_plan="Max 69.90", scheduled_date="2026-04-01")
    row.update(overrides)
    return _with_service_state(row, overrides)


def _with_service_state(row: dict, overrides: dict) -> dict:
    """The state of the service that goes with the request's, unless the test gives one."""
    if "service_state" not in overrides:
        executed = str(row.get("status", "")).upper() == "EJECUTADA"
        if not executed:
            row["service_state"] = "ACTIVO"
        else:
            row["service_state"] = "DADO_DE_BAJA" if row.get("kind") == "BAJA" else "MIGRADO"
    return row


def csv_bytes(
    rows: list[dict],
    *,
    delimiter: str = ",",
    columns=COLUMNS,
    bom: bool = False,
    encoding: str = "utf-8",
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(c, "") for c in columns])
    data = out.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def csv_file(rows: list[dict], name: str = "reporte.csv", **kw) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes(rows, **kw), content_type="text/csv")


def send(
    operator,
    content,
    *,
    day: date = DAY,
    name: str = "reporte.csv",
    process: bool = True,
    now: datetime | None = None,
):
    """Receive a report (bytes or an uploaded file), at `now` if given, and let the worker
    process it."""
    upload = content
    if isinstance(content, bytes):
        upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    batch, _ = services.receive_report(file=upload, report_date=day, by=by(operator), now=now)
    if process:
        run_tasks()
        batch = Batch.objects.get(pk=batch.pk)
    return batch


def errors_of(batch: Batch) -> list[tuple[int, str, str]]:
    return list(batch.errors.order_by("row", "id").values_list("row", "field", "message"))


def xlsx_bytes(
    rows: list[dict],
    *,
    sheets: tuple[str, ...] = ("Reporte",),
    columns=COLUMNS,
    formula_at: tuple[int, str] | None = None,
) -> bytes:
    """An XLSX workbook: the rows on the first sheet; more (empty) sheets if asked; a
    formula in (row index, column) if asked."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheets[0]
    ws.append(list(columns))
    for i, row in enumerate(rows):
        values = [row.get(c, "") for c in columns]
        if formula_at and formula_at[0] == i:
            values[list(columns).index(formula_at[1])] = '=CONCATENATE("RE","GISTRADA")'
        ws.append(values)
    for name in sheets[1:]:
        wb.create_sheet(name)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def landed() -> tuple[int, int]:
    """(requests, history rows) in the database."""
    from sgu.service_requests.models import ServiceRequest, ServiceRequestReport

    return ServiceRequest.objects.count(), ServiceRequestReport.objects.count()
