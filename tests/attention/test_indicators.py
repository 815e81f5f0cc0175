"""Monthly indicators of the attention levels on a data set computed by hand (March and
April 2026, Lima months), on the page and in the CSV."""

from datetime import date

import pytest
from django.test import Client

from factories import lima, make_case
from sgu.attention import selectors, services

pytestmark = pytest.mark.django_db


def query(agent, now):
    return services.register_query(
        agent=agent,
        channel="PRESENCIAL",
        topic="Tema",
        motive="otros-informacion",
        question="¿Pregunta?",
        name="Ciudadano",
        email="c@example.pe",
        now=now,
    )


def hop(agent, now, area, criticality, **item):
    return services.escalate(
        agent=agent,
        area_code=area,
        criticality=criticality,
        complexity="MEDIA",
        reason="Ayuda.",
        now=now,
        **item,
    )


@pytest.fixture
def march(orientador, specialist, fiscalizador, support, citizen):
    # Q1: answered at the 1st level.
    q1 = query(orientador, lima(2026, 3, 2, 9))
    services.answer_query(query=q1, agent=orientador, answer="Así.", now=lima(2026, 3, 2, 9, 10))

    # Q2: to Usuarios Tue 3 March, MEDIO (4: due Mon 9); answered Thu 5 → 2 business days,
    # on time; informed → resolved at level 2.
    q2 = query(orientador, lima(2026, 3, 3, 9))
    h = hop(orientador, lima(2026, 3, 3, 10), "USUARIOS", "MEDIO", query=q2)
    h = services.answer_escalation(
        escalation=h, user=specialist, answer="R2", now=lima(2026, 3, 5, 10)
    )
    services.inform_citizen(escalation=h, user=orientador, message="R2", now=lima(2026, 3, 5, 11))

    # Q3: to Fiscalización Wed 4 (ALTO), sent back Thu 5; re-routed to Usuarios Thu 5 10:00
    # (ALTO 5: due Thu 12); on to Soporte Fri 6 (BAJO 2: due Tue 10); Soporte answers Wed 11
    # → 3 business days (9, 10, 11), late; Usuarios answers Wed 11 15:00 → 4 business days
    # (6, 9, 10, 11), on time; informed the next morning (not the same day) → resolved at
    # level 3.
    q3 = query(orientador, lima(2026, 3, 4, 9))
    wrong = hop(orientador, lima(2026, 3, 4, 10), "FISCALIZACION", "ALTO", query=q3)
    services.send_back(escalation=wrong, user=fiscalizador, reason="No.", now=lima(2026, 3, 5, 9))
    h = hop(orientador, lima(2026, 3, 5, 10), "USUARIOS", "ALTO", query=q3)
    h3 = services.escalate_up(
        escalation=h,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="BAJO",
        complexity="ALTA",
        reason="Sistema.",
        now=lima(2026, 3, 6, 10),
    )
    services.answer_escalation(escalation=h3, user=support, answer="R3", now=lima(2026, 3, 11, 10))
    h.refresh_from_db()
    h = services.answer_escalation(
        escalation=h, user=specialist, answer="R3", now=lima(2026, 3, 11, 15)
    )
    services.inform_citizen(escalation=h, user=orientador, message="R3", now=lima(2026, 3, 12, 9))

    # C1: a case escalated Mon 9 March (BAJO), still pending.
    case = make_case(citizen, now=lima(2026, 3, 9, 9))
    hop(orientador, lima(2026, 3, 9, 10), "USUARIOS", "BAJO", case=case)

    # Q4: Tuesday 31 March 23:00 in Lima is 1 April in UTC: it is March's.
    query(orientador, lima(2026, 3, 31, 23))

    # April: Q5, answered at the 1st level.
    q5 = query(orientador, lima(2026, 4, 1, 10))
    services.answer_query(query=q5, agent=orientador, answer="Así.", now=lima(2026, 4, 1, 10, 5))


def test_monthly_indicators_by_hand(march):
    mar, apr = selectors.monthly_indicators(date(2026, 3, 1), date(2026, 4, 30))
    assert mar == {
        "month": date(2026, 3, 1),
        "queries": 4,  # Q1–Q4
        "escalated_cases": 1,  # C1
        "attentions": 5,
        "escalations_l2": 4,  # Q2, Q3→Fiscalización, Q3→Usuarios, C1
        "escalations_l3": 1,  # Q3→Soporte
        "resolved": 3,  # Q1 (1), Q2 (2), Q3 (3)
        "resolved_l1_pct": 33.3,
        "resolved_l2_pct": 33.3,
        "resolved_l3_pct": 33.3,
        # Decided hops: 3 answered (Q2, Q3 Usuarios, Q3 Soporte) + 1 sent back; C1 pending.
        "routed_ok_pct": 75.0,
        "informed_same_day_pct": 50.0,  # Q2 the same day, Q3 the next day
        "avg_days_ALTO": 4.0,  # Q3 Usuarios (the Fiscalización hop was sent back)
        "within_pct_ALTO": 100.0,
        "avg_days_MEDIO": 2.0,  # Q2
        "within_pct_MEDIO": 100.0,
        "avg_days_BAJO": 3.0,  # Q3 Soporte (late); C1 pending is not counted
        "within_pct_BAJO": 0.0,
    }
    assert apr["queries"] == 1 and apr["attentions"] == 1 and apr["resolved"] == 1
    assert apr["resolved_l1_pct"] == 100.0
    assert apr["routed_ok_pct"] is None and apr["avg_days_ALTO"] is None


def test_indicators_page_and_csv(march, supervisor):
    client = Client()
    client.force_login(supervisor)
    page = client.get("/regulador/atencion/indicadores/?desde=2026-03-01&hasta=2026-04-30")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bien derivados" in html and "75,0" in html and "33,3" in html
    assert "Escalamientos del mes (2.º y 3.er nivel) que el área respondió" in html  # definition

    csv = client.get("/regulador/atencion/indicadores.csv?desde=2026-03-01&hasta=2026-04-30")
    assert csv.status_code == 200
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("mes,Consultas registradas (consultas),Casos escalados (casos)")
    assert (
        lines[1] == '2026-03,4,1,5,4,1,3,"33,3","33,3","33,3","75,0","50,0",'
        '"4,0","100,0","2,0","100,0","3,0","0,0"'
    )
    # April: no hop decided, so no routing or response-time figure (empty, not 0).
    assert lines[2] == '2026-04,1,0,1,0,0,1,"100,0","0,0","0,0",,,,,,,,'


def test_bad_period_is_named_and_replaced(supervisor, areas):
    client = Client()
    client.force_login(supervisor)
    page = client.get("/regulador/atencion/indicadores/?desde=marzo")
    assert page.status_code == 200
    assert "La fecha «desde» debe ser AAAA-MM-DD." in page.content.decode()
