"""The citizen's ticket (attention manual: the 1st level tells the citizen, the same day, the
action taken and the average response time): on registering a consulta and on escalating it
or a case, an email with the code, what happens next and the expected response time — the
average of the last 30 days for that kind. Averages below are worked out by hand."""

from datetime import datetime

import pytest

from factories import make_case
from sgu.attention import services
from sgu.attention.models import AttentionEvent
from sgu.core.calendar import LIMA
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def lima(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LIMA)


def consulta(agent, now, *, motive="tramites-portabilidad", channel="EMAIL", email="r@x.pe"):
    return services.register_query(
        agent=agent,
        channel=channel,
        motive=motive,
        question="¿Cuánto demora?",
        name="Rosa Quispe",
        email=email,
        now=now,
    )


def answered(agent, registered, answered_at, **kw):
    q = consulta(agent, registered, **kw)
    services.answer_query(query=q, agent=agent, answer="Así.", now=answered_at)
    return q


def ticket_of(code: str) -> OutboundEmail:
    return OutboundEmail.objects.get(template="attention_ticket", case_code=code)


def test_a_consulta_ticket_tells_the_average_of_its_kind(orientador):
    # Same kind (portabilidad, virtual) answered in the last 30 days: 2 h and 4 h → 3 h.
    answered(orientador, lima(2026, 11, 23, 10), lima(2026, 11, 23, 12))
    answered(orientador, lima(2026, 11, 24, 9), lima(2026, 11, 24, 13))
    # Not of the kind or not in the window: answered 42 days before, by telephone, another
    # motive.
    answered(orientador, lima(2026, 10, 14, 10), lima(2026, 10, 14, 20))
    answered(orientador, lima(2026, 11, 24, 9), lima(2026, 11, 24, 9, 10), channel="TELEFONICO")
    answered(orientador, lima(2026, 11, 24, 9), lima(2026, 11, 25, 9), motive="tramites-bajas")

    q = consulta(orientador, lima(2026, 11, 25, 10))
    mail = ticket_of(q.code)
    assert mail.to == "r@x.pe" and mail.subject == f"Registramos su consulta: {q.code}"
    body = " ".join(mail.body_text.split())
    assert f"Su código es {q.code}" in body
    assert "Un orientador revisa su consulta y le responde a este correo." in body
    assert (
        "Tiempo de respuesta esperado: unas 3 horas (promedio de las consultas de «Portabilidad "
        "numérica» por el canal virtual respondidas en los últimos 30 días: 2)." in body
    )
    assert "Plazo máximo: 24 horas de días hábiles, vence el jueves 26/11/2026 a las 10:00." in body
    event = AttentionEvent.objects.get(query=q, kind="TICKET")
    assert event.data["email_id"] == mail.pk and "unas 3 horas" in event.note


def test_a_legal_consulta_ticket_warns_of_the_review(orientador):
    q = consulta(orientador, lima(2026, 11, 25, 10), motive="legal-derechos")
    body = " ".join(ticket_of(q.code).body_text.split())
    assert "revisión de calidad" in body
    assert "sin respuestas de este tipo en los últimos 30 días" in body


def test_without_email_the_ticket_is_recorded_for_the_agent_to_tell(orientador):
    q = consulta(orientador, lima(2026, 11, 25, 10), channel="TELEFONICO", email="")
    assert not OutboundEmail.objects.filter(template="attention_ticket").exists()
    event = AttentionEvent.objects.get(query=q, kind="TICKET")
    assert "medium" in event.data and "Plazo máximo" not in event.note  # no plazo by phone


def escalated(agent, specialist, at, answered_at, criticality):
    hop = services.escalate(
        agent=agent,
        area_code="USUARIOS",
        criticality=criticality,
        complexity="BAJA",
        reason="Criterio.",
        query=consulta(agent, at),
        now=at,
    )
    return services.answer_escalation(
        escalation=hop, user=specialist, answer="Así.", now=answered_at
    )


def test_an_escalation_ticket_tells_the_average_of_its_criticality(orientador, specialist, citizen):
    # ALTO answered in 1 and 2 business days (Mon 16/11 → Tue 17/11, Wed 18/11) → 1,5.
    escalated(orientador, specialist, lima(2026, 11, 16, 10), lima(2026, 11, 17, 10), "ALTO")
    escalated(orientador, specialist, lima(2026, 11, 16, 10), lima(2026, 11, 18, 10), "ALTO")
    # BAJO does not count for ALTO.
    escalated(orientador, specialist, lima(2026, 11, 16, 10), lima(2026, 11, 24, 10), "BAJO")

    case = make_case(citizen, now=lima(2026, 11, 25, 9))
    hop = services.escalate(
        agent=orientador,
        case=case,
        area_code="USUARIOS",
        criticality="ALTO",
        complexity="MEDIA",
        reason="Criterio.",
        now=lima(2026, 11, 25, 10),
    )
    mail = ticket_of(case.code)
    assert mail.to == citizen.email
    assert mail.subject == f"Su caso pasó al área especializada: {case.code}"
    body = " ".join(mail.body_text.split())
    assert "Su caso pasó a un área especializada del regulador (Protección de usuarios)." in body
    assert "le informamos la respuesta el mismo día" in body
    # Received Wednesday 25/11, 5 business days: Thu 26, Fri 27, Mon 30, Tue 1, Wed 2.
    assert (
        "unos 1,5 días hábiles (promedio de los escalamientos de criticidad alta respondidos "
        "en los últimos 30 días: 2). Plazo máximo: 5 días hábiles, vence el miércoles "
        "02/12/2026 a las 23:59." in body
    )
    assert AttentionEvent.objects.get(escalation=hop, kind="TICKET").data["email_id"] == mail.pk
