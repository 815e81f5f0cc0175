"""The HTML pages of the register and of contingency windows (Django test client)."""

import re

import pytest
from django.test import Client

from factories import lima, make_case, make_operator_agent
from outages.helpers import grant, make_supervisor, register
from sgu.accounts.models import Role
from sgu.cases.models import Case
from sgu.operators.models import StaffDuty
from sgu.outages.models import AttentionPoint, ContingencyWindow, OutageEvent


def logged(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def agent(claro):
    return make_operator_agent(claro)


# --- attention points -------------------------------------------------------------------------


def test_admin_registers_a_point_and_sees_spanish_errors(claro_admin):
    web = logged(claro_admin)
    page = web.get("/inoperatividad/puntos/nuevo/")
    assert page.status_code == 200
    bad = web.post(
        "/inoperatividad/puntos/nuevo/",
        {"code": "", "name": "CAC", "kind": "TIENDA", "ubigeo": "15"},
    )
    assert bad.status_code == 422
    html = bad.content.decode()
    assert "Hay 2 datos por corregir" in html
    assert "El ubigeo tiene 6 dígitos" in html
    ok = web.post(
        "/inoperatividad/puntos/nuevo/",
        {"code": "cac-jockey", "name": "CAC Jockey Plaza", "kind": "TIENDA",
         "ubigeo": "150140", "active": "on"},
    )  # fmt: skip
    assert ok.status_code == 302
    point = AttentionPoint.objects.get(code="CAC-JOCKEY")
    listing = web.get("/inoperatividad/puntos/").content.decode()
    assert "CAC Jockey Plaza" in listing and f"/inoperatividad/puntos/{point.pk}/editar/" in listing
    edit = web.post(
        f"/inoperatividad/puntos/{point.pk}/editar/",
        {"code": "CAC-JOCKEY", "name": "CAC Jockey", "kind": "TIENDA", "ubigeo": "150140"},
    )
    assert edit.status_code == 302
    point.refresh_from_db()
    assert point.name == "CAC Jockey" and point.active is False  # unchecked box


def test_an_empty_submission_is_refused_with_messages_not_an_error(claro_admin):
    web = logged(claro_admin)
    response = web.post("/inoperatividad/puntos/nuevo/", {})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Hay 4 datos por corregir" in html
    assert not AttentionPoint.objects.exists()


def test_agents_see_points_but_do_not_manage_them(agent, claro_store):
    web = logged(agent)
    listing = web.get("/inoperatividad/puntos/").content.decode()
    assert "CAC Miraflores" in listing
    assert "Solo un administrador de" in listing and "pídaselo a" in listing
    assert web.get("/inoperatividad/puntos/nuevo/").status_code == 403
    assert web.get(f"/inoperatividad/puntos/{claro_store.pk}/editar/").status_code == 403


def test_another_operators_point_is_404(movistar_admin, claro_store):
    web = logged(movistar_admin)
    assert web.get(f"/inoperatividad/puntos/{claro_store.pk}/editar/").status_code == 404


# --- events -------------------------------------------------------------------------------------


def test_channel_head_registers_and_closes_an_event(agent, claro_store):
    grant(agent, StaffDuty.CHANNEL_HEAD)
    web = logged(agent)
    form = web.get("/inoperatividad/eventos/nuevo/").content.decode()
    assert "CAC Miraflores (CAC-MIRAFLORES)" in form
    data = {
        "attention_point": "CAC-MIRAFLORES",
        "procedure_type": "RECLAMOS",
        "scenario": "FALLA_MASIVA",
        "applications": ["SIAC-UNICO"],
        "systems": "Sistema de reclamos",
        "started_at": "2026-03-09T10:00",
    }
    r = web.post("/inoperatividad/eventos/nuevo/", data)
    assert r.status_code == 302
    event = OutageEvent.objects.get()
    assert event.started_at == lima(2026, 3, 9, 10) and event.registered_by == agent
    page = web.get("/inoperatividad/eventos/").content.decode()
    assert "Registró el evento N.º 1" in page
    assert f'id="evento-{event.pk}"' in page

    again = web.post("/inoperatividad/eventos/nuevo/", data)
    assert again.status_code == 422
    assert "Ya hay un evento abierto (N.º 1)" in again.content.decode()

    fragment = web.get(f"/inoperatividad/eventos/{event.pk}/cerrar/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "<html" not in fragment.content.decode()
    assert f'id="cerrar{event.pk}_ended_at"' in fragment.content.decode()

    early = web.post(
        f"/inoperatividad/eventos/{event.pk}/cerrar/",
        {"ended_at": "2026-03-09T09:00", "closing_reason": "CONECTIVIDAD"},
    )
    assert early.status_code == 422
    assert "El fin no puede ser anterior al inicio (09/03/2026 10:00)." in early.content.decode()
    closed = web.post(
        f"/inoperatividad/eventos/{event.pk}/cerrar/",
        {"ended_at": "2026-03-09T12:00", "closing_reason": "CONECTIVIDAD"},
    )
    assert closed.status_code == 302
    event.refresh_from_db()
    assert event.ended_at == lima(2026, 3, 9, 12) and event.closing_reason == "CONECTIVIDAD"
    assert "Cerró el evento N.º 1." in web.get("/inoperatividad/eventos/").content.decode()


def test_open_events_come_first(agent, claro_admin, claro_store, claro_callcenter):
    from sgu.accounts.auth import principal_for_user
    from sgu.outages import services

    old_open = register(claro_admin, claro_store, started_at=lima(2026, 3, 1, 9))
    recent = register(
        claro_admin, claro_callcenter, started_at=lima(2026, 3, 9, 9), now=lima(2026, 3, 9, 9)
    )
    services.close_outage(
        event=recent,
        ended_at=lima(2026, 3, 9, 10),
        closing_reason="INTERMITENCIA",
        by=principal_for_user(claro_admin),
        now=lima(2026, 3, 9, 11),
    )
    html = logged(agent).get("/inoperatividad/eventos/").content.decode()
    assert html.index(f'id="evento-{old_open.pk}"') < html.index('id="closed-title"')
    assert "Intermitencia" in html.split('id="closed-rows"')[1]


def test_another_operators_event_cannot_be_closed(claro_admin, claro_store, movistar):
    event = register(claro_admin, claro_store, started_at=lima(2026, 3, 9, 10))
    web = logged(make_operator_agent(movistar))
    assert web.get(f"/inoperatividad/eventos/{event.pk}/cerrar/").status_code == 404
    r = web.post(
        f"/inoperatividad/eventos/{event.pk}/cerrar/",
        {"ended_at": "2026-03-09T12:00", "closing_reason": "CONECTIVIDAD"},
    )
    assert r.status_code == 404
    event.refresh_from_db()
    assert event.is_open
    assert "CAC Miraflores" not in web.get("/inoperatividad/eventos/").content.decode()


def test_citizens_and_anonymous_are_kept_out(citizen):
    assert Client().get("/inoperatividad/eventos/").status_code == 302
    assert logged(citizen).get("/inoperatividad/eventos/").status_code == 403
    assert logged(citizen).get("/inoperatividad/regulador/").status_code == 403


# --- the regulator ------------------------------------------------------------------------------


def test_regulator_list_filters_and_flags(catalog, claro_admin, claro_store, movistar_admin,
                                          movistar_store, settings):  # fmt: skip
    register(claro_admin, claro_store, started_at=lima(2026, 3, 9, 10), now=lima(2026, 3, 9, 10))
    register(
        movistar_admin,
        movistar_store,
        started_at=lima(2026, 3, 2, 9),
        manual=True,
        now=lima(2026, 3, 9, 12),
    )
    register(
        claro_admin,
        claro_store,
        procedure_type="ALTAS",
        scenario="ERROR_O_PRUEBA",
        started_at=lima(2026, 3, 9, 11),
    )
    web = logged(make_supervisor(Role.REGULATOR_AGENT))
    html = web.get("/inoperatividad/regulador/").content.decode()
    assert "CAC Miraflores" in html and "Tienda Surco" in html
    assert html.count("Registrado después de 3 días hábiles del inicio") == 1
    assert "Error o prueba" not in html.split("<tbody")[1]
    only = web.get("/inoperatividad/regulador/?operator=CLARO", HTTP_HX_REQUEST="true")
    fragment = only.content.decode()
    assert "<html" not in fragment and "CAC Miraflores" in fragment and "Surco" not in fragment
    flagged = web.get("/inoperatividad/regulador/?flagged=si").content.decode()
    assert "Tienda Surco" in flagged.split("<tbody")[1]
    # Claro's has been open for months: flagged too («Abierto hace más de 4 horas»).
    assert "Abierto hace más de 4 horas" in flagged.split("<tbody")[1]
    settings.SGU = {**settings.SGU, "OUTAGE_LONG_OPEN_HOURS": 24 * 365}
    flagged = web.get("/inoperatividad/regulador/?flagged=si").content.decode()
    assert "CAC Miraflores" not in flagged.split("<tbody")[1]
    assert re.search(r'href="/inoperatividad/regulador/exportar\.csv\?[^"]*flagged=si', flagged)


def test_supervisor_registers_a_window_from_the_web(catalog):
    case = make_case(now=lima(2026, 3, 9, 10))
    supervisor = make_supervisor()
    web = logged(supervisor)
    assert web.get("/inoperatividad/contingencias/nueva/").status_code == 200
    bad = web.post(
        "/inoperatividad/contingencias/nueva/",
        {"starts_at": "2026-03-10T15:00", "ends_at": "2026-03-10T09:00", "scope": "SGU",
         "reason": "Caída del SGU."},
    )  # fmt: skip
    assert bad.status_code == 422
    assert "El fin debe ser posterior al inicio." in bad.content.decode()
    r = web.post(
        "/inoperatividad/contingencias/nueva/",
        {"starts_at": "2026-03-10T09:00", "ends_at": "2026-03-10T15:00", "scope": "SGU",
         "operator": "CLARO", "reason": "Caída del SGU por el centro de datos."},
    )  # fmt: skip
    window = ContingencyWindow.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/inoperatividad/contingencias/{window.pk}/"
    assert window.operator is None  # the operator only counts for scope OPERATOR
    detail = web.get(r["Location"]).content.decode()
    assert f"Contingencia N.º {window.pk}: se ampliaron 1 casos de 1 del periodo." in detail
    assert case.code in detail
    assert Case.objects.get(pk=case.pk).due_at == lima(2026, 3, 11, 23, 59, 59)
    again = web.post(f"/inoperatividad/contingencias/{window.pk}/aplicar/")
    assert again.status_code == 302
    assert "se ampliaron 0 casos" in web.get(again["Location"]).content.decode()
    listing = web.get("/inoperatividad/contingencias/").content.decode()
    assert "Todo el SGU" in listing


def test_regulator_agents_see_windows_but_do_not_register_them(catalog):
    web = logged(make_supervisor(Role.REGULATOR_AGENT))
    listing = web.get("/inoperatividad/contingencias/")
    assert listing.status_code == 200
    assert "Registrar una ventana" not in listing.content.decode()
    assert web.get("/inoperatividad/contingencias/nueva/").status_code == 403


def test_admin_registers_a_window_through_the_service(catalog, admin_client):
    case = make_case(now=lima(2026, 3, 9, 10))
    page = admin_client.get("/admin/outages/contingencywindow/add/")
    assert page.status_code == 200
    data = {
        "starts_at_0": "10/03/2026", "starts_at_1": "09:00:00",
        "ends_at_0": "10/03/2026", "ends_at_1": "15:00:00",
        "scope": "SGU", "operator": "", "reason": "Caída del SGU por el centro de datos.",
        "extensions-TOTAL_FORMS": "0", "extensions-INITIAL_FORMS": "0",
        "extensions-MIN_NUM_FORMS": "0", "extensions-MAX_NUM_FORMS": "0",
    }  # fmt: skip
    bad = admin_client.post("/admin/outages/contingencywindow/add/", {**data, "scope": "OPERATOR"})
    assert bad.status_code == 200
    assert "Elija la operadora cuya interfaz no estuvo disponible." in bad.content.decode()
    r = admin_client.post("/admin/outages/contingencywindow/add/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert ContingencyWindow.objects.count() == 1
    assert Case.objects.get(pk=case.pk).due_at == lima(2026, 3, 11, 23, 59, 59)
    window = ContingencyWindow.objects.get()
    change = admin_client.get(f"/admin/outages/contingencywindow/{window.pk}/change/")
    assert change.status_code == 200 and case.code in change.content.decode()
    for url in ("/admin/outages/contingencywindow/", "/admin/outages/outageevent/",
                "/admin/outages/attentionpoint/"):  # fmt: skip
        assert admin_client.get(url).status_code == 200
