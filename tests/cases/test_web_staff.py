"""The regulator's pages: who may open them, the overdue count per operator, the review tray
of returned cases, and a returned case's page (full timeline with internal notes, the
operator's reason, reassign or confirm and close). Emails really go out over SMTP."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from factories import (
    PASSWORD,
    TOTP_SECRET,
    Mailbox,
    NothingWritten,
    enrol_two_factor,
    error_of,
    make_citizen,
    make_operator_agent,
    make_regulator,
    overdue_case,
    png_upload,
    register_case,
    return_case,
    text,
)
from sgu.accounts import totp
from sgu.cases import services
from sgu.cases.models import Case
from sgu.cases.workflow import Actor, State
from sgu.core.principal import Principal

pytestmark = pytest.mark.django_db

HOME = "/regulador/"
RETURNS = "/regulador/devueltos/"
REASON = "La línea 987654321 no pertenece a Claro: es de otra operadora."


def case_url(case) -> str:
    return f"/regulador/casos/{case.code}/"


@pytest.fixture
def regulator(client, catalog):
    user = make_regulator()
    client.force_login(user)
    return user


@pytest.fixture
def returned(citizen):
    return return_case(register_case(citizen), REASON)


# --- who may open them --------------------------------------------------------------------------


def test_regulator_pages_are_403_for_citizens_and_operator_staff(client, claro, citizen, returned):
    paths = [HOME, RETURNS, case_url(returned)]
    for user in (citizen, make_operator_agent(claro)):
        client.force_login(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 403, (user.role, path)
            assert "No puede entrar a esta página" in text(response)
        with NothingWritten():
            assert client.post(f"{case_url(returned)}reasignar/").status_code == 403
            assert client.post(f"{case_url(returned)}confirmar-devolucion/").status_code == 403
    assert Case.objects.get(pk=returned.pk).state == State.RETURNED


def test_anonymous_people_are_sent_to_log_in(client, catalog):
    assert client.get(HOME)["Location"] == f"/cuenta/ingresar/?next={HOME}"


@pytest.mark.parametrize("role", ["REGULATOR_AGENT", "REGULATOR_SUPERVISOR"])
def test_regulator_staff_land_on_the_regulator_home_after_logging_in(catalog, role):
    user = make_regulator(role)
    client = Client()

    enrol_two_factor(user)
    response = client.post("/cuenta/ingresar/", {"username": user.email, "password": PASSWORD})
    # The second factor first, then the regulator's home.
    assert response["Location"] == f"/cuenta/verificar/?next={HOME.replace('/', '%2F')}"
    response = client.post("/cuenta/verificar/", {"code": totp.now_code(TOTP_SECRET), "next": HOME})

    assert response.status_code == 302
    assert response["Location"] == HOME
    page = client.get(HOME)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/regulador/devueltos/"' in html
    # The supervisor (staff) also keeps the way to the administration.
    assert ('href="/admin/"' in html) == (role == "REGULATOR_SUPERVISOR")


# --- the home: overdue now, per operator ---------------------------------------------------------


def test_home_shows_the_cases_overdue_now_per_operator(client, regulator, citizen, returned):
    overdue_case(citizen)  # Claro, marked OVERDUE
    overdue_case(citizen, expire=False)  # Claro, past due, not marked yet
    overdue_case(citizen, operator="MOVISTAR")
    register_case(citizen, operator="ENTEL")  # within its plazo

    response = client.get(HOME)

    assert response.status_code == 200
    html = response.content.decode()
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td class="num">(\d+)</td>', html))
    claro = next(k for k in rows if k.startswith("Claro"))
    movistar = next(k for k in rows if k.startswith("Movistar"))
    entel = next(k for k in rows if k.startswith("Entel"))
    assert (rows[claro], rows[movistar], rows[entel]) == ("2", "1", "0")
    assert html.count('<tr class="row--overdue">') == 2
    shown = text(response)
    assert "3 casos vencidos ahora" in shown
    assert "1 caso devuelto por revisar" in shown
    for href in (RETURNS, "/inoperatividad/regulador/", "/inoperatividad/contingencias/"):
        assert f'href="{href}"' in html


# --- the review tray -----------------------------------------------------------------------------


def test_returns_tray_lists_returned_cases_with_the_operators_reason(
    client, regulator, citizen, returned
):
    still_open = register_case(citizen)

    response = client.get(RETURNS)

    shown = text(response)
    assert returned.code in shown and still_open.code not in shown
    assert REASON in shown
    assert f'href="{case_url(returned)}"' in response.content.decode()


def test_returns_tray_pages_with_htmx(client, regulator, citizen, monkeypatch):

    monkeypatch.setattr("sgu.core.web.PAGE_SIZE", 2)
    cases = [return_case(register_case(citizen)) for _ in range(3)]

    first = client.get(RETURNS)
    more = re.search(r'hx-get="(/regulador/devueltos/\?cursor=[^"]+)"', first.content.decode())
    assert more
    fragment = client.get(more.group(1), HTTP_HX_REQUEST="true")

    html = fragment.content.decode()
    assert "<html" not in html and cases[2].code in html and cases[0].code not in html
    assert "HX-Request" in fragment["Vary"]


def test_an_empty_tray_says_so(client, regulator):
    assert "No hay casos devueltos por revisar" in text(client.get(RETURNS))


# --- a returned case ----------------------------------------------------------------------------


def test_case_page_shows_the_full_timeline_with_internal_notes_and_the_reason(
    client, regulator, citizen
):
    case = register_case(citizen, attachments=[png_upload("voucher.png")])
    services.record_event(
        case=case,
        kind="NOTE",
        by=Principal(actor_role=Actor.OPERATOR, operator=case.operator),
        now=timezone.now(),
        note="Nota interna: la línea figura en el padrón de otra operadora.",
        internal=True,
    )
    return_case(case, REASON)

    response = client.get(case_url(case))

    assert response.status_code == 200
    shown = text(response)
    assert "Claro (América Móvil Perú) devolvió el caso" in shown
    assert REASON in shown
    assert "Nota interna: la línea figura en el padrón de otra operadora." in shown
    assert "La operadora devolvió el caso" in shown  # the timeline event
    assert citizen.get_full_name() in shown and citizen.document_number in shown
    html = response.content.decode()
    assert f'action="{case_url(case)}reasignar/"' in html
    assert f'action="{case_url(case)}confirmar-devolucion/"' in html
    # The operator that returned it is not offered again.
    options = re.findall(r'<option value="([A-Z]+)"', html)
    assert "CLARO" not in options and "MOVISTAR" in options
    # Its evidence downloads through the regulator's own access check.
    attachment = case.attachments.get()
    download = client.get(f"{case_url(case)}adjuntos/{attachment.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "image/png"


def test_a_case_that_is_not_returned_shows_no_review_forms(client, regulator, citizen):
    case = register_case(citizen)

    response = client.get(case_url(case))

    assert response.status_code == 200
    assert "reasignar/" not in response.content.decode()
    assert "Revisar la devolución" not in text(response)
    assert client.get("/regulador/casos/SGU-2026-9999999/").status_code == 404


def test_reassigning_moves_the_case_to_the_new_operator_with_a_new_plazo(
    client, regulator, citizen, claro, movistar, returned, mailbox, tasks
):
    response = client.post(
        f"{case_url(returned)}reasignar/",
        {"reasignar-operator": "MOVISTAR", "reasignar-note": "Línea portada a Movistar."},
    )

    assert response.status_code == 302
    assert response["Location"] == RETURNS
    case = Case.objects.get(pk=returned.pk)
    assert case.state == State.FORWARDED and case.operator == movistar
    assert case.due_at > timezone.now()
    assert f"Trasladamos el caso {case.code} a Movistar" in text(client.get(RETURNS))

    new_agent, old_agent = Client(), Client()
    new_agent.force_login(make_operator_agent(movistar))
    old_agent.force_login(make_operator_agent(claro))
    assert new_agent.get(f"/operadora/casos/{case.code}/").status_code == 200
    assert case.code in text(new_agent.get("/operadora/bandeja/"))
    assert old_agent.get(f"/operadora/casos/{case.code}/").status_code == 404
    assert case.code not in text(old_agent.get("/operadora/bandeja/"))

    tasks()
    sent = mailbox.wait_for(citizen.email, f"Su caso {case.code} fue trasladado a Movistar")
    assert "Revisamos la devolución de Claro" in Mailbox.text(sent)


def test_reassigning_needs_an_operator_other_than_the_one_that_returned_it(
    client, regulator, returned
):
    for chosen in ("", "CLARO"):
        with NothingWritten():
            response = client.post(
                f"{case_url(returned)}reasignar/", {"reasignar-operator": chosen}
            )
        assert response.status_code == 422
        assert error_of(response, "id_reasignar-operator")
        assert 'href="#id_reasignar-operator"' in response.content.decode()
    assert Case.objects.get(pk=returned.pk).state == State.RETURNED


def test_confirming_the_return_closes_the_case_and_tells_the_citizen(
    client, regulator, citizen, returned, mailbox, tasks
):
    note = "La línea no es de ninguna operadora del SGU; repórtelo a su empresa actual."

    response = client.post(f"{case_url(returned)}confirmar-devolucion/", {"cerrar-note": note})

    assert response.status_code == 302
    case = Case.objects.get(pk=returned.pk)
    assert case.state == State.CLOSED and case.closed_at is not None
    assert f"cerramos el caso {case.code}" in text(client.get(RETURNS))

    citizen_client = Client()
    citizen_client.force_login(citizen)
    assert "Cerrado" in text(citizen_client.get(f"/casos/{case.code}/"))

    tasks()
    sent = mailbox.wait_for(citizen.email, f"Su caso {case.code} fue cerrado")
    assert note in Mailbox.text(sent)


def test_confirming_needs_an_explanation_for_the_citizen(client, regulator, returned):
    with NothingWritten():
        response = client.post(f"{case_url(returned)}confirmar-devolucion/", {"cerrar-note": "x"})

    assert response.status_code == 422
    assert error_of(response, "id_cerrar-note") == (
        "Explique al ciudadano por qué se cierra (al menos 10 caracteres)."
    )
    assert Case.objects.get(pk=returned.pk).state == State.RETURNED


def test_acting_on_a_case_that_is_not_returned_is_refused_with_a_message(
    client, regulator, citizen
):
    case = register_case(citizen)

    with NothingWritten():
        response = client.post(
            f"{case_url(case)}confirmar-devolucion/",
            {"cerrar-note": "Se cierra porque no corresponde a nadie."},
        )
    assert response.status_code == 302
    assert "Solo se puede confirmar la devolución" in text(client.get(response["Location"]))

    with NothingWritten():
        response = client.post(f"{case_url(case)}reasignar/", {"reasignar-operator": "MOVISTAR"})
    assert response.status_code == 302
    assert "Solo se puede reasignar un caso devuelto" in text(client.get(response["Location"]))
    assert Case.objects.get(pk=case.pk).state == State.FORWARDED


def test_other_roles_home_pages_are_untouched(client, claro):
    client.force_login(make_citizen())
    assert "/regulador/" not in client.get("/").content.decode()
    client.force_login(make_operator_agent(claro))
    assert "/regulador/" not in client.get("/operadora/bandeja/").content.decode()
