"""A case goes overdue exactly when DOMAIN §5 says: business days of Lima, the 17:00 cut-off,
national holidays and the days administrators declare. Every expected date below is
computed by hand and written literally."""

from datetime import date, timedelta

import pytest

from factories import lima, make_case
from sgu.cases import services
from sgu.cases.models import Case
from sgu.cases.workflow import State
from sgu.core.models import CalendarDay

ONE_DAY_PLAZO = {}  # recarga-no-acreditada: 1 business day (the factory's default)
TWO_DAY_PLAZO = {
    "subcategory": "baja-no-ejecutada",
    "fields": {"codigo_pedido": "BAJA-123", "fecha_solicitud": "2026-01-10"},
}
THREE_DAY_PLAZO = {
    "subcategory": "cobro-no-reconocido-menor",
    "fields": {"monto_reclamado": "49.90"},
}

ONE_SECOND = timedelta(seconds=1)


def assert_overdue_exactly_after(case: Case, due) -> None:
    """Open up to and including `due`; moved by the scheduler one second later, not before."""
    case.refresh_from_db()
    assert case.state == State.FORWARDED
    assert case.due_at == due
    assert services.expire_overdue_cases(now=due - timedelta(hours=12)) == 0
    assert services.expire_overdue_cases(now=due) == 0
    assert Case.objects.get(pk=case.pk).state == State.FORWARDED
    assert services.expire_overdue_cases(now=due + ONE_SECOND) == 1
    assert Case.objects.get(pk=case.pk).state == State.OVERDUE


CASES = [
    pytest.param(
        # DOMAIN §5's example: received Wed 1 April; Thu 2 and Fri 3 April are Holy Thursday
        # and Good Friday, then the weekend: day 1 is Monday 6 April.
        lima(2026, 4, 1, 10),
        ONE_DAY_PLAZO,
        date(2026, 4, 1),
        lima(2026, 4, 6, 23, 59, 59),
        [
            "jueves 02/04/2026 (feriado: Jueves Santo)",
            "viernes 03/04/2026 (feriado: Viernes Santo)",
        ],
        id="holy-week",
    ),
    pytest.param(
        # After the cut-off on the Wednesday before Holy Week: received on the next business
        # day, Monday 6 April; day 1 is Tuesday 7 April.
        lima(2026, 4, 1, 17, 30),
        ONE_DAY_PLAZO,
        date(2026, 4, 6),
        lima(2026, 4, 7, 23, 59, 59),
        ["después del corte"],
        id="holy-week-after-cutoff",
    ),
    pytest.param(
        # Registered on Holy Thursday itself: received Monday 6 April.
        lima(2026, 4, 2, 9),
        ONE_DAY_PLAZO,
        date(2026, 4, 6),
        lima(2026, 4, 7, 23, 59, 59),
        ["día no hábil: feriado: Jueves Santo"],
        id="on-a-holiday",
    ),
    pytest.param(
        # Tue 31 March, 3 days: Wed 1 April (1), Mon 6 (2), Tue 7 April (3).
        lima(2026, 3, 31, 10),
        THREE_DAY_PLAZO,
        date(2026, 3, 31),
        lima(2026, 4, 7, 23, 59, 59),
        ["Plazo: 3 días hábiles"],
        id="three-days-across-holy-week",
    ),
    pytest.param(
        # Thu 26 March, 2 days: Fri 27 (1), Mon 30 March (2).
        lima(2026, 3, 26, 10),
        TWO_DAY_PLAZO,
        date(2026, 3, 26),
        lima(2026, 3, 30, 23, 59, 59),
        ["sábado 28/03/2026 (sábado)", "domingo 29/03/2026 (domingo)"],
        id="two-days-over-a-weekend",
    ),
    pytest.param(
        # Mon 27 July 2026: 28 and 29 July are Fiestas Patrias, day 1 is Thursday 30 July.
        lima(2026, 7, 27, 10),
        ONE_DAY_PLAZO,
        date(2026, 7, 27),
        lima(2026, 7, 30, 23, 59, 59),
        ["martes 28/07/2026 (feriado:", "miércoles 29/07/2026 (feriado:"],
        id="fiestas-patrias",
    ),
    pytest.param(
        # Same day, 2 days: Thu 30 (1), Fri 31 July (2).
        lima(2026, 7, 27, 10),
        TWO_DAY_PLAZO,
        date(2026, 7, 27),
        lima(2026, 7, 31, 23, 59, 59),
        [],
        id="fiestas-patrias-two-days",
    ),
    pytest.param(
        # Wed 22 July after the cut-off: Thu 23 July is a holiday (Fuerza Aérea), received
        # Friday 24 July; day 1 is Monday 27 July.
        lima(2026, 7, 22, 18),
        ONE_DAY_PLAZO,
        date(2026, 7, 24),
        lima(2026, 7, 27, 23, 59, 59),
        ["jueves 23/07/2026 (feriado:"],
        id="23-july",
    ),
    pytest.param(
        # Friday 6 March 2026 at 17:00 sharp is already after the cut-off: received Monday 9,
        # day 1 is Tuesday 10 March.
        lima(2026, 3, 6, 17, 0, 0),
        ONE_DAY_PLAZO,
        date(2026, 3, 9),
        lima(2026, 3, 10, 23, 59, 59),
        ["después del corte de las 17:00"],
        id="friday-after-cutoff",
    ),
    pytest.param(
        # One second earlier it is received that Friday: day 1 is Monday 9 March.
        lima(2026, 3, 6, 16, 59, 59),
        ONE_DAY_PLAZO,
        date(2026, 3, 6),
        lima(2026, 3, 9, 23, 59, 59),
        ["antes del corte de las 17:00"],
        id="friday-before-cutoff",
    ),
]


@pytest.mark.parametrize(("registered", "payload", "received", "due", "explained"), CASES)
def test_overdue_exactly_when_the_rules_say(catalog, registered, payload, received, due, explained):
    case = make_case(now=registered, **payload)
    assert case.received_on == received
    for text in explained:
        assert text in case.due_explanation, case.due_explanation
    assert_overdue_exactly_after(case, due)


def test_a_decreed_non_working_day_is_not_counted(catalog):
    # Tuesday 10 March 2026 declared a non-working day: a case registered Monday 9 March
    # 10:00 with 1 business day is due Wednesday 11 March, not Tuesday 10.
    CalendarDay.objects.create(
        date=date(2026, 3, 10), is_working=False, reason="Día no laborable decretado (prueba)"
    )
    case = make_case(now=lima(2026, 3, 9, 10))
    assert "martes 10/03/2026 (día no laborable: Día no laborable decretado" in (
        case.due_explanation
    )
    # Without the decree it would be overdue from Wednesday 11 March 00:00.
    assert services.expire_overdue_cases(now=lima(2026, 3, 11, 0, 0, 0)) == 0
    assert_overdue_exactly_after(case, lima(2026, 3, 11, 23, 59, 59))


def test_a_decreed_non_working_day_on_the_received_day(catalog):
    # Registered during a decreed non-working Monday: received Tuesday, due Wednesday.
    CalendarDay.objects.create(
        date=date(2026, 3, 9), is_working=False, reason="Día no laborable decretado (prueba)"
    )
    case = make_case(now=lima(2026, 3, 9, 10))
    assert case.received_on == date(2026, 3, 10)
    assert_overdue_exactly_after(case, lima(2026, 3, 11, 23, 59, 59))


def test_a_saturday_declared_working_counts(catalog):
    # Saturday 14 March 2026 declared a working day: registered Friday 13 March 10:00 with
    # 1 business day → due that Saturday.
    CalendarDay.objects.create(
        date=date(2026, 3, 14), is_working=True, reason="Día de recuperación (prueba)"
    )
    case = make_case(now=lima(2026, 3, 13, 10))
    assert_overdue_exactly_after(case, lima(2026, 3, 14, 23, 59, 59))
