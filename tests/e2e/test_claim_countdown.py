"""The operator's «Reclamos» tray counts down to each pending claim's code plazo, live, in a
real browser: the page's script rewrites the server's words every second and marks the
claim overdue the moment its plazo passes; without JavaScript the server's words remain."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from factories import (
    DESKTOP,
    citizen_principal,
    lima,
    log_in,
    make_case,
    make_citizen,
    make_operator_agent,
    watch_errors,
)
from sgu.cases import services
from sgu.catalog.demo import load_reference_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_code_plazo_counts_down_live(browser, live_server):
    load_reference_data()
    citizen = make_citizen()
    case = make_case(citizen, now=lima(2026, 3, 2, 10))
    claim = services.request_claim(
        case=case,
        reason="La operadora no respondió y la recarga sigue sin acreditarse.",
        by=citizen_principal(citizen),
    )
    agent = make_operator_agent(case.operator)
    # The browser's clock, 90 seconds before the plazo (the server's is the test's clock).
    before = claim.code_due_at - timedelta(seconds=90)

    ctx = browser.new_context(viewport=DESKTOP, locale="es-PE", timezone_id="America/Lima")
    page = ctx.new_page()
    errors = watch_errors(page)
    page.clock.install(time=before - timedelta(minutes=5))
    log_in(page, live_server.url, agent.email)
    page.goto(f"{live_server.url}/operadora/reclamos/")
    page.clock.pause_at(before)
    page.clock.run_for(1_000)
    countdown = page.locator(f"#reclamo-{claim.pk} time[data-countdown]")
    expect(countdown).to_have_text("quedan 1 min 29 s")
    page.clock.run_for(5_000)
    expect(countdown).to_have_text("quedan 1 min 24 s")
    expect(countdown).to_have_class("countdown")
    page.clock.run_for(100_000)
    expect(countdown).to_have_text("venció hace 0 min 16 s")
    expect(countdown).to_have_class("countdown countdown--overdue")
    assert errors == []
    ctx.close()

    # Without JavaScript: the server's words, to the minute, at the server's instant.
    plain = browser.new_context(viewport=DESKTOP, locale="es-PE", java_script_enabled=False)
    page = plain.new_page()
    log_in(page, live_server.url, agent.email)
    page.goto(f"{live_server.url}/operadora/reclamos/")
    left = claim.code_due_at - timezone.now()
    words = page.locator(f"#reclamo-{claim.pk} time[data-countdown]").text_content()
    assert words.startswith("quedan ") and left > timedelta(0), words
    plain.close()
