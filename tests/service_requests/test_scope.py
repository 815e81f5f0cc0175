"""Scope (instructivo point ii, bajas-migraciones): an operator is bound by the SGU and by
the daily bajas/migraciones report when it has more than 500 000 subscribers. The threshold
and each operator's subscribers are the regulator's data, with history (a figure stands from
its date on). Cases go only to bound operators — for another one the citizen is told where
to go, in the same words on the web and the API — and only bound operators' missing daily
reports are flagged."""

from datetime import date

import pytest
from django.test import Client

from factories import (
    case_form,
    case_payload,
    citizen_api,
    error_of,
    lima,
    make_citizen,
)
from sgu.cases.models import Case
from sgu.catalog.models import Operator
from sgu.notifications.models import OutboundEmail
from sgu.operators import selectors as scope
from sgu.operators.models import OwnChannels, ScopeThreshold, SubscriberCount
from sgu.service_requests import services
from sgu.service_requests.models import DailyReport

pytestmark = pytest.mark.django_db

NOW = lima(2026, 4, 8, 10, 0)


@pytest.fixture
def small(catalog):
    """A mobile virtual operator that grew past the threshold on 1 April 2026."""
    op = Operator.objects.create(code="INKACEL", name="Inkacel", mobile_lines=85_000)
    SubscriberCount.objects.create(operator=op, subscribers=85_000, valid_from=date(2025, 6, 30))
    SubscriberCount.objects.create(operator=op, subscribers=520_000, valid_from=date(2026, 4, 1))
    OwnChannels.objects.create(
        operator=op, web="https://www.inkacel.pe/atencion", phone="(01) 700-4652"
    )
    return op


def test_bound_means_more_than_the_threshold_in_force_that_day(small, claro):
    # Claro has no count recorded: bound (nobody is turned away on a missing figure).
    assert scope.is_bound(claro, date(2026, 3, 1))
    assert not scope.is_bound(small, date(2026, 3, 31))
    assert scope.is_bound(small, date(2026, 4, 1))
    # The regulator raises the threshold from 1 May: the same count no longer binds it.
    ScopeThreshold.objects.create(subscribers=600_000, valid_from=date(2026, 5, 1))
    assert scope.is_bound(small, date(2026, 4, 30))
    assert not scope.is_bound(small, date(2026, 5, 1))
    assert scope.scope_threshold(date(2026, 4, 30)) == 500_000
    # Exactly the threshold is not "more than".
    SubscriberCount.objects.create(operator=small, subscribers=600_000, valid_from=date(2026, 6, 1))
    assert not scope.is_bound(small, date(2026, 6, 1))
    assert scope.bound_operator_ids(date(2026, 6, 1)) == set(
        Operator.objects.exclude(pk=small.pk).values_list("pk", flat=True)
    )


def test_a_case_for_a_non_bound_operator_is_refused_with_its_own_channels(small, clock):
    clock.move_to(lima(2026, 3, 16, 10))
    expected = scope.scope_refusal(small, date(2026, 3, 16))
    assert expected == (
        "Inkacel no está obligada a atender por el SGU: no supera los 500 000 abonados a nivel "
        "nacional. Presente su problema directamente a Inkacel por su página web "
        "https://www.inkacel.pe/atencion o su teléfono de atención (01) 700-4652; si no le "
        "responde o no está conforme, puede presentar un reclamo ante ella."
    )
    citizen = make_citizen()

    api = citizen_api(citizen)
    r = api.post("/api/v1/cases", case_payload(operator="INKACEL"))
    assert r.status_code == 422
    assert r["Content-Type"].startswith("application/problem+json")
    errors = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert errors["operator"] == expected

    client = Client()
    client.force_login(citizen)
    page = client.post("/casos/nuevo/", case_form(operator="INKACEL"))
    assert page.status_code == 422
    assert error_of(page, "id_operator") == expected

    assert Case.objects.count() == 0
    assert not OutboundEmail.objects.filter(template="case_registered").exists()

    # From 1 April it is bound: the same case is registered and forwarded.
    clock.move_to(lima(2026, 4, 1, 10))
    r = citizen_api(citizen).post("/api/v1/cases", case_payload(operator="INKACEL"))
    assert r.status_code == 201, r.content


def test_without_own_channels_recorded_the_citizen_is_still_told_where_to_go(small):
    OwnChannels.objects.filter(operator=small).delete()
    message = scope.scope_refusal(small, date(2026, 3, 16))
    assert "por sus propios canales de atención (oficinas, teléfono o página web)" in message


def test_only_bound_operators_missing_daily_reports_are_flagged(small, claro):
    # 1–7 April are due by the morning of the 8th; Inkacel is bound only from the 1st of April
    # on, and from the 5th it falls below a threshold the regulator raised.
    ScopeThreshold.objects.create(subscribers=600_000, valid_from=date(2026, 4, 5))
    flagged = services.flag_missing_reports(now=NOW)

    inkacel_days = sorted(
        DailyReport.objects.filter(operator=small).values_list("report_date", flat=True)
    )
    assert inkacel_days == [date(2026, 4, d) for d in (1, 2, 3, 4)]
    claro_days = DailyReport.objects.filter(operator=claro, missing_flagged_at__isnull=False)
    assert claro_days.count() == 7
    assert flagged == DailyReport.objects.filter(missing_flagged_at__isnull=False).count()
