"""The hand-computed October 2026 data set of the statistics tests (test_indicators.py tells
it case by case; test_rollups.py checks the rollups give the same figures)."""

import pytest

from factories import (
    answer,
    lima,
    make_citizen,
    rate,
    register_case,
)
from sgu.cases import services
from sgu.cases.workflow import Actor
from sgu.catalog.models import Operator
from sgu.core.principal import Principal


@pytest.fixture
def data(catalog):
    Operator.objects.filter(code="CLARO").update(mobile_lines=3_000_000)
    Operator.objects.filter(code="MOVISTAR").update(mobile_lines=0)
    person = make_citizen()
    reg = lima(2026, 10, 5, 10)
    c1, c2, c3 = (register_case(person, now=reg, operator="CLARO") for _ in range(3))
    c4 = register_case(person, now=reg, operator="MOVISTAR")
    c5 = register_case(person, now=lima(2026, 11, 2, 10), operator="CLARO")
    answer(c1, lima(2026, 10, 6, 10))
    answer(c2, lima(2026, 10, 9, 10))
    answer(c3, lima(2026, 10, 5, 15))
    rate(c1, resolved=True, score=5, now=lima(2026, 10, 7, 9))
    rate(c2, resolved=False, score=2, now=lima(2026, 10, 9, 12))
    services.request_claim(
        case=c2,
        reason="La operadora no acreditó la recarga y sigue sin resolver.",
        by=Principal(actor_role=Actor.CITIZEN, user=person),
        now=lima(2026, 10, 9, 13),
    )
    return c1, c2, c3, c4, c5
