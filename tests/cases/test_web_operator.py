"""The operator portal: the tray (own operator only, filters, HTMX fragment, keyset pages,
countdowns) and a case: acknowledge and answer, which emails the citizen."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories import (
    Mailbox,
    error_of,
    make_citizen,
    make_operator_agent,
    png_bytes,
    png_upload,
    register_case,
    solution_form,
    text,
)
from sgu.cases.models import Attachment, Case, Solution
from sgu.cases.workflow import State

pytestmark = pytest.mark.django_db

TRAY = "/operadora/bandeja/"


@pytest.fixture
def agent(client, claro):
    user = make_operator_agent(claro)
    client.force_login(user)
    return user


# --- who may see the tray ------------------------------------------------------------------


def test_tray_is_for_operator_staff_only(client, citizen):
    assert client.get(TRAY)["Location"] == f"/cuenta/ingresar/?next={TRAY}"
    client.force_login(citizen)
    response = client.get(TRAY)
    assert response.status_code == 403
    assert "No puede entrar a esta página" in text(response)


def test_tray_shows_only_the_agents_operator_cases_with_counts(client, agent, citizen):
    mine = register_case(citizen)
    late = register_case(citizen, now=timezone.now() - timedelta(days=20))
    theirs = register_case(citizen, operator="MOVISTAR")
    waiting = register_case(make_citizen(verified=False))  # not forwarded yet

    response = client.get(TRAY)

    shown = text(response)
    assert response.status_code == 200
    assert mine.code in shown and late.code in shown
    assert theirs.code not in shown and waiting.code not in shown
    assert response.context["counts"] == {"open": 2, "overdue": 1}
    # Sorted by due date: the overdue one first, in red with "Vencido".
    assert shown.index(late.code) < shown.index(mine.code)
    html = response.content.decode()
    assert html.count('class="row--overdue"') == 1
    assert '<span class="badge badge--overdue">Vencido</span>' in html
    assert "Vencido hace" in shown
    assert "Vence en" in shown or "Vence hoy" in shown or "Vence el" in shown


def test_tray_filters_by_state_subcategory_and_overdue(client, agent, citizen):
    fresh = register_case(citizen)
    late = register_case(citizen, now=timezone.now() - timedelta(days=20))
    signal = register_case(
        citizen,
        subcategory="sin-senal",
        fields={"tipo_falla": "Sin señal", "lugar": "Jr. Junín 300, Cercado"},
    )

    overdue = text(client.get(TRAY, {"overdue": "si"}))
    assert late.code in overdue and fresh.code not in overdue

    on_time = text(client.get(TRAY, {"overdue": "no"}))
    assert late.code not in on_time and fresh.code in on_time

    by_sub = text(client.get(TRAY, {"subcategory": "sin-senal"}))
    assert signal.code in by_sub and fresh.code not in by_sub

    none = text(client.get(TRAY, {"state": "IN_PROGRESS"}))
    assert "Ningún caso cumple estos filtros" in none

    # A value that is not an option is ignored, never an error page.
    assert client.get(TRAY, {"state": "HACKED", "sort": "x"}).status_code == 200


def test_tray_sorts_by_registration(client, agent, citizen):
    older = register_case(citizen, now=timezone.now() - timedelta(hours=2))
    newer = register_case(citizen)

    shown = text(client.get(TRAY, {"sort": "registro"}))

    assert shown.index(newer.code) < shown.index(older.code)


def test_tray_htmx_request_gets_only_the_rows(client, agent, citizen):
    case = register_case(citizen)

    response = client.get(TRAY, {"overdue": "no"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert "<html" not in html and "<table" not in html
    assert html.lstrip().startswith("<tr")
    assert case.code in html
    assert "HX-Request" in response["Vary"]
    # Restoring history asks for the whole page.
    page = client.get(TRAY, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in page.content.decode()


def test_tray_page_wires_the_filters_to_htmx(client, agent):
    html = client.get(TRAY).content.decode()

    assert 'hx-get="/operadora/bandeja/"' in html
    assert 'hx-target="#tray-rows"' in html
    assert 'hx-push-url="true"' in html
    assert '<tbody id="tray-rows"' in html


def test_tray_see_more_by_keyset(client, agent, citizen, monkeypatch):
    monkeypatch.setattr("sgu.core.web.PAGE_SIZE", 2)
    base = timezone.now() - timedelta(days=3)
    codes = [register_case(citizen, now=base + timedelta(hours=i)).code for i in range(3)]

    page1 = client.get(TRAY, {"sort": "registro-asc"})
    assert codes[0] in text(page1) and codes[1] in text(page1) and codes[2] not in text(page1)
    next_query = page1.context["next_query"]
    assert "sort=registro-asc" in next_query and "cursor=" in next_query

    rows = client.get(f"{TRAY}?{next_query}", HTTP_HX_REQUEST="true")
    assert codes[2] in text(rows) and codes[0] not in text(rows)
    assert "Ver más casos" not in text(rows)


# --- a case ---------------------------------------------------------------------------------


def test_another_operators_case_is_a_404(client, agent, citizen):
    theirs = register_case(citizen, operator="MOVISTAR", attachments=[png_upload()])
    attachment = Attachment.objects.get(case=theirs)

    assert client.get(f"/operadora/casos/{theirs.code}/").status_code == 404
    assert client.post(f"/operadora/casos/{theirs.code}/atender/").status_code == 404
    assert (
        client.post(f"/operadora/casos/{theirs.code}/solucion/", solution_form()).status_code == 404
    )
    assert (
        client.get(f"/operadora/casos/{theirs.code}/adjuntos/{attachment.pk}/").status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.state == State.FORWARDED


def test_case_shows_what_the_agent_needs_to_solve_it(client, agent, citizen):
    case = register_case(citizen, attachments=[png_upload("voucher.png")])
    attachment = Attachment.objects.get(case=case)

    response = client.get(f"/operadora/casos/{case.code}/")

    shown = text(response)
    assert citizen.get_full_name() in shown
    assert f"DNI {citizen.document_number}" in shown
    assert citizen.email in shown and citizen.phone in shown
    assert case.service_number in shown
    assert case.description in shown
    assert "Monto de la recarga (S/) S/ 10.00" in shown
    assert "¿Dónde recargó? Bodega o agente" in shown
    assert "Fecha de la recarga 15/01/2026" in shown
    assert "voucher.png" in shown
    assert "Tomar en atención" in shown and "Registrar la solución" in shown
    html = response.content.decode()
    assert f'value="{agent.get_full_name()}"' in html  # responsible prefilled
    download = client.get(f"/operadora/casos/{case.code}/adjuntos/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == png_bytes()


def test_citizen_cannot_open_the_operator_case_page(client, citizen):
    case = register_case(citizen)
    client.force_login(citizen)
    assert client.get(f"/operadora/casos/{case.code}/").status_code == 403


def test_acknowledge_then_answer_emails_the_citizen(client, agent, citizen, mailbox, tasks):
    case = register_case(citizen)

    response = client.post(f"/operadora/casos/{case.code}/atender/", follow=True)
    case.refresh_from_db()
    assert case.state == State.IN_PROGRESS
    assert f"Tomó en atención el caso {case.code}" in text(response)
    assert "La operadora tomó el caso en atención" in text(response)  # timeline

    again = client.post(f"/operadora/casos/{case.code}/atender/", follow=True)
    assert "Solo se puede tomar en atención" in text(again)

    response = client.post(f"/operadora/casos/{case.code}/solucion/", solution_form(), follow=True)
    case.refresh_from_db()
    assert case.state == State.ANSWERED
    assert case.solution.responsible == "Agente Claro"
    shown = text(response)
    assert "Se la enviamos al usuario por correo" in shown
    assert "Solución registrada" in shown and "Resuelto" in shown
    assert "Registrar la solución" not in shown  # no more buttons

    tasks()
    message = mailbox.wait_for(citizen.email, f"respondió su caso {case.code}")
    body = Mailbox.text(message)
    assert "Verificamos la recarga y acreditamos S/ 10 en su línea." in body
    assert f"/casos/{case.code}/" in body


def test_answer_with_bad_input_shows_errors_and_changes_nothing(client, agent, citizen):
    case = register_case(citizen)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    response = client.post(
        f"/operadora/casos/{case.code}/solucion/",
        solution_form(outcome="", detail="ok", executed_at=tomorrow, responsible=""),
    )

    assert response.status_code == 422
    assert error_of(response, "id_outcome")
    assert "al menos 10 caracteres" in error_of(response, "id_detail")
    assert "no puede ser futura" in error_of(response, "id_executed_at")
    assert "Indique el responsable" in error_of(response, "id_responsible")
    assert "ok</textarea>" in response.content.decode()  # what was typed stays
    case.refresh_from_db()
    assert case.state == State.FORWARDED
    assert Solution.objects.count() == 0

    no_date = client.post(
        f"/operadora/casos/{case.code}/solucion/", solution_form(executed_at="31/02/2026")
    )
    assert "Indique la fecha de ejecución" in error_of(no_date, "id_executed_at")
    assert Case.objects.get(pk=case.pk).state == State.FORWARDED


def test_outcome_options_are_in_spanish(client, agent, citizen):
    case = register_case(citizen)

    html = client.get(f"/operadora/casos/{case.code}/").content.decode()

    for value, label in (
        ("RESOLVED", "Resuelto"),
        ("NOT_RESOLVED", "No resuelto"),
        ("NOT_APPLICABLE", "No corresponde"),
    ):
        assert f'value="{value}"' in html and f">{label}</label>" in html
