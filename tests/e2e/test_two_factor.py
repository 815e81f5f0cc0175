"""In a browser: a new regulator staff member sets up the authenticator at first login, then
logs in again with a recovery code."""

import re

import pytest

from factories import DESKTOP, PASSWORD, make_regulator, watch_errors
from sgu.accounts import totp
from sgu.catalog.demo import load_reference_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def password_step(page, url, email):
    page.goto(url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()


def test_staff_set_up_the_code_then_log_in_with_it(browser, live_server, shots):
    load_reference_data()
    regulator = make_regulator()
    url = live_server.url
    ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
    page = ctx.new_page()
    errors = watch_errors(page)

    password_step(page, url, regulator.email)
    page.get_by_role("heading", name="Activar la verificación en dos pasos").wait_for()
    assert page.locator("svg.qr").is_visible()
    shots(page, "2fa-configurar", both=True)
    # The regulator's pages stay closed until the code is given.
    page.goto(url + "/regulador/")
    page.get_by_role("heading", name="Activar la verificación en dos pasos").wait_for()

    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Código de 6 dígitos").fill("000000")
    page.get_by_role("button", name="Activar").click()
    page.get_by_text("El código no es correcto o ya fue usado").first.wait_for()
    page.get_by_label("Código de 6 dígitos").fill(totp.now_code(secret))
    page.get_by_role("button", name="Activar").click()
    page.get_by_role("heading", name="Sus códigos de recuperación").wait_for()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    shots(page, "2fa-codigos")
    page.get_by_role("link", name="Ya los guardé, continuar").click()
    page.wait_for_url(re.compile(r"/regulador/$"))

    # Next time: password, then a code (a recovery code here: the app's current one was used).
    page.get_by_role("button", name="Salir").click()
    password_step(page, url, regulator.email)
    page.get_by_role("heading", name="Verificación en dos pasos").wait_for()
    shots(page, "2fa-codigo")
    page.get_by_label("Código de verificación").fill(codes[0])
    page.get_by_role("button", name="Verificar").click()
    page.wait_for_url(re.compile(r"/regulador/$"))
    assert "le quedan 9" in page.content()
    assert errors == [], errors
    ctx.close()
