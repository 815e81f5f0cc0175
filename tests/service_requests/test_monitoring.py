"""The regulator's monitoring on a small data set computed by hand (Holy Week 2026: Thursday
2 and Friday 3 April are holidays), the missing-day flag, and the answer deadline's
one-comparison shortcut checked against the per-request deadline."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from factories import lima
from service_requests.helpers import baja, csv_bytes, migracion, send
from sgu.core.calendar import BusinessCalendar
from sgu.service_requests import selectors, services
from sgu.service_requests.models import DailyReport

NOW = lima(2026, 4, 8, 10, 0)  # Wednesday after Easter
F = selectors.Filters()
CLARO_ROWS = [
    # Migrations (REGISTRADA = no answer yet); answer within 3 business days.
    migracion("M-A", requested_at="2026-03-30 10:00"),  # due Mon 6 Apr: overdue
    migracion("M-B", requested_at="2026-04-01 16:00"),  # due Wed 8 Apr 23:59: not yet
    migracion("M-C", requested_at="2026-03-31 18:00"),  # after the cut-off: like M-B
    migracion("M-D", requested_at="2026-03-31 16:59"),  # due Tue 7 Apr: overdue
    migracion("M-E", requested_at="2026-03-30 10:00", status="EN_PROCESO"),  # answered
    # Bajas and their scheduled dates (today is 8 April).
    baja("B-A", requested_at="2026-04-01 09:00", scheduled_date="2026-04-06"),  # overdue
    baja("B-B", requested_at="2026-04-01 09:00", scheduled_date="2026-04-08", status="EN_PROCESO"),
    baja(
        "B-C",
        requested_at="2026-03-30 09:00",
        scheduled_date="2026-04-01",
        status="EJECUTADA",
        executed_at="2026-04-06 11:00",
    ),  # executed late
    baja(
        "B-D",
        requested_at="2026-04-01 09:00",
        scheduled_date="2026-04-06",
        status="EJECUTADA",
        executed_at="2026-04-06 18:00",
    ),  # on time
    baja("B-E", requested_at="2026-03-30 09:00", scheduled_date="2026-03-31", status="ANULADA"),
    baja(
        "B-F",
        requested_at="2026-03-30 09:00",
        scheduled_date="2026-04-01",
        status="RECHAZADA",
        rejection_reason="Deuda pendiente",
    ),
]
MOVISTAR_ROWS = [
    migracion("M-F", requested_at="2026-03-26 12:00"),
    baja(
        "B-G",
        requested_at="2026-04-06 12:00",
        scheduled_date="",
        status="RECHAZADA",
        rejection_reason="Otro",
    ),
]


@pytest.fixture
def data(claro, movistar):
    on_time = lima(2026, 4, 8, 7, 30)  # the 7 April report, before 08:00 of the 8th
    send(claro, csv_bytes(CLARO_ROWS), day=date(2026, 4, 7), now=on_time)
    send(movistar, csv_bytes(MOVISTAR_ROWS), day=date(2026, 4, 7), now=on_time)


def codes(qs) -> list[str]:
    return [r.request_code for r in qs]


@pytest.mark.django_db
def test_bajas_not_executed_by_their_scheduled_date(data):
    assert codes(selectors.overdue_bajas(F, now=NOW)) == ["B-C", "B-A"]  # by scheduled date


@pytest.mark.django_db
def test_migrations_without_answer_after_three_business_days(data):
    assert codes(selectors.unanswered_migrations(F, now=NOW)) == ["M-F", "M-A", "M-D"]
    claro_only = selectors.Filters(operator="CLARO")
    assert codes(selectors.unanswered_migrations(claro_only, now=NOW)) == ["M-A", "M-D"]
    # A day later M-B and M-C are overdue too.
    later = codes(selectors.unanswered_migrations(F, now=NOW + timedelta(days=1)))
    assert later == ["M-F", "M-A", "M-D", "M-C", "M-B"]


@pytest.mark.django_db
def test_rejected_bajas_newest_first_with_filters(data):
    assert codes(selectors.rejected_bajas(F)) == ["B-G", "B-F"]
    assert codes(selectors.rejected_bajas(selectors.Filters(operator="CLARO"))) == ["B-F"]
    april = selectors.Filters(date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert codes(selectors.rejected_bajas(april)) == ["B-G"]
    assert codes(selectors.rejected_bajas(selectors.Filters(channel="WEB"))) == []


@pytest.mark.django_db
def test_missing_days_are_flagged_once_the_next_morning(data, claro, movistar):
    # Before 08:00 of the 8th the report of the 7th is not due yet: 1–6 April, 4 operators.
    assert services.flag_missing_reports(now=lima(2026, 4, 8, 7, 59)) == 4 * 6
    assert services.flag_missing_reports(now=NOW) == 2  # 7 April: ENTEL and BITEL
    assert services.flag_missing_reports(now=NOW) == 0  # once

    claro_days = DailyReport.objects.filter(operator=claro).order_by("report_date")
    assert [(d.report_date.day, d.late, d.batch_id is None) for d in claro_days] == [
        (1, True, True),
        (2, True, True),
        (3, True, True),
        (4, True, True),
        (5, True, True),
        (6, True, True),
        (7, False, False),
    ]


@pytest.mark.django_db
def test_a_day_reported_after_its_flag_stays_late_but_is_no_longer_missing(data, claro):
    services.flag_missing_reports(now=NOW)
    batch = send(claro, csv_bytes([]), day=date(2026, 4, 6), now=NOW)

    day = DailyReport.objects.get(operator=claro, report_date=date(2026, 4, 6))
    assert (day.batch_id, day.late, day.received_at) == (batch.pk, True, NOW)
    assert day.missing_flagged_at is not None


@pytest.mark.django_db
def test_a_rejected_file_does_not_count_as_a_report(claro):
    send(claro, csv_bytes([baja(status="NADA")]), day=date(2026, 4, 7), now=lima(2026, 4, 7, 20))

    assert services.flag_missing_reports(now=NOW) >= 1
    day = DailyReport.objects.get(operator=claro, report_date=date(2026, 4, 7))
    assert day.late and day.batch_id is None and day.missing_flagged_at == NOW


@pytest.mark.django_db
def test_the_summary_per_operator(data):
    services.flag_missing_reports(now=NOW)

    rows = {r["code"]: r for r in selectors.summary(F, now=NOW)}

    assert {k: v for k, v in rows["CLARO"].items() if k not in ("code", "name")} == {
        "overdue_bajas": 2,
        "unanswered_migrations": 2,
        "rejected_bajas": 1,
        "late_days": 6,
        "missing_days": 6,
    }
    assert (rows["MOVISTAR"]["unanswered_migrations"], rows["MOVISTAR"]["rejected_bajas"]) == (1, 1)
    assert rows["ENTEL"]["missing_days"] == 7 and rows["ENTEL"]["overdue_bajas"] == 0


@pytest.mark.django_db
def test_daily_volumes(data):
    days = selectors.daily_reports(selectors.Filters(operator="CLARO"))
    day = days.get(report_date=date(2026, 4, 7))

    assert (day.batch.rows_ok, day.batch.bajas, day.batch.migraciones) == (11, 6, 5)
    assert not day.late and day.received_at == lima(2026, 4, 8, 7, 30)


@pytest.mark.django_db(transaction=True)
def test_the_scheduler_flags_missing_days(claro):
    # The command closes stale connections (a test transaction's too): a real transaction.
    call_command("run_scheduler", "--once")

    two_days_ago = datetime.now(UTC).astimezone(lima(2026, 1, 1).tzinfo).date() - timedelta(days=2)
    day = DailyReport.objects.get(operator=claro, report_date=two_days_ago)
    assert day.late and day.missing_flagged_at is not None


CAL = BusinessCalendar()


@settings(max_examples=300, deadline=None)
@given(
    requested=st.datetimes(
        min_value=datetime(2026, 3, 20), max_value=datetime(2026, 4, 20), timezones=st.just(UTC)
    ),
    now=st.datetimes(
        min_value=datetime(2026, 3, 25), max_value=datetime(2026, 4, 30), timezones=st.just(UTC)
    ),
)
def test_the_threshold_says_exactly_what_each_deadline_says(requested, now):
    threshold = selectors.answer_threshold(CAL, now, 3)
    overdue_by_deadline = CAL.add_business_days(requested, 3).due_at < now
    assert (requested < threshold) == overdue_by_deadline
