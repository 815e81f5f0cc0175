"""The operator's tray opens on the work still owed: claims waiting for their code first of
all, then the cases owing an answer with the overdue ones on top; answered and closed cases
only under «Mostrar: Todos los casos», after the pending ones."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories import make_operator_agent, overdue_case, register_case, request_claim, text
from sgu.cases import services
from sgu.cases.workflow import Actor, State
from sgu.core.principal import Principal

pytestmark = pytest.mark.django_db

TRAY = "/operadora/bandeja/"


@pytest.fixture
def agent(client, claro):
    user = make_operator_agent(claro)
    client.force_login(user)
    return user


def rated_long_ago(citizen):
    """A case of ten months ago, answered and rated: its due date is the oldest of all."""
    then = timezone.now() - timedelta(days=300)
    case = register_case(citizen, now=then)
    services.record_solution(
        case=case,
        data=services.SolutionInput(
            outcome="RESOLVED",
            detail="Acreditamos la recarga de S/ 10 en su línea.",
            actions="",
            executed_at=then.date(),
            responsible="Mesa de ayuda",
        ),
        by=Principal(actor_role=Actor.OPERATOR, operator=case.operator),
        now=then + timedelta(days=1),
    )
    services.rate_case(
        case=case,
        resolved=True,
        score=5,
        by=Principal(actor_role=Actor.CITIZEN, user=citizen),
        now=then + timedelta(days=2),
    )
    case.refresh_from_db()
    assert case.state == State.RATED
    return case


@pytest.fixture
def tray_cases(citizen):
    old = rated_long_ago(citizen)
    fresh = register_case(citizen)
    late = overdue_case(citizen)
    claimed = overdue_case(citizen)
    request_claim(claimed)
    claimed.refresh_from_db()
    assert claimed.state == State.CLAIM_REQUESTED
    return {"old": old, "fresh": fresh, "late": late, "claimed": claimed}


def order(shown: str, cases: list) -> list:
    found = [c for c in cases if c.code in shown]
    return sorted(found, key=lambda c: shown.index(c.code))


def test_tray_opens_on_pending_work_claims_first_then_overdue(client, agent, tray_cases):
    c = tray_cases
    response = client.get(TRAY)

    shown = text(response)
    assert order(shown, list(c.values())) == [c["claimed"], c["late"], c["fresh"]]
    assert "Casos por atender · Pendientes primero" in shown
    # The filter that hides the rest is on the page, with its choices in words.
    assert "Mostrar" in shown and "Por atender" in shown and "Todos los casos" in shown


def test_all_cases_puts_the_closed_ones_after_the_pending(client, agent, tray_cases):
    c = tray_cases
    shown = text(client.get(TRAY, {"show": "todos"}))

    assert order(shown, list(c.values())) == [c["claimed"], c["late"], c["fresh"], c["old"]]


def test_a_search_or_a_state_finds_a_closed_case(client, agent, tray_cases):
    old = tray_cases["old"]
    assert old.code in text(client.get(TRAY, {"q": old.code}))
    assert old.code in text(client.get(TRAY, {"state": State.RATED}))


def test_the_old_order_is_still_offered(client, agent, tray_cases):
    c = tray_cases
    shown = text(client.get(TRAY, {"show": "todos", "sort": "vence"}))
    assert order(shown, list(c.values()))[0] == c["old"]


def test_pending_first_pages_by_keyset(client, agent, tray_cases, monkeypatch):
    monkeypatch.setattr("sgu.core.web.PAGE_SIZE", 1)
    c = tray_cases
    seen = []
    query = "show=todos"
    for _ in range(4):
        page = client.get(f"{TRAY}?{query}")
        seen += order(text(page), list(c.values()))
        query = page.context["next_query"]
    assert seen == [c["claimed"], c["late"], c["fresh"], c["old"]]
    # An edited cursor is refused with a message, never an error page.
    assert client.get(TRAY, {"cursor": "WyJ4IiwxLDJd"}).status_code == 200


def test_nothing_pending_says_so_and_offers_every_case(client, agent, citizen):
    rated_long_ago(citizen)
    shown = text(client.get(TRAY))
    assert "No hay casos por atender." in shown and "Ver todos los casos" in shown


def test_the_api_keeps_its_documented_order(agent, tray_cases):
    """docs/api.md: GET /api/v1/operator/cases, «el que vence primero arriba» — every case."""
    from sgu.cases import selectors

    qs = selectors.operator_tray(agent.operator, now=timezone.now())
    assert qs.count() == 4
