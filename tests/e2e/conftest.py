"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's
live server. Never `playwright install`: the system chromium is used, or the tests skip."""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps (running the task worker, creating an agent) are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


# Module scope: Playwright's sync API allows one running instance per thread, and other
# browser test modules may start their own.
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Las pruebas de navegador necesitan Chromium de Debian en /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def e2e_settings(settings, tmp_path, live_server):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # The links in the emails must point at the server the browser talks to.
    settings.SITE_URL = live_server.url
    return settings


@pytest.fixture
def shots():
    """Screenshots of the main pages when SGU_SHOTS names a folder (to look at them).

    `both=True` takes the page on a phone and on a desktop (name-390.png, name-1280.png),
    then puts the page's own viewport back."""
    folder = os.environ.get("SGU_SHOTS")

    def take(page, name: str, both: bool = False) -> None:
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        if not both:
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
            return
        own = page.viewport_size
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            page.screenshot(path=str(Path(folder) / f"{name}-{size['width']}.png"), full_page=True)
        page.set_viewport_size(own)

    return take


def link_in(message, pattern: str) -> str:
    """The first link in an email's text that matches `pattern`."""
    from conftest import Mailbox

    match = re.search(pattern, Mailbox.text(message))
    assert match, Mailbox.text(message)
    return match.group(0)


def watch_errors(page) -> list[str]:
    """JavaScript errors and failed requests (other than the expected 4xx pages)."""
    errors: list[str] = []
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
    from conftest import PASSWORD, TOTP_SECRET, enrol_two_factor
    from sgu.accounts import services, totp
    from sgu.accounts.models import User

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
