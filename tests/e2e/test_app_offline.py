"""The installed app on a poor connection, in a real browser: the citizen opens the app (its
start_url), the connection drops while the report is written and sent; the report stays on
the phone, survives reopening the app without a connection (the service worker's copy of the
form), and goes once the connection returns: exactly one case, recorded with channel APP.
The form also offers the operator's plans, refreshed when the operator changes."""

import pytest
from playwright.sync_api import expect

from factories import PHONE, log_in, make_citizen, watch_errors
from sgu.cases.models import Case, Channel
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Operator
from sgu.core.principal import Actor, Principal
from sgu.operators import services as operators
from sgu.site.demo_opinfo import ask_for_lists

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OFFLINE_NOTE = "Sin conexión: guardamos su reporte en este teléfono"


def _plans(code: str, names: list[str]) -> None:
    operator = Operator.objects.get(code=code)
    operators.replace_info(
        operator=operator,
        kind="PLANS",
        items=[operators.InfoItemInput(name=n) for n in names],
        by=Principal(actor_role=Actor.OPERATOR, operator=operator),
    )


def test_a_report_written_offline_is_kept_and_sent_once_as_app(browser, live_server):
    load_reference_data()
    ask_for_lists()
    _plans("CLARO", ["Max 39.90", "Max 69.90"])
    _plans("MOVISTAR", ["Ilimitado 49.90"])
    citizen = make_citizen()
    url = live_server.url

    context = browser.new_context(viewport=PHONE, locale="es-PE")
    page = context.new_page()
    errors = watch_errors(page)
    log_in(page, url, citizen.email)
    page.goto(url + "/casos/nuevo/?canal=app")
    # The service worker installs and takes the page: the form is kept for offline use.
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # The operator's plans are the choices; another operator brings its own (HTMX).
    page.get_by_label("Empresa operadora").select_option("MOVISTAR")
    # (The page's "response" event comes before htmx swaps the answer in: the checks wait
    # for what the citizen sees.)
    page.get_by_label("¿Qué problema tiene?").select_option("migracion-no-ejecutada")
    plan = page.get_by_role("combobox", name="Plan al que pidió migrar")
    expect(plan).to_contain_text("Ilimitado 49.90")
    expect(plan).not_to_contain_text("Max 69.90")
    page.get_by_label("Empresa operadora").select_option("CLARO")
    expect(plan).to_contain_text("Max 69.90")
    expect(plan).not_to_contain_text("Ilimitado 49.90")

    # The connection drops while the citizen writes and sends.
    context.set_offline(True)
    page.get_by_label("Código de pedido de la migración").fill("MIG-2026-0042")
    plan.select_option("Max 69.90")
    page.get_by_label("Número de la línea afectada").fill("987654321")
    page.get_by_label("Cuéntenos qué pasó").fill(
        "Pedí migrar al plan Max 69.90 hace dos semanas y me siguen cobrando el anterior."
    )
    page.get_by_role("button", name="Enviar mi reporte").click()
    page.get_by_text(OFFLINE_NOTE).wait_for()
    assert Case.objects.count() == 0
    assert page.evaluate("JSON.parse(localStorage.getItem('sgu.report.draft.v1')).pending")

    # Reopened without a connection: the worker's copy of the form, the report still there.
    page.reload()
    page.get_by_text("Su reporte está guardado en este teléfono").wait_for()
    assert page.get_by_label("Cuéntenos qué pasó").input_value().startswith("Pedí migrar")
    assert Case.objects.count() == 0

    # The connection returns: the report goes by itself, once.
    context.set_offline(False)
    # A phone may announce it twice: still one report sent, one case.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.get_by_text("Registramos su caso").wait_for()
    case = Case.objects.get()
    assert case.channel == Channel.APP
    assert case.fields == {"codigo_pedido": "MIG-2026-0042", "plan_destino": "Max 69.90"}
    assert case.code in page.content()
    assert page.evaluate("localStorage.getItem('sgu.report.draft.v1')") is None

    assert not [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e], errors
    context.close()
