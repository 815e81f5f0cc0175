"""The contingency extension rule (docs/contingency.md), against hand-computed examples.

Calendar: business hours 08:30–17:30 (a business day is 9 h), cut-off 17:00, Lima. March
2026: Monday 9 to Friday 13 are business days; Saturday 7 and Sunday 8 are not. Holy week
2026: Thursday 2 and Friday 3 April are holidays.
"""

from datetime import date, time
from decimal import Decimal

import pytest

from factories import lima
from sgu.core.calendar import BUSINESS_DAYS, BUSINESS_HOURS, BusinessCalendar
from sgu.outages.contingency import (
    Plazo,
    compute_extension,
    explain,
    format_duration,
    lost_business_seconds,
)

CAL = BusinessCalendar(cutoff=time(17, 0), opens=time(8, 30), closes=time(17, 30))
# Tuesday 10 March 2026 decreed non-working (an administrator's CalendarDay).
CAL_TUE_OFF = BusinessCalendar(
    non_working={date(2026, 3, 10): "día no laborable decretado"},
    cutoff=time(17, 0),
    opens=time(8, 30),
    closes=time(17, 30),
)

H = 3600
DAYS = BUSINESS_DAYS

# Plazos used below (due dates computed by hand with the DOMAIN §5 rule).
# Forwarded Mon 9 Mar 10:00, 2 business days: received Mon 9, Tue 10 (1), Wed 11 (2).
TWO_DAYS = Plazo(DAYS, lima(2026, 3, 9, 10), date(2026, 3, 9), lima(2026, 3, 11, 23, 59, 59))
# Forwarded Mon 9 Mar 10:00, 1 business day: due Tue 10 Mar 23:59:59.
ONE_DAY = Plazo(DAYS, lima(2026, 3, 9, 10), date(2026, 3, 9), lima(2026, 3, 10, 23, 59, 59))
# Forwarded Fri 6 Mar 10:00, 1 business day: Sat 7, Sun 8 skipped → due Mon 9 Mar 23:59:59.
FRIDAY = Plazo(DAYS, lima(2026, 3, 6, 10), date(2026, 3, 6), lima(2026, 3, 9, 23, 59, 59))
# Forwarded Wed 1 Apr 10:00, 1 business day: Thu 2 / Fri 3 holidays, weekend → Mon 6 Apr.
HOLY_WEEK = Plazo(DAYS, lima(2026, 4, 1, 10), date(2026, 4, 1), lima(2026, 4, 6, 23, 59, 59))
# Forwarded Mon 9 Mar 17:10, after the 17:00 cut-off: received Tue 10, 1 day → Wed 11.
AFTER_CUTOFF = Plazo(
    BUSINESS_DAYS, lima(2026, 3, 9, 17, 10), date(2026, 3, 10), lima(2026, 3, 11, 23, 59, 59)
)
# Forwarded Mon 9 Mar 16:50, before the cut-off: received Mon 9, 1 day → Tue 10.
BEFORE_CUTOFF = Plazo(
    BUSINESS_DAYS, lima(2026, 3, 9, 16, 50), date(2026, 3, 9), lima(2026, 3, 10, 23, 59, 59)
)
# Same as TWO_DAYS but answered Tue 10 Mar 11:00.
ANSWERED = Plazo(
    BUSINESS_DAYS,
    lima(2026, 3, 9, 10),
    date(2026, 3, 9),
    lima(2026, 3, 11, 23, 59, 59),
    answered_at=lima(2026, 3, 10, 11),
)
# 4 business hours from Mon 9 Mar 16:00: 1,5 h on Monday + 2,5 h Tuesday → Tue 10 11:00.
HOURS = Plazo(BUSINESS_HOURS, lima(2026, 3, 9, 16), None, lima(2026, 3, 10, 11))
# 4 business hours from Wed 1 Apr 16:00: 1,5 h + (holidays, weekend) 2,5 h → Mon 6 Apr 11:00.
HOURS_HOLY = Plazo(BUSINESS_HOURS, lima(2026, 4, 1, 16), None, lima(2026, 4, 6, 11))
# With Tuesday 10 March non-working: forwarded Mon 9 10:00, 1 day → Wed 11 Mar 23:59:59.
TUE_OFF = Plazo(DAYS, lima(2026, 3, 9, 10), date(2026, 3, 9), lima(2026, 3, 11, 23, 59, 59))

# (name, calendar, plazo, window start, window end, already covered by other windows,
#  business seconds lost, extension, new due) — None when the window took nothing.
EXAMPLES = [
    (
        "4 h on a business day inside the plazo: 1 day",
        CAL, TWO_DAYS, lima(2026, 3, 10, 10), lima(2026, 3, 10, 14), [],
        4 * H, Decimal(1), lima(2026, 3, 12, 23, 59, 59),
    ),
    (
        "a whole business day (midnight to midnight) is 9 business hours: 1 day",
        CAL, TWO_DAYS, lima(2026, 3, 10), lima(2026, 3, 11), [],
        9 * H, Decimal(1), lima(2026, 3, 12, 23, 59, 59),
    ),
    (
        "9 h 1 min rounds up to 2 days",
        CAL, TWO_DAYS, lima(2026, 3, 10, 8), lima(2026, 3, 11, 8, 31), [],
        9 * H + 60, Decimal(2), lima(2026, 3, 13, 23, 59, 59),
    ),
    (
        "a window on the weekend takes no business time",
        CAL, FRIDAY, lima(2026, 3, 7), lima(2026, 3, 8, 23), [],
        None, None, None,
    ),
    (
        "weekend plus Monday morning: only Monday 08:30–12:00 counts (3,5 h): 1 day",
        CAL, FRIDAY, lima(2026, 3, 7, 10), lima(2026, 3, 9, 12), [],
        int(3.5 * H), Decimal(1), lima(2026, 3, 10, 23, 59, 59),
    ),
    (
        "Holy week: Wed 15:00–17:30 + Mon 08:30–10:00 = 4 h, holidays skipped: 1 day",
        CAL, HOLY_WEEK, lima(2026, 4, 1, 15), lima(2026, 4, 6, 10), [],
        4 * H, Decimal(1), lima(2026, 4, 7, 23, 59, 59),
    ),
    (
        "after the cut-off the case is received the next day: the evening window is before",
        CAL, AFTER_CUTOFF, lima(2026, 3, 9, 17, 5), lima(2026, 3, 9, 17, 30), [],
        None, None, None,
    ),
    (
        "before the cut-off the plazo runs from forwarding: 30 min of business hours, 1 day",
        CAL, BEFORE_CUTOFF, lima(2026, 3, 9, 16, 55), lima(2026, 3, 9, 17, 25), [],
        30 * 60, Decimal(1), lima(2026, 3, 11, 23, 59, 59),
    ),
    (
        "window over the due day and beyond: days it also covered do not count",
        CAL, ONE_DAY, lima(2026, 3, 10, 12), lima(2026, 3, 12, 12), [],
        int(5.5 * H), Decimal(1), lima(2026, 3, 13, 23, 59, 59),
    ),
    (
        "window ending 00:30 after the due day: the next day is whole, no extra day",
        CAL, ONE_DAY, lima(2026, 3, 10, 12), lima(2026, 3, 11, 0, 30), [],
        int(5.5 * H), Decimal(1), lima(2026, 3, 11, 23, 59, 59),
    ),
    (
        "answered during the window: the plazo stopped running at the answer",
        CAL, ANSWERED, lima(2026, 3, 10, 9), lima(2026, 3, 10, 15), [],
        2 * H, Decimal(1), lima(2026, 3, 12, 23, 59, 59),
    ),
    (
        "window after the due instant: the plazo was no longer running",
        CAL, ONE_DAY, lima(2026, 3, 11, 9), lima(2026, 3, 11, 12), [],
        None, None, None,
    ),
    (
        "window before forwarding",
        CAL, ONE_DAY, lima(2026, 3, 9, 8), lima(2026, 3, 9, 9, 59), [],
        None, None, None,
    ),
    (
        "time another window already gave back is not counted twice",
        CAL, TWO_DAYS, lima(2026, 3, 10, 10), lima(2026, 3, 10, 14),
        [(lima(2026, 3, 10, 12), lima(2026, 3, 10, 16))],
        2 * H, Decimal(1), lima(2026, 3, 12, 23, 59, 59),
    ),
    (
        "a window entirely inside another one already applied adds nothing",
        CAL, TWO_DAYS, lima(2026, 3, 10, 10), lima(2026, 3, 10, 14),
        [(lima(2026, 3, 10, 9), lima(2026, 3, 10, 15))],
        None, None, None,
    ),
    (
        "hours plazo: Mon 17:00–17:30 + Tue 08:30–09:30 = 1,5 h, added after the due",
        CAL, HOURS, lima(2026, 3, 9, 17), lima(2026, 3, 10, 9, 30), [],
        int(1.5 * H), Decimal("1.50"), lima(2026, 3, 10, 12, 30),
    ),
    (
        "hours plazo, window covering the due: 1 h, counted from the end of the window",
        CAL, HOURS, lima(2026, 3, 10, 10), lima(2026, 3, 11, 10), [],
        1 * H, Decimal("1.00"), lima(2026, 3, 11, 11),
    ),
    (
        "hours plazo over Holy week: Wed 16:30–17:30 + Mon 08:30–09:00 = 1,5 h",
        CAL, HOURS_HOLY, lima(2026, 4, 1, 16, 30), lima(2026, 4, 6, 9), [],
        int(1.5 * H), Decimal("1.50"), lima(2026, 4, 6, 12, 30),
    ),
    (
        "a decreed non-working day is not business time: only Wed 08:30–10:00 counts",
        CAL_TUE_OFF, TUE_OFF, lima(2026, 3, 10), lima(2026, 3, 11, 10), [],
        int(1.5 * H), Decimal(1), lima(2026, 3, 12, 23, 59, 59),
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("cal", "plazo", "w_from", "w_to", "covered", "lost", "amount", "new_due"),
    [pytest.param(*row[1:], id=row[0]) for row in EXAMPLES],
)
def test_hand_computed_examples(cal, plazo, w_from, w_to, covered, lost, amount, new_due):
    ext = compute_extension(cal, plazo, (w_from, w_to), covered)
    if lost is None:
        assert ext is None
        return
    assert ext is not None
    assert ext.lost_seconds == lost
    assert ext.amount == amount
    assert ext.new_due_at == new_due
    assert ext.new_due_at.tzinfo is not None


def test_the_new_due_never_moves_earlier_and_days_keep_end_of_day():
    for _name, cal, plazo, w_from, w_to, covered, *_ in EXAMPLES:
        ext = compute_extension(cal, plazo, (w_from, w_to), covered)
        if ext is None:
            continue
        assert ext.new_due_at > plazo.due_at
        if plazo.unit == BUSINESS_DAYS:
            local = ext.new_due_at.astimezone(lima(2026, 1, 1).tzinfo)
            assert (local.hour, local.minute, local.second) == (23, 59, 59)
            assert cal.is_business_day(local.date())


def test_overlapping_covered_windows_are_merged():
    # Two earlier windows that overlap each other (10–12 and 11–13) cover 10–13 once.
    covered = [
        (lima(2026, 3, 10, 10), lima(2026, 3, 10, 12)),
        (lima(2026, 3, 10, 11), lima(2026, 3, 10, 13)),
    ]
    overlap = (lima(2026, 3, 10, 9), lima(2026, 3, 10, 14))
    assert lost_business_seconds(CAL, overlap, covered) == 2 * H  # 09–10 and 13–14


def test_explanation_in_spanish_names_the_days():
    ext = compute_extension(CAL, ONE_DAY, (lima(2026, 3, 10, 12), lima(2026, 3, 12, 12)))
    text = explain(ext, "Contingencia N.º 7 (SGU no disponible)")
    assert text == (
        "Contingencia N.º 7 (SGU no disponible): el plazo corría del martes 10/03/2026 12:00 "
        "al martes 10/03/2026 23:59, 5 h 30 min en horario hábil. Se amplía 1 día hábil. "
        "Nuevo vencimiento: viernes 13/03/2026 a las 23:59. No se cuentan los días que la "
        "ventana también cubrió: miércoles 11/03/2026, jueves 12/03/2026."
    )
    assert format_duration(45 * 60) == "45 min"
    assert format_duration(9 * H) == "9 h"
