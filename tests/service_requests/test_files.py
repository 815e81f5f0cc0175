"""Files malformed in every way we could think of: each gets a clear Spanish report and
changes nothing (the day's earlier report, if any, still stands)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from service_requests.helpers import (
    DAY,
    baja,
    by,
    csv_bytes,
    errors_of,
    landed,
    migracion,
    send,
    xlsx_bytes,
)
from sgu.core.errors import UnsupportedMediaType, ValidationFailed
from sgu.service_requests import services
from sgu.service_requests.layout import COLUMNS
from sgu.service_requests.models import Batch, DailyReport, ServiceRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def earlier(claro):
    """A good report already stands for the day: a bad file must not touch it."""
    batch = send(claro, csv_bytes([baja("B-OLD")]))
    assert batch.state == "DONE"
    return batch


def refused(claro, content: bytes, name: str = "reporte.csv"):
    before = landed()
    batch = send(claro, content, name=name)
    assert batch.state == "REJECTED", errors_of(batch)
    assert landed() == before, "un archivo rechazado no debe cambiar nada"
    return batch, errors_of(batch)


def messages(errors) -> str:
    return " | ".join(m for _, _, m in errors)


# --- encoding, delimiter, header ------------------------------------------------------------


def test_a_latin1_file_is_refused_naming_the_first_bad_row(claro, earlier):
    rows = [baja("B-1"), baja("B-2", from_plan="Plan Niño 29")]
    _, errors = refused(claro, csv_bytes(rows, encoding="latin-1"))

    assert errors == [
        (
            3,
            "archivo",
            "El archivo no está en UTF-8 (fila 3): probablemente se guardó como «CSV» "
            "(Latin-1/Windows-1252). Guárdelo como «CSV UTF-8 (delimitado por comas)».",
        )
    ]
    day = DailyReport.objects.get(operator=claro, report_date=DAY)
    assert day.batch_id == earlier.pk
    assert ServiceRequest.objects.get().request_code == "B-OLD"


def test_a_utf8_bom_and_accents_are_accepted(claro):
    batch = send(claro, csv_bytes([baja(from_plan="Plan Niño 29")], bom=True))

    assert batch.state == "DONE", errors_of(batch)
    assert ServiceRequest.objects.get().from_plan == "Plan Niño 29"


def test_semicolons_and_any_column_order_are_accepted(claro):
    columns = tuple(reversed(COLUMNS))
    batch = send(claro, csv_bytes([baja(), migracion()], delimiter=";", columns=columns))

    assert batch.state == "DONE", errors_of(batch)
    assert batch.rows_ok == 2
    assert ServiceRequest.objects.get(request_code="M-0001").to_plan == "Max 69.90"


@pytest.mark.parametrize("delimiter", ["\t", "|"])
def test_another_delimiter_is_refused(claro, earlier, delimiter):
    _, errors = refused(claro, csv_bytes([baja()], delimiter=delimiter))

    assert errors == [
        (
            1,
            "encabezado",
            "No se reconoce el separador: use coma (,) o punto y coma (;), no tabulaciones "
            "ni barras.",
        )
    ]


def test_missing_columns_are_each_named(claro, earlier):
    columns = tuple(c for c in COLUMNS if c not in ("status", "executed_at"))
    _, errors = refused(claro, csv_bytes([baja()], columns=columns))

    assert errors == [
        (1, "status", "Falta la columna «status»."),
        (1, "executed_at", "Falta la columna «executed_at»."),
    ]


def test_extra_and_repeated_columns_are_refused(claro, earlier):
    columns = (*COLUMNS, "email", "kind")
    _, errors = refused(claro, csv_bytes([baja()], columns=columns))

    assert (1, "email", "Columna no prevista «email»: el formato no la tiene.") in errors
    assert (1, "kind", "La columna «kind» aparece dos veces.") in errors


def test_a_file_without_header_is_refused(claro, earlier):
    body = csv_bytes([baja()]).split(b"\r\n", 1)[1]
    _, errors = refused(claro, body)

    assert errors[0][:2] == (1, "encabezado")
    assert "La primera fila debe tener los nombres de las columnas" in errors[0][2]


def test_a_file_of_blank_lines_is_refused(claro, earlier):
    _, errors = refused(claro, b"\r\n  \r\n\r\n")

    assert errors == [
        (0, "archivo", "El archivo no tiene contenido: falta la fila de encabezados.")
    ]


def test_a_zero_byte_file_is_refused_at_once_and_no_report_is_created(claro):
    upload = SimpleUploadedFile("vacio.csv", b"", content_type="text/csv")
    with pytest.raises(ValidationFailed) as refusal:
        services.receive_report(file=upload, report_date=DAY, by=by(claro))

    assert refusal.value.errors[0].message == "El archivo está vacío (0 bytes)."
    assert not Batch.objects.exists()


def test_a_header_only_file_is_a_day_without_requests(claro):
    batch = send(claro, csv_bytes([]))

    assert batch.state == "DONE" and batch.rows_total == 0
    assert DailyReport.objects.get(operator=claro, report_date=DAY).batch_id == batch.pk


# --- rows -------------------------------------------------------------------------------------


def test_every_bad_row_is_reported_and_nothing_lands(claro, earlier):
    rows = [
        baja("B-1"),
        baja("B-2", requested_at="2099-01-01 10:00"),
        migracion("M-1", to_plan=""),
        baja("B-3", status="RECHAZADA"),
        baja("B-4"),
    ]
    batch, errors = refused(claro, csv_bytes(rows))

    assert [(r, f) for r, f, _ in errors] == [
        (3, "requested_at"),
        (4, "to_plan"),
        (5, "rejection_reason"),
    ]
    assert "La fecha de la solicitud (01/01/2099 10:00) está en el futuro." in messages(errors)
    assert (batch.rows_total, batch.rows_ok, batch.rows_rejected) == (5, 2, 3)


def test_a_code_twice_in_the_file_is_reported_on_both_rows(claro, earlier):
    rows = [baja("B-1"), baja("B-2"), baja("b-1", status="EN_PROCESO"), baja("B-3")]
    _, errors = refused(claro, csv_bytes(rows))

    assert errors == [
        (
            2,
            "request_code",
            "El código de pedido «B-1» se repite en el archivo (también en la fila 4).",
        ),
        (4, "request_code", "El código de pedido «B-1» ya aparece en la fila 2 del archivo."),
    ]


def test_a_duplicate_next_to_other_errors_is_reported_too(claro, earlier):
    rows = [baja("B-1"), baja("B-1"), baja("B-2", kind="ALTA")]
    _, errors = refused(claro, csv_bytes(rows))

    assert {(r, f) for r, f, _ in errors} == {(2, "request_code"), (3, "request_code"), (4, "kind")}


def test_a_row_with_the_wrong_number_of_values_is_refused(claro, earlier):
    body = csv_bytes([baja("B-1")]) + b"B-2,BAJA,WEB\r\n"
    _, errors = refused(claro, body)

    assert errors == [
        (
            3,
            "fila",
            "La fila tiene 3 valores; el encabezado tiene 17 columnas (separador «,»).",
        )
    ]


def test_trailing_empty_cells_and_blank_lines_are_ignored(claro):
    body = csv_bytes([baja("B-1")]).replace(b"\r\n", b",,\r\n")
    batch = send(claro, body + b"\r\n,,,,,,,,,,,,,,,,\r\n")

    assert batch.state == "DONE", errors_of(batch)
    assert batch.rows_total == 1


def test_an_unclosed_quote_is_refused(claro, earlier):
    body = csv_bytes([baja("B-1")]) + b'B-2,BAJA,"WEB,2026-03-09 10:00\r\nB-3,BAJA\r\n'
    batch, errors = refused(claro, body)

    assert batch.rows_rejected >= 1 and errors


def test_a_nul_byte_inside_the_file_is_refused(claro, earlier):
    big = csv_bytes([baja(f"B-{i}") for i in range(200)])  # past the first 8 KB
    _, errors = refused(claro, big + b"B-X,BA\x00JA\r\n")

    assert errors == [
        (
            202,
            "archivo",
            "La fila 202 contiene caracteres nulos: ¿es un archivo binario o está en UTF-16? "
            "Guárdelo como «CSV UTF-8».",
        )
    ]


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Los libros .xls (Excel 97-2003)"),
        (b"%PDF-1.4\n%...", "Es un PDF"),
        ("request_code,kind\n".encode("utf-16"), "El archivo está en UTF-16"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "No es un archivo CSV de texto ni un libro XLSX."),
    ],
)
def test_files_that_are_not_reports_are_refused_at_once(claro, head, message):
    upload = SimpleUploadedFile("reporte.csv", head, content_type="text/csv")
    with pytest.raises(UnsupportedMediaType) as refusal:
        services.receive_report(file=upload, report_date=DAY, by=by(claro))

    assert message in refusal.value.detail
    assert not Batch.objects.exists()


# --- XLSX -------------------------------------------------------------------------------------


def test_an_xlsx_workbook_is_read_like_a_csv(claro):
    rows = [baja(), migracion(document_number="45678912")]
    batch = send(claro, xlsx_bytes(rows), name="reporte.xlsx")

    assert batch.source == "XLSX"
    assert batch.state == "DONE", errors_of(batch)
    assert landed() == (2, 2)


def test_xlsx_typed_cells_numbers_and_dates_are_read(claro):
    from datetime import date, datetime

    row = baja(
        requested_at=datetime(2026, 3, 9, 10, 15),
        scheduled_date=date(2026, 3, 12),
        document_number=45678912,
        service_number=987654321,
    )
    batch = send(claro, xlsx_bytes([row]), name="reporte.xlsx")

    assert batch.state == "DONE", errors_of(batch)
    request = ServiceRequest.objects.get()
    assert request.document_number == "45678912" and str(request.scheduled_date) == "2026-03-12"


def test_an_xlsx_with_a_formula_is_refused_naming_the_cell(claro, earlier):
    rows = [baja("B-1"), baja("B-2")]
    _, errors = refused(claro, xlsx_bytes(rows, formula_at=(1, "status")), name="r.xlsx")

    assert errors == [
        (
            3,
            "status",
            'La celda M3 tiene una fórmula (=CONCATENATE("RE","GISTRADA")): escriba el valor, '
            "no la fórmula.",
        )
    ]


def test_an_xlsx_with_several_sheets_is_refused(claro, earlier):
    _, errors = refused(claro, xlsx_bytes([baja()], sheets=("Reporte", "Hoja2")), name="r.xlsx")

    assert errors == [
        (
            0,
            "archivo",
            "El libro tiene 2 hojas («Reporte», «Hoja2»): envíe una sola hoja con el reporte.",
        )
    ]


def test_a_damaged_xlsx_is_refused(claro, earlier):
    _, errors = refused(claro, b"PK\x03\x04" + b"no es un libro" * 50, name="r.xlsx")

    assert errors == [
        (0, "archivo", "No se pudo leer el libro XLSX: está dañado o no es de Excel.")
    ]
