"""The contingency extension rule (docs/contingency.md), as pure functions.

A contingency window stops a case's clock while the case's plazo was running. What it took
is measured in business time (`BusinessCalendar.business_seconds_between`: business hours of
business days, 08:30–17:30 by default) and given back:

* **Plazo in business hours:** exactly the business time lost, counted from the later of the
  old due instant and the end of the window.
* **Plazo in business days:** the business time lost rounded *up* to whole business days
  (one business day = the length of the business hours, 9 h by default); the new due is
  23:59:59 Lima of the N-th business day that is later than the old due day and opens after
  the window ended.

The plazo runs from forwarding (for day plazos, not before the received day: a case that
arrived after the cut-off is received the next business day) until the first of the
answer and the old due instant. Business time already given back to the same case by another
window is not counted twice.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sgu.core.calendar import (
    BUSINESS_DAYS,
    BUSINESS_HOURS,
    END_OF_DAY,
    LIMA,
    BusinessCalendar,
    format_day,
)

Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Plazo:
    """What the rule needs to know about one case's plazo."""

    unit: str  # BUSINESS_DAYS or BUSINESS_HOURS
    forwarded_at: datetime
    received_on: date | None
    due_at: datetime
    answered_at: datetime | None = None


@dataclass(frozen=True)
class Extension:
    overlap_from: datetime  # the part of the window in which the plazo was running
    overlap_to: datetime
    lost_seconds: int  # business seconds lost (not counting time other windows gave back)
    unit: str
    amount: Decimal  # business days (whole) or business hours (2 decimals)
    new_due_at: datetime  # UTC
    skipped: tuple[tuple[date, str], ...] = ()  # non-business days passed over (days rule)

    @property
    def label(self) -> str:
        """ "1 día hábil", "3 días hábiles", "2,5 horas hábiles"."""
        n = self.amount
        text = f"{n.normalize():f}".replace(".", ",")
        if self.unit == BUSINESS_DAYS:
            return f"{text} día hábil" if n == 1 else f"{text} días hábiles"
        return f"{text} hora hábil" if n == 1 else f"{text} horas hábiles"


def business_day_seconds(cal: BusinessCalendar) -> int:
    day = date(2000, 1, 1)
    opens = datetime.combine(day, cal.opens)
    closes = datetime.combine(day, cal.closes)
    return int((closes - opens).total_seconds())


def running_interval(cal: BusinessCalendar, plazo: Plazo) -> Interval:
    """When the plazo was running: from forwarding (day plazos: not before the received day)
    to the first of the answer and the due instant."""
    start = plazo.forwarded_at
    if plazo.unit == BUSINESS_DAYS and plazo.received_on is not None:
        received = datetime.combine(plazo.received_on, datetime.min.time(), tzinfo=LIMA)
        start = max(start, received)
    end = plazo.due_at
    if plazo.answered_at is not None:
        end = min(end, plazo.answered_at)
    return start, end


def _union(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for a, b in sorted(i for i in intervals if i[1] > i[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def lost_business_seconds(
    cal: BusinessCalendar, overlap: Interval, already_covered: Iterable[Interval] = ()
) -> int:
    """Business seconds in `overlap` not already inside one of `already_covered`."""
    a, b = overlap
    if b <= a:
        return 0
    total = cal.business_seconds_between(a, b)
    for ca, cb in _union(already_covered):
        lo, hi = max(a, ca), min(b, cb)
        if hi > lo:
            total -= cal.business_seconds_between(lo, hi)
    return max(0, round(total))


def extend_business_days(
    cal: BusinessCalendar, due_at: datetime, window_end: datetime, days: int
) -> tuple[datetime, tuple[tuple[date, str], ...]]:
    """23:59:59 Lima of the `days`-th business day after the due day that opens at or after
    `window_end`; and the non-business days passed over."""
    d = due_at.astimezone(LIMA).date()
    count = 0
    skipped: list[tuple[date, str]] = []
    while count < days:
        d += timedelta(days=1)
        reason = cal.non_business_reason(d)
        if reason is not None:
            skipped.append((d, reason))
        elif datetime.combine(d, cal.opens, tzinfo=LIMA) >= window_end:
            count += 1
        else:
            skipped.append((d, "día cubierto por la ventana de contingencia"))
    return datetime.combine(d, END_OF_DAY, tzinfo=LIMA).astimezone(UTC), tuple(skipped)


def compute_extension(
    cal: BusinessCalendar,
    plazo: Plazo,
    window: Interval,
    already_covered: Iterable[Interval] = (),
) -> Extension | None:
    """The extension one window gives one case, or None if the plazo lost no business time
    to it."""
    run_from, run_to = running_interval(cal, plazo)
    w_from, w_to = window
    overlap = (max(run_from, w_from), min(run_to, w_to))
    if overlap[1] <= overlap[0]:
        return None
    lost = lost_business_seconds(cal, overlap, already_covered)
    if lost <= 0:
        return None
    if plazo.unit == BUSINESS_HOURS:
        hours = lost / 3600
        new_due = cal.add_business_hours(max(plazo.due_at, w_to), hours).due_at
        amount = Decimal(lost) / Decimal(3600)
        return Extension(
            overlap_from=overlap[0],
            overlap_to=overlap[1],
            lost_seconds=lost,
            unit=BUSINESS_HOURS,
            amount=amount.quantize(Decimal("0.01")),
            new_due_at=new_due,
        )
    days = math.ceil(lost / business_day_seconds(cal))
    new_due, skipped = extend_business_days(cal, plazo.due_at, w_to, days)
    return Extension(
        overlap_from=overlap[0],
        overlap_to=overlap[1],
        lost_seconds=lost,
        unit=BUSINESS_DAYS,
        amount=Decimal(days),
        new_due_at=new_due,
        skipped=skipped,
    )


def format_duration(seconds: int) -> str:
    """ "4 h 30 min", "45 min", "9 h"."""
    minutes = round(seconds / 60)
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h} h {m} min"
    if h:
        return f"{h} h"
    return f"{m} min"


def explain(ext: Extension, window_label: str) -> str:
    """One Spanish paragraph for the case's timeline and its due-date explanation."""
    local_from = ext.overlap_from.astimezone(LIMA)
    local_to = ext.overlap_to.astimezone(LIMA)
    due = ext.new_due_at.astimezone(LIMA)
    text = (
        f"{window_label}: el plazo corría del {format_day(local_from.date())} "
        f"{local_from:%H:%M} al {format_day(local_to.date())} {local_to:%H:%M}, "
        f"{format_duration(ext.lost_seconds)} en horario hábil. Se amplía {ext.label}. "
        f"Nuevo vencimiento: {format_day(due.date())} a las {due:%H:%M}."
    )
    covered = [d for d, reason in ext.skipped if reason.startswith("día cubierto")]
    if covered:
        days = ", ".join(format_day(d) for d in covered)
        text += f" No se cuentan los días que la ventana también cubrió: {days}."
    return text
