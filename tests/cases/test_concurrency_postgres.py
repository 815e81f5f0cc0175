"""Concurrent writers on PostgreSQL: correlative codes never repeat, and of two agents acting
on the same case at once exactly one wins (docs/architecture.md: row locks, one transaction per
use case)."""

import pytest
from django.conf import settings

from factories import (
    acknowledge,
    answer,
    case_payload,
    citizen_api,
    make_case,
    make_citizen,
    run_together,
)
from sgu.cases.models import Case, CaseEvent, Solution
from sgu.core.errors import Conflict
from sgu.core.models import IdempotencyRecord

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def test_given_8_threads_registering_25_cases_each_then_200_distinct_consecutive_codes(catalog):
    citizens = [make_citizen() for _ in range(8)]

    def registers(citizen):
        return lambda: [make_case(citizen).code for _ in range(25)]

    results = run_together([registers(c) for c in citizens])

    for r in results:
        assert not isinstance(r, Exception), repr(r)
    codes = [code for batch in results for code in batch]
    assert len(codes) == 200
    assert len(set(codes)) == 200
    assert Case.objects.count() == 200
    year = codes[0][4:8]
    numbers = sorted(int(c[-7:]) for c in codes)
    assert numbers == list(range(1, 201))
    assert all(c.startswith(f"SGU-{year}-") for c in codes)
    # Each thread's own codes increase: the numbers are taken in commit order.
    for batch in results:
        assert batch == sorted(batch)


def test_given_two_agents_acknowledging_the_same_case_at_once_then_exactly_one_wins(catalog):
    case = make_case()

    results = run_together([lambda: acknowledge(case), lambda: acknowledge(case)])

    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert Case.objects.get(pk=case.pk).state == "IN_PROGRESS"
    assert CaseEvent.objects.filter(case=case, kind="ACKNOWLEDGE").count() == 1


def test_given_two_agents_answering_the_same_case_at_once_then_one_solution_one_event(catalog):
    case = acknowledge(make_case())

    results = run_together(
        [lambda: answer(case, detail="Primera respuesta de la operadora."),
         lambda: answer(case, detail="Segunda respuesta de la operadora.")]
    )  # fmt: skip

    winners = [r for r in results if isinstance(r, Case)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert Solution.objects.filter(case=case).count() == 1
    assert CaseEvent.objects.filter(case=case, kind="ANSWER").count() == 1
    assert Case.objects.get(pk=case.pk).state == "ANSWERED"


def test_given_two_identical_requests_with_one_idempotency_key_at_once_then_one_case(catalog):
    citizen = make_citizen()
    clients = [citizen_api(citizen), citizen_api(citizen)]

    def posts(client):
        return lambda: client.post("/api/v1/cases", case_payload(), HTTP_IDEMPOTENCY_KEY="k-race")

    responses = run_together([posts(c) for c in clients])

    for r in responses:
        assert not isinstance(r, Exception), repr(r)
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_given_two_registrations_of_one_person_at_once_then_one_account_and_one_conflict(catalog):
    from sgu.accounts.models import User

    def registers(email):
        return lambda: make_citizen(email_addr=email, document_number="45678912")

    results = run_together([registers("rosa@example.pe"), registers("rosa.q@example.pe")])

    assert sorted(type(r).__name__ for r in results) == ["Conflict", "User"], results
    assert User.objects.filter(document_number="45678912").count() == 1
