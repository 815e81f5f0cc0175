"""The attention pages as people use them, and who may open them: operator staff and
citizens never (403), a level-2 specialist only their area's queue (others 404)."""

import pytest
from django.test import Client

from factories import error_of, make_case, make_citizen, make_operator_agent, text
from sgu.attention import services
from sgu.attention.models import Escalation, Query

pytestmark = pytest.mark.django_db

STAFF_PAGES = [
    "/regulador/atencion/",
    "/regulador/atencion/consultas/",
    "/regulador/atencion/consultas/nueva/",
    "/regulador/atencion/escalar/",
    "/regulador/atencion/areas/USUARIOS/",
    "/regulador/atencion/indicadores/",
    "/regulador/atencion/indicadores.csv",
    "/regulador/atencion/encuestas/",
    "/regulador/atencion/encuestas.csv",
]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(orientador, citizen):
    q = services.register_query(
        agent=orientador,
        channel="WEB",
        topic="T",
        motive="otros-informacion",
        question="¿P?",
        name="Rosa",
        email="r@x.pe",
    )
    to_usuarios = services.escalate(
        agent=orientador,
        query=q,
        area_code="USUARIOS",
        criticality="MEDIO",
        complexity="BAJA",
        reason="Criterio.",
    )
    case = make_case(citizen)
    to_fisc = services.escalate(
        agent=orientador,
        case=case,
        area_code="FISCALIZACION",
        criticality="ALTO",
        complexity="ALTA",
        reason="Revisar.",
    )
    return {"query": q, "usuarios": to_usuarios, "fisc": to_fisc, "case": case}


def item_pages(world):
    return [
        f"/regulador/atencion/consultas/{world['query'].code}/",
        f"/regulador/atencion/escalamientos/{world['usuarios'].pk}/",
        f"/regulador/atencion/escalamientos/{world['fisc'].pk}/",
    ]


def test_operator_staff_and_citizens_are_refused_everywhere(world, claro):
    for user in (make_operator_agent(claro), make_citizen()):
        c = client_for(user)
        for url in STAFF_PAGES + item_pages(world):
            assert c.get(url).status_code == 403, (user.role, url)
        hop = world["usuarios"]
        r = c.post(
            f"/regulador/atencion/escalamientos/{hop.pk}/responder/", {"responder-answer": "x"}
        )
        assert r.status_code == 403
    hop.refresh_from_db()
    assert hop.state == "PENDING"


def test_anonymous_is_sent_to_log_in(world):
    r = Client().get("/regulador/atencion/")
    assert r.status_code == 302 and "/cuenta/ingresar/" in r["Location"]


def test_specialist_sees_only_their_areas_queue(world, specialist):
    c = client_for(specialist)
    home = c.get("/regulador/atencion/")
    assert home.status_code == 302 and home["Location"] == "/regulador/atencion/areas/USUARIOS/"
    queue = c.get("/regulador/atencion/areas/USUARIOS/")
    assert queue.status_code == 200
    assert world["query"].code in text(queue) and world["case"].code not in text(queue)
    assert c.get("/regulador/atencion/areas/FISCALIZACION/").status_code == 404
    fisc = world["fisc"]
    assert c.get(f"/regulador/atencion/escalamientos/{fisc.pk}/").status_code == 404
    r = c.post(f"/regulador/atencion/escalamientos/{fisc.pk}/devolver/", {"devolver-reason": "x"})
    assert r.status_code == 404
    fisc.refresh_from_db()
    assert fisc.state == "PENDING"
    # Not 1st level: no consultas, no escalating, no supervisor pages.
    for url in ("/regulador/atencion/consultas/", "/regulador/atencion/escalar/"):
        assert c.get(url).status_code == 403
    assert c.get(f"/regulador/atencion/consultas/{world['query'].code}/").status_code == 403
    assert c.get("/regulador/atencion/indicadores/").status_code == 403


def test_supervisor_reads_every_queue_but_acts_only_as_first_level(world, supervisor):
    c = client_for(supervisor)
    assert c.get("/regulador/atencion/areas/FISCALIZACION/").status_code == 200
    page = c.get(f"/regulador/atencion/escalamientos/{world['fisc'].pk}/")
    assert page.status_code == 200 and "Responder al nivel anterior" not in text(page)
    r = c.post(
        f"/regulador/atencion/escalamientos/{world['fisc'].pk}/responder/",
        {"responder-answer": "x"},
    )
    assert r.status_code == 302
    world["fisc"].refresh_from_db()
    assert world["fisc"].state == "PENDING"


def test_web_round_trip_first_to_second_and_back(orientador, specialist, mailbox, tasks):
    first, second = client_for(orientador), client_for(specialist)
    bad = first.post("/regulador/atencion/consultas/nueva/", {"channel": "PRESENCIAL"})
    assert bad.status_code == 422
    assert error_of(bad, "id_question") == "Escriba la consulta del ciudadano."
    assert error_of(bad, "id_motive") == "Elija el motivo de la consulta (tipificación)."
    assert Query.objects.count() == 0

    r = first.post(
        "/regulador/atencion/consultas/nueva/",
        {
            "channel": "PRESENCIAL",
            "name": "Rosa Quispe",
            "email": "rosa@example.pe",
            "topic": "Recibos",
            "motive": "tramites-cobros",
            "question": "¿Cómo leo mi recibo?",
        },
    )
    q = Query.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/regulador/atencion/consultas/{q.code}/"
    r = first.post(
        "/regulador/atencion/escalar/",
        {
            "escalar-code": q.code,
            "escalar-area": "USUARIOS",
            "escalar-criticality": "BAJO",
            "escalar-complexity": "BAJA",
            "escalar-reason": "Criterio del área.",
        },
    )
    hop = Escalation.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/regulador/atencion/escalamientos/{hop.pk}/"

    running = first.get("/regulador/atencion/")
    assert "En curso en el 2.º o 3.er nivel" in text(running) and q.code in text(running)
    page = second.get(f"/regulador/atencion/escalamientos/{hop.pk}/")
    assert "Responder al nivel anterior" in text(page)
    empty = second.post(f"/regulador/atencion/escalamientos/{hop.pk}/responder/", {})
    assert empty.status_code == 422 and "Escriba la respuesta." in text(empty)
    r = second.post(
        f"/regulador/atencion/escalamientos/{hop.pk}/responder/",
        {"responder-answer": "El recibo se lee así."},
    )
    assert r.status_code == 302 and r["Location"] == "/regulador/atencion/areas/USUARIOS/"

    queue = first.get("/regulador/atencion/")
    assert q.code in text(queue) and "Respondido" in text(queue)
    assert "Informe hoy al ciudadano" in text(queue)
    fragment = first.get("/regulador/atencion/?mias=1", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and q.code in fragment.content.decode()

    r = first.post(
        f"/regulador/atencion/escalamientos/{hop.pk}/informar/",
        {"informar-message": "El recibo se lee así."},
    )
    assert r.status_code == 302
    q.refresh_from_db()
    assert (q.state, q.resolved_level) == ("ANSWERED", 2)
    tasks()
    mailbox.wait_for("rosa@example.pe", f"Respuesta del regulador sobre {q.code}")


def test_unknown_code_is_named_on_the_escalation_form(orientador):
    r = client_for(orientador).post(
        "/regulador/atencion/escalar/",
        {"escalar-code": "SGU-2026-9999999", "escalar-area": "USUARIOS"},
    )
    assert r.status_code == 422
    assert error_of(r, "id_escalar-code") == "No existe un caso con ese código."
    assert Escalation.objects.count() == 0


def test_case_page_shows_its_escalations_and_the_way_to_escalate(world, orientador):
    page = client_for(orientador).get(f"/regulador/casos/{world['case'].code}/")
    assert page.status_code == 200
    body = text(page)
    assert "Fiscalización · pendiente en el área" in body
    assert f"/regulador/atencion/escalar/?codigo={world['case'].code}" in page.content.decode()


def test_level_three_sees_its_hop_but_no_link_to_the_level_two_hop(world, specialist, support):
    l2 = world["usuarios"]
    l3 = services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="BAJO",
        complexity="ALTA",
        reason="Sistema.",
    )
    c = client_for(support)
    page = c.get(f"/regulador/atencion/escalamientos/{l3.pk}/")
    assert page.status_code == 200 and "Responder al nivel anterior" in text(page)
    # There is no level 4: no form to escalate further.
    assert f"/regulador/atencion/escalamientos/{l3.pk}/escalar/" not in page.content.decode()
    assert f"/regulador/atencion/escalamientos/{l2.pk}/" not in page.content.decode()
    assert c.get(f"/regulador/atencion/escalamientos/{l2.pk}/").status_code == 404
    # The level-2 specialist reads the level-3 hop that left their area.
    assert (
        client_for(specialist).get(f"/regulador/atencion/escalamientos/{l3.pk}/").status_code == 200
    )
