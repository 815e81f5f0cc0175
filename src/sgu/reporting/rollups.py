"""Rollups of the statistics: the additive parts of every indicator per Lima registration day
(CaseDayStat) and the response-time histogram (ResponseDayStat), so that a month over ten
million cases is a sum over a few thousand small rows.

* `refresh()` (a django-tasks task the scheduler enqueues every REFRESH_EVERY; a full rebuild
  once a night) recomputes the registration days of the cases changed since the previous
  refresh — every change to a case (answer, rating, claim, reassignment, plazo extension)
  moves its `updated_at` — and moves the watermark `RollupState.refreshed_at` to the moment it
  started.
* A reader takes the rollup rows of the days before the watermark's day and computes the days
  from it on (today, normally) from the cases, then adds both; "overdue now" always from the
  cases. So the cases registered today are counted at once, and a change to an older case
  (an answer, a rating) shows at the next refresh: the dashboard says as of when. Without any
  refresh yet, everything comes from the cases.

MARGIN covers transactions that were running when a refresh started and committed later with an
earlier `updated_at`; the nightly full rebuild covers anything slower than that.

Why not correct the older days from the cases at read time too: in a normal day the cases
changed in the last minutes were registered over the last three or four weeks (answers,
ratings, the scheduler closing the unrated), so the current month would be read almost all
from the cases — seconds at ten million (docs/benchmarks.md, "Estadísticas a 10 millones").
"""

from __future__ import annotations

import math
import time as _time
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Aggregate, Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from sgu.cases.models import Case, Solution
from sgu.core.calendar import LIMA
from sgu.reporting import services
from sgu.reporting import tasks as rollup_tasks  # the module: tasks imports this one too
from sgu.reporting.models import CaseDayStat, ResponseDayStat, RollupState

MARGIN = timedelta(minutes=10)
REFRESH_EVERY = timedelta(minutes=5)
FULL_REBUILD_HOUR = 3  # Lima

KEYS = ("day", "operator_id", "subcategory_id", "service", "channel", "office_id")
COUNTS = (
    "cases",
    "answered",
    "on_time",
    "response_n",
    "response_sum",
    "rated",
    "resolved",
    "score_sum",
    "claims",
)


def case_counts() -> dict[str, Aggregate]:
    """The additive aggregates over cases, in COUNTS order (one-to-one joins: no fan-out)."""
    return {
        "cases": Count("id"),
        "answered": Count("solution"),
        "on_time": Count("solution", filter=Q(solution__on_time=True)),
        "response_n": Count("solution__response_business_days"),
        "response_sum": Coalesce(Sum("solution__response_business_days"), Value(0)),
        "rated": Count("rating"),
        "resolved": Count("rating", filter=Q(rating__resolved=True)),
        "score_sum": Coalesce(Sum("rating__score"), Value(0)),
        "claims": Count("claim"),
    }


def _lima_day(field: str = "registered_at"):
    return TruncDate(field, tzinfo=LIMA)


def day_bounds(d: date) -> tuple[datetime, datetime]:
    start = datetime.combine(d, datetime.min.time(), tzinfo=LIMA)
    return start, start + timedelta(days=1)


def days_q(days, prefix: str = "") -> Q:
    """Cases registered on any of `days` (Lima), as index-friendly ranges."""
    q = Q(pk__in=[])
    for d in sorted(days):
        start, end = day_bounds(d)
        q |= Q(**{f"{prefix}registered_at__gte": start, f"{prefix}registered_at__lt": end})
    return q


# --- writing: what to recompute (the rows and the state are written by services) ------------------


def _rebuild(days: list[date] | None) -> None:
    """Recompute the rollup rows of `days` (all of them when None)."""
    cases = Case.objects.all()
    solutions = Solution.objects.filter(response_business_days__isnull=False)
    if days is not None:
        cases = cases.filter(days_q(days))
        solutions = solutions.filter(days_q(days, "case__"))
    services.clear_rollup_days(days=days)
    grouped = (
        cases.annotate(day=_lima_day())
        .values(*KEYS)
        .annotate(**case_counts())
        .values_list(*KEYS, *COUNTS)
        .order_by()
    )
    columns = ["day", "operator_id", "subcategory_id", "service", "channel", "office_id"]
    services.insert_rollup_rows(model=CaseDayStat, columns=[*columns, *COUNTS], rows=grouped)
    histogram = (
        solutions.annotate(
            day=_lima_day("case__registered_at"),
            op=F("case__operator_id"),
            svc=F("case__service"),
        )
        .values("day", "op", "svc", "response_business_days")
        .annotate(n=Count("id"))
        .values_list("day", "op", "svc", "response_business_days", "n")
        .order_by()
    )
    services.insert_rollup_rows(
        model=ResponseDayStat,
        columns=["day", "operator_id", "service", "days", "n"],
        rows=histogram,
    )


def dirty_days(since: datetime) -> set[date]:
    """Registration days (Lima) of the cases changed at or after `since`."""
    rows = (
        Case.objects.filter(updated_at__gte=since)
        .annotate(d=_lima_day())
        .values_list("d", flat=True)
        .distinct()
        .order_by()
    )
    return set(rows)


def refresh(*, full: bool = False, now: datetime | None = None) -> dict:
    """Bring the rollups up to date: the dirty days since the last refresh, or everything
    (`full`, or the first time). One refresh at a time (the state row is locked)."""
    t0 = _time.perf_counter()
    with transaction.atomic():
        state = services.lock_rollup_state()
        # The watermark is the moment this refresh starts: anything committed later with an
        # updated_at after it (minus MARGIN) is dirty for readers and for the next refresh.
        started = now or timezone.now()
        if full or state.refreshed_at is None:
            days = None
            _rebuild(None)
        else:
            days = sorted(dirty_days(state.refreshed_at - MARGIN))
            for i in range(0, len(days), 31):
                _rebuild(days[i : i + 31])
        services.record_rollup_refresh(
            state=state,
            started=started,
            full=days is None,
            days=-1 if days is None else len(days),
            seconds=_time.perf_counter() - t0,
        )
    return {"full": days is None, "days": state.last_days, "seconds": state.last_seconds}


def refresh_if_due(*, now: datetime | None = None) -> bool:
    """The scheduler's call, every pass: enqueue a refresh every REFRESH_EVERY (a full one the
    first time each night after FULL_REBUILD_HOUR). True if a task was enqueued."""

    now = now or timezone.now()
    state = RollupState.objects.filter(pk=1).first()
    if state is not None and state.requested_at and now - state.requested_at < REFRESH_EVERY * 3:
        return False  # one already waiting for a worker
    if state is not None and state.refreshed_at and now - state.refreshed_at < REFRESH_EVERY:
        return False
    local = timezone.localtime(now, LIMA)
    full = state is None or state.full_at is None
    if state is not None and state.full_at is not None:
        last_full = timezone.localtime(state.full_at, LIMA)
        full = local.hour >= FULL_REBUILD_HOUR and last_full.date() < local.date()
    services.request_rollup_refresh(now=now)
    rollup_tasks.refresh_rollups.enqueue(full=full)
    return True


# --- reading -----------------------------------------------------------------------------------


def watermark() -> datetime | None:
    state = RollupState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    return state


def live_from() -> date | None:
    """The first Lima day read from the cases (the day of the watermark, minus MARGIN); the
    days before it come from the rollups. None: no rollups yet, everything from the cases."""
    mark = watermark()
    if mark is None:
        return None
    return timezone.localtime(mark - MARGIN, LIMA).date()


def percentile_from_histogram(hist: dict[int, int], p: float = 0.9) -> int | None:
    """Nearest-rank percentile of a {value: count} histogram."""
    n = sum(hist.values())
    if not n:
        return None
    k = math.ceil(p * n)
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= k:
            return value
    return None
