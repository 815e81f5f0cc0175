"""Concurrent 1st-level agents on PostgreSQL: consulta codes never repeat, and of two
specialists answering the same escalation at once exactly one wins."""

import pytest
from django.conf import settings

from attention.helpers import make_areas, make_staff
from factories import run_together
from sgu.attention import services
from sgu.attention.models import AttentionEvent, Escalation, Query
from sgu.core.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def register(agent):
    return services.register_query(
        agent=agent,
        channel="WEB",
        topic="T",
        motive="otros-informacion",
        question="?",
        name="N",
        email="n@x.pe",
    )


def test_given_6_agents_registering_20_queries_each_then_120_distinct_consecutive_codes(catalog):
    make_areas()
    agents = [make_staff() for _ in range(6)]
    results = run_together([lambda a=a: [register(a).code for _ in range(20)] for a in agents])
    for r in results:
        assert not isinstance(r, Exception), repr(r)
    codes = [c for batch in results for c in batch]
    assert len(set(codes)) == 120 == Query.objects.count()
    assert sorted(int(c[-7:]) for c in codes) == list(range(1, 121))


def test_given_two_specialists_answering_at_once_then_exactly_one_wins(catalog):
    make_areas()
    agent = make_staff()
    one, two = make_staff(area="USUARIOS"), make_staff(area="USUARIOS")
    hop = services.escalate(
        agent=agent,
        query=register(agent),
        area_code="USUARIOS",
        criticality="ALTO",
        complexity="BAJA",
        reason="x",
    )
    results = run_together(
        [
            lambda: services.answer_escalation(escalation=hop, user=one, answer="A"),
            lambda: services.answer_escalation(escalation=hop, user=two, answer="B"),
        ]
    )
    assert sum(isinstance(r, Escalation) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert AttentionEvent.objects.filter(escalation=hop, kind="ANSWER").count() == 1
