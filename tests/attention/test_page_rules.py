"""The attention pages with parameters or errors keep the rules every page keeps (strict CSP
markup, a label for every field, Spanish, local assets). The pages without parameters are
checked by tests/site/test_web_pages.py from the URL list."""

import re

import pytest
from django.test import Client

from factories import check_page_rules
from sgu.attention import services

pytestmark = pytest.mark.django_db


def test_attention_pages_keep_the_rules(orientador, specialist, supervisor, catalog, settings):
    q = services.register_query(
        agent=orientador,
        channel="WEB",
        topic="T",
        motive="otros-informacion",
        question="¿P?",
        name="Rosa",
        email="r@x.pe",
    )
    hop = services.escalate(
        agent=orientador,
        query=q,
        area_code="USUARIOS",
        criticality="ALTO",
        complexity="BAJA",
        reason="x",
    )
    first, second, boss = Client(), Client(), Client()
    first.force_login(orientador)
    second.force_login(specialist)
    boss.force_login(supervisor)
    pages = [
        ("consulta", first.get(f"/regulador/atencion/consultas/{q.code}/")),
        ("escalamiento (1.er nivel)", first.get(f"/regulador/atencion/escalamientos/{hop.pk}/")),
        ("escalamiento (área)", second.get(f"/regulador/atencion/escalamientos/{hop.pk}/")),
        ("cola del área", second.get("/regulador/atencion/areas/USUARIOS/")),
        (
            "cola (fragmento)",
            second.get("/regulador/atencion/areas/USUARIOS/", HTTP_HX_REQUEST="true"),
        ),
        (
            "consultas (fragmento)",
            first.get("/regulador/atencion/consultas/?q=Rosa", HTTP_HX_REQUEST="true"),
        ),
        ("consulta con errores", first.post("/regulador/atencion/consultas/nueva/", {})),
        ("escalar con errores", first.post("/regulador/atencion/escalar/", {})),
        (
            "respuesta con errores",
            second.post(f"/regulador/atencion/escalamientos/{hop.pk}/responder/", {}),
        ),
        (
            "3.er nivel con errores",
            second.post(f"/regulador/atencion/escalamientos/{hop.pk}/escalar/", {}),
        ),
        ("indicadores", boss.get("/regulador/atencion/indicadores/")),
        ("encuestas", boss.get("/regulador/atencion/encuestas/")),
    ]
    services.answer_escalation(escalation=hop, user=specialist, answer="R")
    pages.append(("informar", first.get(f"/regulador/atencion/escalamientos/{hop.pk}/")))
    services.inform_citizen(escalation=hop, user=orientador, message="R")
    # The raw token is only in the email: offer a survey here to hold it.
    other = services.register_query(
        agent=orientador,
        channel="WEB",
        topic="T",
        motive="otros-informacion",
        question="?",
        name="Ana",
        email="a@x.pe",
    )
    fresh = services.offer_survey(query=other, agent=orientador)
    anon = Client()
    link = f"/atencion/encuesta/{fresh.raw_token}/"
    pages += [
        ("encuesta", anon.get(link)),
        ("encuesta con errores", anon.post(link, {"score": "9"})),
    ]
    for name, response in pages:
        assert response.status_code in (200, 422), (name, response.status_code)
        html = response.content.decode()
        check_page_rules(name, html)
        assert not re.search(r"\b(Error|Traceback)\b", html), name
