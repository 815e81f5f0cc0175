"""Business calendar of America/Lima: días hábiles, received day and plazos (DOMAIN §5).

`BusinessCalendar` is pure and immutable: it knows the national holidays (package
``holidays``, country PE, in Spanish), the weekend, and the administrators' exceptions
(decreed non-working days and days worked although normally not), which it receives as
plain mappings. `load_calendar()` is the only function that touches the database.

Every computed due date is a `Deadline`, which keeps the days it skipped and why, so that
it can explain itself in Spanish (`Deadline.explanation()`).

Conventions:

* Every datetime given must be aware (any time zone); naive ones raise ``ValueError``.
* Days and business hours are those of Lima (which has no daylight saving time).
* ``Deadline.due_at`` is in UTC.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from sgu.core import reference
from sgu.core.models import CalendarDay

LIMA = ZoneInfo("America/Lima")

BUSINESS_DAYS = "BUSINESS_DAYS"
BUSINESS_HOURS = "BUSINESS_HOURS"
# Clock hours of business days only (a 24-hour plazo that a weekend or a holiday pauses).
HOURS_OF_BUSINESS_DAYS = "HOURS_OF_BUSINESS_DAYS"

END_OF_DAY = time(23, 59, 59)

WEEKDAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)

ONE_DAY = timedelta(days=1)


# --- Spanish formatting (independent of the OS locale) ---------------------------------


def weekday_es(d: date) -> str:
    """Spanish weekday name, lower case: "lunes" … "domingo"."""
    return WEEKDAYS_ES[d.weekday()]


def format_day(d: date) -> str:
    """ "lunes 06/04/2026"."""
    return f"{weekday_es(d)} {d:%d/%m/%Y}"


def format_date_long(d: date) -> str:
    """ "lunes 6 de abril de 2026"."""
    return f"{weekday_es(d)} {d.day} de {MONTHS_ES[d.month - 1]} de {d.year}"


def _format_time(t: time) -> str:
    return f"{t:%H:%M:%S}" if t.second or t.microsecond else f"{t:%H:%M}"


def _format_amount(n: int | float) -> str:
    if isinstance(n, float) and n.is_integer():
        n = int(n)
    return str(n).replace(".", ",")


def _format_skipped(days: tuple[tuple[date, str], ...]) -> str:
    return ", ".join(f"{format_day(d)} ({reason})" for d, reason in days)


# --- holidays (pure, cached per year) ----------------------------------------------------


@lru_cache(maxsize=128)  # one entry per year; pure
def peru_holidays(year: int) -> Mapping[date, str]:
    """National holidays of Peru for one year, with Spanish names."""
    return MappingProxyType(dict(holidays.country_holidays("PE", years=year, language="es")))


def _weekdays_upto(d: date) -> int:
    """Mondays to Fridays from 0001-01-01 (a Monday) to ``d``, inclusive."""
    n = d.toordinal()
    return n // 7 * 5 + min(n % 7, 5)


def _require_aware(at: datetime, name: str = "at") -> None:
    if not isinstance(at, datetime):
        raise TypeError(f"{name} debe ser un datetime, no {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{name} debe tener zona horaria (datetime 'aware'): {at!r}")


def _check_amount(n: int | float, *, integer: bool) -> None:
    if isinstance(n, bool) or not isinstance(n, int | float):
        raise TypeError(f"cantidad inválida: {n!r}")
    if integer and not isinstance(n, int):
        raise TypeError(f"los días hábiles deben ser un entero: {n!r}")
    if not math.isfinite(n):
        raise ValueError(f"cantidad inválida: {n!r}")


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A computed plazo, able to explain itself.

    ``skipped`` holds every non-business calendar day passed over while counting (strictly
    after the day counting started from, strictly before the due day). ``pre_skipped`` holds
    the non-business days from the registration day up to the day counting starts (the
    received day for day plazos, the first opening for hour plazos), exclusive.
    """

    start: datetime  # the instant the count started from (aware, as given)
    received_on: date | None  # for day plazos
    due_at: datetime  # aware, UTC
    amount: int | float
    unit: str  # BUSINESS_DAYS or BUSINESS_HOURS
    skipped: tuple[tuple[date, str], ...]
    pre_skipped: tuple[tuple[date, str], ...] = ()
    counted_from: datetime | None = None  # hour plazos: first counted instant (Lima)
    cutoff: time | None = None  # day plazos: the cut-off in force
    business_hours: tuple[time, time] | None = None  # hour plazos: (opens, closes)

    @property
    def due_local(self) -> datetime:
        return self.due_at.astimezone(LIMA)

    @property
    def due_on(self) -> date:
        """The due day in Lima."""
        return self.due_local.date()

    def explanation(self) -> str:
        """A multi-line Spanish explanation of how the due date was computed."""
        local = self.start.astimezone(LIMA)
        reg_day = local.date()
        registered = (
            f"Registrado el {format_day(reg_day)} a las {_format_time(local.time())} (hora de Lima)"
        )
        reg_reason = dict(self.pre_skipped).get(reg_day)
        before = tuple((d, r) for d, r in self.pre_skipped if d != reg_day)
        lines: list[str] = []

        if self.unit == BUSINESS_DAYS:
            assert self.received_on is not None
            cutoff = _format_time(self.cutoff) if self.cutoff else "?"
            if reg_reason is not None:
                lines.append(
                    f"{registered}, día no hábil: {reg_reason}. Se recibe el siguiente día "
                    f"hábil, {format_day(self.received_on)}."
                )
            elif self.received_on == reg_day:
                lines.append(
                    f"{registered}, antes del corte de las {cutoff}: se recibe ese mismo día."
                )
            else:
                lines.append(
                    f"{registered}, después del corte de las {cutoff}: se recibe el siguiente "
                    f"día hábil, {format_day(self.received_on)}."
                )
            if before:
                lines.append(f"Días no hábiles hasta la recepción: {_format_skipped(before)}.")
            n = self.amount
            lines.append(
                f"Plazo: {_format_amount(n)} día hábil, contado desde el día siguiente."
                if n == 1
                else f"Plazo: {_format_amount(n)} días hábiles, contados desde el día siguiente."
            )
        elif self.unit == HOURS_OF_BUSINESS_DAYS:
            cutoff = _format_time(self.cutoff) if self.cutoff else "?"
            counted = self.counted_from.astimezone(LIMA) if self.counted_from else local
            starts = (
                f"el conteo empieza el {format_day(counted.date())} a las "
                f"{_format_time(counted.time())}"
            )
            if reg_reason is not None:
                lines.append(f"{registered}, día no hábil: {reg_reason}; {starts}.")
            elif counted == local:
                lines.append(
                    f"{registered}, antes del corte de las {cutoff}: el conteo empieza en ese "
                    "momento."
                )
            elif counted.date() == reg_day:
                lines.append(f"{registered}, antes de la apertura: {starts}.")
            else:
                lines.append(f"{registered}, después del corte de las {cutoff}: {starts}.")
            if before:
                lines.append(
                    f"Días no hábiles hasta el inicio del conteo: {_format_skipped(before)}."
                )
            n = self.amount
            unit = "hora" if n == 1 else "horas"
            lines.append(
                f"Plazo: {_format_amount(n)} {unit}, contadas solo en los días hábiles "
                "(las horas de un día no hábil no cuentan)."
            )
        else:
            opens, closes = self.business_hours or (None, None)
            hours = f"{_format_time(opens)}–{_format_time(closes)}" if opens and closes else "?"
            counted = self.counted_from.astimezone(LIMA) if self.counted_from else local
            starts = (
                f"el conteo empieza el {format_day(counted.date())} a las "
                f"{_format_time(counted.time())}"
            )
            if reg_reason is not None:
                lines.append(f"{registered}, día no hábil: {reg_reason}; {starts}.")
            elif counted == local:
                lines.append(
                    f"{registered}, dentro del horario de atención ({hours}): "
                    "el conteo empieza en ese momento."
                )
            else:
                lines.append(f"{registered}, fuera del horario de atención ({hours}): {starts}.")
            if before:
                lines.append(
                    f"Días no hábiles hasta el inicio del conteo: {_format_skipped(before)}."
                )
            n = self.amount
            unit = "hora hábil" if n == 1 else "horas hábiles"
            lines.append(
                f"Plazo: {_format_amount(n)} {unit}, contadas solo dentro del horario de "
                f"atención ({hours}) de los días hábiles."
            )

        lines.append(
            f"Días no contados: {_format_skipped(self.skipped)}."
            if self.skipped
            else "Días no contados: ninguno."
        )
        due = self.due_local
        lines.append(f"Vence: {format_day(due.date())} a las {_format_time(due.time())}.")
        return "\n".join(lines)


@dataclass(frozen=True)
class Remaining:
    """What a tray shows for a running plazo. See `BusinessCalendar.remaining`."""

    overdue: bool
    business_days: int
    label: str


# --- the calendar ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessCalendar:
    """Días hábiles of Lima: Monday–Friday, minus national holidays, minus decreed
    non-working days, plus administrator-declared working days.

    Precedence for a given day: admin working day > admin non-working day > holiday > weekend.
    """

    non_working: Mapping[date, str] = field(default_factory=dict)
    working: Mapping[date, str] = field(default_factory=dict)
    cutoff: time = time(17, 0)
    opens: time = time(8, 30)
    closes: time = time(17, 30)

    def __post_init__(self) -> None:
        for name in ("non_working", "working"):
            mapping = dict(getattr(self, name))
            for key in mapping:
                if isinstance(key, datetime) or not isinstance(key, date):
                    raise TypeError(f"{name}: las claves deben ser fechas (date): {key!r}")
            object.__setattr__(self, name, MappingProxyType(mapping))
        for name in ("cutoff", "opens", "closes"):
            value = getattr(self, name)
            if value.tzinfo is not None:
                raise ValueError(f"{name} debe ser una hora local sin zona horaria")
        if not self.opens < self.closes:
            raise ValueError("el horario de atención debe abrir antes de cerrar")

    # --- days --------------------------------------------------------------------------

    def non_business_reason(self, d: date) -> str | None:
        """None if ``d`` is a business day; otherwise why not, in Spanish."""
        if d in self.working:
            return None
        if d in self.non_working:
            return f"día no laborable: {self.non_working[d]}"
        holiday = peru_holidays(d.year).get(d)
        if holiday is not None:
            return f"feriado: {holiday}"
        wd = d.weekday()
        if wd >= 5:
            return WEEKDAYS_ES[wd]
        return None

    def is_business_day(self, d: date) -> bool:
        return self.non_business_reason(d) is None

    def next_business_day(self, d: date) -> date:
        """The first business day strictly after ``d``."""
        d += ONE_DAY
        while not self.is_business_day(d):
            d += ONE_DAY
        return d

    def _skip_to_business_day(self, d: date) -> tuple[date, tuple[tuple[date, str], ...]]:
        """The first business day on or after ``d``, and the non-business days passed over."""
        skipped: list[tuple[date, str]] = []
        while (reason := self.non_business_reason(d)) is not None:
            skipped.append((d, reason))
            d += ONE_DAY
        return d, tuple(skipped)

    def received_day(self, at: datetime) -> date:
        """The day a case registered at ``at`` is received (DOMAIN §5)."""
        return self._receive(at)[0]

    def _receive(self, at: datetime) -> tuple[date, tuple[tuple[date, str], ...]]:
        _require_aware(at)
        local = at.astimezone(LIMA)
        d = local.date()
        if self.is_business_day(d) and local.time() < self.cutoff:
            return d, ()
        if self.is_business_day(d):  # after the cut-off
            return self._skip_to_business_day(d + ONE_DAY)
        return self._skip_to_business_day(d)

    def add_business_days(self, at: datetime, n: int) -> Deadline:
        """Due 23:59:59 Lima of the ``n``-th business day after the received day."""
        _check_amount(n, integer=True)
        if n < 1:
            raise ValueError(f"el plazo en días hábiles debe ser al menos 1: {n}")
        received, pre_skipped = self._receive(at)
        skipped: list[tuple[date, str]] = []
        d = received
        count = 0
        while count < n:
            d += ONE_DAY
            reason = self.non_business_reason(d)
            if reason is None:
                count += 1
            else:
                skipped.append((d, reason))
        due = datetime.combine(d, END_OF_DAY, tzinfo=LIMA).astimezone(UTC)
        return Deadline(
            start=at,
            received_on=received,
            due_at=due,
            amount=n,
            unit=BUSINESS_DAYS,
            skipped=tuple(skipped),
            pre_skipped=pre_skipped,
            cutoff=self.cutoff,
        )

    def business_days_between(self, start: date, end: date) -> int:
        """Business days ``d`` with ``start < d <= end``; negative if ``end < start``."""
        if end < start:
            return -self.business_days_between(end, start)
        # Monday–Friday by arithmetic, then each day the rule gets wrong (a holiday, a decreed
        # day, a declared working day) corrects it: a tray row overdue for a year would
        # otherwise walk 365 days, 25 rows per page.
        count = _weekdays_upto(end) - _weekdays_upto(start)
        for d in self._exceptions(start, end):
            count += self.is_business_day(d) - (d.weekday() < 5)
        return count

    def business_days_taken(self, received_on: date, answered_at: datetime) -> int:
        """Business days an answer took: from the received day to the Lima day of the answer.

        Never negative: something received after the cut-off (or on a non-working day) counts
        as received on the next business day, so an answer given that same evening, weekend
        or holiday is earlier than its received day and took 0 days, not -1.
        """
        return max(0, self.business_days_between(received_on, answered_at.astimezone(LIMA).date()))

    def _exceptions(self, start: date, end: date) -> set[date]:
        """The days in (start, end] that may not follow the Monday–Friday rule."""
        days = {d for d in (*self.working, *self.non_working) if start < d <= end}
        for year in range(start.year, end.year + 1):
            days.update(d for d in peru_holidays(year) if start < d <= end)
        return days

    # --- hours -------------------------------------------------------------------------

    def _windows(self, local: datetime) -> Iterator[tuple[date, str | None, datetime, datetime]]:
        """From ``local`` (Lima) on, each calendar day with its non-business reason and its
        business window clipped to start no earlier than ``local`` (possibly empty)."""
        d = local.date()
        while True:
            reason = self.non_business_reason(d)
            opens = datetime.combine(d, self.opens, tzinfo=LIMA)
            closes = datetime.combine(d, self.closes, tzinfo=LIMA)
            yield d, reason, max(opens, local), closes
            d += ONE_DAY

    def add_business_hours(self, at: datetime, n: int | float) -> Deadline:
        """``n`` hours counted only within business hours of business days, from ``at`` or
        the next opening. A count ending exactly at closing time is due at closing."""
        _require_aware(at)
        _check_amount(n, integer=False)
        if n <= 0:
            raise ValueError(f"el plazo en horas hábiles debe ser positivo: {n}")
        left = timedelta(hours=n)
        if left <= timedelta(0):
            raise ValueError(f"el plazo en horas hábiles es demasiado pequeño: {n}")
        local = at.astimezone(LIMA)
        pre_skipped: list[tuple[date, str]] = []
        skipped: list[tuple[date, str]] = []
        counted_from: datetime | None = None
        for d, reason, begin, end in self._windows(local):
            if reason is not None:
                (pre_skipped if counted_from is None else skipped).append((d, reason))
                continue
            if begin >= end:  # a business day, but already closed
                continue
            if counted_from is None:
                counted_from = begin
            available = end - begin
            if left <= available:
                due = begin + left
                break
            left -= available
        return Deadline(
            start=at,
            received_on=None,
            due_at=due.astimezone(UTC),
            amount=n,
            unit=BUSINESS_HOURS,
            skipped=tuple(skipped),
            pre_skipped=tuple(pre_skipped),
            counted_from=counted_from,
            business_hours=(self.opens, self.closes),
        )

    def with_cutoff(self, cutoff: time) -> BusinessCalendar:
        """The same days with another cut-off (a service whose reception closes earlier)."""
        return replace(self, cutoff=cutoff)

    def add_hours_of_business_days(self, at: datetime, n: int | float) -> Deadline:
        """``n`` clock hours counted only on business days, from the instant received.

        Received: ``at`` itself on a business day before the cut-off (not before opening
        time); otherwise the opening of the next business day (after the cut-off, or on a
        non-business day). Then every hour of a business day counts, day or night; the
        hours of a non-business day do not (a 24-hour plazo received Friday 10:00 is due
        Monday 10:00)."""
        _require_aware(at)
        _check_amount(n, integer=False)
        if n <= 0:
            raise ValueError(f"el plazo en horas debe ser positivo: {n}")
        local = at.astimezone(LIMA)
        d = local.date()
        if self.is_business_day(d) and local.time() < self.cutoff:
            received = max(local, datetime.combine(d, self.opens, tzinfo=LIMA))
            pre_skipped: tuple[tuple[date, str], ...] = ()
        else:
            first, pre_skipped = self._skip_to_business_day(
                d + ONE_DAY if self.is_business_day(d) else d
            )
            received = datetime.combine(first, self.opens, tzinfo=LIMA)
        left = timedelta(hours=n)
        t = received
        skipped: list[tuple[date, str]] = []
        while True:
            midnight = datetime.combine(t.date() + ONE_DAY, time(0, 0), tzinfo=LIMA)
            if left <= midnight - t:
                due = t + left
                break
            left -= midnight - t
            nxt, passed = self._skip_to_business_day(midnight.date())
            skipped.extend(passed)
            t = datetime.combine(nxt, time(0, 0), tzinfo=LIMA)
        return Deadline(
            start=at,
            received_on=received.date(),
            due_at=due.astimezone(UTC),
            amount=n,
            unit=HOURS_OF_BUSINESS_DAYS,
            skipped=tuple(skipped),
            pre_skipped=pre_skipped,
            counted_from=received,
            cutoff=self.cutoff,
        )

    def business_seconds_between(self, a: datetime, b: datetime) -> float:
        """Seconds of business hours in ``[a, b)``; negative if ``b < a``."""
        _require_aware(a, "a")
        _require_aware(b, "b")
        if b < a:
            return -self.business_seconds_between(b, a)
        a_local, b_local = a.astimezone(LIMA), b.astimezone(LIMA)
        total = timedelta(0)
        for d, reason, begin, end in self._windows(a_local):
            if d > b_local.date():
                break
            if reason is not None:
                continue
            end = min(end, b_local)
            if end > begin:
                total += end - begin
        return total.total_seconds()

    # --- trays -------------------------------------------------------------------------

    def remaining(self, now: datetime, due_at: datetime) -> Remaining:
        """What a tray shows for a plazo due at ``due_at``, seen at ``now``.

        Let *today* and *due day* be the Lima dates of ``now`` and ``due_at``.

        * ``overdue`` is ``now > due_at`` (the due instant itself is still in time).
        * ``business_days`` is ``business_days_between(today, due day)``: the business days
          after today up to and including the due day. Positive: days left; 0: due (or
          overdue) with no business day in between; negative: minus the business days that
          have passed since the due day (including today).
        * ``label``, not overdue: "Vence hoy a las HH:MM" if due today; "Vence en 1 día
          hábil" / "Vence en N días hábiles"; or, when due on a later non-business day with no
          business day before it, "Vence el <día dd/mm/aaaa> a las HH:MM".
        * ``label``, overdue: "Vencido hoy a las HH:MM" if the due day is today; "Vencido hace
          1 día hábil" / "Vencido hace N días hábiles"; or, when no business day has passed
          since a past due day (e.g. due Friday, now Saturday), "Vencido el <día dd/mm/aaaa>".
        """
        _require_aware(now, "now")
        _require_aware(due_at, "due_at")
        now_local, due_local = now.astimezone(LIMA), due_at.astimezone(LIMA)
        today, due_day = now_local.date(), due_local.date()
        days = self.business_days_between(today, due_day)
        at = _format_time(due_local.time().replace(second=0, microsecond=0))
        if now > due_at:
            late = -days
            if due_day == today:
                label = f"Vencido hoy a las {at}"
            elif late == 0:
                label = f"Vencido el {format_day(due_day)}"
            elif late == 1:
                label = "Vencido hace 1 día hábil"
            else:
                label = f"Vencido hace {late} días hábiles"
            return Remaining(overdue=True, business_days=days, label=label)
        if due_day == today:
            label = f"Vence hoy a las {at}"
        elif days == 0:
            label = f"Vence el {format_day(due_day)} a las {at}"
        elif days == 1:
            label = "Vence en 1 día hábil"
        else:
            label = f"Vence en {days} días hábiles"
        return Remaining(overdue=False, business_days=days, label=label)


# --- loader ----------------------------------------------------------------------------------


def _parse_time(value: str | time) -> time:
    if isinstance(value, time):
        return value
    return time.fromisoformat(value.strip())


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 for JSON (a date, or a time with its offset); None stays None."""
    return value.isoformat() if value is not None else None


def load_calendar() -> BusinessCalendar:
    """Build from settings.SGU and the CalendarDay rows (one query), once per process and
    reference stamp (core/reference.py: the admin bumps it when it changes a day)."""
    return reference.cached("calendar", _load_calendar)


def _load_calendar() -> BusinessCalendar:

    config = getattr(settings, "SGU", {})
    opens, closes = config.get("BUSINESS_HOURS", ("08:30", "17:30"))
    non_working: dict[date, str] = {}
    working: dict[date, str] = {}
    for day, is_working, reason in CalendarDay.objects.values_list("date", "is_working", "reason"):
        (working if is_working else non_working)[day] = reason
    return BusinessCalendar(
        non_working=non_working,
        working=working,
        cutoff=_parse_time(config.get("CUTOFF", "17:00")),
        opens=_parse_time(opens),
        closes=_parse_time(closes),
    )
