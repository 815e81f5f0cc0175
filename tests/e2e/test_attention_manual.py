"""The attention manual in a real browser (issue 17).

(a) A consulta received by email after the attention's 16:30 cut-off is registered as virtual:
its 24 hours count from the next business day's opening; when the clock passes its due time
the consultas list flags it late. The suite's clock (time-machine) is the server's clock too:
the live server runs in this process.

(b) An incident goes 1st → 2nd → 3rd level: the 3rd level takes it, pauses its solution clock
while a provider answers, resumes it and solves it; the 2nd level validates the answer, and
the 1st level answers the citizen, who receives it over SMTP."""

import re
from datetime import datetime

import pytest

from attention.helpers import make_areas, make_staff
from factories import DESKTOP, log_in, menu, watch_errors
from sgu.attention import services
from sgu.attention.models import ClockPause, Escalation, Query
from sgu.catalog.demo import load_reference_data
from sgu.core.calendar import LIMA
from sgu.core.models import CalendarDay

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "rosa.quispe@example.pe"


def lima(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LIMA)


def test_a_consulta_from_email_to_its_late_flag(browser, live_server, clock):
    load_reference_data()
    make_areas()
    CalendarDay.objects.all().delete()  # by hand: Thu 26 and Fri 27/11/2026 are business days
    orientador = make_staff(first="Luis")
    # Wednesday 25/11/2026 16:45: after the attention's 16:30 cut-off.
    clock.move_to(lima(2026, 11, 25, 16, 45))
    ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
    page = ctx.new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, orientador.email)
    menu(page, "Atención por niveles", "Atención")
    page.get_by_role("link", name="Registrar una consulta").click()
    page.get_by_label("Correo electrónico", exact=True).check()
    page.get_by_label("Nombre de quien consulta").fill("Rosa Quispe")
    page.get_by_label("Correo", exact=True).fill(EMAIL)
    page.get_by_label(re.compile(r"^Región")).select_option("AREQUIPA")
    page.get_by_label(re.compile(r"^Motivo")).select_option("tramites-portabilidad")
    page.get_by_label(re.compile(r"^Consulta\b")).fill("¿Cuánto demora la portabilidad?")
    page.get_by_role("button", name="Registrar la consulta").click()
    query = Query.objects.get()
    page.get_by_role("heading", name=f"Consulta {query.code}").wait_for()
    assert (query.channel, query.region) == ("EMAIL", "AREQUIPA")
    # Received Thursday 26 at 08:30 (the opening): due Friday 27/11 at 08:30.
    assert query.due_at == lima(2026, 11, 27, 8, 30)
    page.goto(live_server.url + "/regulador/atencion/consultas/")
    row = page.locator("tr", has_text=query.code)
    row.get_by_text("vence viernes 27/11/2026 a las 08:30").wait_for()
    assert row.get_by_text("Fuera de plazo").count() == 0

    # Friday 09:00, not answered: the list flags it late (a new session: the old one idled).
    clock.move_to(lima(2026, 11, 27, 9))
    log_in(page, live_server.url, orientador.email)
    page.goto(live_server.url + "/regulador/atencion/consultas/")
    row = page.locator("tr", has_text=query.code)
    row.get_by_text("Fuera de plazo").wait_for()
    row.get_by_text("Vencida hace 30 min").wait_for()
    assert not errors, errors
    ctx.close()


def test_an_incident_up_to_the_third_level_paused_and_back_to_the_citizen(
    browser, live_server, mailbox, tasks, clock
):
    load_reference_data()
    make_areas()
    CalendarDay.objects.all().delete()
    orientador = make_staff(first="Luis")
    specialist = make_staff(area="USUARIOS", first="Jorge")
    support = make_staff(area="SOPORTE-TI", first="Ana")
    clock.move_to(lima(2026, 11, 25, 9))
    query = services.register_query(
        agent=orientador,
        channel="EMAIL",
        motive="sgu-seguimiento",
        question="El formulario no me deja adjuntar el recibo.",
        name="Rosa Quispe",
        email=EMAIL,
    )
    people = {}
    for who, user in (("first", orientador), ("second", specialist), ("third", support)):
        ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
        page = ctx.new_page()
        people[who] = (page, watch_errors(page))
        log_in(page, live_server.url, user.email)
    first, second, third = (people[k][0] for k in ("first", "second", "third"))

    # 1st level escalates the consulta to the 2nd level.
    first.goto(live_server.url + f"/regulador/atencion/consultas/{query.code}/")
    first.get_by_label(re.compile(r"^Área")).select_option("USUARIOS")
    first.get_by_label("Alta (responde en 5 días hábiles como máximo)").check()
    first.get_by_label("Qué necesita del área").fill("Falla al adjuntar el recibo.")
    first.get_by_role("button", name="Escalar").click()
    first.get_by_text(f"Escalamos {query.code} a Protección de usuarios").wait_for()
    l2 = Escalation.objects.get()

    # 2nd level takes it and elevates it the same day to the 3rd level.
    second.goto(live_server.url + f"/regulador/atencion/escalamientos/{l2.pk}/")
    second.get_by_role("button", name="Tomar la incidencia").click()
    second.get_by_text("el tiempo de respuesta se detuvo").wait_for()
    up = second.locator("section", has=second.get_by_role("heading", name="Escalar al 3.er nivel"))
    up.get_by_label(re.compile(r"^Área")).select_option("SOPORTE-TI")
    up.get_by_label(re.compile(r"^Media")).check()
    up.get_by_label("Qué necesita del área").fill("El formulario de adjuntos responde con error.")
    up.get_by_role("button", name="Escalar al 3.er nivel").click()
    second.get_by_text("Escalamos a Soporte técnico (3.er nivel).").wait_for()
    l3 = Escalation.objects.get(parent=l2)

    # 3rd level: takes it, pauses the solution clock for a provider, resumes, solves.
    third.goto(live_server.url + f"/regulador/atencion/escalamientos/{l3.pk}/")
    third.get_by_role("button", name="Tomar la incidencia").click()
    third.get_by_text("el tiempo de respuesta se detuvo").wait_for()
    third.get_by_label("Proveedor de servicios").check()
    third.get_by_label("Proveedor o entidad").fill("Nube Andina SAC")
    third.get_by_label("Qué se espera y por qué").fill("El almacenamiento de adjuntos está caído.")
    third.get_by_role("button", name="Pausar el plazo de solución").click()
    third.get_by_text("El plazo de solución quedó en pausa").wait_for()
    third.get_by_text("Nube Andina SAC").first.wait_for()
    clock.move_to(lima(2026, 11, 25, 9, 20))  # the provider answers 20 minutes later
    third.get_by_label("Qué respondió (opcional)").fill("Restablecieron el almacenamiento.")
    third.get_by_role("button", name="Reanudar el plazo de solución").click()
    third.get_by_text("estuvo en pausa 0 h 20 min").wait_for()
    answer = third.locator(
        "section", has=third.get_by_role("heading", name="Responder al nivel anterior")
    )
    answer.get_by_label(re.compile(r"^Respuesta")).fill("Corregido: ya se adjuntan los recibos.")
    answer.get_by_label("¿Hubo que coordinar para responder?").select_option("EXTERNAL")
    answer.get_by_label("Coordinado con").fill("Nube Andina SAC")
    answer.get_by_role("button", name="Enviar la respuesta").click()
    third.get_by_text("Enviamos la respuesta al nivel anterior.").wait_for()
    pause = ClockPause.objects.get()
    assert pause.business_seconds == 20 * 60

    # 2nd level validates the 3rd level's answer (it comes prefilled) and sends it down.
    second.goto(live_server.url + f"/regulador/atencion/escalamientos/{l2.pk}/")
    second.get_by_text("Coordinación externa con Nube Andina SAC").wait_for()
    second.get_by_role("button", name="Enviar la respuesta").click()
    second.get_by_text("Enviamos la respuesta al nivel anterior.").wait_for()

    # 1st level answers the citizen.
    first.goto(live_server.url + f"/regulador/atencion/escalamientos/{l2.pk}/")
    message = first.get_by_label("Lo que se informa al ciudadano")
    assert message.input_value() == "Corregido: ya se adjuntan los recibos."
    first.get_by_role("button", name="Informar al ciudadano").click()
    first.get_by_text("Registramos que se informó al ciudadano.").wait_for()
    first.get_by_text("Plazo de solución en pausa (espera a un tercero)").wait_for()

    l2.refresh_from_db()
    l3.refresh_from_db()
    query.refresh_from_db()
    assert (l2.state, l2.validation_on_time, l2.answer_level) == ("INFORMED", True, 3)
    assert (l3.solution_on_time, l3.coordination) == (True, "EXTERNAL")
    assert (query.state, query.resolved_level) == ("ANSWERED", 3)
    tasks()
    mail = mailbox.wait_for(EMAIL, f"Respuesta del regulador sobre {query.code}")
    assert "ya se adjuntan los recibos" in mailbox.text(mail)
    for _, errors in people.values():
        assert not errors, errors
