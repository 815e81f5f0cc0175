"""The per-row checks of the daily report (layout.RowChecker): each rule with its Spanish
message, and the values a good row becomes. Pure: no database."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service_requests.helpers import baja, migracion
from sgu.core.identity import InvalidValue, normalize_document
from sgu.service_requests.layout import (
    COLUMNS,
    RowChecker,
    parse_date,
    parse_datetime,
    pg_datetime,
    sqlite_datetime,
)

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)  # 10:00 in Lima, the day after DAY
DAY = date(2026, 3, 9)


def check(row: dict, *, report_date: date = DAY, fmt=pg_datetime):
    checker = RowChecker(report_date=report_date, now=NOW, fmt_datetime=fmt)
    errors: list = []
    out = checker.check([row.get(c, "") for c in COLUMNS], 7, errors)
    return out, {field: message for _, field, message in errors}


def test_a_good_baja_becomes_the_staging_row():
    out, errors = check(baja())

    assert errors == {}
    assert out == (
        7,
        "B-0001",
        "BAJA",
        "TELEFONICO",
        "2026-03-09 10:15:00-05:00",
        "DNI",
        "45678912",
        "987654321",
        "",
        "MOVIL",
        "Max 39.90",
        "",
        "",
        "REGISTRADA",
        "2026-03-12",
        None,
        "",
        "ACTIVO",  # the state of the service (helpers.baja gives each row a consistent one)
        False,
        True,
    )


def test_values_are_normalised_case_accents_spaces_and_formats():
    out, errors = check(
        baja(
            request_code=" b-77 ",
            kind="baja",
            channel="Telefónico",
            requested_at="09/03/2026 08:05",
            document_type="dni",
            document_number="45678912-4",
            service_number="+51 987 654 321",
            service="Móvil",
            status="en proceso",
            scheduled_date="12/03/2026",
        )
    )

    assert errors == {}, errors
    assert out[1:5] == ("B-77", "BAJA", "TELEFONICO", "2026-03-09T08:05:00-05:00")
    assert out[6] == "45678912"  # the DNI's check character is dropped (core.identity)
    assert out[7] == "987654321"
    assert out[9] == "MOVIL" and out[13] == "EN_PROCESO" and out[14] == "2026-03-12"


def test_sqlite_gets_what_django_stores_utc_naive():
    out, _ = check(baja(requested_at="2026-03-09T10:15:00-05:00"), fmt=sqlite_datetime)
    assert out[4] == "2026-03-09 15:15:00"


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"request_code": ""}, "request_code", "Falta el código de pedido."),
        ({"request_code": "CON ESPACIO"}, "request_code", "no es válido"),
        ({"request_code": "X" * 41}, "request_code", "hasta 40"),
        ({"kind": "ALTA"}, "kind", "Tipo no válido «ALTA»: use BAJA o MIGRACION."),
        ({"kind": ""}, "kind", "Falta el tipo"),
        ({"channel": "CORREO"}, "channel", "Canal no válido «CORREO»"),
        ({"requested_at": ""}, "requested_at", "Falta la fecha y hora de la solicitud."),
        ({"requested_at": "ayer"}, "requested_at", "no es válida «ayer»"),
        ({"requested_at": "31/02/2026 10:00"}, "requested_at", "no es válida"),
        ({"requested_at": "2026-03-10 11:00"}, "requested_at", "está en el futuro"),
        ({"requested_at": "1999-12-31 10:00"}, "requested_at", "anterior al año 2000"),
        ({"document_type": "LIBRETA"}, "document_type", "Tipo de documento no válido"),
        ({"document_number": "1234"}, "document_number", "El DNI tiene 8 dígitos"),
        ({"document_number": "45678912Z"}, "document_number", "El DNI tiene 8 dígitos"),
        (
            {"document_type": "RUC", "document_number": "20100047219"},
            "document_number",
            "dígito de verificación del RUC",
        ),
        ({"service": "RADIO"}, "service", "Servicio no válido «RADIO»"),
        ({"service_number": "812345678"}, "service_number", "9 dígitos y empieza con 9"),
        (
            {"service_number": "", "contract": ""},
            "service_number",
            "Indique el número de servicio (línea) o el contrato.",
        ),
        (
            {"service": "FIJO", "service_number": "4567"},
            "service_number",
            "El teléfono fijo tiene 8 dígitos",
        ),
        ({"contract": "CON ESPACIO"}, "contract", "El contrato tiene hasta 30"),
        ({"to_plan": "Max 69.90"}, "to_plan", "Una baja no tiene plan de destino."),
        ({"reason": "x" * 501}, "reason", "hasta 500"),
        ({"status": "PENDIENTE"}, "status", "Estado no válido «PENDIENTE»"),
        ({"scheduled_date": "2026-13-01"}, "scheduled_date", "no es válida"),
        ({"scheduled_date": "2026-03-08"}, "scheduled_date", "anterior a la de la solicitud"),
        (
            {"status": "EJECUTADA"},
            "executed_at",
            "Una solicitud EJECUTADA indica la fecha y hora de ejecución.",
        ),
        (
            {"executed_at": "2026-03-09 12:00"},
            "executed_at",
            "Solo una solicitud EJECUTADA tiene fecha de ejecución.",
        ),
        (
            {"status": "EJECUTADA", "executed_at": "2026-03-09 09:00"},
            "executed_at",
            "es anterior a la solicitud",
        ),
        (
            {"status": "EJECUTADA", "executed_at": "2026-03-10 09:00"},
            "executed_at",
            "es posterior al día del reporte (09/03/2026)",
        ),
        (
            {"status": "RECHAZADA"},
            "rejection_reason",
            "Una solicitud RECHAZADA indica el motivo del rechazo.",
        ),
        (
            {"rejection_reason": "Deuda"},
            "rejection_reason",
            "Solo una solicitud RECHAZADA tiene motivo de rechazo.",
        ),
    ],
)
def test_each_rule_refuses_the_row_with_a_spanish_message(override, field, message):
    out, errors = check(baja(**override))

    assert out is None
    assert field in errors, errors
    assert message in errors[field]


def test_a_migration_needs_its_target_plan_and_a_different_one():
    assert check(migracion(to_plan=""))[1] == {
        "to_plan": "Una migración indica el plan de destino."
    }
    assert "el mismo que el de origen" in check(migracion(to_plan="Max 39.90"))[1]["to_plan"]
    assert check(migracion())[1] == {}


def test_a_baja_needs_no_reason_and_a_rejected_one_only_the_rejection_reason():
    out, errors = check(baja(status="RECHAZADA", rejection_reason="Deuda pendiente", reason=""))
    assert errors == {} and out[13] == "RECHAZADA"


def test_every_problem_of_a_row_is_reported_at_once():
    _, errors = check(baja(kind="X", channel="Y", document_number="1", status="Z"))
    assert set(errors) == {"kind", "channel", "document_number", "status"}


def test_a_request_up_to_the_end_of_the_report_day_is_accepted():
    assert check(baja(requested_at="2026-03-09 23:59:59"))[1] == {}
    late = check(baja(requested_at="2026-03-10 00:00"))[1]
    assert "posterior al día del reporte" in late["requested_at"]


def test_an_offset_is_converted_to_lima():
    # 04:30 UTC on the 10th is 23:30 of the 9th in Lima: inside the report's day.
    out, errors = check(baja(requested_at="2026-03-10T04:30:00+00:00"))
    assert errors == {} and out[4] == "2026-03-09T23:30:00-05:00"


def test_a_baja_executed_after_its_scheduled_date_is_marked_late():
    out, _ = check(
        baja(
            requested_at="2026-03-02 10:00",
            scheduled_date="2026-03-05",
            status="EJECUTADA",
            executed_at="2026-03-09 09:00",
        )
    )
    assert out[-2] is True
    on_time, _ = check(
        baja(status="EJECUTADA", scheduled_date="2026-03-09", executed_at="2026-03-09 18:00")
    )
    assert on_time[-2] is False


def test_code_of_a_refused_row_is_kept_for_the_duplicate_check():
    values = [baja(request_code=" b-9 ").get(c, "") for c in COLUMNS]
    assert RowChecker.code_of(values) == "B-9"
    values[0] = "mal código"
    assert RowChecker.code_of(values) is None


def test_date_parsers():
    assert parse_date("2026-03-09") == date(2026, 3, 9)
    assert parse_date("9/3/2026") == date(2026, 3, 9)
    assert parse_date("2026-03-09 00:00:00") == date(2026, 3, 9)  # as spreadsheets write it
    assert parse_date("2026-03-09 10:00:00") is None
    assert parse_datetime("2026-03-09 10:15") == datetime(2026, 3, 9, 10, 15)
    assert parse_datetime("09/03/2026 10:15:30") == datetime(2026, 3, 9, 10, 15, 30)
    assert parse_datetime("2026-03-09T15:15:00Z") == datetime(2026, 3, 9, 10, 15)
    assert parse_datetime("mañana") is None


@given(st.from_regex(r"\d{8}[0-9A-K]?|[0-9 .\-]{0,14}", fullmatch=True))
def test_document_numbers_are_judged_exactly_as_core_identity_does(number):
    """The fast path (an 8-digit DNI taken as it is) gives what normalize_document gives."""
    _, errors = check(baja(document_number=number))
    try:
        normalize_document("DNI", number.strip())
    except InvalidValue as exc:
        assert errors.get("document_number") == str(exc)
    else:
        assert "document_number" not in errors
