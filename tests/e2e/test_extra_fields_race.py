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
