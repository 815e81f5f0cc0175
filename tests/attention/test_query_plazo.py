"""A virtual consulta's plazo (attention manual, 7.4.1.1): answered within 24 hours;
emails received on a non-business day or after 16:30 count as received the next business
day. The attention's 16:30 cut-off is its own setting; the SGU's 17:00 is untouched.

Every expected instant below was worked out by hand (2026: Thu 2 Apr and Fri 3 Apr are
Jueves and Viernes Santo; Fri 1 Jan 2027 is a holiday)."""

from datetime import datetime, time, timedelta

import pytest
from django.test import Client

from attention.helpers import api_for
from sgu.attention import services
from sgu.attention.workflow import query_has_plazo, query_late
from sgu.core.calendar import LIMA, BusinessCalendar, load_calendar

ATTENTION = BusinessCalendar(non_working={}, working={}, cutoff=time(16, 30))


def lima(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=LIMA)


@pytest.mark.parametrize(
    ("sent", "received", "due"),
    [
        # Wednesday morning: received at once, due the same time Thursday.
        (lima(2026, 11, 25, 10), lima(2026, 11, 25, 10), lima(2026, 11, 26, 10)),
        # One second before the 16:30 cut-off: still that day.
        (
            lima(2026, 11, 25, 16, 29, 59),
            lima(2026, 11, 25, 16, 29, 59),
            lima(2026, 11, 26, 16, 29, 59),
        ),
        # At 16:30 exactly (and at 16:45, before the SGU's 17:00): received Thursday 08:30.
        (lima(2026, 11, 25, 16, 30), lima(2026, 11, 26, 8, 30), lima(2026, 11, 27, 8, 30)),
        (lima(2026, 11, 25, 16, 45), lima(2026, 11, 26, 8, 30), lima(2026, 11, 27, 8, 30)),
        # Before opening on a business day: counted from the opening.
        (lima(2026, 11, 25, 7, 10), lima(2026, 11, 25, 8, 30), lima(2026, 11, 26, 8, 30)),
        # Friday 10:00: the weekend does not count, due Monday 10:00.
        (lima(2026, 11, 27, 10), lima(2026, 11, 27, 10), lima(2026, 11, 30, 10)),
        # Saturday: received Monday 08:30, due Tuesday 08:30.
        (lima(2026, 11, 28, 18, 13), lima(2026, 11, 30, 8, 30), lima(2026, 12, 1, 8, 30)),
        # Wednesday before Holy Thursday: 7 h 31 min Wednesday, the rest Monday.
        (lima(2026, 4, 1, 16, 29), lima(2026, 4, 1, 16, 29), lima(2026, 4, 6, 16, 29)),
        # … and after its 16:30: received Monday 6 April 08:30, due Tuesday 08:30.
        (lima(2026, 4, 1, 16, 45), lima(2026, 4, 6, 8, 30), lima(2026, 4, 7, 8, 30)),
        # New Year's Eve morning: 1 January, then the weekend, are skipped.
        (lima(2026, 12, 31, 10), lima(2026, 12, 31, 10), lima(2027, 1, 4, 10)),
        # The last second of the year: after the cut-off, received Monday 4 January.
        (lima(2026, 12, 31, 23, 59, 59), lima(2027, 1, 4, 8, 30), lima(2027, 1, 5, 8, 30)),
    ],
)
def test_virtual_plazo_hand_computed(sent, received, due):
    deadline = ATTENTION.add_hours_of_business_days(sent, 24)
    assert deadline.counted_from == received
    assert deadline.due_at == due


def test_the_explanation_says_why():
    text = ATTENTION.add_hours_of_business_days(lima(2026, 4, 1, 16, 45), 24).explanation()
    assert "después del corte de las 16:30" in text
    assert "jueves 02/04/2026" in text and "Vence: martes 07/04/2026 a las 08:30" in text


def test_in_person_and_telephone_have_no_plazo():
    assert query_has_plazo("EMAIL") and query_has_plazo("WEB") and query_has_plazo("APP")
    assert not query_has_plazo("PRESENCIAL") and not query_has_plazo("TELEFONICO")


@pytest.mark.django_db
def test_the_attention_cutoff_is_its_own_setting(orientador):
    # 16:45 on a Wednesday: a case is received that day (SGU cut-off 17:00) …
    at = lima(2026, 11, 25, 16, 45)
    assert load_calendar().cutoff == time(17, 0)
    assert load_calendar().received_day(at) == at.date()
    # … a virtual consulta the next business day (the attention's 16:30).
    q = _query(orientador, at, channel="EMAIL")
    assert q.received_at == lima(2026, 11, 26, 8, 30)
    assert q.due_at == lima(2026, 11, 27, 8, 30)
    assert "16:30" in q.due_explanation


@pytest.mark.django_db
def test_the_cutoff_setting_moves_the_reception(orientador, settings):
    settings.SGU = {**settings.SGU, "ATTENTION": {**settings.SGU["ATTENTION"]}}
    settings.SGU["ATTENTION"]["QUERY_CUTOFF"] = "17:00"
    q = _query(orientador, lima(2026, 11, 25, 16, 45), channel="WEB")
    assert q.due_at == lima(2026, 11, 26, 16, 45)


def _query(agent, now, channel="EMAIL", **kw):
    return services.register_query(
        agent=agent,
        channel=channel,
        topic="Portabilidad",
        motive="tramites-portabilidad",
        question="¿Cuánto demora?",
        name="Rosa",
        email="rosa@example.pe",
        now=now,
        **kw,
    )


@pytest.mark.django_db
def test_a_telephone_consulta_has_no_clock(orientador):
    q = _query(orientador, lima(2026, 11, 25, 10), channel="TELEFONICO")
    assert q.due_at is None and q.received_at is None
    assert not query_late(q, lima(2027, 1, 1))


@pytest.mark.django_db
def test_answered_at_the_due_instant_is_on_time_one_minute_later_is_late(orientador):
    on = _query(orientador, lima(2026, 11, 25, 10))
    services.answer_query(query=on, agent=orientador, answer="Así.", now=lima(2026, 11, 26, 10))
    on.refresh_from_db()
    assert (on.first_response_at, on.on_time) == (lima(2026, 11, 26, 10), True)
    assert not query_late(on, lima(2027, 1, 1))

    late = _query(orientador, lima(2026, 11, 25, 10))
    assert not query_late(late, lima(2026, 11, 26, 10))
    assert query_late(late, lima(2026, 11, 26, 10, 0, 1))
    services.answer_query(
        query=late, agent=orientador, answer="Así.", now=lima(2026, 11, 26, 10, 1)
    )
    late.refresh_from_db()
    assert late.on_time is False and query_late(late, lima(2026, 11, 26, 10, 1))


@pytest.mark.django_db
def test_escalating_is_the_first_response_and_stops_the_clock(orientador, specialist):
    q = _query(orientador, lima(2026, 11, 27, 10))  # Friday: due Monday 10:00
    services.escalate(
        agent=orientador,
        area_code="USUARIOS",
        criticality="BAJO",
        complexity="BAJA",
        reason="Criterio del área.",
        query=q,
        now=lima(2026, 11, 30, 9, 59),
    )
    q.refresh_from_db()
    assert (q.first_response_at, q.on_time) == (lima(2026, 11, 30, 9, 59), True)
    assert not query_late(q, lima(2026, 12, 30))


@pytest.mark.django_db
def test_the_list_shows_the_due_time_countdown_and_late_flag(orientador, clock):
    from django.utils import timezone

    now = timezone.now()
    old = _query(orientador, now - timedelta(days=20), channel="EMAIL")
    fresh = _query(orientador, now, channel="WEB")
    phone = _query(orientador, now, channel="TELEFONICO")
    c = Client()
    c.force_login(orientador)
    html = c.get("/regulador/atencion/consultas/").content.decode()
    row = {q.code: html.split(q.code, 2)[2].split("</tr>")[0] for q in (old, fresh, phone)}
    assert "Fuera de plazo" in row[old.code] and "Vencida hace" in row[old.code]
    assert "Fuera de plazo" not in row[fresh.code] and "Vence en" in row[fresh.code]
    assert "Sin plazo" in row[phone.code]

    html = c.get("/regulador/atencion/consultas/?plazo=vencidas").content.decode()
    assert old.code in html and fresh.code not in html and phone.code not in html

    page = c.get(f"/regulador/atencion/consultas/{old.code}/").content.decode()
    assert "Fuera de plazo" in page and "Cómo se calculó el plazo" in page


@pytest.mark.django_db
def test_the_api_gives_the_clock(orientador):
    from django.utils import timezone

    old = _query(orientador, timezone.now() - timedelta(days=20))
    body = api_for(orientador).get(f"/api/v1/staff/queries/{old.code}").json()
    assert body["late"] is True and body["due_at"] and body["first_response_at"] is None
    assert "24 horas" in body["due_explanation"]
