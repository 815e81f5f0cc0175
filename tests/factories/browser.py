"""A person at the browser: screen sizes, logging in with the second factor, the menu, errors
the page shows in its console."""

import os
import re
import sys
import time

from factories.mail import Mailbox
from factories.people import PASSWORD, TOTP_SECRET, enrol_two_factor
from sgu.accounts import services, totp
from sgu.accounts.models import User

PHONE = {"width": 390, "height": 844}


DESKTOP = {"width": 1280, "height": 900}


def link_in(message, pattern: str) -> str:
    """The first link in an email's text that matches `pattern`."""

    match = re.search(pattern, Mailbox.text(message))
    assert match, Mailbox.text(message)
    return match.group(0)


def trace(page) -> None:
    """Every request, answer and console line of the page on stderr, timed (SGU_E2E_TRACE=1,
    with pytest -s): what a flaky browser test did, in order."""
    start = time.monotonic()

    def log(*parts) -> None:
        print(f"{time.monotonic() - start:7.3f}", *parts, file=sys.stderr, flush=True)

    page.on("request", lambda r: log("→", r.method, r.url))
    page.on("response", lambda r: log("←", r.status, r.url))
    page.on("requestfailed", lambda r: log("✗", r.url, r.failure))
    page.on("console", lambda m: log("console", m.type, m.text))


def watch_errors(page) -> list[str]:
    """JavaScript errors and failed requests (other than the expected 4xx pages)."""
    errors: list[str] = []
    if os.environ.get("SGU_E2E_TRACE"):
        trace(page)
    page.on("pageerror", lambda exc: errors.append(f"pageerror: {exc}"))
    page.on(
        "console",
        lambda msg: (
            errors.append(f"console: {msg.text}")
            if msg.type == "error" and "status of 422" not in msg.text
            else None
        ),
    )
    return errors


def log_in(page, base_url: str, email: str) -> None:
    """Log in as a person would: password, then — staff and operator users — the code of
    their authenticator app (a known secret is enrolled for them, the code computed by the
    same TOTP function the server uses)."""
    user = User.objects.get(email=email)
    second_factor = services.second_factor_required(user)
    if second_factor:
        enrol_two_factor(user)
    page.goto(base_url + "/cuenta/ingresar/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Ingresar").click()
    if second_factor:
        page.get_by_label("Código de verificación").fill(totp.now_code(TOTP_SECRET))
        page.get_by_role("button", name="Verificar", exact=True).click()


def unfold_menu(page):
    """The header menu as a person reaches it: on a phone, «Menú» unfolds it first."""
    page.wait_for_load_state("load")  # sgu.js folds the menu when the page has loaded
    nav = page.get_by_role("navigation", name="Menú principal")
    toggle = nav.get_by_role("button", name="Menú")
    if toggle.count() and toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
    return nav


def menu(page, link, group: str | None = None) -> None:
    """Follow a link of the header menu, opening its group (Bandejas, Atención…) first."""
    nav = unfold_menu(page)
    if group:
        summary = nav.locator("summary", has_text=group)
        if summary.locator("xpath=..").get_attribute("open") is None:
            summary.click()
    nav.get_by_role("link", name=link).click()


def log_out(page) -> None:
    unfold_menu(page).get_by_role("button", name="Salir").click()
