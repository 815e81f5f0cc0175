"""Property tests of the laws of the business calendar (DOMAIN §5)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sgu.core.calendar import LIMA, BusinessCalendar, format_day

ONE_DAY = timedelta(days=1)
END_OF_DAY = time(23, 59, 59)

ZONES = [LIMA, UTC, ZoneInfo("Europe/Madrid"), ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")]

instants = st.datetimes(
    min_value=datetime(2020, 1, 1),
    max_value=datetime(2034, 12, 31),
    timezones=st.sampled_from(ZONES),
)
day_amounts = st.integers(min_value=1, max_value=250)
hour_amounts = st.one_of(
    st.integers(min_value=1, max_value=120),
    st.integers(min_value=1, max_value=400).map(lambda q: q / 4),  # quarter hours
)
reasons = st.sampled_from(["Decreto Supremo", "recuperación", "duelo nacional", "x"])


@st.composite
def calendars_near(draw, at: datetime, span: int = 120):
    """A calendar whose admin exceptions fall near ``at`` (where they matter)."""
    base = at.astimezone(LIMA).date() - timedelta(days=5)
    offsets = st.integers(min_value=0, max_value=span)
    non_working = draw(st.dictionaries(offsets, reasons, max_size=8))
    working = draw(st.dictionaries(offsets, reasons, max_size=4))
    cutoff = draw(st.sampled_from([time(17), time(13), time(17, 30)]))
    opens, closes = draw(
        st.sampled_from([(time(8, 30), time(17, 30)), (time(9), time(13)), (time(0), time(23))])
    )
    return BusinessCalendar(
        non_working={base + timedelta(days=k): r for k, r in non_working.items()},
        working={base + timedelta(days=k): r for k, r in working.items()},
        cutoff=cutoff,
        opens=opens,
        closes=closes,
    )


@st.composite
def scenarios(draw):
    at = draw(instants)
    return draw(calendars_near(at)), at


def non_business_days(cal: BusinessCalendar, after: date, before: date):
    """(day, reason) of the non-business days with after < day < before."""
    out = []
    d = after + ONE_DAY
    while d < before:
        reason = cal.non_business_reason(d)
        if reason is not None:
            out.append((d, reason))
        d += ONE_DAY
    return out


# --- received day --------------------------------------------------------------------------


@given(scenarios())
def test_received_day_is_first_eligible_business_day(scenario):
    cal, at = scenario
    local = at.astimezone(LIMA)
    received = cal.received_day(at)
    assert cal.is_business_day(received)
    assert received >= local.date()
    if cal.is_business_day(local.date()) and local.time() < cal.cutoff:
        assert received == local.date()
    else:
        assert received > local.date()
        # no business day was jumped over
        assert cal.business_days_between(local.date(), received) == 1


# --- business-day plazos -------------------------------------------------------------------


@given(scenarios(), day_amounts)
def test_due_at_is_end_of_a_business_day(scenario, n):
    cal, at = scenario
    deadline = cal.add_business_days(at, n)
    assert deadline.due_at.tzinfo is UTC
    due_local = deadline.due_at.astimezone(LIMA)
    assert due_local.time() == END_OF_DAY
    assert cal.is_business_day(due_local.date())
    assert deadline.due_at > at


@given(scenarios(), day_amounts)
def test_business_days_between_received_and_due_is_n(scenario, n):
    cal, at = scenario
    deadline = cal.add_business_days(at, n)
    assert deadline.received_on == cal.received_day(at)
    assert cal.business_days_between(deadline.received_on, deadline.due_on) == n
    assert cal.business_days_between(deadline.due_on, deadline.received_on) == -n


@given(scenarios(), day_amounts)
def test_skipped_days_are_exactly_the_non_business_days_counted_over(scenario, n):
    cal, at = scenario
    deadline = cal.add_business_days(at, n)
    assert list(deadline.skipped) == non_business_days(cal, deadline.received_on, deadline.due_on)
    text = deadline.explanation()
    for d, reason in deadline.skipped:
        assert f"{format_day(d)} ({reason})" in text
    assert f"Vence: {format_day(deadline.due_on)} a las 23:59:59." in text


@given(scenarios(), day_amounts, day_amounts)
def test_add_business_days_is_monotonic_in_n(scenario, n1, n2):
    cal, at = scenario
    n1, n2 = sorted((n1, n2))
    d1, d2 = cal.add_business_days(at, n1), cal.add_business_days(at, n2)
    assert d1.due_at <= d2.due_at
    if n1 < n2:
        assert d1.due_at < d2.due_at


@given(
    scenarios(), st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)), day_amounts
)
def test_add_business_days_is_monotonic_in_start(scenario, delta, n):
    cal, at = scenario
    later = at + delta
    assert cal.received_day(at) <= cal.received_day(later)
    assert cal.add_business_days(at, n).due_at <= cal.add_business_days(later, n).due_at


@given(scenarios(), day_amounts, st.integers(min_value=-5, max_value=120), reasons)
def test_an_extra_non_working_day_never_makes_a_deadline_earlier(scenario, n, offset, reason):
    cal, at = scenario
    extra = at.astimezone(LIMA).date() + timedelta(days=offset)
    stricter = BusinessCalendar(
        non_working={**cal.non_working, extra: reason},
        working=cal.working,
        cutoff=cal.cutoff,
        opens=cal.opens,
        closes=cal.closes,
    )
    assert stricter.add_business_days(at, n).due_at >= cal.add_business_days(at, n).due_at
    assert stricter.add_business_hours(at, n).due_at >= cal.add_business_hours(at, n).due_at


@given(scenarios(), day_amounts, st.integers(min_value=-5, max_value=120), reasons)
def test_an_extra_working_day_never_makes_a_deadline_later(scenario, n, offset, reason):
    cal, at = scenario
    extra = at.astimezone(LIMA).date() + timedelta(days=offset)
    looser = BusinessCalendar(
        non_working=cal.non_working,
        working={**cal.working, extra: reason},
        cutoff=cal.cutoff,
        opens=cal.opens,
        closes=cal.closes,
    )
    assert looser.add_business_days(at, n).due_at <= cal.add_business_days(at, n).due_at
    assert looser.add_business_hours(at, n).due_at <= cal.add_business_hours(at, n).due_at


# --- business-hour plazos ------------------------------------------------------------------


@given(scenarios(), hour_amounts)
def test_business_hours_due_within_business_hours(scenario, n):
    cal, at = scenario
    deadline = cal.add_business_hours(at, n)
    assert deadline.due_at.tzinfo is UTC
    assert deadline.due_at > at
    due_local = deadline.due_at.astimezone(LIMA)
    assert cal.is_business_day(due_local.date())
    assert cal.opens < due_local.time() <= cal.closes


@given(scenarios(), hour_amounts)
def test_business_seconds_between_start_and_due_is_n_hours(scenario, n):
    cal, at = scenario
    deadline = cal.add_business_hours(at, n)
    assert cal.business_seconds_between(at, deadline.due_at) == pytest.approx(n * 3600, abs=1e-3)
    # the earliest such instant: one second less is not enough
    before = deadline.due_at - timedelta(seconds=1)
    assert cal.business_seconds_between(at, before) < n * 3600


@given(scenarios(), hour_amounts)
def test_business_hours_skipped_days_are_non_business(scenario, n):
    cal, at = scenario
    deadline = cal.add_business_hours(at, n)
    counted_from = deadline.counted_from.astimezone(LIMA)
    assert list(deadline.skipped) == non_business_days(
        cal, counted_from.date(), deadline.due_at.astimezone(LIMA).date()
    )
    assert all(cal.non_business_reason(d) == r for d, r in deadline.pre_skipped)


@given(scenarios(), hour_amounts, hour_amounts)
def test_add_business_hours_is_monotonic(scenario, n1, n2):
    cal, at = scenario
    n1, n2 = sorted((n1, n2))
    assert cal.add_business_hours(at, n1).due_at <= cal.add_business_hours(at, n2).due_at


# --- counting between ----------------------------------------------------------------------


@given(scenarios(), st.integers(-60, 60), st.integers(-60, 60))
def test_business_days_between_is_additive(scenario, i, j):
    cal, at = scenario
    a = at.astimezone(LIMA).date()
    b, c = a + timedelta(days=i), a + timedelta(days=j)
    assert cal.business_days_between(a, b) + cal.business_days_between(b, c) == (
        cal.business_days_between(a, c)
    )
    assert cal.business_days_between(a, b) == -cal.business_days_between(b, a)


@given(scenarios(), st.integers(-800, 800))
def test_business_days_between_counts_each_business_day(scenario, span):
    """The count (arithmetic on weekdays plus corrections) is the definition: the business
    days d with start < d <= end, looked at one by one; over year ends and long spans."""
    cal, at = scenario
    start = at.astimezone(LIMA).date() - timedelta(days=3)
    lo, hi = sorted((start, start + timedelta(days=span)))
    one_by_one = sum(
        cal.is_business_day(lo + timedelta(days=k)) for k in range(1, (hi - lo).days + 1)
    )
    sign = 1 if span >= 0 else -1
    assert cal.business_days_between(start, start + timedelta(days=span)) == sign * one_by_one


offsets = st.timedeltas(timedelta(days=-20), timedelta(days=20))


@given(scenarios(), offsets, offsets, st.sampled_from(ZONES))
def test_business_seconds_between_is_additive(scenario, ab, bc, zone):
    cal, a = scenario
    b = (a + ab).astimezone(zone)
    c = b + bc
    total = cal.business_seconds_between(a, b) + cal.business_seconds_between(b, c)
    assert total == pytest.approx(cal.business_seconds_between(a, c), abs=1e-6)


# --- remaining -----------------------------------------------------------------------------


@given(scenarios(), day_amounts, st.timedeltas(timedelta(days=-30), timedelta(days=400)))
def test_remaining_is_consistent(scenario, n, delta):
    cal, at = scenario
    due = cal.add_business_days(at, n).due_at
    now = at + delta
    result = cal.remaining(now, due)
    assert result.overdue is (now > due)
    if result.overdue:
        assert result.business_days <= 0
        assert result.label.startswith("Vencido")
    else:
        assert result.business_days >= 0
        assert result.label.startswith("Vence ")
        if now <= at:
            # seen at registration, a day plazo still has at least n business days left
            assert result.business_days >= n
