"""Legal consultas are reviewed (attention manual, 7.4.1.1): the assistant's answer is a draft
that the quality supervisor approves (it leaves to the citizen) or returns with observations;
the 24-hour clock keeps running meanwhile; who and when are recorded."""

from datetime import datetime

import pytest
from django.test import Client

from attention.helpers import api_for
from factories import field_errors, problem_of
from sgu.attention import services
from sgu.attention.models import AttentionEvent, Query
from sgu.attention.workflow import query_late
from sgu.core.calendar import LIMA
from sgu.core.errors import Conflict, Forbidden, ValidationFailed
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def lima(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LIMA)


def legal(agent, now=None):
    return services.register_query(
        agent=agent,
        channel="EMAIL",
        motive="legal-derechos",
        question="¿Pueden cortarme sin aviso?",
        name="Rosa",
        email="rosa@example.pe",
        now=now or lima(2026, 11, 25, 10),  # due Thursday 26/11 at 10:00
    )


def test_a_legal_answer_waits_for_the_review_and_nothing_leaves(orientador):
    q = legal(orientador)
    services.answer_query(query=q, agent=orientador, answer="Proyecto.", now=lima(2026, 11, 25, 11))
    q.refresh_from_db()
    assert (q.state, q.draft_answer, q.draft_by, q.answer) == (
        "REVIEW",
        "Proyecto.",
        orientador,
        "",
    )
    assert q.first_response_at is None and q.on_time is None
    assert not OutboundEmail.objects.filter(
        to="rosa@example.pe", template="attention_query_answered"
    ).exists()
    # Nothing else moves it meanwhile.
    with pytest.raises(Conflict):
        services.answer_query(query=q, agent=orientador, answer="Otra.")
    with pytest.raises(Conflict):
        services.escalate(
            agent=orientador,
            area_code="USUARIOS",
            criticality="BAJO",
            complexity="BAJA",
            reason="x",
            query=q,
        )


def test_approved_late_the_clock_kept_running(orientador, supervisor):
    q = legal(orientador)
    services.answer_query(query=q, agent=orientador, answer="Proyecto.", now=lima(2026, 11, 25, 11))
    # Drafted a day early, approved Thursday 10:30: half an hour after the plazo.
    services.review_query(
        query=q, supervisor=supervisor, decision="APPROVE", now=lima(2026, 11, 26, 10, 30)
    )
    q.refresh_from_db()
    assert (q.state, q.answer, q.answered_by, q.reviewed_by) == (
        "ANSWERED",
        "Proyecto.",
        orientador,
        supervisor,
    )
    assert q.reviewed_at == q.first_response_at == q.answered_at == lima(2026, 11, 26, 10, 30)
    assert q.on_time is False and query_late(q, lima(2026, 11, 26, 10, 30))
    assert OutboundEmail.objects.filter(
        to="rosa@example.pe", template="attention_query_answered"
    ).exists()
    kinds = list(AttentionEvent.objects.filter(query=q).values_list("kind", "actor"))
    assert kinds == [
        ("REGISTER", orientador.pk),
        ("TICKET", orientador.pk),
        ("REVIEW_REQUESTED", orientador.pk),
        ("REVIEW_APPROVED", supervisor.pk),
        ("ANSWER", orientador.pk),
    ]


def test_returned_with_observations_then_answered_again(orientador, supervisor):
    q = legal(orientador)
    services.answer_query(query=q, agent=orientador, answer="Borrador.", now=lima(2026, 11, 25, 11))
    with pytest.raises(ValidationFailed) as exc:
        services.review_query(query=q, supervisor=supervisor, decision="RETURN")
    assert exc.value.errors[0].field == "observations"
    services.review_query(
        query=q,
        supervisor=supervisor,
        decision="RETURN",
        observations="Cite la norma, no opine sobre el caso.",
        now=lima(2026, 11, 25, 12),
    )
    q.refresh_from_db()
    assert (q.state, q.review_observations, q.reviewed_by) == (
        "OPEN",
        "Cite la norma, no opine sobre el caso.",
        supervisor,
    )
    services.answer_query(
        query=q, agent=orientador, answer="Según la norma…", now=lima(2026, 11, 25, 13)
    )
    services.review_query(
        query=q, supervisor=supervisor, decision="APPROVE", now=lima(2026, 11, 25, 14)
    )
    q.refresh_from_db()
    assert (q.state, q.answer, q.on_time) == ("ANSWERED", "Según la norma…", True)


def test_only_the_supervisor_reviews(orientador, supervisor):
    q = legal(orientador)
    services.answer_query(query=q, agent=orientador, answer="Proyecto.")
    with pytest.raises(Forbidden):
        services.review_query(query=q, supervisor=orientador, decision="APPROVE")
    assert Query.objects.get(pk=q.pk).state == "REVIEW"


def test_the_supervisor_answering_a_legal_consulta_sends_it_reviewed(supervisor):
    q = legal(supervisor)
    services.answer_query(query=q, agent=supervisor, answer="Así.", now=lima(2026, 11, 25, 11))
    q.refresh_from_db()
    assert (q.state, q.reviewed_by, q.reviewed_at) == (
        "ANSWERED",
        supervisor,
        lima(2026, 11, 25, 11),
    )


def test_a_non_legal_consulta_is_answered_at_once(orientador):
    q = services.register_query(
        agent=orientador,
        channel="EMAIL",
        motive="tramites-portabilidad",
        question="¿?",
        name="Rosa",
        email="rosa@example.pe",
    )
    services.answer_query(query=q, agent=orientador, answer="Así.")
    assert Query.objects.get(pk=q.pk).state == "ANSWERED"


def test_review_on_the_web(orientador, supervisor):
    q = legal(orientador)
    first, sup = Client(), Client()
    first.force_login(orientador)
    sup.force_login(supervisor)
    page = first.get(f"/regulador/atencion/consultas/{q.code}/").content.decode()
    assert "Enviar a la revisión de calidad" in page
    r = first.post(
        f"/regulador/atencion/consultas/{q.code}/responder/", {"responder-answer": "Proyecto."}
    )
    assert r.status_code == 302
    page = first.get(f"/regulador/atencion/consultas/{q.code}/").content.decode()
    assert "Respuesta en revisión de calidad" in page and "Guardar la revisión" not in page
    assert first.post(f"/regulador/atencion/consultas/{q.code}/revisar/", {}).status_code == 403
    bad = sup.post(
        f"/regulador/atencion/consultas/{q.code}/revisar/", {"revisar-decision": "RETURN"}
    )
    assert bad.status_code == 422 and Query.objects.get(pk=q.pk).state == "REVIEW"
    r = sup.post(
        f"/regulador/atencion/consultas/{q.code}/revisar/",
        {"revisar-decision": "RETURN", "revisar-observations": "Cite la norma."},
    )
    assert r.status_code == 302
    page = first.get(f"/regulador/atencion/consultas/{q.code}/").content.decode()
    assert "Cite la norma." in page and "Proyecto." in page  # the draft comes back prefilled


def test_review_through_the_api(orientador, supervisor):
    q = legal(orientador)
    first, sup = api_for(orientador), api_for(supervisor)
    r = first.post(f"/api/v1/staff/queries/{q.code}/answer", {"text": "Proyecto."})
    assert r.json()["state"] == "REVIEW" and r.json()["draft_answer"] == "Proyecto."
    r = first.post(f"/api/v1/staff/queries/{q.code}/review", {"decision": "APPROVE"})
    assert problem_of(r, 403)
    r = sup.post(f"/api/v1/staff/queries/{q.code}/review", {"decision": "MAYBE"})
    assert "decision" in field_errors(problem_of(r, 422))
    r = sup.post(f"/api/v1/staff/queries/{q.code}/review", {"decision": "APPROVE"})
    body = r.json()
    assert body["state"] == "ANSWERED" and body["reviewed_by"] == supervisor.email
    r = sup.post(f"/api/v1/staff/queries/{q.code}/review", {"decision": "APPROVE"})
    assert problem_of(r, 409)
