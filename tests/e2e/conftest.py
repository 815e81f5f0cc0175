"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's
live server. Never `playwright install`: the system chromium is used, or the tests skip."""

import os
from pathlib import Path

import pytest
from django.db import connections

from factories.browser import (
    DESKTOP,
    PHONE,
)

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
        # While Playwright's event loop runs, Django keeps this thread's connections apart
        # (asgiref's Local is per context): close the ones opened meanwhile, or PostgreSQL
        # refuses to drop the test database at the end.
        connections.close_all()


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
