"""Replicas to the advisors (issue 18, source 2.4.10–2.4.11): material = an approved
knowledge-base article version + an ayuda memoria; the operation's supervisor and monitor are
trained first; each advisor confirms (time, replica, article version) and passes the scheduled
evaluation; the % of deployment; the client is told by email at start and close."""

from datetime import date

import pytest
from django.test import Client

from factories import Api, lima, staff_token
from provider.helpers import P, approved_version, file, to_replica_stage
from sgu.core.errors import Conflict, Forbidden, ValidationFailed
from sgu.notifications.models import OutboundEmail
from sgu.provider import selectors, services
from sgu.provider.models import ReplicaState, Stage, Trainee

pytestmark = pytest.mark.django_db

QUESTIONS = [
    services.Question("¿Plazo de la portabilidad?", ["24 horas", "5 días"], 0),
    services.Question("¿Quién la solicita?", ["El titular", "Cualquiera"], 0),
    services.Question("¿Tiene costo?", ["Sí", "No"], 1),
]


@pytest.fixture
def version(db):
    return approved_version()


@pytest.fixture
def deployed(team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    return to_replica_stage(req, team, cliente, now=lima(2026, 11, 25, 10))


def plan(team, req, version, **kw):
    return services.plan_replica(
        requirement=req,
        article_version=version,
        memory_aid="La portabilidad se ejecuta en 24 horas; la pide el titular.",
        scheduled_for="2026-11-26",
        trainer=team.trainer,
        advisors=kw.pop("advisors", None),
        by=P(kw.pop("by", team.trainer)),
        now=lima(2026, 11, 25, 11),
    )


def test_supervisor_and_monitor_first_then_advisors_with_their_version(team, deployed, version):
    replica = plan(team, deployed, version)
    people = {t.user_id: t.lead for t in replica.trainees.all()}
    assert people == {
        team.ops.pk: True,
        team.monitor.pk: True,
        team.advisors[0].pk: False,
        team.advisors[1].pk: False,
    }
    services.start_replica(replica=replica, by=P(team.trainer), now=lima(2026, 11, 25, 12))

    with pytest.raises(Conflict, match="Primero se capacita"):
        services.confirm_training(replica=replica, by=P(team.advisors[0]))
    services.confirm_training(replica=replica, by=P(team.ops), now=lima(2026, 11, 25, 13))
    with pytest.raises(Conflict):
        services.confirm_training(replica=replica, by=P(team.advisors[0]))
    services.confirm_training(replica=replica, by=P(team.monitor), now=lima(2026, 11, 25, 13))
    mine = services.confirm_training(
        replica=replica, by=P(team.advisors[0]), now=lima(2026, 11, 25, 14)
    )
    assert (mine.confirmed_at, mine.confirmed_version_id) == (lima(2026, 11, 25, 14), version.pk)
    # 3 of 4 people: 75 %.
    assert selectors.deployment_of(replica).percent == 75.0


def test_start_and_close_are_emailed_to_the_client(team, deployed, version, cliente):
    replica = plan(team, deployed, version, advisors=[team.advisors[0]])
    services.start_replica(replica=replica, by=P(team.trainer), now=lima(2026, 11, 25, 12))
    started = OutboundEmail.objects.filter(template="provider_replica_started")
    assert sorted(e.to for e in started) == sorted(
        [cliente.email, "experiencia@regulador.example.pe"]
    )
    for person in (team.ops, team.monitor, team.advisors[0]):
        services.confirm_training(replica=replica, by=P(person), now=lima(2026, 11, 25, 13))
    replica.refresh_from_db()
    assert replica.state == ReplicaState.CLOSED
    closed = OutboundEmail.objects.get(template="provider_replica_closed", to=cliente.email)
    assert "3 de 3 personas (100,0 %)" in closed.body_text
    services.complete_replica(requirement=deployed, by=P(team.trainer))


def test_evaluation_score_pass_mark_and_retries(team, deployed, version):
    replica = plan(team, deployed, version, advisors=[team.advisors[0]])
    services.schedule_evaluation(
        replica=replica,
        questions=QUESTIONS,
        pass_mark=70,
        max_attempts=2,
        opens_at=None,
        by=P(team.trainer),
        now=lima(2026, 11, 25, 11),
    )
    services.start_replica(replica=replica, by=P(team.trainer), now=lima(2026, 11, 25, 12))
    for person in (team.ops, team.monitor, team.advisors[0]):
        services.confirm_training(replica=replica, by=P(person), now=lima(2026, 11, 25, 13))
    # Confirmed but not yet passed: 2 of 3 people are done.
    assert selectors.deployment_of(replica).percent == 66.7
    advisor = P(team.advisors[0])
    # 2 of 3 right: 200 // 3 = 66 % < 70 → not passed.
    later = lima(2026, 11, 25, 15)
    first = services.submit_evaluation(replica=replica, answers=[0, 0, 0], by=advisor, now=later)
    assert (first.number, first.score, first.passed) == (1, 66, False)
    second = services.submit_evaluation(replica=replica, answers=[0, 0, 1], by=advisor, now=later)
    assert (second.number, second.score, second.passed) == (2, 100, True)
    replica.refresh_from_db()
    assert replica.state == ReplicaState.CLOSED
    with pytest.raises(Conflict, match="Ya aprobó"):
        services.submit_evaluation(replica=replica, answers=[0, 0, 1], by=advisor, now=later)


def test_attempts_run_out(team, deployed, version):
    replica = plan(team, deployed, version, advisors=[team.advisors[0]])
    services.schedule_evaluation(
        replica=replica,
        questions=QUESTIONS[:1],
        pass_mark=100,
        max_attempts=1,
        opens_at=None,
        by=P(team.trainer),
    )
    services.start_replica(replica=replica, by=P(team.trainer))
    for person in (team.ops, team.monitor, team.advisors[0]):
        services.confirm_training(replica=replica, by=P(person))
    services.submit_evaluation(replica=replica, answers=[1], by=P(team.advisors[0]))
    with pytest.raises(Conflict, match="intentos"):
        services.submit_evaluation(replica=replica, answers=[0], by=P(team.advisors[0]))
    assert not Trainee.objects.filter(passed_at__isnull=False).exists()


def test_bad_evaluation_and_bad_plan_are_refused_whole(team, deployed, version):
    with pytest.raises(ValidationFailed) as exc:
        services.plan_replica(
            requirement=deployed,
            article_version=None,
            memory_aid="",
            scheduled_for="ayer",
            trainer=team.advisors[0],
            advisors=None,
            by=P(team.trainer),
        )
    assert {e.field for e in exc.value.errors} == {
        "article_version",
        "memory_aid",
        "scheduled_for",
        "trainer",
    }
    replica = plan(team, deployed, version)
    with pytest.raises(ValidationFailed) as exc:
        services.schedule_evaluation(
            replica=replica,
            questions=[services.Question("x", ["solo una"], 3)],
            pass_mark=0,
            max_attempts=11,
            opens_at=None,
            by=P(team.trainer),
        )
    assert {e.field for e in exc.value.errors} == {
        "questions.0.text",
        "questions.0.options",
        "questions.0.answer",
        "pass_mark",
        "max_attempts",
    }


def test_only_trainers_of_that_provider_plan_and_only_targets_confirm(
    team, other_team, deployed, version
):
    with pytest.raises(Forbidden):
        plan(team, deployed, version, by=team.advisors[0])
    with pytest.raises(Forbidden):
        plan(team, deployed, version, by=other_team.trainer)
    replica = plan(team, deployed, version)
    services.start_replica(replica=replica, by=P(team.trainer))
    with pytest.raises(Forbidden):
        services.confirm_training(replica=replica, by=P(other_team.advisors[0]))


def test_a_replica_starts_only_after_the_deployment_is_announced(team, cliente, version):
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    req = services.accept(requirement=req, by=P(team.cx))
    req = services.acknowledge(requirement=req, by=P(team.ops))
    req = services.confirm_feasibility(requirement=req, by=P(team.cx))
    assert req.stage == Stage.DEPLOYMENT_START
    replica = plan(team, req, version)  # material can be prepared before
    with pytest.raises(Conflict, match="inicio del despliegue"):
        services.start_replica(replica=replica, by=P(team.trainer))


def _lead_confirmations(team, replica, at):
    for person in (team.ops, team.monitor):
        services.confirm_training(replica=replica, by=P(person), now=at)


def test_the_replicas_register_by_topic_date_state_and_team(team, other_team, cliente, version):
    """Hand-computed: A (Portabilidad, 26/11) targets ops + monitor + 2 advisors, has an
    evaluation; both leads and one advisor confirmed, nobody passed: 2 of 4 ready = 50 %.
    B (Recargas, 27/11) targets ops + monitor + 1 advisor, no evaluation; everybody
    confirmed: 3 of 3, closed. C is another provider's (Portabilidad, 26/11; created after A,
    so listed before it on the same day), planned for 4 people."""

    def deployed(t, topic):
        req = file(t, cliente, now=lima(2026, 11, 25, 9), topic=topic)
        return to_replica_stage(req, t, cliente, now=lima(2026, 11, 25, 10))

    def planned(t, req, day, advisors=None):
        return services.plan_replica(
            requirement=req,
            article_version=version,
            memory_aid="La portabilidad se ejecuta en 24 horas; la pide el titular.",
            scheduled_for=day,
            trainer=t.trainer,
            advisors=advisors,
            by=P(t.trainer),
            now=lima(2026, 11, 25, 11),
        )

    a = planned(team, deployed(team, "Portabilidad numérica"), "2026-11-26")
    services.schedule_evaluation(
        replica=a,
        questions=QUESTIONS,
        pass_mark=60,
        max_attempts=2,
        opens_at=None,
        by=P(team.trainer),
        now=lima(2026, 11, 25, 11),
    )
    services.start_replica(replica=a, by=P(team.trainer), now=lima(2026, 11, 26, 9))
    _lead_confirmations(team, a, lima(2026, 11, 26, 10))
    services.confirm_training(replica=a, by=P(team.advisors[0]), now=lima(2026, 11, 26, 11))
    b = planned(team, deployed(team, "Recargas"), "2026-11-27", advisors=[team.advisors[1]])
    services.start_replica(replica=b, by=P(team.trainer), now=lima(2026, 11, 27, 9))
    _lead_confirmations(team, b, lima(2026, 11, 27, 10))
    services.confirm_training(replica=b, by=P(team.advisors[1]), now=lima(2026, 11, 27, 11))
    c = planned(other_team, deployed(other_team, "Portabilidad numérica"), "2026-11-26")

    def rows(user, **f):
        qs = selectors.replica_register(user, selectors.ReplicaFilter(**f))
        return [(r.pk, r.ready, r.people, selectors.percent_of(r.ready, r.people)) for r in qs]

    assert rows(cliente) == [(b.pk, 3, 3, 100.0), (c.pk, 0, 4, 0.0), (a.pk, 2, 4, 50.0)]
    assert rows(team.advisors[0]) == [(b.pk, 3, 3, 100.0), (a.pk, 2, 4, 50.0)]
    assert [r[0] for r in rows(cliente, topic="portab")] == [c.pk, a.pk]
    assert [r[0] for r in rows(cliente, provider="LLAMAPERU")] == [c.pk]
    assert [r[0] for r in rows(cliente, state="CLOSED")] == [b.pk]
    assert [r[0] for r in rows(cliente, scheduled_from=date(2026, 11, 27))] == [b.pk]
    assert [r[0] for r in rows(cliente, scheduled_to=date(2026, 11, 26))] == [c.pk, a.pk]
    # The same through the API, one per page, and on the page.
    api = Api(staff_token(team.cx))
    first = api.get("/api/v1/provider/replicas?limit=1").json()
    second = api.get(f"/api/v1/provider/replicas?limit=1&cursor={first['next_cursor']}").json()
    assert [(i["id"], i["deployment_percent"], i["state"]) for i in first["items"]] == [
        (b.pk, 100.0, "CLOSED")
    ]
    assert [(i["id"], i["done"], i["total"]) for i in second["items"]] == [(a.pk, 2, 4)]
    assert second["next_cursor"] is None
    page = Client()
    page.force_login(cliente)
    html = page.get("/proveedor/replicas/?topic=Recargas").content.decode()
    assert "100.0 %" in html or "100,0 %" in html
    assert "(3 de 3 personas)" in html and "Portabilidad" not in html
