"""Two clocks per incident (attention manual 9.3.4): the response time, from the report until
the 2nd-level specialist takes it or the 3rd level makes contact (Alto 5, Medio 4, Bajo 2
business days; «taken» is an explicit action), and the solution time, from the 2nd level's
report until the 3rd level informs the solution (2 to 5 business days by criticality and
complexity, a configurable matrix). Priority is recorded beside both. Hand-computed dates:
no holiday between 25/11 and 03/12/2026."""

from datetime import datetime

import pytest
from django.test import Client

from attention.helpers import api_for
from sgu.attention import services
from sgu.attention.models import AttentionEvent
from sgu.core.calendar import LIMA
from sgu.core.errors import Conflict, Forbidden, ValidationFailed

pytestmark = pytest.mark.django_db


def lima(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=LIMA)


def report(agent, now, criticality="ALTO", priority="ALTA"):
    q = services.register_query(
        agent=agent,
        channel="EMAIL",
        motive="sgu-seguimiento",
        question="No carga mi caso.",
        name="Rosa",
        email="r@x.pe",
        now=now,
    )
    return services.escalate(
        agent=agent,
        area_code="USUARIOS",
        criticality=criticality,
        complexity="MEDIA",
        priority=priority,
        reason="Falla al ver el caso.",
        query=q,
        now=now,
    )


def test_taken_in_time_and_late_by_criticality(orientador, specialist):
    alto = report(orientador, lima(2026, 11, 25, 10))
    assert alto.priority == "ALTA" and alto.due_at == lima(2026, 12, 2, 23, 59, 59)
    services.take_escalation(escalation=alto, user=specialist, now=lima(2026, 11, 26, 9))
    alto.refresh_from_db()
    assert (alto.taken_at, alto.taken_by, alto.taken_on_time) == (
        lima(2026, 11, 26, 9),
        specialist,
        True,
    )
    # BAJO: 2 business days from Wednesday → Friday 27/11 23:59:59; taken Monday: late.
    bajo = report(orientador, lima(2026, 11, 25, 10), criticality="BAJO", priority="BAJA")
    assert bajo.due_at == lima(2026, 11, 27, 23, 59, 59)
    services.take_escalation(escalation=bajo, user=specialist, now=lima(2026, 11, 30, 9))
    bajo.refresh_from_db()
    assert bajo.taken_on_time is False
    with pytest.raises(Conflict):
        services.take_escalation(escalation=bajo, user=specialist)


def test_only_the_area_takes(orientador, fiscalizador):
    hop = report(orientador, lima(2026, 11, 25, 10))
    with pytest.raises(Forbidden):
        services.take_escalation(escalation=hop, user=fiscalizador)
    with pytest.raises(Forbidden):
        services.take_escalation(escalation=hop, user=orientador)


def test_third_level_contact_and_the_solution_clock(orientador, specialist, support):
    l2 = report(orientador, lima(2026, 11, 25, 10), criticality="MEDIO")
    # Elevated Thursday 10:00, MEDIO × ALTA = 4 business days: Fri 27, Mon 30, Tue 1, Wed 2.
    l3 = services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="MEDIO",
        complexity="ALTA",
        priority="ALTA",
        reason="Error del sistema.",
        now=lima(2026, 11, 26, 10),
    )
    assert l3.solution_business_days == 4
    assert l3.solution_due_at == lima(2026, 12, 2, 23, 59, 59)
    assert "4 días hábiles" in l3.solution_explanation
    # The 3rd level makes contact Thursday 15:00: it ends the untaken level-2 response clock.
    services.take_escalation(escalation=l3, user=support, now=lima(2026, 11, 26, 15))
    l2.refresh_from_db()
    l3.refresh_from_db()
    assert l3.taken_at == l2.taken_at == lima(2026, 11, 26, 15)
    assert l2.taken_by == support and l2.taken_on_time is True
    assert AttentionEvent.objects.get(escalation=l2, kind="TAKE").note == "Contacto del 3.er nivel."
    # Solution informed Thursday 03/12 10:00: after its plazo.
    services.answer_escalation(
        escalation=l3, user=support, answer="Corregido.", now=lima(2026, 12, 3, 10)
    )
    l3.refresh_from_db()
    assert l3.solution_on_time is False


def test_the_solution_matrix_is_configurable(orientador, specialist, settings):
    settings.SGU = {**settings.SGU, "ATTENTION": {**settings.SGU["ATTENTION"]}}
    settings.SGU["ATTENTION"]["SOLUTION_BUSINESS_DAYS"] = {
        "BAJO": {"BAJA": 5, "MEDIA": 5, "ALTA": 5, "MUY_ALTA": 5, "INDEFINIDA": 5}
    }
    l2 = report(orientador, lima(2026, 11, 25, 10), criticality="BAJO")
    l3 = services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="BAJO",
        complexity="BAJA",
        reason="x",
        now=lima(2026, 11, 27, 16),
    )
    # Friday 16:00 (before 17:00): Mon 30, Tue 1, Wed 2, Thu 3, Fri 4.
    assert l3.solution_due_at == lima(2026, 12, 4, 23, 59, 59)


def test_default_matrix_bajo_baja_answered_in_time(orientador, specialist, support):
    l2 = report(orientador, lima(2026, 11, 25, 10), criticality="BAJO")
    l3 = services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="BAJO",
        complexity="BAJA",
        reason="x",
        now=lima(2026, 11, 27, 16),
    )
    assert l3.solution_due_at == lima(2026, 12, 1, 23, 59, 59)  # Mon 30, Tue 1
    services.answer_escalation(
        escalation=l3, user=support, answer="Listo.", now=lima(2026, 12, 1, 18)
    )
    l3.refresh_from_db()
    assert l3.solution_on_time is True


def test_a_bad_priority_is_refused(orientador):
    with pytest.raises(ValidationFailed) as exc:
        report(orientador, lima(2026, 11, 25, 10), priority="URGENTE")
    assert [e.field for e in exc.value.errors] == ["priority"]


def test_take_on_the_web_and_the_api(orientador, specialist, support):
    hop = report(orientador, lima(2026, 11, 25, 10))
    c = Client()
    c.force_login(specialist)
    page = c.get(f"/regulador/atencion/escalamientos/{hop.pk}/").content.decode()
    assert "Tomar la incidencia" in page and "Alta · Media · Alta" in page
    r = c.post(f"/regulador/atencion/escalamientos/{hop.pk}/tomar/")
    assert r.status_code == 302
    hop.refresh_from_db()
    assert hop.taken_by == specialist
    page = c.get(f"/regulador/atencion/escalamientos/{hop.pk}/").content.decode()
    assert "Tomar la incidencia" not in page

    other = report(orientador, lima(2026, 11, 25, 10))
    api = api_for(specialist)
    assert api.get(f"/api/v1/staff/escalations/{other.pk}").json()["can_take"] is True
    r = api.post(f"/api/v1/staff/escalations/{other.pk}/take", {})
    assert r.status_code == 200 and r.json()["taken_at"] and r.json()["can_take"] is False
    assert (
        api_for(support).post(f"/api/v1/staff/escalations/{other.pk}/take", {}).status_code == 404
    )


def test_the_criteria_are_shown_next_to_the_choice(orientador, specialist):
    hop = report(orientador, lima(2026, 11, 25, 10))
    first, second = Client(), Client()
    first.force_login(orientador)
    second.force_login(specialist)
    fresh = services.register_query(
        agent=orientador, channel="WEB", motive="sgu-cuenta", question="¿?", name="Ana"
    )
    pages = [
        first.get("/regulador/atencion/escalar/").content.decode(),  # from the 1st level
        first.get(f"/regulador/atencion/consultas/{fresh.code}/").content.decode(),
        second.get(f"/regulador/atencion/escalamientos/{hop.pk}/").content.decode(),  # to L3
    ]
    for html in pages:
        assert "Existe una pérdida parcial de los servicios." in html  # Alto (9.3.5)
        assert "afectan a un grupo reducido de usuarios" in html  # Medio
        assert "no afectan las funciones ni las operaciones" in html  # Bajo
        for text in (
            "se cuenta con una plantilla para la solución",  # Baja (9.3.6)
            "ocurre con poca frecuencia en el año",  # Media
            "como máximo una o dos veces al año",  # Alta
            "revisiones técnicas sobre la plataforma",  # Muy alta
            "proveen entidades externas",  # Indefinida
        ):
            assert text in html


def up_to_support(l2, specialist, now):
    return services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality=l2.criticality,
        complexity="MEDIA",
        reason="Error del sistema.",
        now=now,
    )


def test_level_2_elevates_the_same_day_or_is_flagged(orientador, specialist):
    same = report(orientador, lima(2026, 11, 25, 10))
    up_to_support(same, specialist, lima(2026, 11, 25, 15))
    late = report(orientador, lima(2026, 11, 25, 10))
    up_to_support(late, specialist, lima(2026, 11, 26, 9))
    same.refresh_from_db()
    late.refresh_from_db()
    assert same.elevated_same_day is True and late.elevated_same_day is False
    c = Client()
    c.force_login(specialist)
    page = c.get(f"/regulador/atencion/escalamientos/{late.pk}/").content.decode()
    assert "No se elevó el mismo día" in page


def test_level_2_has_one_business_day_to_validate(orientador, specialist, support):
    from sgu.attention.workflow import validation_late

    l2 = report(orientador, lima(2026, 11, 25, 10))
    l3 = up_to_support(l2, specialist, lima(2026, 11, 25, 11))
    # Level 3 answers Thursday 15:00 → validate by Friday 27/11 23:59:59.
    services.answer_escalation(
        escalation=l3, user=support, answer="Ok.", now=lima(2026, 11, 26, 15)
    )
    l2.refresh_from_db()
    assert l2.validation_due_at == lima(2026, 11, 27, 23, 59, 59)
    assert not validation_late(l2, lima(2026, 11, 27, 23, 59, 59))
    assert validation_late(l2, lima(2026, 11, 28, 0, 0, 0))
    api = api_for(specialist)
    assert api.get(f"/api/v1/staff/escalations/{l2.pk}").json()["validation_due_at"]
    services.answer_escalation(
        escalation=l2, user=specialist, answer="Ok.", now=lima(2026, 11, 28, 10)
    )
    l2.refresh_from_db()
    assert l2.validation_on_time is False and validation_late(l2, lima(2026, 11, 28, 10))

    # Answered Friday 17:30, after the cut-off: received Monday 30/11 → Tuesday 01/12.
    other = report(orientador, lima(2026, 11, 25, 10))
    l3 = up_to_support(other, specialist, lima(2026, 11, 25, 11))
    services.answer_escalation(
        escalation=l3, user=support, answer="Ok.", now=lima(2026, 11, 27, 17, 30)
    )
    other.refresh_from_db()
    assert other.validation_due_at == lima(2026, 12, 1, 23, 59, 59)
    services.answer_escalation(
        escalation=other, user=specialist, answer="Ok.", now=lima(2026, 12, 1, 12)
    )
    other.refresh_from_db()
    assert other.validation_on_time is True


def test_extending_a_plazo_is_recorded_and_emailed(orientador, specialist, support):
    from sgu.notifications.models import OutboundEmail

    hop = report(orientador, lima(2026, 11, 25, 10), criticality="BAJO")  # due Fri 27/11
    with pytest.raises(ValidationFailed) as exc:
        services.extend_escalation(escalation=hop, user=specialist, days=0, reason="")
    assert {e.field for e in exc.value.errors} == {"days", "reason"}
    with pytest.raises(Forbidden):
        services.extend_escalation(escalation=hop, user=orientador, days=2, reason="x")
    # Two more business days after Friday 27/11: Monday 30/11, Tuesday 01/12.
    services.extend_escalation(
        escalation=hop,
        user=specialist,
        days=2,
        reason="Esperamos la información de la operadora.",
        now=lima(2026, 11, 26, 9),
    )
    hop.refresh_from_db()
    assert hop.due_at == lima(2026, 12, 1, 23, 59, 59)
    event = AttentionEvent.objects.get(escalation=hop, kind="EXTEND")
    assert event.note == "Esperamos la información de la operadora."
    mail = OutboundEmail.objects.get(pk=event.data["email_id"])
    assert mail.to == "r@x.pe" and "martes 01/12/2026 a las 23:59" in mail.body_text

    # At level 3 the solution clock is the one extended (BAJO × MEDIA = 2: Mon 30, Tue 1).
    l3 = services.escalate_up(
        escalation=report(orientador, lima(2026, 11, 25, 10), criticality="BAJO"),
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="BAJO",
        complexity="MEDIA",
        reason="x",
        now=lima(2026, 11, 27, 10),
    )
    assert l3.solution_due_at == lima(2026, 12, 1, 23, 59, 59)
    r = api_for(support).post(
        f"/api/v1/staff/escalations/{l3.pk}/extend", {"days": 1, "reason": "Proveedor."}
    )
    # Wednesday 02/12 23:59:59 Lima is 03/12 04:59:59 UTC.
    assert r.status_code == 200 and r.json()["solution_due_at"].startswith("2026-12-03T04:59:59")
    r = api_for(support).post(
        f"/api/v1/staff/escalations/{l3.pk}/extend", {"days": 99, "reason": "x"}
    )
    assert r.status_code == 422


def test_extend_on_the_web(orientador, specialist):
    hop = report(orientador, lima(2026, 11, 25, 10))
    c = Client()
    c.force_login(specialist)
    assert (
        "Ampliar el plazo" in c.get(f"/regulador/atencion/escalamientos/{hop.pk}/").content.decode()
    )
    bad = c.post(f"/regulador/atencion/escalamientos/{hop.pk}/ampliar/", {"ampliar-days": "1"})
    assert bad.status_code == 422
    r = c.post(
        f"/regulador/atencion/escalamientos/{hop.pk}/ampliar/",
        {"ampliar-days": "1", "ampliar-reason": "Falta un informe."},
    )
    assert r.status_code == 302 and AttentionEvent.objects.filter(kind="EXTEND").exists()
