"""The sweep's fixtures: the living demo served once per session (tests/e2e/demo_site.py) and
one signed-in browser state per demo role, reused by every page of that role."""

import pytest

from e2e import demo_site
from e2e.demo_site import ROLES
from factories.clock import pinned_now


@pytest.fixture(autouse=True)
def e2e_settings():
    """The sweep talks to its own demo server, not to pytest-django's live server (whose
    database is emptied after each test)."""


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    # A smaller year (three months, three cases a day per operator and subcategory mix):
    # every page still shows data, and the sweep spends its time on the pages.
    yield from demo_site.start(
        tmp_path_factory.mktemp("demo"), pinned_now(), ["--months", "3", "--per-day", "3"]
    )


@pytest.fixture(scope="session")
def signed_in(demo):
    """role -> Playwright storage state of a session past the second factor (logged in once
    per role: a 2FA code serves once)."""
    return {}


@pytest.fixture
def open_as(browser, demo, signed_in):
    """A fresh browser context for `role` at `viewport` (CSP bypassed to inject axe-core)."""
    contexts = []

    def open_(role: str, viewport: dict):
        account = ROLES[role]
        if account and role not in signed_in:
            ctx = browser.new_context(viewport=viewport, locale="es-PE")
            demo_site.log_in(ctx.new_page(), demo, *account)
            signed_in[role] = ctx.storage_state()
            ctx.close()
        ctx = browser.new_context(
            viewport=viewport,
            locale="es-PE",
            bypass_csp=True,
            storage_state=signed_in.get(role),
        )
        contexts.append(ctx)
        return ctx.new_page()

    yield open_
    for ctx in contexts:
        ctx.close()
