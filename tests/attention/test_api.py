"""The staff API of the attention levels: the same rules and isolation as the pages,
problem+json in Spanish on bad input, nothing written."""

import pytest

from attention.helpers import QUERY, api_for
from factories import (
    citizen_api,
    field_errors,
    make_citizen,
    operator_api,
    problem_of,
)
from sgu.attention.models import Escalation, Query

pytestmark = pytest.mark.django_db


def test_round_trip_through_the_api(orientador, specialist, support):
    first, second, third = api_for(orientador), api_for(specialist), api_for(support)
    r = first.post("/api/v1/staff/queries", QUERY)
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert code.startswith("CON-") and r.json()["state"] == "OPEN"

    r = first.post(
        "/api/v1/staff/escalations",
        {"code": code, "area": "USUARIOS", "criticality": "ALTO", "reason": "Criterio."},
    )
    assert r.status_code == 201, r.content
    l2 = r.json()
    assert (l2["level"], l2["state"], l2["max_business_days"]) == (2, "PENDING", 5)

    r = second.post(
        f"/api/v1/staff/escalations/{l2['id']}/escalate",
        {"area": "SOPORTE-TI", "criticality": "BAJO", "reason": "Sistema."},
    )
    assert r.status_code == 201, r.content
    l3 = r.json()
    assert (l3["level"], l3["parent"]) == (3, l2["id"])
    r = third.post(f"/api/v1/staff/escalations/{l3['id']}/answer", {"text": "Hecho."})
    assert r.status_code == 200 and r.json()["state"] == "ANSWERED"
    r = second.post(f"/api/v1/staff/escalations/{l2['id']}/answer", {"text": "Hecho."})
    assert r.json()["answer_level"] == 3
    r = first.get(f"/api/v1/staff/escalations/{l2['id']}")
    assert r.json()["actions"] == ["INFORM"]
    r = first.post(f"/api/v1/staff/escalations/{l2['id']}/inform", {"text": "Listo."})
    assert r.status_code == 200 and r.json()["state"] == "INFORMED"
    assert first.get(f"/api/v1/staff/queries/{code}").json()["resolved_level"] == 3


def test_bad_input_is_a_spanish_problem_and_writes_nothing(orientador):
    r = api_for(orientador).post(
        "/api/v1/staff/queries", {**QUERY, "channel": "FAX", "question": ""}
    )
    body = problem_of(r, 422)
    assert field_errors(body) == {
        "channel": "Elija el canal por el que llegó la consulta.",
        "question": "Escriba la consulta del ciudadano.",
    }
    assert Query.objects.count() == 0
    r = api_for(orientador).post(
        "/api/v1/staff/escalations",
        {"code": "CON-2026-0000099", "area": "USUARIOS", "criticality": "ALTO", "reason": "x"},
    )
    assert field_errors(problem_of(r, 422)) == {"code": "No existe una consulta con ese código."}
    assert Escalation.objects.count() == 0


def test_isolation(orientador, specialist, fiscalizador, claro):
    first = api_for(orientador)
    code = first.post("/api/v1/staff/queries", QUERY).json()["code"]
    hop = first.post(
        "/api/v1/staff/escalations",
        {"code": code, "area": "USUARIOS", "criticality": "MEDIO", "reason": "x"},
    ).json()
    # Another area's specialist: the hop does not exist for them.
    other = api_for(fiscalizador)
    problem_of(other.get(f"/api/v1/staff/escalations/{hop['id']}"), 404)
    problem_of(other.post(f"/api/v1/staff/escalations/{hop['id']}/answer", {"text": "x"}), 404)
    # A specialist is not 1st level.
    problem_of(api_for(specialist).post("/api/v1/staff/queries", QUERY), 403)
    problem_of(api_for(specialist).get(f"/api/v1/staff/queries/{code}"), 403)
    # Citizens and operators never.
    for client in (citizen_api(make_citizen()), operator_api(claro)):
        r = client.get(f"/api/v1/staff/escalations/{hop['id']}")
        assert r.status_code in (401, 403), r.status_code
        r = client.post("/api/v1/staff/queries", QUERY)
        assert r.status_code in (401, 403), r.status_code
    assert Escalation.objects.get().state == "PENDING"
    assert Query.objects.count() == 1
