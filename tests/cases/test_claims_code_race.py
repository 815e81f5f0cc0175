"""Two agents of one operator give the same claim code to two claims at the same instant
(PostgreSQL): one wins, the other gets the 409 conflict — never a 500, never two claims with
one code."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from factories import citizen_principal, lima, make_case, make_citizen, operator_principal
from sgu.cases import services
from sgu.cases.models import Claim, ClaimState
from sgu.core.errors import Conflict

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs concurrent connections"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 5


def _claim() -> Claim:
    citizen = make_citizen()
    case = make_case(citizen, now=lima(2026, 3, 2, 10))  # long overdue
    return services.request_claim(
        case=case, reason="La operadora no respondió a tiempo.", by=citizen_principal(citizen)
    )


def _assign(claim: Claim, code: str, by, start: threading.Barrier, outcomes: list) -> None:
    """One agent, in its own thread and connection."""
    try:
        start.wait(timeout=30)
        services.assign_claim_code(claim=claim, claim_code=code, by=by)
        outcomes.append("ok")
    except Conflict as exc:
        outcomes.append("conflict" if "ya fue asignado" in exc.detail else exc.detail)
    except BaseException as exc:  # anything else would be a 500
        outcomes.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


def test_same_code_at_once_one_wins_one_conflict(claro):
    by = operator_principal(claro)
    for round_ in range(ROUNDS):
        claims = [_claim(), _claim()]
        code = f"R-CARRERA-{round_}"
        start = threading.Barrier(2)
        outcomes: list[str] = []
        threads = [
            threading.Thread(target=_assign, args=(c, code, by, start, outcomes)) for c in claims
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)

        assert sorted(outcomes) == ["conflict", "ok"], outcomes
        coded = Claim.objects.filter(claim_code=code)
        assert coded.count() == 1
        assert coded.get().state == ClaimState.CODED
        pending = Claim.objects.filter(pk__in=[c.pk for c in claims], state=ClaimState.PENDING_CODE)
        assert pending.count() == 1
