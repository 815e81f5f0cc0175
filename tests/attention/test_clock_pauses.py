"""Waiting on a provider or an external entity pauses an incident's solution clock (attention
manual 9.3.6 «Indefinida», 9.3.7.3: «el plazo de atención se iniciará al momento de contar con
la respuesta del proveedor»). Resuming moves the due instant forward by the business time the
pause lasted: the time of business days, night included (a business day is 24 hours of it; a
weekend, a holiday, a declared non-working day count nothing).

Hand-computed calendar (the law's holidays, no administrator's day: this module deletes the
CalendarDay rows the run may declare): Tuesday 08/12/2026 (Inmaculada Concepción) and
Wednesday 09/12/2026 (Batalla de Ayacucho) are holidays. The incident is escalated to level 3
on Wednesday 02/12/2026 at 10:00 with criticality MEDIO × complexity MEDIA = 3 business days:
Thu 03, Fri 04, Mon 07 → due Monday 07/12 23:59:59."""

from datetime import datetime

import pytest
from django.test import Client

from attention.helpers import api_for
from sgu.attention import services
from sgu.attention.clocks import add_business_seconds, business_seconds, duration_label
from sgu.attention.models import AttentionEvent, ClockPause, Escalation
from sgu.attention.workflow import solution_late
from sgu.core.calendar import LIMA, load_calendar
from sgu.core.errors import Conflict, Forbidden, ValidationFailed
from sgu.core.models import CalendarDay

pytestmark = pytest.mark.django_db

H = 3600


def lima(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=LIMA)


@pytest.fixture(autouse=True)
def calendar_by_hand(clock, db):
    CalendarDay.objects.all().delete()


def incident(orientador, specialist, now=None):
    now = now or lima(2026, 12, 2, 10)
    q = services.register_query(
        agent=orientador,
        channel="EMAIL",
        motive="sgu-seguimiento",
        question="No se registra mi reclamo.",
        name="Rosa",
        email="rosa@example.pe",
        now=now,
    )
    l2 = services.escalate(
        agent=orientador,
        area_code="USUARIOS",
        criticality="MEDIO",
        complexity="MEDIA",
        reason="Falla al registrar.",
        query=q,
        now=now,
    )
    return services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="MEDIO",
        complexity="MEDIA",
        reason="El formulario responde con error.",
        now=now,
    )


def pause(hop, user, at, who="Proveedor de mensajería SAC"):
    return services.pause_solution(
        escalation=hop,
        user=user,
        waiting_on="PROVIDER",
        waiting_on_name=who,
        reason="El envío de correos depende del proveedor.",
        now=at,
    )


def test_the_base_due_is_monday(orientador, specialist):
    l3 = incident(orientador, specialist)
    assert l3.solution_due_at == lima(2026, 12, 7, 23, 59, 59)


def test_a_pause_over_a_night_moves_the_due_past_the_holiday(orientador, specialist, support):
    l3 = incident(orientador, specialist)
    pause(l3, support, lima(2026, 12, 3, 15))
    l3.refresh_from_db()
    assert l3.paused_at == lima(2026, 12, 3, 15) and l3.complexity == "INDEFINIDA"
    p = services.resume_solution(
        escalation=l3, user=support, note="Respondió.", now=lima(2026, 12, 4, 9)
    )
    # Thu 15:00→24:00 (9 h) + Fri 00:00→09:00 (9 h) = 18 h. Mon 07 23:59:59 + 1 s → Tue 08,
    # Wed 09 (holidays: nothing) → Thu 10 00:00 + 17:59:59 = Thu 10/12 17:59:59.
    assert p.business_seconds == 18 * H
    l3.refresh_from_db()
    assert l3.solution_due_at == lima(2026, 12, 10, 17, 59, 59) == p.due_after
    assert p.due_before == lima(2026, 12, 7, 23, 59, 59)
    assert l3.paused_at is None and l3.paused_seconds == 18 * H
    resumed = AttentionEvent.objects.get(escalation=l3, kind="RESUME")
    assert resumed.data["paused"] == "18 h 00 min"
    assert resumed.data["due"].startswith("jueves 10/12/2026 a las 17:59")


def test_a_pause_over_a_weekend_counts_only_friday_and_monday(orientador, specialist, support):
    l3 = incident(orientador, specialist)
    pause(l3, support, lima(2026, 12, 4, 17))
    p = services.resume_solution(escalation=l3, user=support, now=lima(2026, 12, 7, 8))
    # Fri 17:00→24:00 (7 h) + Sat, Sun (0) + Mon 00:00→08:00 (8 h) = 15 h.
    # Mon 07 23:59:59 + 1 s → (Tue 08, Wed 09 holidays) → Thu 10 00:00 + 14:59:59.
    assert p.business_seconds == 15 * H
    assert p.due_after == lima(2026, 12, 10, 14, 59, 59)


def test_a_pause_over_the_holiday_and_past_the_due_is_not_late(orientador, specialist, support):
    l3 = incident(orientador, specialist)
    pause(l3, support, lima(2026, 12, 7, 20))
    l3.refresh_from_db()
    # The due (Mon 07 23:59:59) passes while paused: the clock is stopped, not late.
    assert solution_late(l3, lima(2026, 12, 8, 12)) is False
    p = services.resume_solution(escalation=l3, user=support, now=lima(2026, 12, 10, 8))
    # Mon 20:00→24:00 (4 h) + Tue 08, Wed 09 holidays (0) + Thu 00:00→08:00 (8 h) = 12 h.
    # Mon 07 23:59:59 + 1 s → Thu 10 00:00 + 11:59:59.
    assert p.business_seconds == 12 * H
    l3.refresh_from_db()
    assert l3.solution_due_at == lima(2026, 12, 10, 11, 59, 59)
    assert solution_late(l3, lima(2026, 12, 10, 11, 59, 59)) is False
    assert solution_late(l3, lima(2026, 12, 10, 12)) is True


def test_a_pause_within_a_weekend_does_not_move_the_due(orientador, specialist, support):
    l3 = incident(orientador, specialist)
    pause(l3, support, lima(2026, 12, 5, 10))
    p = services.resume_solution(escalation=l3, user=support, now=lima(2026, 12, 6, 18))
    assert p.business_seconds == 0
    assert p.due_after == lima(2026, 12, 7, 23, 59, 59)


def test_a_declared_non_working_day_counts_nothing(orientador, specialist, support):
    l3 = incident(orientador, specialist)
    pause(l3, support, lima(2026, 12, 3, 12))
    # The administrator declares Friday 04/12 non-working while the incident waits.
    CalendarDay.objects.create(date=lima(2026, 12, 4).date(), reason="Día no laborable")
    p = services.resume_solution(escalation=l3, user=support, now=lima(2026, 12, 7, 6))
    # Thu 12:00→24:00 (12 h) + Fri (declared: 0) + Sat, Sun (0) + Mon 00:00→06:00 (6 h).
    assert p.business_seconds == 18 * H
    # Mon 07 23:59:59 + 1 s → (Tue, Wed holidays) Thu 10 00:00 + 17:59:59.
    assert p.due_after == lima(2026, 12, 10, 17, 59, 59)


def test_two_pauses_add_up(orientador, specialist, support):
    l3 = incident(orientador, specialist)
    pause(l3, support, lima(2026, 12, 3, 10))
    services.resume_solution(escalation=l3, user=support, now=lima(2026, 12, 3, 14))  # 4 h
    services.pause_solution(
        escalation=l3,
        user=support,
        waiting_on="EXTERNAL",
        waiting_on_name="RENIEC",
        reason="Validación de identidad.",
        now=lima(2026, 12, 3, 16),
    )
    services.resume_solution(escalation=l3, user=support, now=lima(2026, 12, 3, 18))  # 2 h
    l3.refresh_from_db()
    assert l3.paused_seconds == 6 * H
    # Mon 07 23:59:59 + 6 h → (Tue, Wed holidays) Thu 10 05:59:59.
    assert l3.solution_due_at == lima(2026, 12, 10, 5, 59, 59)
    assert list(ClockPause.objects.filter(escalation=l3).values_list("waiting_on", flat=True)) == [
        "PROVIDER",
        "EXTERNAL",
    ]


def test_answering_while_paused_resumes_first(orientador, specialist, support):
    l3 = incident(orientador, specialist)
    pause(l3, support, lima(2026, 12, 3, 15))
    services.answer_escalation(
        escalation=l3, user=support, answer="Corregido.", now=lima(2026, 12, 4, 9)
    )
    l3.refresh_from_db()
    assert l3.paused_at is None and l3.solution_due_at == lima(2026, 12, 10, 17, 59, 59)
    assert l3.solution_on_time is True
    assert ClockPause.objects.get(escalation=l3).resumed_at == lima(2026, 12, 4, 9)


def test_refusals_change_nothing(orientador, specialist, support, fiscalizador):
    l3 = incident(orientador, specialist)
    l2 = l3.parent
    with pytest.raises(ValidationFailed) as exc:
        services.pause_solution(
            escalation=l3, user=support, waiting_on="NADIE", waiting_on_name="", reason=""
        )
    assert {e.field for e in exc.value.errors} == {"waiting_on", "waiting_on_name", "reason"}
    with pytest.raises(Conflict):  # level 2 has no solution clock
        pause(Escalation.objects.get(pk=l2.pk), specialist, lima(2026, 12, 3, 10))
    with pytest.raises(Forbidden):
        pause(l3, fiscalizador, lima(2026, 12, 3, 10))
    with pytest.raises(Conflict):
        services.resume_solution(escalation=l3, user=support, now=lima(2026, 12, 3, 10))
    pause(l3, support, lima(2026, 12, 3, 10))
    with pytest.raises(Conflict):
        pause(l3, support, lima(2026, 12, 3, 11))
    assert ClockPause.objects.count() == 1
    l3.refresh_from_db()
    assert l3.solution_due_at == lima(2026, 12, 7, 23, 59, 59)


def test_the_business_time_helpers():
    cal = load_calendar()
    # Friday 23:00 → Monday 01:00: 1 h Friday + 1 h Monday.
    assert business_seconds(cal, lima(2026, 12, 4, 23), lima(2026, 12, 7, 1)) == 2 * H
    assert business_seconds(cal, lima(2026, 12, 7, 1), lima(2026, 12, 4, 23)) == 0
    # A due on a Saturday moves from Monday 00:00.
    assert add_business_seconds(cal, lima(2026, 12, 5, 12), 3 * H) == lima(2026, 12, 7, 3)
    assert duration_label(86400 + 3 * H + 20 * 60) == "1 día hábil, 3 h 20 min"
    assert duration_label(0) == "0 h 00 min"


def test_web_pause_and_resume(orientador, specialist, support, clock):
    clock.move_to(lima(2026, 12, 3, 15))
    l3 = incident(orientador, specialist, now=lima(2026, 12, 2, 10))
    client = Client()
    client.force_login(support)
    url = f"/regulador/atencion/escalamientos/{l3.pk}/"
    page = client.get(url)
    assert "Pausar el plazo de solución" in page.content.decode()
    bad = client.post(url + "pausar/", {"pausar-waiting_on": "PROVIDER", "pausar-reason": "x"})
    assert bad.status_code == 422
    assert "Indique a quién se espera" in bad.content.decode()
    assert not ClockPause.objects.exists()
    ok = client.post(
        url + "pausar/",
        {
            "pausar-waiting_on": "PROVIDER",
            "pausar-waiting_on_name": "Proveedor de mensajería SAC",
            "pausar-reason": "Caída del servicio de correo del proveedor.",
        },
        follow=True,
    )
    body = ok.content.decode()
    assert "En pausa desde" in body and "Proveedor de mensajería SAC" in body
    clock.move_to(lima(2026, 12, 4, 9))
    client.force_login(support)  # the staff session ends after hours idle
    done = client.post(url + "reanudar/", {"reanudar-note": "Restablecido."}, follow=True)
    body = done.content.decode()
    assert "estuvo en pausa 18 h 00 min" in body
    assert "10/12/2026 a las 17:59" in body
    # A 1st-level agent sees the page but no pause button (not the area's member).
    other = Client()
    other.force_login(orientador)
    assert "Pausar el plazo de solución" not in other.get(url).content.decode()


def test_api_pause_and_resume_with_problems_in_spanish(orientador, specialist, support, clock):
    clock.move_to(lima(2026, 12, 3, 15))
    l3 = incident(orientador, specialist, now=lima(2026, 12, 2, 10))
    api = api_for(support)
    bad = api.post(f"/api/v1/staff/escalations/{l3.pk}/pause", {"waiting_on": "X", "reason": "y"})
    assert bad.status_code == 422
    assert bad["Content-Type"].startswith("application/problem+json")
    bad = api.post(
        f"/api/v1/staff/escalations/{l3.pk}/pause",
        {"waiting_on": "X", "waiting_on_name": "", "reason": "y"},
    )
    assert bad.status_code == 422 and "proveedor" in bad.json()["errors"][0]["message"]
    assert not ClockPause.objects.exists()
    r = api.post(
        f"/api/v1/staff/escalations/{l3.pk}/pause",
        {"waiting_on": "EXTERNAL", "waiting_on_name": "RENIEC", "reason": "Validación."},
    )
    assert r.status_code == 200, r.content
    assert r.json()["solution_paused_at"] and r.json()["can_resume"] is True
    again = api.post(
        f"/api/v1/staff/escalations/{l3.pk}/pause",
        {"waiting_on": "EXTERNAL", "waiting_on_name": "RENIEC", "reason": "Validación."},
    )
    assert again.status_code == 409 and "pausa" in again.json()["detail"]
    clock.move_to(lima(2026, 12, 4, 9))
    api = api_for(support)  # a fresh token: a staff token lives a few hours
    r = api.post(f"/api/v1/staff/escalations/{l3.pk}/resume", {"note": "Listo."})
    assert r.status_code == 200
    assert r.json()["solution_paused_seconds"] == 18 * H
    assert r.json()["solution_due_at"].startswith("2026-12-10T22:59:59")
    # Another area's member: not found (isolation), nothing changed.
    other = api_for(specialist)
    assert other.post(f"/api/v1/staff/escalations/{l3.pk}/resume", {}).status_code in (403, 404)
