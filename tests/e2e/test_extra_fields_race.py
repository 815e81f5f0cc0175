"""On a slow line the answer to «Empresa operadora» may still be on its way when the citizen
picks the problem. That late answer (no subcategory, so no extra fields) must not arrive last
and wipe the fields the problem brought: the newer choice is asked for after it."""

import threading
import time

import pytest

from factories import PHONE, log_in, make_citizen, watch_errors
from sgu.cases import views
from sgu.catalog.demo import load_reference_data

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_slow_answer_to_the_operator_does_not_wipe_the_problems_fields(
    browser, live_server, monkeypatch
):
    load_reference_data()
    citizen = make_citizen()
    slow_answer_done = threading.Event()
    real_render = views.render

    def render(request, template, *args, **kwargs):
        if template.endswith("#extra-fields") and not request.GET.get("subcategory"):
            # The operator's answer takes its time: the citizen chooses the problem meanwhile.
            time.sleep(1.5)
            try:
                return real_render(request, template, *args, **kwargs)
            finally:
                slow_answer_done.set()
        return real_render(request, template, *args, **kwargs)

    monkeypatch.setattr(views, "render", render)

    ctx = browser.new_context(viewport=PHONE, locale="es-PE")
    page = ctx.new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, citizen.email)
    page.goto(live_server.url + "/casos/nuevo/")
    with page.expect_request(lambda r: "/casos/nuevo/campos/" in r.url):
        page.get_by_label("Empresa operadora").select_option("CLARO")
    page.get_by_label("¿Qué problema tiene?").select_option("recarga-no-acreditada")
    page.get_by_label("Monto de la recarga (S/)").wait_for()

    assert slow_answer_done.wait(10)
    page.wait_for_timeout(700)  # time for a late answer, had it overtaken the newer one, to land
    assert page.get_by_label("Monto de la recarga (S/)").is_visible()
    page.get_by_label("Monto de la recarga (S/)").fill("10")
    assert page.get_by_label("Monto de la recarga (S/)").input_value() == "10"
    ctx.close()
    assert errors == []


def test_a_choice_made_before_the_scripts_run_still_brings_the_fields(browser, live_server):
    """The page is shown before its deferred scripts run: on a slow phone the citizen may pick
    the operator and the problem before HTMX listens. Those choices must still bring the
    problem's fields once it does (one request, with both values)."""
    load_reference_data()
    citizen = make_citizen()
    ctx = browser.new_context(viewport=PHONE, locale="es-PE")
    page = ctx.new_page()
    errors = watch_errors(page)
    log_in(page, live_server.url, citizen.email)
    held = []
    page.route("**/static/sgu/htmx.min.js", lambda route: held.append(route))  # a slow line
    fields_requests = []
    page.on(
        "request", lambda r: fields_requests.append(r.url) if "/nuevo/campos/" in r.url else None
    )

    page.goto(live_server.url + "/casos/nuevo/", wait_until="commit")
    page.get_by_label("¿Qué problema tiene?").wait_for()
    page.get_by_label("Empresa operadora").select_option("CLARO")
    page.get_by_label("¿Qué problema tiene?").select_option("recarga-no-acreditada")
    assert len(held) == 1 and fields_requests == []
    held[0].continue_()

    page.get_by_label("Monto de la recarga (S/)").wait_for(timeout=10_000)
    page.wait_for_timeout(500)  # a second request, had one been sent, would land meanwhile
    assert len(fields_requests) == 1
    assert "operator=CLARO" in fields_requests[0]
    assert "subcategory=recarga-no-acreditada" in fields_requests[0]
    ctx.close()
    assert errors == []
