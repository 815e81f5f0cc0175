"""The whole journey in a real browser: a citizen registers, confirms the email really
received over SMTP, logs in, reports a problem (extra fields by HTMX, evidence attached);
an operator agent takes it from the tray and answers; the citizen gets the answer by email
and rates it."""

import re

import pytest

from factories import (
    DESKTOP,
    PASSWORD,
    PDF_BYTES,
    PHONE,
    Mailbox,
    link_in,
    log_in,
    log_out,
    make_citizen,
    make_operator_agent,
    png_bytes,
    watch_errors,
)
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Operator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "rosa.quispe@example.pe"


def test_citizen_reports_operator_answers_citizen_rates(
    browser, live_server, mailbox, tasks, shots
):
    load_reference_data()
    url = live_server.url

    # --- the citizen registers (on a phone) ----------------------------------------------
    citizen_ctx = browser.new_context(viewport=PHONE, locale="es-PE")
    page = citizen_ctx.new_page()
    errors = watch_errors(page)
    page.goto(url + "/")
    shots(page, "01-inicio")
    page.get_by_role("link", name="Crear una cuenta").click()
    page.get_by_label("Tipo de documento").select_option("DNI")
    page.get_by_label("Número de documento").fill("45678912")
    page.get_by_label("Nombres").fill("Rosa")
    page.get_by_label("Apellidos").fill("Quispe Mamani")
    page.get_by_label("Correo electrónico").fill(EMAIL)
    page.get_by_label("Celular").fill("987 654 321")
    page.get_by_role("textbox", name="Contraseña", exact=True).fill(PASSWORD)
    page.get_by_label("Repita la contraseña").fill(PASSWORD)
    page.get_by_label("Acepto el tratamiento de mis datos personales").check()
    shots(page, "02-registro")
    page.get_by_role("button", name="Crear mi cuenta").click()
    page.get_by_role("heading", name="Revise su correo").wait_for()
    assert EMAIL in page.content()

    # --- the confirmation email, really sent over SMTP, opened in the browser ------------
    tasks()
    confirmation = mailbox.wait_for(EMAIL, "Confirme su correo")
    page.goto(link_in(confirmation, r"http://\S+/cuenta/confirmar/[\w\-]+/"))
    shots(page, "03-confirmar")
    page.get_by_role("button", name="Confirmar mi correo").click()
    page.get_by_text("Confirmamos su correo").wait_for()

    # --- logs out and in again -------------------------------------------------------------
    log_out(page)
    page.get_by_role("link", name="Ingresar", exact=True).first.click()
    page.get_by_label("Correo electrónico").fill(EMAIL)
    page.get_by_label("Contraseña").fill(PASSWORD)
    shots(page, "04-ingresar")
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("heading", name="Mis casos").wait_for()

    # --- reports a problem: the extra fields come by HTMX -------------------------------------
    page.get_by_role("link", name="Reportar un problema").first.click()
    page.get_by_label("Empresa operadora").select_option("CLARO")
    assert page.get_by_label("Monto de la recarga (S/)").count() == 0
    page.get_by_label("¿Qué problema tiene?").select_option("recarga-no-acreditada")
    # What the citizen sees: the problem's own fields appear, without a page load (HTMX).
    # The choices above may be made before the page's deferred scripts run (Playwright acts as
    # soon as the select is shown); sgu.js announces them again once HTMX listens.
    page.get_by_label("Monto de la recarga (S/)").wait_for()
    assert page.url.endswith("/casos/nuevo/")
    page.get_by_label("Monto de la recarga (S/)").fill("10")
    page.get_by_label("Fecha de la recarga").fill("2026-01-15")
    page.get_by_label("¿Dónde recargó?").select_option("Bodega o agente")
    page.get_by_label("Número de la línea afectada").fill("987654321")
    page.get_by_label("Cuéntenos qué pasó").fill(
        "Recargué 10 soles en una bodega el 15 de enero y el saldo nunca llegó."
    )
    page.get_by_label("Adjuntar pruebas (opcional)").set_input_files(
        [
            {"name": "voucher.png", "mimeType": "image/png", "buffer": png_bytes()},
            {"name": "recibo.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES},
        ]
    )
    shots(page, "05-nuevo-caso")
    page.get_by_role("button", name="Enviar mi reporte").click()
    page.get_by_text("Registramos su caso").wait_for()
    code = re.search(r"SGU-\d{4}-\d{7}", page.get_by_role("heading", level=1).inner_text())[0]
    assert "La operadora debe responderle hasta el" in page.content()
    assert "voucher.png" in page.content() and "recibo.pdf" in page.content()
    shots(page, "06-caso-registrado")

    # --- an operator agent, in another browser, sees it in the tray and answers ---------------
    agent = make_operator_agent(Operator.objects.get(code="CLARO"))
    agent_ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
    op = agent_ctx.new_page()
    op_errors = watch_errors(op)
    log_in(op, url, agent.email)
    op.get_by_role("heading", name=re.compile("Bandeja de Claro")).wait_for()
    row = op.locator("#tray-rows tr", has_text=code)
    assert row.count() == 1
    assert "Vence" in row.inner_text()
    shots(op, "07-bandeja")
    # Filtering refreshes only the rows (HTMX) and puts the filter in the address bar.
    with op.expect_response(lambda r: "overdue=si" in r.url):
        op.get_by_label("Plazo").select_option("si")
    op.wait_for_url(re.compile(r"overdue=si"))
    op.get_by_text("Ningún caso cumple estos filtros").wait_for()
    with op.expect_response(lambda r: "overdue=no" in r.url):
        op.get_by_label("Plazo").select_option("no")
    op.locator("#tray-rows tr", has_text=code).wait_for()

    op.get_by_role("link", name=code).click()
    op.get_by_role("heading", name=f"Caso {code}").wait_for()
    assert "Rosa Quispe Mamani" in op.content() and "45678912" in op.content()
    op.get_by_role("button", name="Tomar en atención").click()
    op.get_by_text(f"Tomó en atención el caso {code}").wait_for()
    op.get_by_label("Resuelto", exact=True).check()
    op.get_by_label("Respuesta al usuario").fill(
        "Verificamos la recarga del 15 de enero y acreditamos S/ 10 en su línea."
    )
    op.get_by_label("Acciones realizadas (opcional)").fill("Abono manual del saldo.")
    assert op.get_by_label("Responsable").input_value() == agent.get_full_name()
    shots(op, "08-caso-operadora")
    op.get_by_role("button", name="Enviar la respuesta al usuario").click()
    op.get_by_role("heading", name="Solución registrada").wait_for()

    # --- the citizen gets the answer by email, opens the case and rates it ---------------------
    tasks()
    answered = mailbox.wait_for(EMAIL, f"respondió su caso {code}")
    assert "acreditamos S/ 10" in Mailbox.text(answered)
    page.goto(link_in(answered, rf"http://\S+/casos/{code}/"))
    page.get_by_role("heading", name="Califique la respuesta").wait_for()
    # The rating form (the page also offers «No estoy conforme», with its own 1–5 score).
    rating = page.get_by_role("region", name="Califique la respuesta")
    resolved = rating.get_by_role("group", name="¿La operadora resolvió su problema?")
    resolved.get_by_label("Sí").check()
    rating.get_by_label("5 — Muy satisfecho").check()
    rating.get_by_label("Comentario (opcional)").fill("Rápido y claro. Gracias.")
    shots(page, "09-calificar")
    page.get_by_role("button", name="Enviar mi calificación").click()
    page.get_by_text("Gracias por calificar").wait_for()
    assert page.locator(".badge", has_text="Calificado").count() == 1
    assert "5 de 5" in page.content()
    shots(page, "10-calificado")

    assert errors == [] and op_errors == []
    citizen_ctx.close()
    agent_ctx.close()


def test_reporting_a_problem_works_without_javascript(browser, live_server, shots):
    load_reference_data()
    citizen = make_citizen()
    ctx = browser.new_context(viewport=PHONE, locale="es-PE", java_script_enabled=False)
    page = ctx.new_page()
    page.goto(live_server.url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(citizen.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    page.get_by_role("heading", name="Mis casos").wait_for()

    page.goto(live_server.url + "/casos/nuevo/")
    page.get_by_label("Empresa operadora").select_option("MOVISTAR")
    page.get_by_label("¿Qué problema tiene?").select_option("sin-senal")
    assert page.get_by_label("¿Qué falla?").count() == 0
    # Without JavaScript the server brings the subcategory's fields back with the form.
    page.get_by_role("button", name="Mostrar los datos que pide este problema").click()
    page.get_by_label("¿Qué falla?").select_option("Sin señal")
    page.get_by_label("Dirección o zona donde ocurre").fill("Av. Grau 500, Barranco")
    page.get_by_label("Número de la línea afectada").fill("912345678")
    page.get_by_label("Cuéntenos qué pasó").fill("Desde el lunes no tengo señal en mi casa.")
    shots(page, "11-nuevo-caso-sin-js")
    page.get_by_role("button", name="Enviar mi reporte").click()
    page.get_by_text("Registramos su caso").wait_for()
    assert "Movistar" in page.get_by_text("Registramos su caso").inner_text()
    ctx.close()
