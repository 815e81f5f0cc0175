"""What must hold when requests arrive at the same instant, on PostgreSQL (real concurrent
transactions): one open event per (attention point, procedure type), and correlative numbers
that are never given twice."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from outages.helpers import grant, make_point, outage_input
from sgu.accounts.auth import principal_for_user
from sgu.core.errors import Conflict
from sgu.operators.models import StaffDuty
from sgu.outages import services
from sgu.outages.models import OutageEvent

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8


def race(fn, n: int = THREADS) -> list:
    """Run `fn(i)` in n threads released together; return each result or exception."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as exc:  # collected and asserted on by the test
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_only_one_open_event_per_point_and_procedure(claro_admin, claro_store):
    grant(claro_admin, StaffDuty.CHANNEL_HEAD)
    from django.utils import timezone

    by = principal_for_user(claro_admin)
    started = timezone.now()

    def attempt(i: int):
        return services.register_outage(
            data=outage_input(claro_store, started_at=started, systems=f"Sistema {i}"), by=by
        )

    results = race(attempt)
    created = [r for r in results if isinstance(r, OutageEvent)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(created) == 1, results
    assert len(refused) == THREADS - 1, results
    assert all("Ya hay un evento abierto" in r.detail for r in refused)
    assert OutageEvent.objects.filter(ended_at__isnull=True).count() == 1
    # The refused registrations gave their numbers back: the next one is 2.
    assert created[0].number == 1
    other = services.register_outage(
        data=outage_input(claro_store, procedure_type="ALTAS", started_at=started), by=by
    )
    assert other.number == 2


def test_the_database_itself_refuses_a_second_open_event(claro_admin, claro_store):
    grant(claro_admin, StaffDuty.CHANNEL_HEAD)
    """Even a writer that skips the service's check cannot open a second event."""
    from django.db import IntegrityError, transaction
    from django.utils import timezone

    first = services.register_outage(
        data=outage_input(claro_store, started_at=timezone.now()),
        by=principal_for_user(claro_admin),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OutageEvent.objects.create(
            operator=first.operator,
            number=99,
            attention_point=claro_store,
            procedure_type=first.procedure_type,
            scenario=first.scenario,
            systems="x",
            started_at=first.started_at,
            registered_at=first.registered_at,
        )
    assert connection.vendor == "postgresql"


def test_correlative_numbers_are_unique_under_concurrency(claro_admin, movistar_admin):
    grant(claro_admin, StaffDuty.CHANNEL_HEAD)
    grant(movistar_admin, StaffDuty.CHANNEL_HEAD)
    from django.utils import timezone

    claro_points = [make_point(claro_admin, code=f"CAC-{i}") for i in range(THREADS)]
    movistar_points = [make_point(movistar_admin, code=f"CAC-{i}") for i in range(THREADS)]
    started = timezone.now()

    def attempt(i: int):
        # Half the threads write for Claro, half for Movistar, each on its own point.
        admin, points = (claro_admin, claro_points) if i % 2 else (movistar_admin, movistar_points)
        return services.register_outage(
            data=outage_input(points[i], started_at=started), by=principal_for_user(admin)
        )

    results = race(attempt)
    assert all(isinstance(r, OutageEvent) for r in results), results
    for operator in (claro_admin.operator, movistar_admin.operator):
        numbers = sorted(
            OutageEvent.objects.filter(operator=operator).values_list("number", flat=True)
        )
        assert numbers == list(range(1, THREADS // 2 + 1))
