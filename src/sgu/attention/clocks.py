"""Business time for the incident clocks that pause (attention manual 9.3.7.3).

A day plazo is due at the end (23:59:59 Lima) of its n-th business day, so its business time
is the time of business days, every hour of them, night included: a business day is 24 hours
of it, a Saturday, a Sunday, a holiday or a declared non-working day none. A pause lasts the
business time between its start and its end; resuming moves the due instant forward by that
same business time (a pause of one whole business day moves it one business day).
"""

from datetime import datetime, time, timedelta

from sgu.core.calendar import LIMA, BusinessCalendar

ONE_DAY = timedelta(days=1)


def _midnight_after(local: datetime) -> datetime:
    return datetime.combine(local.date() + ONE_DAY, time(0, 0), tzinfo=LIMA)


def business_seconds(calendar: BusinessCalendar, start: datetime, end: datetime) -> int:
    """Whole seconds of business days in [start, end) (0 if end is not after start)."""
    if end <= start:
        return 0
    t, end = start.astimezone(LIMA), end.astimezone(LIMA)
    total = timedelta(0)
    while t < end:
        upto = min(_midnight_after(t), end)
        if calendar.is_business_day(t.date()):
            total += upto - t
        t = upto
    return int(total.total_seconds())


def add_business_seconds(calendar: BusinessCalendar, at: datetime, seconds: int) -> datetime:
    """`at` moved forward by `seconds` of business-day time (skipping non-business days)."""
    left = timedelta(seconds=seconds)
    t = at.astimezone(LIMA)
    if left <= timedelta(0):
        return at
    while True:
        if not calendar.is_business_day(t.date()):
            t = _midnight_after(t)
            continue
        room = _midnight_after(t) - t
        if left <= room:
            return (t + left).astimezone(at.tzinfo)
        left -= room
        t = _midnight_after(t)


def duration_label(seconds: int) -> str:
    """«1 día hábil, 3 h 20 min» for a business time (a business day is 24 hours)."""
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} día hábil" if days == 1 else f"{days} días hábiles")
    if hours or minutes or not parts:
        parts.append(f"{hours} h {minutes:02d} min")
    return ", ".join(parts)
