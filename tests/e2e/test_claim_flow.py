"""From an unsolved case to a coded reclamo, in a real browser: the operator let a case's
plazo pass; the citizen, told by email, opens it, sees it overdue and generates the reclamo;
the operator agent assigns the claim code from «Reclamos»; the citizen sees the code,
downloads the claim form (PDF), and gets it by email as an attachment, over SMTP.
Then the other road: an operator returns a case as not theirs and the regulator sends it to
the right operator."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from factories import (
    DESKTOP,
    PHONE,
    Mailbox,
    link_in,
    log_in,
    make_citizen,
    make_operator_agent,
    make_regulator,
    menu,
    overdue_case,
    register_case,
    request_claim,
    watch_errors,
)
from sgu.cases import services
from sgu.cases.models import Case, Claim
from sgu.cases.workflow import State
from sgu.catalog.demo import load_reference_data
from sgu.catalog.models import Operator

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "julio.huaman@example.pe"
CLAIM_CODE = "RCL-2026-004512"


def test_overdue_case_becomes_a_coded_reclamo_with_its_pdf(
    browser, live_server, mailbox, tasks, shots, tmp_path
):
    load_reference_data()
    url = live_server.url
    citizen = make_citizen(email_addr=EMAIL, first_name="Julio", last_name="Huamán Ccori")
    # Registered three weeks ago: the operator's plazo (1 business day) has long passed.
    case = register_case(citizen, now=timezone.now() - timedelta(days=21))
    assert services.expire_overdue_cases() == 1

    # --- the citizen is told by email and opens the case (on a phone) ------------------------
    tasks()
    overdue_mail = mailbox.wait_for(EMAIL, f"no respondió a tiempo su caso {case.code}")
    assert "puede convertir su caso en un reclamo" in Mailbox.text(overdue_mail)
    citizen_ctx = browser.new_context(viewport=PHONE, locale="es-PE", accept_downloads=True)
    page = citizen_ctx.new_page()
    errors = watch_errors(page)
    log_in(page, url, EMAIL)
    page.get_by_role("heading", name="Mis casos").wait_for()
    page.goto(link_in(overdue_mail, rf"http://\S+/casos/{case.code}/"))
    page.get_by_role("heading", name=f"Caso {case.code}").wait_for()

    badge = page.locator(".badge", has_text="Vencido")
    assert badge.count() == 1
    # Red: the badge's background is the palette's red.
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(179, 38, 30)"
    assert page.get_by_text("La operadora no respondió dentro del plazo.").is_visible()
    shots(page, "20-caso-vencido", both=True)

    # --- generates the reclamo: the refused first try shows the error on the field -----------
    page.get_by_role("button", name="Generar reclamo").click()
    page.get_by_text("Hay un dato por corregir").wait_for()
    assert page.locator("#reclamo_reason_error").inner_text() == (
        "Explique el motivo del reclamo (al menos 10 caracteres)."
    )
    # The summary takes the focus once the page's script runs: wait for it, do not race it.
    expect(page.locator("[data-error-summary]")).to_be_focused()
    page.get_by_label("¿Por qué reclama?").fill(
        "Recargué S/ 10 hace tres semanas, el saldo nunca llegó y Claro no respondió."
    )
    page.get_by_label("¿Qué pide a la operadora? (opcional)").fill("Que acrediten los S/ 10.")
    page.get_by_role("button", name="Generar reclamo").click()
    page.get_by_text("Generamos su reclamo").wait_for()
    assert page.get_by_role("heading", name="Su reclamo").is_visible()
    assert page.locator(".badge", has_text="Esperando código").count() == 1
    assert page.get_by_text("Plazo para asignar el código").is_visible()
    shots(page, "21-reclamo-solicitado", both=True)
    claim = Claim.objects.get(case__code=case.code)
    # Another citizen's reclamo, requested ten days ago and still without a code: late.
    late = request_claim(overdue_case(make_citizen()), now=timezone.now() - timedelta(days=10))

    # --- the operator agent assigns the code from «Reclamos» (desktop) -------------------------
    agent = make_operator_agent(Operator.objects.get(code="CLARO"))
    agent_ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
    op = agent_ctx.new_page()
    op_errors = watch_errors(op)
    log_in(op, url, agent.email)
    op.get_by_role("heading", name=re.compile("Bandeja de Claro")).wait_for()
    # In the «Bandejas» group of the menu (closed until opened), the count is also on the group.
    count = op.locator('nav a[href="/operadora/reclamos/"] .nav-count')
    assert count.text_content() == "2" and "nav-count--overdue" in count.get_attribute("class")
    menu(op, re.compile(r"^Reclamos"), "Bandejas")
    op.get_by_role("heading", name=re.compile("Reclamos de Claro")).wait_for()
    # The late one first, in red, flagged «Fuera de plazo».
    rows = op.locator("#claim-rows tr")
    assert rows.nth(0).get_attribute("id") == f"reclamo-{late.pk}"
    assert rows.nth(0).get_attribute("class") == "row--overdue"
    assert "Fuera de plazo" in rows.nth(0).inner_text()
    row = op.locator(f"#reclamo-{claim.pk}")
    assert row.get_attribute("class") is None
    assert case.code in row.inner_text() and "Julio Huamán Ccori" in row.inner_text()
    assert "S/ 10.00" in row.inner_text()
    shots(op, "22-reclamos-operadora", both=True)
    row.get_by_label("Código de reclamo").fill(CLAIM_CODE)
    row.get_by_role("button", name="Asignar código").click()
    op.get_by_text(f"Asignó el código {CLAIM_CODE}").wait_for()
    assert CLAIM_CODE in op.locator(f"#reclamo-{claim.pk}").inner_text()
    assert op.locator('nav a[href="/operadora/reclamos/"] .nav-count').text_content() == "1"

    # --- the citizen sees the code and downloads the form ----------------------------------------
    page.reload()
    page.locator(".claim-code", has_text=CLAIM_CODE).wait_for()
    assert page.get_by_text("Plazo de resolución").is_visible()
    shots(page, "23-reclamo-con-codigo", both=True)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Descargar formulario (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"reclamo-{case.code}.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert Path(saved).read_bytes().startswith(b"%PDF")

    # --- and gets it by email, really sent over SMTP, as a PDF attachment ------------------------
    tasks()
    coded_mail = mailbox.wait_for(EMAIL, f"tiene el código {CLAIM_CODE}")
    assert CLAIM_CODE in Mailbox.text(coded_mail)
    attachments = list(coded_mail.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF")

    assert errors == [] and op_errors == []
    citizen_ctx.close()
    agent_ctx.close()


def test_operator_returns_a_case_and_the_regulator_sends_it_to_the_right_operator(
    browser, live_server, mailbox, tasks, shots
):
    load_reference_data()
    url = live_server.url
    citizen = make_citizen(email_addr=EMAIL)
    case = register_case(citizen)
    overdue_case(make_citizen(), operator="MOVISTAR")
    claro_agent = make_operator_agent(Operator.objects.get(code="CLARO"))
    regulator = make_regulator()

    # --- Claro returns it ---------------------------------------------------------------------
    ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
    op = ctx.new_page()
    errors = watch_errors(op)
    log_in(op, url, claro_agent.email)
    op.goto(f"{url}/operadora/casos/{case.code}/")
    op.get_by_role("button", name="Devolver (no corresponde a la operadora)").click()
    assert op.locator("#id_reason_error").is_visible()
    op.get_by_label("¿Por qué no corresponde a su empresa?").fill(
        "El número 987654321 fue portado a Movistar en enero."
    )
    shots(op, "24-devolver-caso")
    op.get_by_role("button", name="Devolver (no corresponde a la operadora)").click()
    op.get_by_text(f"Devolvió el caso {case.code}").wait_for()
    ctx.close()

    # --- the regulator reviews it (lands on the regulator's home) --------------------------------
    ctx = browser.new_context(viewport=DESKTOP, locale="es-PE")
    page = ctx.new_page()
    errors += watch_errors(page)
    log_in(page, url, regulator.email)
    page.get_by_role("heading", name="Seguimiento del regulador").wait_for()
    assert page.url == f"{url}/regulador/"
    movistar = page.locator("tr", has_text="Movistar")
    assert movistar.get_attribute("class") == "row--overdue"
    assert movistar.locator("td").inner_text() == "1"
    shots(page, "25-regulador-inicio", both=True)
    page.get_by_role("link", name="Casos devueltos").first.click()
    page.get_by_role("heading", name="Casos devueltos por las operadoras").wait_for()
    assert "portado a Movistar" in page.locator("tbody").inner_text()
    shots(page, "26-regulador-devueltos", both=True)
    page.get_by_role("link", name=case.code).click()
    page.get_by_role("heading", name=f"Caso {case.code}").wait_for()
    assert page.get_by_text("El número 987654321 fue portado a Movistar en enero.").count() >= 1
    shots(page, "27-regulador-caso", both=True)
    page.get_by_label("Operadora que debe atenderlo").select_option("MOVISTAR")
    page.get_by_role("button", name="Trasladar el caso").click()
    page.get_by_text(f"Trasladamos el caso {case.code} a Movistar").wait_for()
    moved = Case.objects.get(pk=case.pk)
    assert moved.state == State.FORWARDED and moved.operator.code == "MOVISTAR"

    tasks()
    mailbox.wait_for(EMAIL, f"Su caso {case.code} fue trasladado a Movistar")
    assert errors == []
    ctx.close()
