"""The statistics' rollups give the same figures as the cases.

The data set is the hand-computed one of test_indicators (October 2026: c1–c3 CLARO answered in
1, 3 and 0 business days, c1 rated resolved 5, c2 rated not resolved 2 and claimed, c4 MOVISTAR
overdue, c5 CLARO in November). The expected numbers are written here by hand."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from factories import answer, lima, make_regulator, register_case
from sgu.cases.models import Case
from sgu.reporting import rollups, selectors
from sgu.reporting.models import CaseDayStat, ResponseDayStat, RollupState

pytestmark = pytest.mark.django_db

OCT = selectors.month_filters("2026-10")
BOTH = selectors.Filters(date(2026, 10, 1), date(2026, 11, 30))
DIMENSIONS = list(selectors.DIMENSIONS)


def _everything():
    out = {"summary": selectors.summary(OCT), "claro": selectors.summary(
        selectors.month_filters("2026-10", operator="CLARO"))}  # fmt: skip
    for dim in DIMENSIONS:
        out[dim] = selectors.breakdown(BOTH, dim)
    return out


def _age_watermark(minutes=30):
    """Pretend the last refresh was a while ago and nothing changed since (updated_at moved
    back): every day then comes from the rollups, none from the cases."""
    earlier = timezone.now() - timedelta(minutes=minutes)
    Case.objects.update(updated_at=earlier - rollups.MARGIN - timedelta(minutes=1))
    RollupState.objects.filter(pk=1).update(refreshed_at=earlier)


def test_rollup_rows_hold_the_hand_computed_counts(data):
    result = rollups.refresh(full=True)
    assert result["full"] is True
    claro = CaseDayStat.objects.get(day=date(2026, 10, 5), operator__code="CLARO")
    assert (claro.cases, claro.answered, claro.on_time) == (3, 3, 2)
    assert (claro.response_n, claro.response_sum) == (3, 4)  # 1 + 3 + 0 business days
    assert (claro.rated, claro.resolved, claro.score_sum, claro.claims) == (2, 1, 7, 1)
    movistar = CaseDayStat.objects.get(day=date(2026, 10, 5), operator__code="MOVISTAR")
    assert (movistar.cases, movistar.answered, movistar.rated) == (1, 0, 0)
    assert CaseDayStat.objects.get(day=date(2026, 11, 2)).cases == 1
    assert CaseDayStat.objects.count() == 3
    hist = dict(ResponseDayStat.objects.values_list("days", "n"))
    assert hist == {0: 1, 1: 1, 3: 1}


def test_figures_from_rollups_equal_figures_from_cases(data):
    from_cases = _everything()
    assert from_cases["summary"]["cases"] == 4 and from_cases["summary"]["overdue_now"] == 1
    rollups.refresh(full=True)
    _age_watermark()
    assert rollups.live_from() > OCT.date_to  # October all from the rollups
    assert _everything() == from_cases
    assert selectors.summary(OCT) == {
        "cases": 4,
        "answered": 3,
        "answered_on_time_pct": 66.7,
        "avg_response_business_days": 1.33,
        "p90_response_business_days": 3,
        "resolved_pct": 33.3,
        "rated": 2,
        "satisfaction_avg": 3.5,
        "claims": 1,
        "claims_pct": 25.0,
        "overdue_now": 1,
    }


def test_an_older_case_changes_at_the_next_refresh_and_today_counts_at_once(data):
    *_, c4, _c5 = data
    rollups.refresh(full=True)
    _age_watermark()
    before = selectors.summary(OCT)
    # MOVISTAR answers c4 on Mon 12 Oct, late: 4 business days after Mon 5 (6, 7, 9 and 12;
    # the 8th is a holiday, 10 and 11 a weekend).
    answer(Case.objects.get(pk=c4.pk), lima(2026, 10, 12, 10))
    s = selectors.summary(OCT)
    assert s["overdue_now"] == 0  # always from the cases
    assert {k: v for k, v in s.items() if k != "overdue_now"} == {
        k: v for k, v in before.items() if k != "overdue_now"
    }  # 5 October comes from the rollups: as of the last refresh
    result = rollups.refresh()
    assert result == {"full": False, "days": 1, "seconds": result["seconds"]}
    s = selectors.summary(OCT)
    assert (s["answered"], s["answered_on_time_pct"], s["overdue_now"]) == (4, 50.0, 0)
    assert s["avg_response_business_days"] == 2.0  # (1 + 3 + 0 + 4) / 4
    assert s["p90_response_business_days"] == 4  # 0, 1, 3, 4: the ceil(3.6) = 4th
    assert CaseDayStat.objects.get(day=date(2026, 10, 5), operator__code="MOVISTAR").answered == 1
    # A case registered today is counted at once, before any refresh.
    person = Case.objects.get(pk=c4.pk).citizen
    register_case(person, operator="CLARO")
    today = timezone.localdate()
    assert selectors.summary(selectors.Filters(today, today))["cases"] == 1
    assert selectors.summary(BOTH)["cases"] == 5 + (today <= BOTH.date_to) * 1


def test_without_rollups_everything_comes_from_the_cases(data):
    assert rollups.live_from() is None
    assert selectors.summary(OCT)["cases"] == 4
    assert not CaseDayStat.objects.exists()


def test_the_scheduler_enqueues_a_refresh_and_the_worker_runs_it(data, tasks):
    assert rollups.refresh_if_due() is True
    assert rollups.refresh_if_due() is False  # one already waiting
    tasks()
    state = RollupState.objects.get(pk=1)
    assert state.refreshed_at is not None and state.full_at is not None
    assert state.requested_at is None and state.last_days == -1  # the first one is full
    assert CaseDayStat.objects.filter(day=date(2026, 10, 5)).count() == 2
    assert rollups.refresh_if_due() is False  # refreshed less than 5 minutes ago
    later = timezone.now() + rollups.REFRESH_EVERY + timedelta(seconds=1)
    assert rollups.refresh_if_due(now=later) is True


def test_nearest_rank_percentile_of_a_histogram():
    assert rollups.percentile_from_histogram({}) is None
    assert rollups.percentile_from_histogram({0: 1, 1: 1, 3: 1}) == 3  # ceil(2.7) = 3rd
    assert rollups.percentile_from_histogram({1: 9, 7: 1}) == 1  # ceil(9.0) = 9th
    assert rollups.percentile_from_histogram({1: 8, 7: 2}) == 7


def test_the_dashboard_says_as_of_when_the_figures_are_consolidated(data):
    from django.test import Client

    client = Client()
    client.force_login(make_regulator("REGULATOR_SUPERVISOR"))
    url = "/regulador/estadisticas/?desde=2026-10-01&hasta=2026-10-31"
    assert "Cifras consolidadas" not in client.get(url).content.decode()
    rollups.refresh(full=True)
    html = client.get(url).content.decode()
    assert "Cifras consolidadas al" in html and "66,7" in html  # on time: 2 of 3, as by hand


@pytest.mark.parametrize("with_rollups", [False, True])
def test_the_dashboard_reads_each_source_once_for_all_its_tables(data, with_rollups):
    """The dashboard's summary and six tables are folds of one read: the same figures as each
    asked alone, and no more queries than a single table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if with_rollups:
        rollups.refresh(full=True)
    now = timezone.now()
    alone = {dim: selectors.breakdown(BOTH, dim, now) for dim in DIMENSIONS}
    with CaptureQueriesContext(connection) as one:
        selectors.breakdown(BOTH, "operadora", now)  # the table that reads the most
    figures = selectors.Figures(BOTH, now)
    with CaptureQueriesContext(connection) as all_tables:
        together = {dim: figures.breakdown(dim) for dim in DIMENSIONS}
        figures.summary()
    assert together == alone
    assert together["mes"][0]["key"] == "2026-10" and together["mes"][0]["cases"] == 4
    # The operator table: the source reads, labels, lines and each operator's 90th percentile;
    # all seven add only the overall percentile (1 query from the rollups, 2 from the cases).
    assert len(all_tables.captured_queries) <= len(one.captured_queries) + 2
