"""The inoperatividad register through the operators' API (docs/api.md): correlative numbers, one
open event per (attention point, procedure type), closing, isolation between operators,
problem+json in Spanish, and the regulator's view."""

from datetime import datetime

import pytest

from factories import PASSWORD, PROBLEM, Api, lima, operator_api, staff_token
from outages.helpers import make_channel_head, make_supervisor, outage_payload, register
from sgu.accounts import services as accounts
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role
from sgu.outages import services
from sgu.outages.models import OutageEvent

URL = "/api/v1/operator/outages"


@pytest.fixture
def claro_key(claro):
    return operator_api(claro)


@pytest.fixture
def movistar_key(movistar):
    return operator_api(movistar)


def staff_api(role=Role.REGULATOR_AGENT) -> Api:
    return Api(staff_token(make_supervisor(role)))


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def test_register_gives_correlative_numbers_per_operator(
    claro_key, movistar_key, claro_store, claro_callcenter, movistar_store
):
    r = claro_key.post(URL, outage_payload("CAC-MIRAFLORES"))
    assert r.status_code == 201, r.content
    first = r.json()
    assert first["number"] == 1
    assert first["operator"] == "CLARO"
    assert first["attention_point"]["code"] == "CAC-MIRAFLORES"
    assert first["attention_point"]["kind"] == "TIENDA"
    assert first["open"] is True and first["ended_at"] is None
    assert first["closing_reason"] is None and first["duration_minutes"] is None
    assert datetime.fromisoformat(first["started_at"]) == lima(2026, 3, 9, 10)

    second = claro_key.post(URL, outage_payload("CC-123", procedure_type="ALTAS")).json()
    assert second["number"] == 2
    # Movistar's register has its own correlative.
    assert movistar_key.post(URL, outage_payload("CAC-SURCO")).json()["number"] == 1
    assert claro_key.post(URL, outage_payload("CC-123")).json()["number"] == 3


def test_a_second_open_event_for_the_same_point_and_procedure_is_409(claro_key, claro_store):
    assert claro_key.post(URL, outage_payload("CAC-MIRAFLORES")).status_code == 201
    body = problem(claro_key.post(URL, outage_payload("CAC-MIRAFLORES")), 409)
    assert body["detail"] == (
        "Ya hay un evento abierto (N.º 1) para este punto de atención y tipo de procedimiento. "
        "Ciérrelo antes de registrar otro."
    )
    assert body["errors"] == [
        {"field": "procedure_type", "message": "Ya hay un evento abierto para este procedimiento."}
    ]
    # Another procedure type at the same point is another event.
    other = claro_key.post(URL, outage_payload("CAC-MIRAFLORES", procedure_type="BAJAS"))
    assert other.status_code == 201
    assert OutageEvent.objects.count() == 2


def test_close_and_then_a_new_event_may_open(claro_key, claro_store):
    event = claro_key.post(URL, outage_payload("CAC-MIRAFLORES")).json()
    r = claro_key.post(
        f"{URL}/{event['id']}/close",
        {"ended_at": "2026-03-09T12:30:00-05:00", "closing_reason": "CONECTIVIDAD"},
    )
    assert r.status_code == 200, r.content
    closed = r.json()
    assert closed["open"] is False
    assert closed["closing_reason"] == "CONECTIVIDAD"
    assert closed["duration_minutes"] == 150
    # Reported (closed in the SGU) today, long after Thursday 12 March 23:59:59: late.
    assert datetime.fromisoformat(closed["report_due_at"]) == lima(2026, 3, 12, 23, 59, 59)
    assert closed["closed_late"] is True

    body = problem(
        claro_key.post(
            f"{URL}/{event['id']}/close",
            {"ended_at": "2026-03-09T12:30:00-05:00", "closing_reason": "CONECTIVIDAD"},
        ),
        409,
    )
    assert body["detail"] == "El evento N.º 1 ya está cerrado."
    assert claro_key.post(URL, outage_payload("CAC-MIRAFLORES")).json()["number"] == 2


def test_closing_validation_in_spanish(claro_key, claro_store):
    event = claro_key.post(URL, outage_payload("CAC-MIRAFLORES")).json()
    body = problem(
        claro_key.post(
            f"{URL}/{event['id']}/close",
            {"ended_at": "2026-03-09T09:59:00-05:00", "closing_reason": "CONECTIVIDAD"},
        ),
        422,
    )
    assert body["title"] == "Datos no válidos"
    assert body["errors"] == [
        {
            "field": "ended_at",
            "message": "El fin no puede ser anterior al inicio (09/03/2026 10:00).",
        }
    ]
    body = problem(
        claro_key.post(
            f"{URL}/{event['id']}/close", {"ended_at": "ayer", "closing_reason": "SE_ARREGLO"}
        ),
        422,
    )
    fields = {e["field"]: e["message"] for e in body["errors"]}
    assert fields["ended_at"] == "Debe ser una fecha y hora ISO 8601."
    assert fields["closing_reason"].startswith("Valor no permitido; use ")
    body = problem(
        claro_key.post(
            f"{URL}/{event['id']}/close",
            {"ended_at": "2999-01-01T10:00:00-05:00", "closing_reason": "INTERMITENCIA"},
        ),
        422,
    )
    assert body["errors"] == [
        {"field": "ended_at", "message": "La fecha y hora de fin no puede ser futura."}
    ]
    assert OutageEvent.objects.get(pk=event["id"]).ended_at is None


def test_registration_validation_in_spanish(claro_key, claro_store):
    body = problem(
        claro_key.post(
            URL,
            outage_payload(
                "NO-EXISTE",
                applications=["NO-ES-APLICATIVO"],
                started_at="2999-01-01T10:00:00-05:00",
            ),
        ),
        422,
    )
    assert {e["field"]: e["message"] for e in body["errors"]} == {
        "attention_point": "No existe ese punto de atención en su empresa.",
        "applications": "No están en el catálogo de aplicativos de su empresa: NO-ES-APLICATIVO.",
        "started_at": "La fecha y hora de inicio no puede ser futura.",
    }
    assert body["detail"] == "Hay 3 datos por corregir."
    body = problem(claro_key.post(URL, outage_payload("CAC-MIRAFLORES", scenario="APAGON")), 422)
    assert body["errors"][0]["field"] == "scenario"
    assert body["errors"][0]["message"].startswith("Valor no permitido; use ")
    body = problem(
        claro_key.post(URL, outage_payload("CAC-MIRAFLORES", started_at="2026-03-09T10:00:00")),
        422,
    )
    assert body["errors"] == [
        {
            "field": "started_at",
            "message": "La fecha y hora de inicio debe indicar la zona horaria.",
        }
    ]
    body = problem(claro_key.post(URL, raw="{no es json"), 400)
    assert body["detail"] == "El cuerpo de la solicitud no es JSON válido."
    assert not OutageEvent.objects.exists()


def test_a_regularisation_may_arrive_closed(claro_key, claro_store):
    r = claro_key.post(
        URL,
        outage_payload(
            "CAC-MIRAFLORES",
            manual=True,
            ended_at="2026-03-09T11:00:00-05:00",
            closing_reason="FALLA_MASIVA_APLICATIVO",
        ),
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["manual"] is True and body["open"] is False
    assert body["registered_late"] is True  # registered months after it started
    # Closed at registration: a new open event for the same point and procedure is fine.
    assert claro_key.post(URL, outage_payload("CAC-MIRAFLORES")).status_code == 201
    body = problem(
        claro_key.post(URL, outage_payload("CAC-MIRAFLORES", ended_at="2026-03-09T16:00:00Z")),
        422,
    )
    assert [e["field"] for e in body["errors"]] == ["closing_reason"]


def test_idempotency_key_returns_the_first_answer(claro_key, claro_store):
    payload = outage_payload("CAC-MIRAFLORES")
    first = claro_key.post(URL, payload, HTTP_IDEMPOTENCY_KEY="evento-1")
    again = claro_key.post(URL, payload, HTTP_IDEMPOTENCY_KEY="evento-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert OutageEvent.objects.count() == 1
    other = claro_key.post(
        URL, {**payload, "systems": "Otro sistema"}, HTTP_IDEMPOTENCY_KEY="evento-1"
    )
    assert problem(other, 409)["detail"].startswith("Esta Idempotency-Key ya se usó")


# --- isolation --------------------------------------------------------------------------------


def test_an_operator_never_sees_or_closes_another_operators_events(
    claro_key, movistar_key, claro_store, movistar_store
):
    event = claro_key.post(URL, outage_payload("CAC-MIRAFLORES")).json()
    body = problem(movistar_key.get(f"{URL}/{event['id']}"), 404)
    assert body["detail"] == "No existe ese evento de inoperatividad entre los de su empresa."
    problem(
        movistar_key.post(
            f"{URL}/{event['id']}/close",
            {"ended_at": "2026-03-09T11:00:00-05:00", "closing_reason": "CONECTIVIDAD"},
        ),
        404,
    )
    assert OutageEvent.objects.get(pk=event["id"]).ended_at is None
    # Nor register on another operator's attention point.
    body = problem(movistar_key.post(URL, outage_payload("CAC-MIRAFLORES")), 422)
    assert body["errors"] == [
        {"field": "attention_point", "message": "No existe ese punto de atención en su empresa."}
    ]
    assert movistar_key.get(URL).json()["items"] == []
    points = movistar_key.get("/api/v1/operator/attention-points").json()["items"]
    assert [p["code"] for p in points] == ["CAC-SURCO"]
    assert claro_key.get(f"{URL}/{event['id']}").json()["number"] == 1


def test_channel_head_session_works_and_citizen_token_does_not(claro, claro_store, citizen):
    from django.test import Client

    head = make_channel_head(claro)
    client = Client()
    client.force_login(head)
    r = client.post(URL, outage_payload("CAC-MIRAFLORES"), content_type="application/json")
    assert r.status_code == 201, r.content
    assert OutageEvent.objects.get().registered_by == head
    token, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    assert Api(token).post(URL, outage_payload("CAC-MIRAFLORES")).status_code == 401


def test_list_filters_open_and_closed(claro_key, claro_store, claro_callcenter):
    a = claro_key.post(URL, outage_payload("CAC-MIRAFLORES")).json()
    claro_key.post(URL, outage_payload("CC-123", started_at="2026-03-10T08:00:00-05:00"))
    claro_key.post(
        f"{URL}/{a['id']}/close",
        {"ended_at": "2026-03-09T11:00:00-05:00", "closing_reason": "INTERMITENCIA"},
    )
    assert [e["number"] for e in claro_key.get(URL).json()["items"]] == [2, 1]
    assert [e["number"] for e in claro_key.get(f"{URL}?open=true").json()["items"]] == [2]
    assert [e["number"] for e in claro_key.get(f"{URL}?open=false").json()["items"]] == [1]
    page = claro_key.get(f"{URL}?limit=1").json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = claro_key.get(f"{URL}?limit=1&cursor={page['next_cursor']}").json()
    assert [e["number"] for e in rest["items"]] == [1]


# --- the regulator's view -----------------------------------------------------------------------


def test_regulator_sees_every_operator_but_never_errors_or_tests(
    claro, claro_admin, claro_store, movistar_admin, movistar_store
):
    register(claro_admin, claro_store, started_at=lima(2026, 3, 9, 10), now=lima(2026, 3, 9, 10))
    register(
        claro_admin,
        claro_store,
        procedure_type="ALTAS",
        scenario="ERROR_O_PRUEBA",
        started_at=lima(2026, 3, 9, 11),
        now=lima(2026, 3, 9, 11),
    )
    late = register(
        movistar_admin,
        movistar_store,
        scenario="EVENTO_NO_PREVISTO",
        started_at=lima(2026, 3, 2, 9),
        manual=True,
        now=lima(2026, 3, 9, 12),  # Monday 9: registered after Thursday 5 23:59:59
    )
    assert late.registered_late is True
    staff = staff_api()
    items = staff.get("/api/v1/staff/outages").json()["items"]
    assert [(e["operator"], e["number"]) for e in items] == [("CLARO", 1), ("MOVISTAR", 1)]
    assert all(e["scenario"] != "ERROR_O_PRUEBA" for e in items)
    flagged = staff.get("/api/v1/staff/outages?flagged=true").json()["items"]
    # Both are flagged now: Claro's has been open for months, Movistar's was registered late.
    assert [(e["operator"], [f["code"] for f in e["flags"]]) for e in flagged] == [
        ("CLARO", ["ABIERTO_DEMASIADO"]),
        ("MOVISTAR", ["REGISTRO_TARDIO", "ABIERTO_DEMASIADO"]),
    ]
    by_op = staff.get("/api/v1/staff/outages?operator=CLARO&procedure_type=RECLAMOS").json()
    assert [e["number"] for e in by_op["items"]] == [1]
    dates = staff.get("/api/v1/staff/outages?started_from=2026-03-02&started_to=2026-03-02").json()
    assert [e["operator"] for e in dates["items"]] == ["MOVISTAR"]
    assert [e["operator"] for e in staff.get("/api/v1/staff/outages?ubigeo=1501").json()["items"]]
    # Operators' keys are not regulator staff.
    assert problem(operator_api(claro).get("/api/v1/staff/outages"), 401)


def test_citizens_are_not_regulator_staff(citizen):
    token, _ = accounts.issue_api_token(email=citizen.email, password=PASSWORD)
    body = problem(Api(token).get("/api/v1/staff/outages"), 403)
    assert body["detail"] == "Esta operación es para el personal del regulador."


def test_closing_flags(claro_admin, claro_store):
    # Ended Monday 9 March 12:00; the report is due Thursday 12 March 23:59:59.
    on_time = register(
        claro_admin, claro_store, started_at=lima(2026, 3, 9, 10), now=lima(2026, 3, 9, 10)
    )
    services.close_outage(
        event=on_time,
        ended_at=lima(2026, 3, 9, 12),
        closing_reason="CONECTIVIDAD",
        by=principal_for_user(claro_admin),
        now=lima(2026, 3, 12, 23, 59, 59),
    )
    on_time.refresh_from_db()
    assert on_time.report_due_at == lima(2026, 3, 12, 23, 59, 59)
    assert (on_time.registered_late, on_time.closed_late) == (False, False)
    late = register(
        claro_admin,
        claro_store,
        procedure_type="BAJAS",
        started_at=lima(2026, 3, 9, 10),
        now=lima(2026, 3, 9, 10),
    )
    services.close_outage(
        event=late,
        ended_at=lima(2026, 3, 9, 12),
        closing_reason="CONECTIVIDAD",
        by=principal_for_user(claro_admin),
        now=lima(2026, 3, 13, 0, 0, 1),
    )
    late.refresh_from_db()
    assert late.closed_late is True
