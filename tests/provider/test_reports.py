"""Periodic reports (issue 18, point 7): the periods, and a hand-computed week."""

from datetime import date

import pytest

from factories import lima
from provider.helpers import P, file, to_replica_stage
from sgu.core.errors import ValidationFailed
from sgu.provider import selectors, services

pytestmark = pytest.mark.django_db


def test_periods_weekly_fortnightly_monthly():
    assert selectors.periods("weekly", date(2026, 11, 25), 2) == [
        (date(2026, 11, 16), date(2026, 11, 22)),
        (date(2026, 11, 23), date(2026, 11, 29)),
    ]
    assert selectors.periods("fortnightly", date(2026, 11, 25), 3) == [
        (date(2026, 10, 16), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 15)),
        (date(2026, 11, 16), date(2026, 11, 30)),
    ]
    assert selectors.periods("fortnightly", date(2026, 2, 20), 2) == [
        (date(2026, 2, 1), date(2026, 2, 15)),
        (date(2026, 2, 16), date(2026, 2, 28)),
    ]
    assert selectors.periods("monthly", date(2026, 1, 10), 2) == [
        (date(2025, 12, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 1, 31)),
    ]
    with pytest.raises(ValidationFailed):
        selectors.periods("anual", date(2026, 1, 10), 1)


def test_a_hand_computed_week(team, cliente):
    # Week of Monday 23 – Sunday 29 November 2026.
    # A: SYSTEM_ACCESS, every stage on Wednesday 25 (5 stages on time), closed Thursday 26
    # (final report on time): 6 stages on time, closed in the week.
    a = file(team, cliente, type="SYSTEM_ACCESS", now=lima(2026, 11, 25, 9))
    a = to_replica_stage(a, team, cliente, now=lima(2026, 11, 25, 10))
    a = services.complete_replica(requirement=a, by=P(team.trainer), now=lima(2026, 11, 25, 11))
    services.report_final_status(
        requirement=a, by=P(team.cx), status="Accesos otorgados.", now=lima(2026, 11, 26, 9)
    )
    # B: filed Wednesday 25 (due Thursday 26), accepted Friday 27: 1 stage late.
    b = file(team, cliente, now=lima(2026, 11, 25, 12))
    services.accept(requirement=b, by=P(team.cx), now=lima(2026, 11, 27, 9))
    # C: filed the week after: not in this week.
    file(team, cliente, now=lima(2026, 11, 30, 9))

    (week,) = selectors.report(cliente, "weekly", date(2026, 11, 29), 1)
    assert (week.filed, week.closed) == (2, 1)
    assert (week.stages_on_time, week.stages_evaluated, week.percent) == (6, 7, 85.7)


def test_another_providers_staff_see_an_empty_report(team, other_team, cliente):
    file(team, cliente, now=lima(2026, 11, 25, 9))
    (week,) = selectors.report(other_team.cx, "weekly", date(2026, 11, 29), 1)
    assert (week.filed, week.stages_evaluated) == (0, 0)


def test_the_chosen_report_is_emailed_once_per_period(team, cliente):
    from django.test import Client

    from sgu.notifications.models import OutboundEmail

    file(team, cliente, now=lima(2026, 11, 18, 9))
    page = Client()
    page.force_login(cliente)
    page.post(
        "/proveedor/reportes/envios/",
        {"provider": "CONTACTA", "period": "weekly", "email": "jefa@regulador.example.pe"},
    )
    bad = Client()
    bad.force_login(cliente)
    bad.post("/proveedor/reportes/envios/", {"provider": "CONTACTA", "period": "anual"})
    # Wednesday 25 November: the last complete week is 16–22 November.
    assert services.send_due_reports(now=lima(2026, 11, 25, 7)) == 1
    assert services.send_due_reports(now=lima(2026, 11, 29, 7)) == 0
    sent = OutboundEmail.objects.get(template="provider_report")
    assert sent.to == "jefa@regulador.example.pe"
    assert "16/11/2026 – 22/11/2026" in sent.subject
    assert "Requerimientos registrados: 1" in sent.body_text
    # The next Monday, the week 23–29 goes.
    assert services.send_due_reports(now=lima(2026, 11, 30, 7)) == 1
