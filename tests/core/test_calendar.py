"""Table tests of the business calendar with real 2026/2027 dates.

Every expected value below was worked out by hand from the Peruvian calendar (holidays of
2026: Thu 2 Apr Jueves Santo, Fri 3 Apr Viernes Santo, Sun 5 Apr Domingo de Resurrección,
Thu 23 Jul, Tue 28 Jul, Wed 29 Jul, Tue 8 Dec, Wed 9 Dec, Fri 25 Dec; Fri 1 Jan 2027).
Nothing here is recomputed with the code under test.
"""

from datetime import UTC, date, datetime, time, timedelta, timezone

import pytest

from factories.clock import declared_non_working_days
from sgu.core.calendar import (
    BUSINESS_DAYS,
    BUSINESS_HOURS,
    LIMA,
    BusinessCalendar,
    format_date_long,
    format_day,
    load_calendar,
)

PLAIN = BusinessCalendar(non_working={}, working={})


def lima(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=LIMA)


def end_of(y, m, d):
    return lima(y, m, d, 23, 59, 59)


# --- non_business_reason -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 4, 1), None),  # Wednesday
        (date(2026, 4, 2), "feriado: Jueves Santo"),
        (date(2026, 4, 3), "feriado: Viernes Santo"),
        (date(2026, 4, 4), "sábado"),
        (date(2026, 4, 5), "feriado: Domingo de Resurrección"),  # holiday beats weekend
        (date(2026, 4, 12), "domingo"),
        (date(2026, 6, 7), "feriado: Batalla de Arica y Día de la Bandera"),
        (date(2026, 7, 23), "feriado: Día de la Fuerza Aérea del Perú"),
        (date(2026, 7, 28), "feriado: Día de la Independencia"),
        (date(2026, 7, 29), "feriado: Día de la Gran Parada Militar"),
        (date(2026, 12, 8), "feriado: Inmaculada Concepción"),
        (date(2026, 12, 9), "feriado: Batalla de Ayacucho"),
        (date(2027, 1, 1), "feriado: Año Nuevo"),
        (date(2027, 1, 4), None),  # Monday
    ],
)
def test_non_business_reason(day, reason):
    assert PLAIN.non_business_reason(day) == reason
    assert PLAIN.is_business_day(day) is (reason is None)


def test_precedence_of_admin_days():
    cal = BusinessCalendar(
        non_working={
            date(2026, 7, 27): "Decreto Supremo 001-2026-PCM",
            date(2026, 7, 28): "decretado sobre un feriado",
            date(2026, 7, 30): "también declarado hábil",
        },
        working={
            date(2026, 4, 11): "recuperación",  # a Saturday
            date(2026, 4, 2): "hábil por excepción",  # a holiday
            date(2026, 7, 30): "hábil gana",
        },
    )
    assert cal.non_business_reason(date(2026, 7, 27)) == (
        "día no laborable: Decreto Supremo 001-2026-PCM"
    )
    # admin non-working beats the holiday
    assert (
        cal.non_business_reason(date(2026, 7, 28)) == "día no laborable: decretado sobre un feriado"
    )
    # admin working beats everything
    assert cal.non_business_reason(date(2026, 4, 11)) is None
    assert cal.non_business_reason(date(2026, 4, 2)) is None
    assert cal.non_business_reason(date(2026, 7, 30)) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 4, 1), date(2026, 4, 6)),
        (date(2026, 4, 6), date(2026, 4, 7)),
        (date(2026, 4, 10), date(2026, 4, 13)),
        (date(2026, 7, 27), date(2026, 7, 30)),
        (date(2026, 12, 31), date(2027, 1, 4)),
    ],
)
def test_next_business_day(day, expected):
    assert PLAIN.next_business_day(day) == expected


# --- received day and business-day plazos ------------------------------------------------

DECREE_27_JULY = {date(2026, 7, 27): "Decreto Supremo 001-2026-PCM"}
SATURDAY_WORKED = {date(2026, 4, 11): "día de recuperación"}

DAY_CASES = [
    # id, registered at, n, non_working, working, received day, due day (23:59:59 Lima)
    ("domain-example", lima(2026, 4, 1, 10), 1, {}, {}, date(2026, 4, 1), date(2026, 4, 6)),
    ("wed-at-cutoff", lima(2026, 4, 1, 17), 1, {}, {}, date(2026, 4, 6), date(2026, 4, 7)),
    (
        "wed-just-before",
        lima(2026, 4, 1, 16, 59, 59),
        1,
        {},
        {},
        date(2026, 4, 1),
        date(2026, 4, 6),
    ),
    ("wed-after-cutoff", lima(2026, 4, 1, 18, 30), 2, {}, {}, date(2026, 4, 6), date(2026, 4, 8)),
    ("thu-26-mar+1", lima(2026, 3, 26, 10), 1, {}, {}, date(2026, 3, 26), date(2026, 3, 27)),
    ("thu-26-mar+3", lima(2026, 3, 26, 10), 3, {}, {}, date(2026, 3, 26), date(2026, 3, 31)),
    ("thu-26-mar+5", lima(2026, 3, 26, 10), 5, {}, {}, date(2026, 3, 26), date(2026, 4, 6)),
    ("holy-thursday", lima(2026, 4, 2, 9), 1, {}, {}, date(2026, 4, 6), date(2026, 4, 7)),
    ("mon-23-mar+15", lima(2026, 3, 23, 10), 15, {}, {}, date(2026, 3, 23), date(2026, 4, 15)),
    ("wed-22-jul+1", lima(2026, 7, 22, 10), 1, {}, {}, date(2026, 7, 22), date(2026, 7, 24)),
    ("wed-22-jul+2", lima(2026, 7, 22, 10), 2, {}, {}, date(2026, 7, 22), date(2026, 7, 27)),
    ("wed-22-jul+3", lima(2026, 7, 22, 10), 3, {}, {}, date(2026, 7, 22), date(2026, 7, 30)),
    ("mon-27-jul+1", lima(2026, 7, 27, 10), 1, {}, {}, date(2026, 7, 27), date(2026, 7, 30)),
    ("mon-27-jul+2", lima(2026, 7, 27, 10), 2, {}, {}, date(2026, 7, 27), date(2026, 7, 31)),
    ("mon-7-dec+1", lima(2026, 12, 7, 10), 1, {}, {}, date(2026, 12, 7), date(2026, 12, 10)),
    ("mon-7-dec+2", lima(2026, 12, 7, 10), 2, {}, {}, date(2026, 12, 7), date(2026, 12, 11)),
    (
        "fri-after-cutoff",
        lima(2026, 4, 10, 17, 30),
        1,
        {},
        {},
        date(2026, 4, 13),
        date(2026, 4, 14),
    ),
    ("saturday", lima(2026, 4, 11, 10), 1, {}, {}, date(2026, 4, 13), date(2026, 4, 14)),
    ("easter-saturday", lima(2026, 4, 4, 10), 1, {}, {}, date(2026, 4, 6), date(2026, 4, 7)),
    ("christmas-eve+1", lima(2026, 12, 24, 10), 1, {}, {}, date(2026, 12, 24), date(2026, 12, 28)),
    ("new-year+1", lima(2026, 12, 30, 10), 1, {}, {}, date(2026, 12, 30), date(2026, 12, 31)),
    ("new-year+2", lima(2026, 12, 30, 10), 2, {}, {}, date(2026, 12, 30), date(2027, 1, 4)),
    # a decreed non-working Monday 27 July 2026 joins the 28–29 July holidays
    ("fri-24-jul", lima(2026, 7, 24, 10), 1, {}, {}, date(2026, 7, 24), date(2026, 7, 27)),
    (
        "fri-24-jul-decree",
        lima(2026, 7, 24, 10),
        1,
        DECREE_27_JULY,
        {},
        date(2026, 7, 24),
        date(2026, 7, 30),
    ),
    (
        "mon-27-jul-decree",
        lima(2026, 7, 27, 10),
        1,
        DECREE_27_JULY,
        {},
        date(2026, 7, 30),
        date(2026, 7, 31),
    ),
    # an admin working Saturday 11 April 2026
    (
        "fri-saturday-worked",
        lima(2026, 4, 10, 10),
        1,
        {},
        SATURDAY_WORKED,
        date(2026, 4, 10),
        date(2026, 4, 11),
    ),
    (
        "fri-late-saturday-worked",
        lima(2026, 4, 10, 17, 30),
        1,
        {},
        SATURDAY_WORKED,
        date(2026, 4, 11),
        date(2026, 4, 13),
    ),
    (
        "on-saturday-worked",
        lima(2026, 4, 11, 9),
        1,
        {},
        SATURDAY_WORKED,
        date(2026, 4, 11),
        date(2026, 4, 13),
    ),
    (
        "holiday-worked",
        lima(2026, 7, 27, 10),
        1,
        {},
        {date(2026, 7, 29): "hábil"},
        date(2026, 7, 27),
        date(2026, 7, 29),
    ),
    # other time zones: converted to Lima (UTC-5) first
    (
        "utc-16:59-lima",
        datetime(2026, 4, 1, 21, 59, tzinfo=UTC),
        1,
        {},
        {},
        date(2026, 4, 1),
        date(2026, 4, 6),
    ),
    (
        "utc-17:30-lima",
        datetime(2026, 4, 1, 22, 30, tzinfo=UTC),
        1,
        {},
        {},
        date(2026, 4, 6),
        date(2026, 4, 7),
    ),
    (
        "utc-next-day",
        datetime(2026, 4, 2, 3, 0, tzinfo=UTC),
        1,
        {},
        {},
        date(2026, 4, 6),
        date(2026, 4, 7),
    ),
    (
        "madrid",
        datetime(2026, 4, 10, 23, 30, tzinfo=timezone(timedelta(hours=2))),  # 16:30 Lima
        1,
        {},
        {},
        date(2026, 4, 10),
        date(2026, 4, 13),
    ),
]


@pytest.mark.parametrize(
    ("at", "n", "non_working", "working", "received", "due_day"),
    [pytest.param(*case[1:], id=case[0]) for case in DAY_CASES],
)
def test_add_business_days(at, n, non_working, working, received, due_day):
    cal = BusinessCalendar(non_working=non_working, working=working)
    assert cal.received_day(at) == received
    deadline = cal.add_business_days(at, n)
    assert deadline.received_on == received
    assert deadline.due_at == end_of(due_day.year, due_day.month, due_day.day)
    assert deadline.due_at.tzinfo is UTC
    assert deadline.due_on == due_day
    assert deadline.unit == BUSINESS_DAYS
    assert deadline.amount == n
    assert deadline.start == at


def test_domain_example_in_utc_and_skipped_days():
    deadline = PLAIN.add_business_days(lima(2026, 4, 1, 10), 1)
    assert deadline.due_at == datetime(2026, 4, 7, 4, 59, 59, tzinfo=UTC)
    assert deadline.skipped == (
        (date(2026, 4, 2), "feriado: Jueves Santo"),
        (date(2026, 4, 3), "feriado: Viernes Santo"),
        (date(2026, 4, 4), "sábado"),
        (date(2026, 4, 5), "feriado: Domingo de Resurrección"),
    )
    assert deadline.pre_skipped == ()


def test_skipped_with_decree():
    cal = BusinessCalendar(non_working=DECREE_27_JULY, working={})
    deadline = cal.add_business_days(lima(2026, 7, 24, 10), 1)
    assert deadline.skipped == (
        (date(2026, 7, 25), "sábado"),
        (date(2026, 7, 26), "domingo"),
        (date(2026, 7, 27), "día no laborable: Decreto Supremo 001-2026-PCM"),
        (date(2026, 7, 28), "feriado: Día de la Independencia"),
        (date(2026, 7, 29), "feriado: Día de la Gran Parada Militar"),
    )


def test_explanation_domain_example():
    text = PLAIN.add_business_days(lima(2026, 4, 1, 10), 1).explanation()
    assert text.splitlines() == [
        "Registrado el miércoles 01/04/2026 a las 10:00 (hora de Lima), antes del corte de las "
        "17:00: se recibe ese mismo día.",
        "Plazo: 1 día hábil, contado desde el día siguiente.",
        "Días no contados: jueves 02/04/2026 (feriado: Jueves Santo), viernes 03/04/2026 "
        "(feriado: Viernes Santo), sábado 04/04/2026 (sábado), domingo 05/04/2026 "
        "(feriado: Domingo de Resurrección).",
        "Vence: lunes 06/04/2026 a las 23:59:59.",
    ]


def test_explanation_after_cutoff():
    text = PLAIN.add_business_days(lima(2026, 4, 10, 17, 30), 2).explanation()
    assert "después del corte de las 17:00" in text
    assert "se recibe el siguiente día hábil, lunes 13/04/2026" in text
    assert "sábado 11/04/2026 (sábado), domingo 12/04/2026 (domingo)" in text
    assert "Plazo: 2 días hábiles, contados desde el día siguiente." in text
    assert "Días no contados: ninguno." in text
    assert text.endswith("Vence: miércoles 15/04/2026 a las 23:59:59.")


def test_explanation_non_business_day_receipt():
    text = PLAIN.add_business_days(lima(2026, 4, 4, 10), 1).explanation()
    assert text.splitlines()[0] == (
        "Registrado el sábado 04/04/2026 a las 10:00 (hora de Lima), día no hábil: sábado. "
        "Se recibe el siguiente día hábil, lunes 06/04/2026."
    )
    assert "domingo 05/04/2026 (feriado: Domingo de Resurrección)" in text
    assert text.endswith("Vence: martes 07/04/2026 a las 23:59:59.")


def test_explanation_decree():
    cal = BusinessCalendar(non_working=DECREE_27_JULY, working={})
    text = cal.add_business_days(lima(2026, 7, 24, 10), 1).explanation()
    assert "lunes 27/07/2026 (día no laborable: Decreto Supremo 001-2026-PCM)" in text
    assert "martes 28/07/2026 (feriado: Día de la Independencia)" in text
    assert text.endswith("Vence: jueves 30/07/2026 a las 23:59:59.")


@pytest.mark.parametrize("n", [0, -1])
def test_add_business_days_rejects_non_positive(n):
    with pytest.raises(ValueError):
        PLAIN.add_business_days(lima(2026, 4, 1, 10), n)


def test_add_business_days_rejects_fractions():
    with pytest.raises(TypeError):
        PLAIN.add_business_days(lima(2026, 4, 1, 10), 1.5)


def test_naive_datetimes_are_rejected():
    naive = datetime(2026, 4, 1, 10)
    with pytest.raises(ValueError):
        PLAIN.received_day(naive)
    with pytest.raises(ValueError):
        PLAIN.add_business_days(naive, 1)
    with pytest.raises(ValueError):
        PLAIN.add_business_hours(naive, 4)
    with pytest.raises(ValueError):
        PLAIN.business_seconds_between(naive, lima(2026, 4, 2))
    with pytest.raises(ValueError):
        PLAIN.remaining(naive, lima(2026, 4, 2))


def test_large_plazo_is_fast_and_crosses_years():
    # 200 business days from Fri 2 Jan 2026: checked against a count by month of 2026
    # business days (Jan 20 after the 2nd; Feb 20, Mar 22, Apr 20, May 20, Jun 21,
    # Jul 20, Aug 20, Sep 22, Oct 21 → 206 up to 30 Oct, so day 200 is Thu 22 Oct).
    deadline = PLAIN.add_business_days(lima(2026, 1, 2, 10), 200)
    assert deadline.due_on == date(2026, 10, 22)
    deadline = PLAIN.add_business_days(lima(2020, 1, 2, 10), 2500)
    assert deadline.due_on.year in (2029, 2030)


# --- business hours ----------------------------------------------------------------------

HOUR_CASES = [
    # id, registered at, hours, non_working, working, due (Lima)
    ("fri-16:30+4", lima(2026, 4, 10, 16, 30), 4, {}, {}, lima(2026, 4, 13, 11, 30)),
    ("07:00+4", lima(2026, 4, 13, 7), 4, {}, {}, lima(2026, 4, 13, 12, 30)),
    ("17:45+4", lima(2026, 4, 13, 17, 45), 4, {}, {}, lima(2026, 4, 14, 12, 30)),
    ("at-closing+1", lima(2026, 4, 13, 17, 30), 1, {}, {}, lima(2026, 4, 14, 9, 30)),
    ("ends-at-closing", lima(2026, 4, 13, 13, 30), 4, {}, {}, lima(2026, 4, 13, 17, 30)),
    ("full-day", lima(2026, 4, 13, 8, 30), 9, {}, {}, lima(2026, 4, 13, 17, 30)),
    ("saturday+4", lima(2026, 4, 11, 10), 4, {}, {}, lima(2026, 4, 13, 12, 30)),
    ("fraction", lima(2026, 4, 13, 17), 1.5, {}, {}, lima(2026, 4, 14, 9, 30)),
    ("across-28-29-jul", lima(2026, 7, 27, 15), 4, {}, {}, lima(2026, 7, 30, 10)),
    ("across-holy-week", lima(2026, 4, 1, 16), 4, {}, {}, lima(2026, 4, 6, 11)),
    ("holy-thursday", lima(2026, 4, 2, 10), 4, {}, {}, lima(2026, 4, 6, 12, 30)),
    (
        "decree-27-jul",
        lima(2026, 7, 24, 16, 30),
        4,
        DECREE_27_JULY,
        {},
        lima(2026, 7, 30, 11, 30),
    ),
    (
        "saturday-worked",
        lima(2026, 4, 10, 16, 30),
        4,
        {},
        SATURDAY_WORKED,
        lima(2026, 4, 11, 11, 30),
    ),
    ("utc-input", datetime(2026, 4, 10, 21, 30, tzinfo=UTC), 4, {}, {}, lima(2026, 4, 13, 11, 30)),
    ("many-days", lima(2026, 4, 13, 8, 30), 45, {}, {}, lima(2026, 4, 17, 17, 30)),
]


@pytest.mark.parametrize(
    ("at", "n", "non_working", "working", "due"),
    [pytest.param(*case[1:], id=case[0]) for case in HOUR_CASES],
)
def test_add_business_hours(at, n, non_working, working, due):
    cal = BusinessCalendar(non_working=non_working, working=working)
    deadline = cal.add_business_hours(at, n)
    assert deadline.due_at == due
    assert deadline.due_at.tzinfo is UTC
    assert deadline.unit == BUSINESS_HOURS
    assert deadline.received_on is None


def test_business_hours_utc_value():
    deadline = PLAIN.add_business_hours(lima(2026, 4, 10, 16, 30), 4)
    assert deadline.due_at == datetime(2026, 4, 13, 16, 30, tzinfo=UTC)


def test_business_hours_skipped_and_explanation():
    deadline = PLAIN.add_business_hours(lima(2026, 7, 27, 15), 4)
    assert deadline.skipped == (
        (date(2026, 7, 28), "feriado: Día de la Independencia"),
        (date(2026, 7, 29), "feriado: Día de la Gran Parada Militar"),
    )
    text = deadline.explanation()
    assert "dentro del horario de atención (08:30–17:30)" in text
    assert "Plazo: 4 horas hábiles" in text
    assert "martes 28/07/2026 (feriado: Día de la Independencia)" in text
    assert text.endswith("Vence: jueves 30/07/2026 a las 10:00.")


def test_business_hours_explanation_outside_hours():
    text = PLAIN.add_business_hours(lima(2026, 4, 10, 18), 4).explanation()
    assert "fuera del horario de atención (08:30–17:30)" in text
    assert "el conteo empieza el lunes 13/04/2026 a las 08:30" in text
    assert "sábado 11/04/2026 (sábado), domingo 12/04/2026 (domingo)" in text
    assert text.endswith("Vence: lunes 13/04/2026 a las 12:30.")

    text = PLAIN.add_business_hours(lima(2026, 4, 11, 10), 1.5).explanation()
    assert "día no hábil: sábado; el conteo empieza el lunes 13/04/2026 a las 08:30" in text
    assert "Plazo: 1,5 horas hábiles" in text


@pytest.mark.parametrize("n", [0, -4, float("nan"), float("inf")])
def test_add_business_hours_rejects_bad_amounts(n):
    with pytest.raises(ValueError):
        PLAIN.add_business_hours(lima(2026, 4, 13, 10), n)


# --- counting between --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 4, 1), date(2026, 4, 6), 1),
        (date(2026, 4, 6), date(2026, 4, 1), -1),
        (date(2026, 4, 1), date(2026, 4, 1), 0),
        (date(2026, 4, 4), date(2026, 4, 6), 1),
        (date(2026, 4, 2), date(2026, 4, 5), 0),
        (date(2026, 7, 24), date(2026, 7, 31), 3),
        (date(2026, 3, 23), date(2026, 4, 15), 15),
        (date(2026, 12, 30), date(2027, 1, 4), 2),
    ],
)
def test_business_days_between(start, end, expected):
    assert PLAIN.business_days_between(start, end) == expected


# Received the next business day (after the cut-off, on a weekend or holiday) and answered
# at once: the answer's Lima day is before the received day, and it took 0 days, never -1.
@pytest.mark.parametrize(
    ("arrived", "answered", "expected"),
    [
        (lima(2026, 12, 5, 18, 13), lima(2026, 12, 5, 18, 40), 0),  # Saturday evening
        (lima(2026, 11, 30, 17, 0), lima(2026, 11, 30, 17, 30), 0),  # Monday at the cut-off
        (lima(2026, 12, 4, 16, 59, 59), lima(2026, 12, 4, 17, 5), 0),  # Friday before it
        (lima(2026, 12, 8, 10), lima(2026, 12, 8, 11), 0),  # national holiday
        (lima(2026, 12, 31, 23, 59, 59), lima(2027, 1, 1, 0, 0, 1), 0),  # across New Year
        (lima(2026, 12, 4, 16, 59, 59), lima(2026, 12, 7, 9), 1),  # Friday → Monday
        (lima(2026, 12, 31, 10), lima(2027, 1, 4, 9), 1),  # Thursday → Monday, 1 Jan between
    ],
)
def test_business_days_taken_is_never_negative(arrived, answered, expected):
    assert PLAIN.business_days_taken(PLAIN.received_day(arrived), answered) == expected


def test_business_days_taken_on_a_declared_non_working_day():
    decreed = BusinessCalendar(non_working={date(2026, 12, 7): "Día no laborable"}, working={})
    received_on = decreed.received_day(lima(2026, 12, 4, 17, 30))
    assert received_on == date(2026, 12, 10)  # Mon 7 decreed, Tue 8 and Wed 9 holidays
    assert decreed.business_days_taken(received_on, lima(2026, 12, 7, 12)) == 0
    assert decreed.business_days_taken(received_on, lima(2026, 12, 11, 12)) == 1


@pytest.mark.parametrize(
    ("a", "b", "hours"),
    [
        (lima(2026, 4, 10, 16, 30), lima(2026, 4, 13, 11, 30), 4),
        (lima(2026, 4, 11, 0), lima(2026, 4, 12, 23), 0),
        (lima(2026, 4, 13, 8), lima(2026, 4, 13, 18), 9),
        (lima(2026, 4, 13, 12), lima(2026, 4, 13, 12, 30), 0.5),
        (lima(2026, 4, 13, 18), lima(2026, 4, 14, 8), 0),
        (lima(2026, 4, 1, 16), lima(2026, 4, 6, 11), 4),
        (lima(2026, 4, 13, 11, 30), lima(2026, 4, 10, 16, 30), -4),
        (lima(2026, 4, 13, 8, 30), lima(2026, 4, 18, 0), 45),
    ],
)
def test_business_seconds_between(a, b, hours):
    assert PLAIN.business_seconds_between(a, b) == hours * 3600


# --- remaining ---------------------------------------------------------------------------

DUE_6_APRIL = end_of(2026, 4, 6)


@pytest.mark.parametrize(
    ("now", "due", "overdue", "days", "label"),
    [
        (lima(2026, 4, 6, 10), DUE_6_APRIL, False, 0, "Vence hoy a las 23:59"),
        (DUE_6_APRIL, DUE_6_APRIL, False, 0, "Vence hoy a las 23:59"),
        (lima(2026, 4, 1, 15), DUE_6_APRIL, False, 1, "Vence en 1 día hábil"),
        (lima(2026, 4, 4, 12), DUE_6_APRIL, False, 1, "Vence en 1 día hábil"),
        (lima(2026, 3, 27, 9), DUE_6_APRIL, False, 4, "Vence en 4 días hábiles"),
        (lima(2026, 4, 7), DUE_6_APRIL, True, -1, "Vencido hace 1 día hábil"),
        (lima(2026, 4, 9, 12), DUE_6_APRIL, True, -3, "Vencido hace 3 días hábiles"),
        # due Friday night, seen on Saturday: no business day has passed yet
        (lima(2026, 4, 11, 10), end_of(2026, 4, 10), True, 0, "Vencido el viernes 10/04/2026"),
        # an hour plazo due today at 11:30
        (lima(2026, 4, 13, 9), lima(2026, 4, 13, 11, 30), False, 0, "Vence hoy a las 11:30"),
        (lima(2026, 4, 13, 14), lima(2026, 4, 13, 11, 30), True, 0, "Vencido hoy a las 11:30"),
        # due on a later non-business day with no business day before it
        (
            lima(2026, 4, 11, 9),
            lima(2026, 4, 12, 12),
            False,
            0,
            "Vence el domingo 12/04/2026 a las 12:00",
        ),
        # now given in UTC: 03:00 UTC Tue 7 Apr is still Mon 6 Apr 22:00 in Lima
        (datetime(2026, 4, 7, 3, tzinfo=UTC), DUE_6_APRIL, False, 0, "Vence hoy a las 23:59"),
    ],
)
def test_remaining(now, due, overdue, days, label):
    result = PLAIN.remaining(now, due)
    assert result.overdue is overdue
    assert result.business_days == days
    assert result.label == label


# --- misc ----------------------------------------------------------------------------------


def test_spanish_formatting_without_locale():
    assert format_day(date(2026, 4, 1)) == "miércoles 01/04/2026"
    assert format_date_long(date(2026, 9, 6)) == "domingo 6 de septiembre de 2026"


def test_calendar_is_immutable():
    source = {date(2026, 7, 27): "decreto"}
    cal = BusinessCalendar(non_working=source, working={})
    source[date(2026, 7, 30)] = "added later"
    assert cal.is_business_day(date(2026, 7, 30))
    with pytest.raises(TypeError):
        cal.non_working[date(2026, 7, 31)] = "x"
    with pytest.raises(AttributeError):
        cal.cutoff = time(18)


def test_invalid_business_hours():
    with pytest.raises(ValueError):
        BusinessCalendar(non_working={}, working={}, opens=time(18), closes=time(8))


def test_custom_cutoff_and_hours():
    cal = BusinessCalendar(
        non_working={}, working={}, cutoff=time(13), opens=time(9), closes=time(13)
    )
    assert cal.received_day(lima(2026, 4, 13, 12, 59)) == date(2026, 4, 13)
    assert cal.received_day(lima(2026, 4, 13, 13)) == date(2026, 4, 14)
    assert cal.add_business_hours(lima(2026, 4, 13, 12), 2).due_at == lima(2026, 4, 14, 10)


@pytest.mark.django_db
def test_load_calendar_reads_calendar_days(settings, django_assert_num_queries):
    from sgu.core.models import CalendarDay

    settings.SGU = {**settings.SGU, "CUTOFF": "16:00", "BUSINESS_HOURS": ("09:00", "18:00")}
    CalendarDay.objects.create(date=date(2026, 7, 27), is_working=False, reason="DS 001-2026-PCM")
    CalendarDay.objects.create(date=date(2026, 4, 11), is_working=True, reason="recuperación")

    with django_assert_num_queries(1):
        cal = load_calendar()

    decreed_by_the_run = {d: cal.non_working[d] for d in declared_non_working_days()}
    assert cal.non_working == {date(2026, 7, 27): "DS 001-2026-PCM", **decreed_by_the_run}
    assert cal.working == {date(2026, 4, 11): "recuperación"}
    assert (cal.cutoff, cal.opens, cal.closes) == (time(16), time(9), time(18))
    assert cal.non_business_reason(date(2026, 7, 27)) == "día no laborable: DS 001-2026-PCM"
    assert cal.is_business_day(date(2026, 4, 11))
    assert cal.add_business_days(lima(2026, 7, 24, 10), 1).due_on == date(2026, 7, 30)
