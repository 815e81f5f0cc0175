"""A consulta goes up to a 2nd-level area and its answer comes back down to the 1st level,
who informs the citizen, in a real browser: orientador → especialista → orientador; the
citizen receives the answer over SMTP."""

import re

import pytest

from attention.helpers import make_areas, make_staff
from factories import DESKTOP, log_in, menu, watch_errors
from sgu.attention.models import Escalation, Query
from sgu.catalog.demo import load_reference_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "rosa.quispe@example.pe"


def test_first_to_second_and_back_to_the_first_level(browser, live_server, mailbox, tasks, shots):
    load_reference_data()
    make_areas()
    orientador = make_staff(first="Luis")
    specialist = make_staff(area="USUARIOS", first="Jorge")

    # Two people, two browsers: the orientador's session stays open while the specialist works.
    ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
    page = ctx.new_page()
    errors = watch_errors(page)
    ctx2 = browser.new_context(viewport=DESKTOP, locale="es-PE")
    other = ctx2.new_page()
    errors2 = watch_errors(other)

    # 1st level: registers the consulta and escalates it.
    log_in(page, live_server.url, orientador.email)
    menu(page, "Atención por niveles", "Atención")
    page.get_by_role("link", name="Registrar una consulta").click()
    page.get_by_label("Telefónico").check()
    page.get_by_label("Nombre de quien consulta").fill("Rosa Quispe")
    page.get_by_label("Correo", exact=True).fill(EMAIL)
    page.get_by_label(re.compile(r"^Motivo")).select_option("tramites-portabilidad")
    page.get_by_label(re.compile(r"^Asunto")).fill("Portabilidad")
    page.get_by_label(re.compile(r"^Consulta\b")).fill("¿Puedo portar mi número si tengo deuda?")
    page.get_by_role("button", name="Registrar la consulta").click()
    query = Query.objects.get()
    page.get_by_role("heading", name=f"Consulta {query.code}").wait_for()
    page.get_by_label(re.compile(r"^Área")).select_option("USUARIOS")
    page.get_by_label("Media (responde en 4 días hábiles como máximo)").check()
    page.get_by_label("Qué necesita del área").fill("Criterio sobre deuda y portabilidad.")
    shots(page, "80-consulta-escalar")
    page.get_by_role("button", name="Escalar").click()
    page.get_by_text(f"Escalamos {query.code} a Protección de usuarios").wait_for()
    menu(page, "Atención por niveles", "Atención")
    page.get_by_text("No hay respuestas por informar ni devoluciones.").wait_for()

    # 2nd level: finds it in the area's queue and answers.
    log_in(other, live_server.url, specialist.email)
    menu(other, "Atención por niveles", "Atención")
    other.get_by_role("heading", name="Cola de Protección de usuarios").wait_for()
    shots(other, "81-cola-area")
    other.get_by_role("link", name=query.code).click()
    other.get_by_label(re.compile(r"^Respuesta")).fill("Sí: la deuda no impide la portabilidad.")
    other.get_by_role("button", name="Enviar la respuesta").click()
    other.get_by_text("Enviamos la respuesta al nivel anterior.").wait_for()

    # Back at the 1st level: the answer is in the queue (the filter reloads it by HTMX).
    page.get_by_label("Solo los que escalé yo").check()
    queue = page.locator("#queue-rows")
    queue.get_by_text("Informe hoy al ciudadano").wait_for()
    queue.get_by_role("link", name=query.code).click()
    message = page.get_by_label("Lo que se informa al ciudadano")
    assert message.input_value() == "Sí: la deuda no impide la portabilidad."
    shots(page, "82-informar")
    page.get_by_role("button", name="Informar al ciudadano").click()
    page.get_by_text("Registramos que se informó al ciudadano.").wait_for()

    hop = Escalation.objects.get()
    query.refresh_from_db()
    assert (hop.state, query.state, query.resolved_level) == ("INFORMED", "ANSWERED", 2)
    tasks()
    mail = mailbox.wait_for(EMAIL, f"Respuesta del regulador sobre {query.code}")
    assert "la deuda no impide la portabilidad" in mail.get_body().get_content()
    assert errors == [] and errors2 == []
    ctx.close()
    ctx2.close()
