"""Two schedulers at once on PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED lets them share
10,000 due cases without moving any case twice (DOMAIN §6: "exactly once")."""

import logging
import threading
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from factories import make_citizen
from sgu.cases import services
from sgu.cases.models import Case, CaseEvent
from sgu.cases.workflow import Action, State
from sgu.catalog.models import Operator, Subcategory
from sgu.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

N_CASES = 10_000
BATCH = 500

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="SKIP LOCKED needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def _due_cases(n: int) -> None:
    """`n` forwarded cases whose plazo passed yesterday, written set-based (fixture data)."""
    citizens = [make_citizen() for _ in range(10)]
    operators = list(Operator.objects.filter(code__in=["CLARO", "MOVISTAR", "ENTEL", "BITEL"]))
    subcategory = Subcategory.objects.get(code="recarga-no-acreditada")
    now = timezone.now()
    Case.objects.bulk_create(
        (
            Case(
                code=f"SGU-2026-{i:07d}",
                citizen=citizens[i % len(citizens)],
                operator=operators[i % len(operators)],
                subcategory=subcategory,
                service="MOVIL",
                channel="WEB",
                service_number="987654321",
                description="Recargué 10 soles y el saldo no llegó.",
                state=State.FORWARDED if i % 2 else State.IN_PROGRESS,
                registered_at=now - timedelta(days=5),
                forwarded_at=now - timedelta(days=5),
                due_at=now - timedelta(days=1, seconds=i),
            )
            for i in range(1, n + 1)
        ),
        batch_size=2000,
    )


def test_two_schedulers_share_the_work_and_move_each_case_once(catalog):
    _due_cases(N_CASES)
    now = timezone.now()
    start = threading.Barrier(2)
    moved: dict[str, int] = {}
    errors: list[BaseException] = []

    def scheduler(name: str) -> None:
        try:
            start.wait(timeout=30)
            moved[name] = services.expire_overdue_cases(now=now, batch=BATCH)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=scheduler, args=(n,)) for n in ("A", "B")]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    elapsed = time.perf_counter() - t0
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)

    logger.warning(
        "2 schedulers, %s due cases: A moved %s, B moved %s, in %.1f s",
        N_CASES,
        moved["A"],
        moved["B"],
        elapsed,
    )
    print(f"\nA moved {moved['A']}, B moved {moved['B']} ({elapsed:.1f} s)")
    assert moved["A"] + moved["B"] == N_CASES
    assert moved["A"] > 0 and moved["B"] > 0, moved  # they really shared it

    assert Case.objects.filter(state=State.OVERDUE).count() == N_CASES
    assert not Case.objects.exclude(state=State.OVERDUE).exists()

    expire = CaseEvent.objects.filter(kind=Action.EXPIRE)
    assert expire.count() == N_CASES
    assert expire.values("case").distinct().count() == N_CASES
    assert not expire.values("case").annotate(n=Count("id")).filter(n__gt=1).exists()

    emails = OutboundEmail.objects.filter(template="case_overdue")
    assert emails.count() == N_CASES
    assert emails.values("case_code").distinct().count() == N_CASES

    # And a third pass finds nothing.
    assert services.expire_overdue_cases(now=now, batch=BATCH) == 0
