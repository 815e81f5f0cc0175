"""The citizen rates the regulator's own attention (not the operator's answer): offered after
an assisted case registration or a consulta, by a single-use emailed link or in their
account; results per office and per agent for supervisors."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from attention.helpers import make_staff
from factories import Mailbox, case_payload, lima, make_citizen
from sgu.attention import services
from sgu.attention.models import Survey
from sgu.cases import services as cases

pytestmark = pytest.mark.django_db


def assisted_case(agent, now=None):
    return services.register_assisted_case(
        agent=agent,
        citizen=cases.CitizenInput(
            document_type="DNI",
            document_number="41234567",
            first_name="Rosa",
            last_name="Quispe",
            email="rosa.quispe@example.pe",
            phone="987111222",
        ),
        channel="PRESENCIAL",
        data=cases.CaseInput(**case_payload()),
        now=now,
    )


def answered_query(agent, email="c@example.pe", **kw):
    q = services.register_query(
        agent=agent,
        channel="TELEFONICO",
        topic="T",
        motive="otros-informacion",
        question="¿P?",
        name="C",
        email=email,
        **kw,
    )
    services.answer_query(query=q, agent=agent, answer="R")
    return q


def survey_link(mailbox, address) -> str:
    msg = mailbox.wait_for(address, "¿Cómo le atendimos?")
    match = re.search(r"http://[^\s]+/atencion/encuesta/[^\s/]+/", Mailbox.text(msg))
    assert match, Mailbox.text(msg)
    return match.group(0).split("://", 1)[1].split("/", 1)[1]


def test_assisted_registration_emails_a_single_use_link(orientador, mailbox, tasks):
    case = assisted_case(orientador)
    survey = Survey.objects.get(case=case)
    assert (survey.office.code, survey.agent) == ("LIMA-SEDE", orientador)
    tasks()
    path = "/" + survey_link(mailbox, "rosa.quispe@example.pe")
    anon = Client()
    page = anon.get(path)
    assert page.status_code == 200
    assert "No es sobre la respuesta de la operadora" in page.content.decode()

    bad = anon.post(path, {"score": "6", "comment": "x"})
    assert bad.status_code == 422
    assert "Elija una calificación de 1 a 5." in bad.content.decode()
    survey.refresh_from_db()
    assert survey.answered_at is None and survey.score is None

    ok = anon.post(path, {"score": "4", "comment": "Amable y rápido."})
    assert ok.status_code == 200 and "Gracias por su opinión" in ok.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.comment, survey.answered_via) == (4, "Amable y rápido.", "LINK")

    again = anon.post(path, {"score": "1"})
    assert again.status_code == 409
    assert "Esta encuesta ya fue respondida" in again.content.decode()
    survey.refresh_from_db()
    assert survey.score == 4

    assert anon.get("/atencion/encuesta/no-existe/").status_code == 404


def test_expired_link_is_refused(orientador):
    q = answered_query(orientador)
    survey = Survey.objects.get(query=q)
    with pytest.raises(Exception, match="venció"):
        services.answer_survey(
            survey=survey, score=5, via="LINK", now=survey.expires_at + timedelta(seconds=1)
        )


def test_citizen_answers_from_their_account_and_nobody_elses(orientador, catalog):
    owner = make_citizen()
    other = make_citizen()
    q = answered_query(
        orientador, email="", document_type="DNI", document_number=owner.document_number
    )
    survey = Survey.objects.get(query=q)
    assert survey.citizen == owner

    mine = Client()
    mine.force_login(owner)
    listing = mine.get("/atencion/mis-encuestas/")
    assert listing.status_code == 200 and q.code in listing.content.decode()

    intruder = Client()
    intruder.force_login(other)
    assert q.code not in intruder.get("/atencion/mis-encuestas/").content.decode()
    assert intruder.get(f"/atencion/mis-encuestas/{survey.pk}/").status_code == 404
    assert intruder.post(f"/atencion/mis-encuestas/{survey.pk}/", {"score": "1"}).status_code == 404

    done = mine.post(f"/atencion/mis-encuestas/{survey.pk}/", {"score": "5"})
    assert done.status_code == 200
    survey.refresh_from_db()
    assert (survey.score, survey.answered_via) == (5, "ACCOUNT")


def test_results_per_office_and_agent(areas, supervisor):
    a = make_staff(first="Ana")  # at LIMA-SEDE
    b = make_staff(first="Beto", office=False)  # on the phone line, no office
    now = lima(2026, 3, 10, 10)
    surveys = []
    for agent in (a, a, a, b):
        q = services.register_query(
            agent=agent,
            channel="TELEFONICO",
            topic="T",
            motive="otros-informacion",
            question="?",
            name="C",
            email="c@example.pe",
            now=now,
        )
        services.answer_query(query=q, agent=agent, answer="R", now=now)
        surveys.append(Survey.objects.get(query=q))
    for survey, score in zip(surveys, (5, 3, None, 4), strict=True):
        if score:
            services.answer_survey(survey=survey, score=score, via="LINK", now=now)

    from datetime import date

    from sgu.attention.selectors import survey_results

    by_agent = survey_results(date(2026, 3, 1), date(2026, 3, 31), by="agent")
    assert by_agent == [
        # Ana: 3 offered, 2 answered (5 and 3): 66.7 %, average 4.0, one of two gave 4 or 5.
        {
            "label": "Ana Torres",
            "offered": 3,
            "answered": 2,
            "response_pct": 66.7,
            "avg": 4.0,
            "good_pct": 50.0,
        },
        {
            "label": "Beto Torres",
            "offered": 1,
            "answered": 1,
            "response_pct": 100.0,
            "avg": 4.0,
            "good_pct": 100.0,
        },
    ]
    by_office = survey_results(date(2026, 3, 1), date(2026, 3, 31), by="office")
    assert [(r["label"], r["offered"], r["avg"]) for r in by_office] == [
        ("Oficina Lima — Sede central", 3, 4.0),
        ("Sin oficina (atención telefónica o web)", 1, 4.0),
    ]

    client = Client()
    client.force_login(supervisor)
    page = client.get("/regulador/atencion/encuestas/?desde=2026-03-01&hasta=2026-03-31")
    assert page.status_code == 200 and "Ana Torres" in page.content.decode()
    csv = client.get(
        "/regulador/atencion/encuestas.csv?desde=2026-03-01&hasta=2026-03-31&por=orientador"
    )
    lines = b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[1] == 'Ana Torres,3,2,"66,7","4,0","50,0"'
    # An orientador does not see the results.
    agent = Client()
    agent.force_login(a)
    assert agent.get("/regulador/atencion/encuestas/").status_code == 403
