"""The provider's API: the whole flow through /api/v1/provider/…, and bad input answered as
problem+json in Spanish, nothing changed, never a 500."""

import pytest

from factories import Api, NothingWritten, field_errors, lima, problem_of, staff_token
from provider.helpers import P, approved_version, file
from sgu.provider import services
from sgu.provider.models import Requirement, RequirementStep

pytestmark = pytest.mark.django_db


@pytest.fixture
def reg(cliente):
    return Api(staff_token(cliente))


@pytest.fixture
def cx(team):
    return Api(staff_token(team.cx))


def new(reg, **over):
    body = {
        "provider": "CONTACTA",
        "type": "NEW_INFO",
        "topic": "Portabilidad numérica",
        "description": "Informar a los asesores el nuevo plazo de portabilidad.",
        **over,
    }
    return reg.post("/api/v1/provider/requirements", body)


def test_the_whole_flow_through_the_api(team, cliente, mailbox, tasks, clock):
    # It all happens on Wednesday 25 November 2026 at 10:00 Lima (the replica is scheduled
    # for that day; the weekly report is the week of 23–29 November), whatever instant the
    # suite runs at; the tokens are issued at that instant.
    clock.move_to(lima(2026, 11, 25, 10))
    reg, cx = Api(staff_token(cliente)), Api(staff_token(team.cx))
    created = new(reg)
    assert created.status_code == 201, created.content
    req = created.json()
    code = req["code"]
    assert (req["stage"], req["actions"], req["owes"][:19]) == (
        "VALIDATION",
        [],
        "Experiencia Cliente",
    )
    assert cx.get(f"/api/v1/provider/requirements/{code}").json()["actions"] == [
        "accept",
        "observe",
    ]
    observed = cx.post(
        f"/api/v1/provider/requirements/{code}/actions/observe",
        {"text": "¿Desde qué fecha rige el nuevo plazo?"},
    ).json()
    assert (observed["stage"], observed["clock_stopped"]) == ("OBSERVED", True)
    assert (
        reg.post(
            f"/api/v1/provider/requirements/{code}/actions/answer", {"text": "Desde el lunes."}
        ).json()["stage"]
        == "VALIDATION"
    )
    cx.post(f"/api/v1/provider/requirements/{code}/actions/accept")
    ops = Api(staff_token(team.ops))
    ops.post(f"/api/v1/provider/requirements/{code}/actions/acknowledge")
    cx.post(f"/api/v1/provider/requirements/{code}/actions/feasibility")
    started = cx.post(f"/api/v1/provider/requirements/{code}/actions/start").json()
    assert (started["stage"], started["granted_days"]) == ("REPLICA", 1)

    trainer = Api(staff_token(team.trainer))
    version = approved_version()
    planned = trainer.post(
        f"/api/v1/provider/requirements/{code}/replicas",
        {
            "article_version": version.pk,
            "memory_aid": "Portabilidad en 24 horas, la pide el titular.",
            "scheduled_for": "2026-11-25",
            "trainer_email": team.trainer.email,
            "advisor_emails": [team.advisors[0].email],
        },
    )
    assert planned.status_code == 201, planned.content
    rid = planned.json()["id"]
    trainer.post(
        f"/api/v1/provider/replicas/{rid}/evaluation",
        {
            "questions": [{"text": "¿Plazo?", "options": ["24 h", "5 días"], "answer": 0}],
            "pass_mark": 100,
            "max_attempts": 2,
        },
    )
    assert trainer.post(f"/api/v1/provider/replicas/{rid}/start").json()["state"] == "IN_PROGRESS"
    advisor = Api(staff_token(team.advisors[0]))
    problem_of(advisor.post(f"/api/v1/provider/replicas/{rid}/confirm"), 409)
    for person in (team.ops, team.monitor):
        Api(staff_token(person)).post(f"/api/v1/provider/replicas/{rid}/confirm")
    assert (
        advisor.post(f"/api/v1/provider/replicas/{rid}/confirm").json()["deployment_percent"]
        == 66.7
    )
    failed = advisor.post(f"/api/v1/provider/replicas/{rid}/evaluation/attempts", {"answers": [1]})
    assert failed.json() == {"number": 1, "score": 0, "passed": False, "attempts_left": 1}
    passed = advisor.post(f"/api/v1/provider/replicas/{rid}/evaluation/attempts", {"answers": [0]})
    assert passed.json()["passed"] is True
    replica = reg.get(f"/api/v1/provider/replicas/{rid}").json()
    assert (replica["state"], replica["deployment_percent"]) == ("CLOSED", 100.0)

    trainer.post(f"/api/v1/provider/requirements/{code}/actions/complete")
    closed = cx.post(
        f"/api/v1/provider/requirements/{code}/actions/report",
        {"text": "Todos los asesores capacitados y evaluados."},
    ).json()
    assert (closed["stage"], closed["compliance_percent"], closed["final"]) == (
        "CLOSED",
        100.0,
        "Cerrado en plazo",
    )
    tasks()
    mailbox.wait_for(team.provider.client_email, "Estatus final de " + code)
    mailbox.wait_for(team.provider.client_email, "Cierre de la réplica")
    report = reg.get("/api/v1/provider/reports?period=weekly&count=1").json()
    assert (report[0]["start"], report[0]["end"]) == ("2026-11-23", "2026-11-29")
    assert report[0]["replicas_closed"] == 1 and report[0]["topics_trained"] == 1


def test_the_report_runs_until_today_in_lima(team, cliente, clock):
    # Sunday 29 November 23:30 Lima is Monday 30 in UTC: without `until`, the current week
    # is still 23–29 November, and the requirement filed that evening counts in it. (The
    # token is issued at that instant: one issued at another would have expired.)
    clock.move_to(lima(2026, 11, 29, 23, 30))
    reg = Api(staff_token(cliente))
    file(team, cliente)
    (week,) = reg.get("/api/v1/provider/reports?period=weekly&count=1").json()
    assert (week["start"], week["end"], week["filed"]) == ("2026-11-23", "2026-11-29", 1)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"type": "OTRO"}, {"type"}),
        ({"topic": "x", "description": "corta"}, {"topic", "description"}),
        ({"provider": "NADIE"}, {"provider"}),
        ({"requested_date": "2026-02-30"}, {"requested_date"}),
        ({"requested_date": "2020-01-01"}, {"requested_date"}),
        ({"topic": 5}, {"topic"}),
    ],
)
def test_bad_input_when_filing_is_a_spanish_problem_and_nothing_is_written(team, reg, body, fields):
    with NothingWritten():
        response = new(reg, **body)
    body = problem_of(response, 422)
    assert set(field_errors(body)) == fields
    assert not Requirement.objects.exists()


@pytest.mark.parametrize(
    ("path", "payload", "status"),
    [
        ("actions/launch", {}, 422),
        ("actions/observe", {"text": "?"}, 422),
        ("actions/accept", {"text": ["no"]}, 422),
        ("actions/acknowledge", {}, 409),
        ("actions/feasibility", {"granted_days": "muchos"}, 422),
    ],
)
def test_bad_actions_are_problems_and_change_nothing(team, reg, cx, path, payload, status):
    code = new(reg).json()["code"]
    before = RequirementStep.objects.count()
    response = cx.post(f"/api/v1/provider/requirements/{code}/{path}", payload)
    detail = problem_of(response, status)["detail"]
    assert detail and not detail.startswith("Field")
    assert RequirementStep.objects.count() == before
    assert Requirement.objects.get(code=code).stage == "VALIDATION"


def test_bad_filters_and_ids_are_problems(team, reg):
    problem_of(reg.get("/api/v1/provider/requirements?stage=NADA"), 422)
    problem_of(reg.get("/api/v1/provider/requirements?filed_from=ayer"), 422)
    problem_of(reg.get("/api/v1/provider/requirements?limit=0"), 422)
    problem_of(reg.get("/api/v1/provider/reports?period=anual"), 422)
    problem_of(reg.get("/api/v1/provider/reports?count=99"), 422)
    problem_of(reg.get("/api/v1/provider/replicas/abc"), 422)
    problem_of(reg.get("/api/v1/provider/replicas/999"), 404)
    problem_of(reg.post("/api/v1/provider/requirements", raw="{no es json"), 400)


def test_the_register_pages_by_cursor_and_its_totals_cover_the_whole_filter(team, cliente, clock):
    # Five requirements filed on Wednesday 25 November from 9:00, a minute apart: each must
    # be validated by Thursday 26 at 23:59:59. The first is accepted on Friday 27 at 9:00
    # (late; its next stage is due Monday 30). Seen on Friday 27 at 10:00, the other four
    # validations are running and overdue: 0 stages on time, 1 + 4 late.
    clock.move_to(lima(2026, 11, 27, 10))
    reg = Api(staff_token(cliente))
    codes = [file(team, cliente, now=lima(2026, 11, 25, 9, minute)).code for minute in range(5)]
    services.accept(
        requirement=Requirement.objects.get(code=codes[0]), by=P(team.cx), now=lima(2026, 11, 27, 9)
    )
    url = "/api/v1/provider/requirements?limit=2"
    first = reg.get(url).json()
    second = reg.get(f"{url}&cursor={first['next_cursor']}").json()
    third = reg.get(f"{url}&cursor={second['next_cursor']}").json()
    assert [i["code"] for i in first["items"]] == [codes[4], codes[3]]
    assert [i["code"] for i in second["items"]] == [codes[2], codes[1]]
    assert ([i["code"] for i in third["items"]], third["next_cursor"]) == ([codes[0]], None)
    # Every page carries the totals of the whole register, not of its own rows.
    for page in (first, second, third):
        assert (page["stages_on_time"], page["stages_late"], page["compliance_percent"]) == (
            0,
            5,
            0.0,
        )
    # A filter narrows the rows and the totals: the four still in validation.
    filtered = reg.get("/api/v1/provider/requirements?stage=VALIDATION&limit=3").json()
    assert [i["code"] for i in filtered["items"]] == [codes[4], codes[3], codes[2]]
    assert (filtered["stages_on_time"], filtered["stages_late"]) == (0, 4)
    last = reg.get(
        f"/api/v1/provider/requirements?stage=VALIDATION&limit=3&cursor={filtered['next_cursor']}"
    ).json()
    assert ([i["code"] for i in last["items"]], last["next_cursor"]) == ([codes[1]], None)


@pytest.mark.parametrize("cursor", ["nada", "W10", "WyJ4IiwieSJd", "eyJ0IjoxfQ"])
def test_a_broken_cursor_is_a_spanish_problem(team, reg, cursor):
    body = problem_of(reg.get(f"/api/v1/provider/requirements?cursor={cursor}"), 422)
    assert field_errors(body) == {"cursor": "El cursor no es válido; vuelva a la primera página."}
