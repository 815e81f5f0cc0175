"""Returns: an operator says a case is not theirs; the regulator reassigns it to another
operator (new plazo from the reassignment) or confirms the return and closes it. The citizen
is told every time."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories import (
    PASSWORD,
    Api,
    NothingWritten,
    answer,
    field_errors,
    lima,
    make_case,
    operator_principal,
    problem_of,
    staff_token,
)
from sgu.accounts import services as accounts
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role
from sgu.cases import services
from sgu.cases.models import Case, CaseEvent
from sgu.cases.workflow import Action, State
from sgu.notifications.models import OutboundEmail

REASON = "El número 987654321 no es cliente de Claro: pertenece a Movistar."


@pytest.fixture
def regulator(catalog):
    return accounts.create_staff_user(
        email="supervisor@regulador.gob.pe",
        password=PASSWORD,
        role=Role.REGULATOR_SUPERVISOR,
        first_name="Sara",
        last_name="Supervisora",
    )


@pytest.fixture
def staff_api(regulator):
    return Api(staff_token(regulator))


def return_url(case: Case) -> str:
    return f"/api/v1/operator/cases/{case.code}/return"


def reassign_url(case: Case) -> str:
    return f"/api/v1/staff/cases/{case.code}/reassign"


def confirm_url(case: Case) -> str:
    return f"/api/v1/staff/cases/{case.code}/confirm-return"


def returned_case(citizen, claro_api) -> Case:
    case = make_case(citizen)
    r = claro_api.post(return_url(case), {"reason": REASON})
    assert r.status_code == 200, r.content
    case.refresh_from_db()
    return case


def emails(case: Case, template: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(case_code=case.code, template=template))


# --- the operator returns --------------------------------------------------------------------


def test_operator_returns_a_case_with_a_reason(citizen, claro_api, mailbox, tasks):
    case = make_case(citizen)
    r = claro_api.post(return_url(case), {"reason": REASON})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == State.RETURNED
    last = body["timeline"][-1]
    assert (last["kind"], last["actor_role"], last["from_state"], last["to_state"]) == (
        "RETURN",
        "OPERATOR",
        "FORWARDED",
        "RETURNED",
    )
    assert last["note"] == REASON

    tasks()
    msg = mailbox.wait_for(citizen.email, "no le corresponde")
    text = mailbox.text(msg)
    assert case.code in text and REASON in text
    assert "El regulador revisará la devolución" in text


def test_return_needs_a_real_reason(citizen, claro_api):
    case = make_case(citizen)
    with NothingWritten():
        body = problem_of(claro_api.post(return_url(case), {"reason": "no es"}), 422)
    assert "reason" in field_errors(body)
    problem_of(claro_api.post(return_url(case), {}), 422)
    assert Case.objects.get(pk=case.pk).state == State.FORWARDED


def test_another_operator_cannot_return_it(citizen, movistar_api):
    case = make_case(citizen)
    with NothingWritten():
        problem_of(movistar_api.post(return_url(case), {"reason": REASON}), 404)
    assert Case.objects.get(pk=case.pk).state == State.FORWARDED


def test_an_answered_case_cannot_be_returned(citizen, claro_api):
    case = answer(make_case(citizen))
    with NothingWritten():
        body = problem_of(claro_api.post(return_url(case), {"reason": REASON}), 409)
    assert "Solo se puede devolver un caso abierto" in body["detail"]


# --- the regulator reviews ------------------------------------------------------------------


def test_regulator_sees_returns_and_reassigns(
    citizen, claro_api, movistar_api, staff_api, mailbox, tasks
):
    case = returned_case(citizen, claro_api)
    other = make_case(citizen)  # not returned: not in the review tray
    items = staff_api.get("/api/v1/staff/returns").json()["items"]
    assert [i["code"] for i in items] == [case.code]
    assert items[0]["operator"] == "CLARO" and items[0]["state"] == State.RETURNED

    before = timezone.now()
    r = staff_api.post(
        reassign_url(case), {"operator": "MOVISTAR", "note": "La línea es de Movistar."}
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == State.FORWARDED
    assert body["operator"] == "MOVISTAR"
    kinds = [(e["kind"], e["actor_role"]) for e in body["timeline"]]
    assert ("RETURN", "OPERATOR") in kinds and kinds[-1] == ("REASSIGN", "REGULATOR")
    assert body["timeline"][-1]["note"] == "La línea es de Movistar."

    case.refresh_from_db()
    event = CaseEvent.objects.get(case=case, kind=Action.REASSIGN)
    assert event.data["from_operator"] == "CLARO" and event.data["to_operator"] == "MOVISTAR"
    # The new plazo runs from the reassignment.
    assert before <= case.forwarded_at == event.at
    assert event.data["due_at"] == case.due_at.isoformat()
    assert case.due_at > case.forwarded_at
    assert case.acknowledged_at is None
    assert staff_api.get("/api/v1/staff/returns").json()["items"] == []

    # The old operator no longer sees it; the new one does.
    problem_of(claro_api.get(f"/api/v1/operator/cases/{case.code}"), 404)
    problem_of(claro_api.post(return_url(case), {"reason": REASON}), 404)
    assert movistar_api.get(f"/api/v1/operator/cases/{case.code}").status_code == 200
    tray = movistar_api.get("/api/v1/operator/cases").json()["items"]
    assert [i["code"] for i in tray] == [case.code]
    assert [i["code"] for i in claro_api.get("/api/v1/operator/cases").json()["items"]] == [
        other.code
    ]

    tasks()
    msg = mailbox.wait_for(citizen.email, "fue trasladado a Movistar")
    text = mailbox.text(msg)
    assert "Claro (América Móvil Perú)" in text  # whose return was reviewed
    assert timezone.localtime(case.due_at).strftime("%H:%M") in text


def test_reassignment_plazo_literally(citizen, regulator, claro):
    # Registered Mon 2 March 2026 (due Tue 3 March), returned Tue 3 March, reassigned
    # Wednesday 1 April 2026 10:00 → 1 business day from then: Monday 6 April 23:59:59 (Holy
    # Thursday and Good Friday in between).
    case = make_case(citizen, now=lima(2026, 3, 2, 10))
    services.return_case(
        case=case, reason=REASON, by=operator_principal(claro), now=lima(2026, 3, 3, 9)
    )
    staff = principal_for_user(regulator)  # REGULATOR
    case = services.reassign_case(
        case=case, operator_code="MOVISTAR", by=staff, now=lima(2026, 4, 1, 10)
    )
    assert case.due_at == lima(2026, 4, 6, 23, 59, 59)
    assert case.forwarded_at == lima(2026, 4, 1, 10)
    assert "Jueves Santo" in case.due_explanation
    event = CaseEvent.objects.get(case=case, kind=Action.REASSIGN)
    assert (
        event.note == "Reasignado de Claro (América Móvil Perú) a Movistar (Telefónica del Perú)."
    )
    # The scheduler follows the new plazo, not the old one.
    assert services.expire_overdue_cases(now=lima(2026, 4, 6, 23, 59, 59)) == 0
    assert services.expire_overdue_cases(now=lima(2026, 4, 7)) == 1


def test_reassign_needs_a_different_known_operator(citizen, claro_api, staff_api):
    case = returned_case(citizen, claro_api)
    with NothingWritten():
        body = problem_of(staff_api.post(reassign_url(case), {"operator": "CLARO"}), 422)
        assert "operator" in field_errors(body)
        problem_of(staff_api.post(reassign_url(case), {"operator": "NOEXISTE"}), 422)
    assert Case.objects.get(pk=case.pk).operator.code == "CLARO"


def test_only_returned_cases_are_reassigned(citizen, staff_api):
    case = make_case(citizen)
    with NothingWritten():
        body = problem_of(staff_api.post(reassign_url(case), {"operator": "MOVISTAR"}), 409)
    assert "Solo se puede reasignar un caso devuelto" in body["detail"]
    problem_of(
        staff_api.post("/api/v1/staff/cases/SGU-2026-9999999/reassign", {"operator": "MOVISTAR"}),
        404,
    )


def test_regulator_confirms_the_return_and_closes(citizen, claro_api, staff_api, mailbox, tasks):
    case = returned_case(citizen, claro_api)
    note = "Verificamos que la línea no es de Claro; repórtelo a su operadora."
    with NothingWritten():
        problem_of(staff_api.post(confirm_url(case), {"note": "ok"}), 422)
    r = staff_api.post(confirm_url(case), {"note": note})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == State.CLOSED
    last = body["timeline"][-1]
    assert (last["kind"], last["actor_role"], last["from_state"], last["to_state"]) == (
        "CLOSE",
        "REGULATOR",
        "RETURNED",
        "CLOSED",
    )
    case.refresh_from_db()
    assert case.closed_at is not None
    assert CaseEvent.objects.get(case=case, kind=Action.CLOSE).data == {"return_confirmed": True}
    assert staff_api.get("/api/v1/staff/returns").json()["items"] == []

    tasks()
    msg = mailbox.wait_for(citizen.email, "fue cerrado")
    assert note in mailbox.text(msg)

    # Closed is closed.
    problem_of(staff_api.post(confirm_url(case), {"note": note}), 409)
    problem_of(staff_api.post(reassign_url(case), {"operator": "MOVISTAR"}), 409)


@pytest.mark.parametrize("how", ["forwarded", "answered", "rated"])
def test_confirm_return_only_for_returned_cases(citizen, api, staff_api, how):
    case = make_case(citizen)
    if how != "forwarded":
        case = answer(case)
    if how == "rated":
        r = api.post(f"/api/v1/cases/{case.code}/rating", {"resolved": True, "score": 5})
        assert r.status_code == 200
    state = Case.objects.get(pk=case.pk).state
    note = "La operadora no devolvió este caso; no hay devolución que confirmar."
    with NothingWritten():
        body = problem_of(staff_api.post(confirm_url(case), {"note": note}), 409)
    assert "devuelto" in body["detail"]
    assert Case.objects.get(pk=case.pk).state == state
    assert emails(case, "case_return_confirmed") == []


# --- who may review ------------------------------------------------------------------------


def test_only_regulator_staff_on_staff_endpoints(citizen, api, claro_api, anon_api, staff_api):
    case = returned_case(citizen, claro_api)
    note = "Verificamos que la línea no es de Claro; repórtelo a su operadora."
    for client, status in ((api, 403), (claro_api, 401), (anon_api, 401)):
        problem_of(client.get("/api/v1/staff/returns"), status)
        with NothingWritten():
            problem_of(client.post(reassign_url(case), {"operator": "MOVISTAR"}), status)
            problem_of(client.post(confirm_url(case), {"note": note}), status)
    case.refresh_from_db()
    assert case.state == State.RETURNED and case.operator.code == "CLARO"
    # The regulator still can.
    assert staff_api.post(confirm_url(case), {"note": note}).status_code == 200


def test_new_due_date_is_later_than_the_old_one(citizen, claro, regulator):
    case = make_case(citizen, now=lima(2026, 3, 2, 10))
    old_due = case.due_at
    services.return_case(case=case, reason=REASON, by=operator_principal(claro))
    case = services.reassign_case(
        case=case, operator_code="ENTEL", by=principal_for_user(regulator)
    )
    assert case.due_at > old_due and case.due_at > timezone.now() - timedelta(seconds=5)
