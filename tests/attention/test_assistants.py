"""Each assistant's record (attention manual 7.4.1.1: the consultas attended in the day) and
the response time report per assistant (7.4.2.1: initial response, average, within plazo),
with CSV. Every figure below is worked out by hand."""

from csv import reader
from datetime import datetime

import pytest
from django.test import Client

from attention.helpers import make_staff
from sgu.attention import services
from sgu.core.calendar import LIMA

pytestmark = pytest.mark.django_db


def lima(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LIMA)


def consulta(agent, now, channel="EMAIL"):
    return services.register_query(
        agent=agent,
        channel=channel,
        motive="tramites-portabilidad",
        question="¿?",
        name="Rosa",
        email="r@x.pe",
        now=now,
    )


def answer(q, agent, now):
    services.answer_query(query=q, agent=agent, answer="Así.", now=now)


@pytest.fixture
def day(orientador, specialist):
    ana = make_staff(first="Ana")
    q1 = consulta(orientador, lima(2026, 11, 25, 9))  # email, answered in 1 h 30
    answer(q1, orientador, lima(2026, 11, 25, 10, 30))
    q2 = consulta(orientador, lima(2026, 11, 25, 11), channel="TELEFONICO")  # 10 min
    answer(q2, orientador, lima(2026, 11, 25, 11, 10))
    q3 = consulta(orientador, lima(2026, 11, 25, 12))  # escalated after 30 min
    services.escalate(
        agent=orientador,
        area_code="USUARIOS",
        criticality="BAJO",
        complexity="BAJA",
        reason="Criterio.",
        query=q3,
        now=lima(2026, 11, 25, 12, 30),
    )
    # Ana's, Tuesday 10:00 by email (due Wednesday 10:00), answered by Luis Wednesday 11:00.
    q4 = consulta(ana, lima(2026, 11, 24, 10))
    answer(q4, orientador, lima(2026, 11, 25, 11))
    # Luis's on Tuesday, by telephone, still open.
    q5 = consulta(orientador, lima(2026, 11, 24, 15), channel="TELEFONICO")
    return {"ana": ana, "q": [q1, q2, q3, q4, q5]}


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def csv_rows(response) -> list[list[str]]:
    return list(reader(b"".join(response.streaming_content).decode("utf-8-sig").splitlines()))


def test_the_daily_record_lists_what_the_assistant_handled(orientador, day):
    q1, q2, q3, q4, q5 = day["q"]
    c = client_for(orientador)
    html = c.get("/regulador/atencion/registro/?fecha=2026-11-25").content.decode()
    assert all(q.code in html for q in (q1, q2, q3, q4)) and q5.code not in html
    rows = csv_rows(c.get("/regulador/atencion/registro.csv?fecha=2026-11-25"))
    by_code = {r[0]: r for r in rows[1:]}
    assert set(by_code) == {q1.code, q2.code, q3.code, q4.code}
    # initial response in minutes, and within plazo (virtual only)
    assert (by_code[q1.code][7], by_code[q1.code][8]) == ("90", "sí")
    assert (by_code[q2.code][7], by_code[q2.code][8]) == ("10", "")
    assert (by_code[q3.code][7], by_code[q3.code][8]) == ("30", "sí")
    assert (by_code[q4.code][7], by_code[q4.code][8]) == ("1500", "no")


def test_an_assistant_sees_only_their_own_record(orientador, day):
    q4 = day["q"][3]
    ana = client_for(day["ana"])
    # Asking for Luis's record gives her own (she registered nothing on Wednesday).
    html = ana.get(
        f"/regulador/atencion/registro/?fecha=2026-11-25&asistente={orientador.pk}"
    ).content.decode()
    assert q4.code not in html and "Sin consultas ese día" in html


def test_the_supervisor_reads_anyones_record(orientador, supervisor, day):
    html = (
        client_for(supervisor)
        .get(f"/regulador/atencion/registro/?fecha=2026-11-24&asistente={day['ana'].pk}")
        .content.decode()
    )
    assert day["q"][3].code in html
    r = client_for(supervisor).get("/regulador/atencion/registro/?asistente=999999")
    assert r.status_code == 404


def test_response_times_per_assistant(orientador, supervisor, day):
    c = client_for(supervisor)
    page = c.get("/regulador/atencion/orientadores/?desde=2026-11-24&hasta=2026-11-25")
    assert page.status_code == 200 and "Ana Torres" in page.content.decode()
    rows = csv_rows(c.get("/regulador/atencion/orientadores.csv?desde=2026-11-24&hasta=2026-11-25"))
    by_email = {r[1]: r[2:] for r in rows[1:]}
    # Luis: registered q1, q2, q3, q5; answered q1, q2; initial (90 + 10 + 30) / 3 = 43.3
    # min; average answer (90 + 10) / 2 = 50 min; virtual first responses q1, q3 on time.
    assert by_email[orientador.email] == ["4", "2", "43", "50", "100,0"]
    # Ana: q4 answered 25 h after registration, one hour late.
    assert by_email[day["ana"].email] == ["1", "1", "1500", "1500", "0,0"]


def test_the_report_is_for_the_supervisor(orientador):
    c = client_for(orientador)
    assert c.get("/regulador/atencion/orientadores/").status_code == 403
    assert c.get("/regulador/atencion/orientadores.csv").status_code == 403
