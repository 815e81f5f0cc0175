"""An orientador registers a case for a citizen at the office, in a real browser: picks the
problem (its extra fields arrive by HTMX), fills the citizen's data, reads out the consent,
registers, sees the constancia and emails it; the citizen receives it over SMTP."""

import pytest

from factories import DESKTOP, Mailbox, log_in, make_regulator, menu, watch_errors
from sgu.cases.models import Case
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Office

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "rosa.quispe@example.pe"


def test_orientador_registers_a_case_and_emails_the_constancia(
    browser, live_server, mailbox, tasks, shots
):
    load_reference_data()
    agent = make_regulator()
    agent.office = Office.objects.get(code="LIMA-SEDE")
    agent.save(update_fields=["office"])

    ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
    page = ctx.new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, agent.email)
    menu(page, "Registrar un caso", "Bandejas")
    page.get_by_role("heading", name="Registrar un caso por un ciudadano").wait_for()

    page.get_by_label("Presencial, en la oficina").check()
    page.get_by_label("Número de documento").fill("41234567")
    page.get_by_label("Nombres").fill("Rosa")
    page.get_by_label("Apellidos").fill("Quispe Mamani")
    page.get_by_label("Correo electrónico del ciudadano").fill(EMAIL)
    page.get_by_label("Celular del ciudadano").fill("987111222")
    page.get_by_label("Empresa operadora").select_option("CLARO")
    page.get_by_label("¿Qué problema tiene?").select_option("recarga-no-acreditada")
    page.get_by_label("Monto de la recarga").wait_for()  # HTMX brought the extra fields
    page.get_by_label("Monto de la recarga").fill("10")
    page.get_by_label("Fecha de la recarga").fill("2026-01-15")
    page.get_by_label("¿Dónde recargó?").select_option("Bodega o agente")
    page.get_by_label("Número de la línea afectada").fill("987654321")
    page.get_by_label("Lo que cuenta el ciudadano").fill(
        "Recargó 10 soles en una bodega y el saldo no llegó."
    )
    # Without the consent read out, the form says so in the error summary.
    page.get_by_role("button", name="Registrar el caso").click()
    page.get_by_role("alert").wait_for()
    assert "datos personales" in page.get_by_role("alert").inner_text()
    shots(page, "40-registro-asistido-error")

    page.get_by_label("Leí al ciudadano").check()
    page.get_by_role("button", name="Registrar el caso").click()
    page.get_by_role("heading", name="Constancia de registro").wait_for()
    case = Case.objects.get()
    assert case.code in page.content()
    assert case.channel == "PRESENCIAL" and case.office.code == "LIMA-SEDE"
    assert page.get_by_role("button", name="Imprimir la constancia").is_visible()
    page.emulate_media(media="print")
    # The print style applies once the page is laid out again: wait for it, do not race it.
    page.get_by_role("button", name="Imprimir la constancia").wait_for(state="hidden", timeout=5000)
    page.emulate_media(media="screen")
    shots(page, "41-constancia")

    page.get_by_role("button", name=f"Enviar la constancia a {EMAIL}").click()
    page.get_by_text(f"Enviamos la constancia a {EMAIL}").wait_for()
    tasks()
    message = mailbox.wait_for(EMAIL, "Constancia")
    assert case.code in Mailbox.text(message)
    assert errors == []
    ctx.close()
