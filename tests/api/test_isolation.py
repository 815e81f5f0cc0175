"""Tenant isolation (DOMAIN §2): a citizen sees only their cases, an operator only its own —
whether through a bearer token, an API key or the web session."""

import pytest
from django.test import Client

from factories import (
    PASSWORD,
    Api,
    NothingWritten,
    answer,
    case_payload,
    citizen_api,
    log_in_with_code,
    make_case,
    make_citizen,
    make_operator_agent,
    pdf_bytes,
    problem_of,
    solution_payload,
    staff_token,
    upload,
)
from sgu.cases.models import Case

pytestmark = pytest.mark.django_db

NOT_MINE = "No existe un caso con ese código entre los suyos."


@pytest.fixture
def someone_elses_case(other_citizen):
    return answer(make_case(other_citizen))


def test_given_another_citizens_case_when_fetched_then_404_like_a_code_that_does_not_exist(
    api, someone_elses_case
):
    theirs = api.get(f"/api/v1/cases/{someone_elses_case.code}")
    nobodys = api.get("/api/v1/cases/SGU-2026-9999999")

    assert problem_of(theirs, 404)["detail"] == NOT_MINE
    assert theirs.json() == problem_of(nobodys, 404)


def test_given_another_citizens_case_when_attaching_then_404_and_nothing_written(
    api, someone_elses_case, media_root
):
    with NothingWritten():
        response = api.upload(
            f"/api/v1/cases/{someone_elses_case.code}/attachments", upload("r.pdf", pdf_bytes())
        )

    assert problem_of(response, 404)["detail"] == NOT_MINE
    assert not (media_root / "attachments").exists()


def test_given_another_citizens_case_when_rating_then_404_and_nothing_written(
    api, someone_elses_case
):
    with NothingWritten():
        response = api.post(
            f"/api/v1/cases/{someone_elses_case.code}/rating", {"resolved": False, "score": 1}
        )

    assert problem_of(response, 404)["detail"] == NOT_MINE
    assert Case.objects.get(pk=someone_elses_case.pk).state == "ANSWERED"


def test_given_another_citizens_case_when_claiming_then_404_and_nothing_written(
    api, someone_elses_case
):
    with NothingWritten():
        response = api.post(
            f"/api/v1/cases/{someone_elses_case.code}/claim", {"reason": "No me resolvieron."}
        )

    problem_of(response, 404)


def test_given_another_citizens_case_when_listing_then_it_never_appears(
    api, citizen, someone_elses_case
):
    mine = make_case(citizen)

    assert [i["code"] for i in api.get("/api/v1/cases").json()["items"]] == [mine.code]


# --- the web session through the API ---------------------------------------------------------


def session_of(user) -> Client:
    client = Client()
    log_in_with_code(client, user)
    return client


def test_given_an_operator_agent_session_when_using_the_api_then_only_its_operators_cases(
    claro, movistar
):
    mine = make_case(operator="CLARO")
    theirs = make_case(operator="MOVISTAR")
    agent = session_of(make_operator_agent(claro))

    tray = agent.get("/api/v1/operator/cases")
    assert tray.status_code == 200, tray.content
    assert [i["code"] for i in tray.json()["items"]] == [mine.code]
    assert agent.get(f"/api/v1/operator/cases/{mine.code}").status_code == 200
    with NothingWritten():
        problem_of(agent.get(f"/api/v1/operator/cases/{theirs.code}"), 404)
        problem_of(agent.post(f"/api/v1/operator/cases/{theirs.code}/ack"), 404)
        problem_of(
            agent.post(
                f"/api/v1/operator/cases/{theirs.code}/solution",
                solution_payload(),
                content_type="application/json",
            ),
            404,
        )
    acked = agent.post(f"/api/v1/operator/cases/{mine.code}/ack")
    assert acked.status_code == 200 and acked.json()["state"] == "IN_PROGRESS"


def test_given_an_operator_agent_session_when_using_citizen_endpoints_then_401(claro):
    case = make_case(operator="CLARO")
    agent = session_of(make_operator_agent(claro))

    problem_of(agent.get("/api/v1/cases"), 401)
    problem_of(agent.get(f"/api/v1/cases/{case.code}"), 401)


def test_given_a_citizen_session_when_using_operator_endpoints_then_401(citizen):
    case = make_case(citizen)
    client = session_of(citizen)

    assert client.get("/api/v1/cases").status_code == 200
    problem_of(client.get("/api/v1/operator/cases"), 401)
    problem_of(client.get(f"/api/v1/operator/cases/{case.code}"), 401)


def test_given_a_citizen_session_when_fetching_another_citizens_case_then_404(
    citizen, someone_elses_case
):
    client = session_of(citizen)

    problem_of(client.get(f"/api/v1/cases/{someone_elses_case.code}"), 404)


def test_given_a_citizen_token_when_another_citizen_registers_then_each_sees_only_their_own(
    catalog,
):
    a, b = make_citizen(), make_citizen()
    case_a, case_b = make_case(a), make_case(b)

    for user, own, foreign in ((a, case_a, case_b), (b, case_b, case_a)):
        client = citizen_api(user)
        assert client.get(f"/api/v1/cases/{own.code}").status_code == 200
        problem_of(client.get(f"/api/v1/cases/{foreign.code}"), 404)


def test_given_an_agent_session_without_csrf_token_when_posting_then_403_and_nothing_written(
    claro,
):
    case = make_case(operator="CLARO")
    agent = Client(enforce_csrf_checks=True)
    agent.force_login(make_operator_agent(claro))

    with NothingWritten():
        response = agent.post(f"/api/v1/operator/cases/{case.code}/ack")

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == "FORWARDED"


# --- roles -----------------------------------------------------------------------------------


def test_given_a_citizen_token_when_calling_regulator_endpoints_then_403(api, claro_api):
    body = problem_of(api.get("/api/v1/staff/returns"), 403)
    assert body["detail"] == "Esta operación es para el personal del regulador."
    problem_of(claro_api.get("/api/v1/staff/returns"), 401)


def test_given_a_regulator_token_when_reporting_as_a_citizen_then_403_and_nothing_written(
    catalog,
):
    from sgu.accounts import services as accounts
    from sgu.accounts.models import Role

    agent = accounts.create_staff_user(
        email="orientador@example.pe",
        password=PASSWORD,
        role=Role.REGULATOR_AGENT,
        first_name="Luis",
        last_name="Ramos",
    )
    client = Api(staff_token(agent))

    with NothingWritten():
        response = client.post("/api/v1/cases", case_payload())

    body = problem_of(response, 403)
    assert body["detail"] == "Esta operación es para ciudadanos con cuenta en el SGU."
