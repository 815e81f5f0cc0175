"""Bad input on every provider endpoint (issue 18, «Checks»): a problem+json in Spanish with
the status the contract gives, nothing written, never a 500. The table has a row for every
operation the published schema lists under /api/v1/provider/ — a new endpoint without its
rows fails `test_every_provider_operation_has_its_bad_input_rows`.

Each row: (method, path as published, url, body, status). The url may name the requirement
(`{code}`), the replica (`{rid}`) and the file (`{aid}`) of the fixture `world`. The body is
a dict (sent as JSON), raw text (sent as JSON that is not), or a dict with files (sent as
multipart)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factories import Api, NothingWritten, lima, pdf_bytes, problem_of, staff_token
from provider.helpers import P, approved_version, file, to_replica_stage
from sgu.provider import services

pytestmark = pytest.mark.django_db

R = "/api/v1/provider/requirements"
REQ = R + "/{code}"
REP = "/api/v1/provider/replicas"
EXE = b"MZ\x90\x00" + b"\x00" * 64


def exe():
    return SimpleUploadedFile("virus.exe", EXE, "application/octet-stream")


FILING = {
    "provider": "CONTACTA",
    "type": "NEW_INFO",
    "topic": "Portabilidad numérica",
    "description": "Informar a los asesores el nuevo plazo de portabilidad.",
}

ROWS = [
    # the register
    ("get", R, R + "?stage=NADA", None, 422),
    ("get", R, R + "?type=OTRO", None, 422),
    ("get", R, R + "?filed_from=ayer", None, 422),
    ("get", R, R + "?filed_from=2026-12-01&filed_to=2026-11-01", None, 422),
    ("get", R, R + "?open_only=quizas", None, 422),
    ("get", R, R + "?limit=0", None, 422),
    ("get", R, R + "?limit=501", None, 422),
    ("get", R, R + "?cursor=no-es-un-cursor", None, 422),
    ("get", R, R + "?topic=" + "x" * 201, None, 422),
    # filing
    ("post", R, R, "{no es json", 400),
    ("post", R, R, {}, 422),
    ("post", R, R, [1, 2], 422),
    ("post", R, R, {**FILING, "type": "OTRO"}, 422),
    ("post", R, R, {**FILING, "topic": 5}, 422),
    ("post", R, R, {**FILING, "provider": "NADIE"}, 422),
    ("post", R, R, {**FILING, "requested_date": "2026-02-30"}, 422),
    ("post", R, R, {**FILING, "requested_date": 0}, 422),
    ("post", R, R, {**FILING, "description": "x" * 4001}, 422),
    ("post", R, R, {**FILING, "files": {"attachments": exe}}, 415),
    ("post", R, R, {"files": {"attachments": exe}}, 422),
    # one requirement
    ("get", REQ, R + "/REQ-2026-99999", None, 404),
    ("get", REQ, R + "/%20", None, 404),
    # actions
    ("post", REQ + "/actions/{action}", R + "/{code}/actions/launch", {}, 422),
    ("post", REQ + "/actions/{action}", R + "/{code}/actions/observe", {"text": "?"}, 422),
    ("post", REQ + "/actions/{action}", R + "/{code}/actions/accept", {"text": ["no"]}, 422),
    ("post", REQ + "/actions/{action}", R + "/{code}/actions/acknowledge", {}, 409),
    (
        "post",
        REQ + "/actions/{action}",
        R + "/{code}/actions/answer",
        {"text": "Rige desde el lunes."},
        409,
    ),
    ("post", REQ + "/actions/{action}", R + "/{code}/actions/accept", "{", 400),
    ("post", REQ + "/actions/{action}", R + "/REQ-2026-99999/actions/accept", {}, 404),
    # files
    ("post", REQ + "/attachments", R + "/{code}/attachments", {}, 422),
    ("post", REQ + "/attachments", R + "/{code}/attachments", {"files": {"file": exe}}, 415),
    ("post", REQ + "/attachments", R + "/REQ-2026-99999/attachments", {}, 404),
    ("get", REQ + "/attachments", R + "/REQ-2026-99999/attachments", None, 404),
    ("get", REQ + "/attachments/{attachment_id}", R + "/{code}/attachments/abc", None, 422),
    ("get", REQ + "/attachments/{attachment_id}", R + "/{code}/attachments/999999", None, 404),
    (
        "get",
        REQ + "/attachments/{attachment_id}",
        R + "/REQ-2026-99999/attachments/{aid}",
        None,
        404,
    ),
    # replicas of a requirement
    ("post", REQ + "/replicas", R + "/{code}/replicas", {}, 422),
    (
        "post",
        REQ + "/replicas",
        R + "/{code}/replicas",
        {
            "article_version": 999999,
            "memory_aid": "corta",
            "scheduled_for": "2020-01-01",
            "trainer_email": "nadie@example.pe",
        },
        422,
    ),
    ("post", REQ + "/replicas", R + "/{code}/replicas", {"article_version": "uno"}, 422),
    # the replicas register and one replica
    ("get", REP, REP + "?state=NADA", None, 422),
    ("get", REP, REP + "?scheduled_from=ayer", None, 422),
    ("get", REP, REP + "?scheduled_from=2026-12-01&scheduled_to=2026-11-01", None, 422),
    ("get", REP, REP + "?limit=0", None, 422),
    ("get", REP, REP + "?cursor=WyJ4Il0", None, 422),
    ("get", REP + "/{replica_id}", REP + "/abc", None, 422),
    ("get", REP + "/{replica_id}", REP + "/999999", None, 404),
    ("post", REP + "/{replica_id}/start", REP + "/999999/start", {}, 404),
    ("post", REP + "/{replica_id}/confirm", REP + "/{rid}/confirm", {}, 409),
    ("post", REP + "/{replica_id}/confirm", REP + "/abc/confirm", {}, 422),
    ("post", REP + "/{replica_id}/evaluation", REP + "/{rid}/evaluation", {}, 422),
    (
        "post",
        REP + "/{replica_id}/evaluation",
        REP + "/{rid}/evaluation",
        {
            "questions": [{"text": "¿?", "options": ["a"], "answer": 3}],
            "pass_mark": 0,
            "max_attempts": 11,
        },
        422,
    ),
    ("post", REP + "/{replica_id}/evaluation", REP + "/{rid}/evaluation", {"pass_mark": "x"}, 422),
    (
        "post",
        REP + "/{replica_id}/evaluation/attempts",
        REP + "/{rid}/evaluation/attempts",
        {"answers": "x"},
        422,
    ),
    (
        "post",
        REP + "/{replica_id}/evaluation/attempts",
        REP + "/{rid}/evaluation/attempts",
        {"answers": [0]},
        409,
    ),
    # reports
    ("get", "/api/v1/provider/reports", "/api/v1/provider/reports?period=anual", None, 422),
    ("get", "/api/v1/provider/reports", "/api/v1/provider/reports?count=99", None, 422),
    ("get", "/api/v1/provider/reports", "/api/v1/provider/reports?until=ayer", None, 422),
    ("get", "/api/v1/provider/reports", "/api/v1/provider/reports?until=0", None, 422),
]

ENGLISH = re.compile(r"\b(Field|field required|Input should|Invalid|Not Found|value is not)\b")


@pytest.fixture
def world(team, cliente):
    """A requirement in REPLICA with one file and a planned replica (not started)."""
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    pdf = SimpleUploadedFile("oficio.pdf", pdf_bytes(), "application/pdf")
    (one,) = services.add_attachments(requirement=req, files=[pdf], by=P(cliente))
    req = to_replica_stage(req, team, cliente, now=lima(2026, 11, 25, 10))
    replica = services.plan_replica(
        requirement=req,
        article_version=approved_version(),
        memory_aid="La portabilidad se ejecuta en 24 horas; la pide el titular.",
        scheduled_for="2030-01-02",
        trainer=team.trainer,
        advisors=[],
        by=P(team.trainer),
    )
    return {"code": req.code, "rid": replica.pk, "aid": one.pk}


def caller_for(team, cliente, method, url) -> Api:
    """Who would make the call: the regulator files and attaches; Experiencia Cliente
    moves; the trainer plans and evaluates; an advisor confirms and answers."""
    if "/confirm" in url or "/attempts" in url:
        return Api(staff_token(team.advisors[0]))
    if "/evaluation" in url or ("/replicas" in url and method == "post"):
        return Api(staff_token(team.trainer))
    if "/actions/" in url and "answer" not in url:
        return Api(staff_token(team.cx))
    return Api(staff_token(cliente))


def send(api: Api, method: str, url: str, body):
    if method == "get":
        return api.get(url)
    if isinstance(body, dict) and "files" in body:
        data = {k: v for k, v in body.items() if k != "files"}
        data.update({k: make() for k, make in body["files"].items()})
        return api.client.post(url, data, **api._headers({}))
    if isinstance(body, str):
        return api.post(url, raw=body)
    return api.post(url, body)


@pytest.mark.parametrize(
    ("method", "template", "url", "body", "status"),
    ROWS,
    # Ids must be the same in every process (pytest-xdist compares them): no memory addresses.
    ids=[f"{r[0]} {r[2]} {re.sub(r' at 0x[0-9a-f]+', '', str(r[3]))[:40]}" for r in ROWS],
)
def test_bad_input_is_a_spanish_problem_and_changes_nothing(
    team, cliente, world, method, template, url, body, status
):
    url = url.format(**world)
    api = caller_for(team, cliente, method, url)
    with NothingWritten():
        response = send(api, method, url, body)
    problem = problem_of(response, status)
    assert problem["detail"] and not ENGLISH.search(problem["detail"]), problem
    for error in problem["errors"]:
        assert not ENGLISH.search(error["message"]), error


def test_every_provider_operation_has_its_bad_input_rows(client):
    schema = client.get("/api/v1/openapi.json").json()
    published = {
        (method, path)
        for path, operations in schema["paths"].items()
        if path.startswith("/api/v1/provider/")
        for method in operations
    }
    covered = {(r[0], r[1]) for r in ROWS}
    assert published == covered, published ^ covered


FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.lists(st.integers(), max_size=3)
)


@FUZZ
@given(
    body=st.dictionaries(
        st.sampled_from(["provider", "type", "topic", "description", "requested_date", "x"]),
        values,
        max_size=6,
    )
)
def test_any_json_when_filing_is_201_or_a_4xx_problem(team, cliente, body):
    response = Api(staff_token(cliente)).post(R, {**FILING, **body})
    if response.status_code != 201:
        assert 400 <= response.status_code < 500, response.content
        problem_of(response, response.status_code)


@FUZZ
@given(
    action=st.sampled_from(["accept", "observe", "feasibility", "report", "x", "ACCEPT"]),
    body=st.dictionaries(st.sampled_from(["text", "granted_days", "z"]), values, max_size=3),
)
def test_any_action_body_is_200_or_a_4xx_problem(team, cliente, action, body):
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    response = Api(staff_token(team.cx)).post(f"{R}/{req.code}/actions/{action}", body)
    if response.status_code != 200:
        assert 400 <= response.status_code < 500, response.content
        problem_of(response, response.status_code)
