"""In a real browser: the channel's head registers an outage event in the inoperatividad
register, is refused a second open one for the same point and procedure, and closes it
from the list (the closing form is loaded in place by HTMX)."""

import pytest

from factories import PASSWORD, enrol_two_factor, make_operator_agent
from outages.helpers import grant, make_operator_admin, make_point
from sgu.accounts import totp
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Operator
from sgu.operators.models import StaffDuty
from sgu.outages.models import OutageEvent

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
]


def test_channel_head_registers_and_closes_an_outage(browser, live_server, shots):
    load_reference_data()
    claro = Operator.objects.get(code="CLARO")
    make_point(make_operator_admin(claro), code="CAC-MIRAFLORES", name="CAC Miraflores")
    agent = grant(make_operator_agent(claro), StaffDuty.CHANNEL_HEAD)  # the channel's head
    secret = enrol_two_factor(agent)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="es-PE")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and "status of 422" not in msg.text
            else None
        ),
    )

    page.goto(f"{live_server.url}/inoperatividad/eventos/")
    # Not signed in: the login page, then back to the register.
    page.get_by_label("Correo electrónico").fill(agent.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    # Operator users give the code of their authenticator app after the password.
    page.get_by_label("Código de verificación").fill(totp.now_code(secret))
    page.get_by_role("button", name="Verificar").click()
    page.wait_for_url("**/inoperatividad/eventos/")
    assert page.get_by_role("heading", name="Registro de inoperatividad de Claro").is_visible()
    assert page.get_by_text("No hay eventos abiertos.").is_visible()

    # --- register ------------------------------------------------------------------------------
    page.get_by_role("link", name="Registrar un evento").click()
    page.get_by_label("Punto de atención").select_option("CAC-MIRAFLORES")
    page.get_by_label("Tipo de procedimiento").select_option("RECLAMOS")
    page.get_by_label("Falla masiva").check()
    page.get_by_label("SIAC ÚNICO").check()
    page.get_by_label("Web Asesor reclamos").check()
    page.get_by_label("Detalle (opcional)").fill("Sistema de reclamos y CRM")
    page.get_by_label("Inicio (hora de Lima)").fill("2026-03-09T10:00")
    shots(page, "outages-01-registrar")
    page.get_by_role("button", name="Registrar el evento").click()
    page.wait_for_url("**/inoperatividad/eventos/")
    assert page.get_by_text("Registró el evento N.º 1 (CAC Miraflores, Reclamos).").is_visible()
    event = OutageEvent.objects.get()
    assert event.registered_by == agent and event.is_open

    # --- a second open event for the same point and procedure is refused ---------------------
    page.get_by_role("link", name="Registrar un evento").click()
    page.get_by_label("Punto de atención").select_option("CAC-MIRAFLORES")
    page.get_by_label("Tipo de procedimiento").select_option("RECLAMOS")
    page.get_by_label("Falla masiva").check()
    page.get_by_label("SIAC ÚNICO").check()
    page.get_by_role("button", name="Registrar el evento").click()
    summary = page.locator("[data-error-summary]")
    assert "Ya hay un evento abierto (N.º 1)" in summary.inner_text()
    assert OutageEvent.objects.count() == 1
    page.get_by_role("link", name="Cancelar").click()

    # --- close it from the list: the form appears in place (HTMX) ---------------------------
    page.get_by_role("link", name="Cerrar evento N.º 1").click()
    form = page.get_by_role("form", name="Cerrar el evento N.º 1")
    form.wait_for()
    assert page.url.endswith("/inoperatividad/eventos/")  # still the list: loaded in place
    shots(page, "outages-02-cerrar-en-la-lista")
    form.get_by_label("Fin (hora de Lima)").fill("2026-03-09T09:30")
    form.get_by_label("Motivo de cierre").select_option("CONECTIVIDAD")
    form.get_by_role("button", name="Cerrar el evento").click()
    # Before the start: refused in Spanish, nothing changed.
    assert (
        "El fin no puede ser anterior al inicio (09/03/2026 10:00)."
        in page.locator("[data-error-summary]").inner_text()
    )
    page.get_by_label("Fin (hora de Lima)").fill("2026-03-09T12:15")
    page.get_by_label("Motivo de cierre").select_option("CONECTIVIDAD")
    page.get_by_role("button", name="Cerrar el evento").click()
    page.wait_for_url("**/inoperatividad/eventos/")
    assert page.get_by_text("Cerró el evento N.º 1.").is_visible()
    shots(page, "outages-03-cerrado")
    assert page.get_by_text("No hay eventos abiertos.").is_visible()
    closed = page.locator("#closed-rows")
    assert "Conectividad" in closed.inner_text()
    event.refresh_from_db()
    assert not event.is_open and event.closing_reason == "CONECTIVIDAD"
    assert errors == []
    context.close()
