"""The inoperatividad procedure as the source document lays it down (issue 15, points 8–11):
closing reasons by scenario and "Error de usuario" with its sustento, the catalog of affected
applications, who registers (the channel's head or the operator's system), and the review
before reporting (confirmation, evaluation within 24 hours, a manager's approval, flags)."""

import csv
import html
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from factories import PROBLEM, Api, make_case, make_operator_agent, operator_api, staff_token
from outages.helpers import (
    make_channel_head,
    make_operator_admin,
    make_staff,
    make_supervisor,
    outage_payload,
    register,
)
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import Role
from sgu.catalog.models import Subcategory
from sgu.operators import selectors as operators
from sgu.operators.models import StaffDuty
from sgu.outages import policies, services
from sgu.outages.models import (
    OutageEvent,
    ProcedureSubcategory,
    ScenarioClosingReason,
)

URL = "/api/v1/operator/outages"


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, data: dict | None = None):
    return client.post(url, data or {}, content_type="application/json")


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return response.json()


def shows(response, text: str) -> bool:
    return html.escape(text) in response.content.decode()


def local(at) -> str:
    """What <input type="datetime-local"> sends, in Lima."""
    return f"{timezone.localtime(at):%Y-%m-%dT%H:%M}"


@pytest.fixture
def people(claro):
    return {
        "head": make_channel_head(claro),
        "agent": make_operator_agent(claro),
        "systems": make_staff(claro, StaffDuty.SYSTEMS_FAILURE, name="Fallas"),
        "reviewer": make_staff(claro, StaffDuty.OUTAGE_REVIEWER, name="Controla"),
        "manager": make_staff(claro, StaffDuty.OUTAGE_MANAGER, name="Gerenta"),
    }


def closed_event(head, point, *, scenario="FALLA_MASIVA", reason="CONECTIVIDAD", **kw):
    now = timezone.now()
    event = register(
        head,
        point,
        scenario=scenario,
        started_at=now - timedelta(hours=3),
        now=now - timedelta(hours=3),
        **kw,
    )
    return services.close_outage(
        event=event,
        ended_at=now - timedelta(hours=1),
        closing_reason=reason,
        closing_justification=kw.get("closing_justification", ""),
        by=principal_for_user(head),
        now=now,
    )


# --- 8. closing reasons by scenario --------------------------------------------------------------


def test_the_closing_reason_must_suit_the_scenario_same_message_on_web_and_api(
    claro, claro_store, people
):
    head = people["head"]
    now = timezone.now()
    event = register(
        head,
        claro_store,
        scenario="EVENTO_NO_PREVISTO",
        started_at=now - timedelta(hours=2),
        now=now - timedelta(hours=2),
    )
    expected = (
        "El motivo «Conectividad» no corresponde al escenario «Evento no previsto (corte de "
        "energía, inundación, infraestructura)». Motivos admitidos: Sin fluido eléctrico en el "
        "punto de atención, Infraestructura del punto de atención, Error de usuario."
    )
    body = problem(
        post_json(
            session(head),
            f"{URL}/{event.pk}/close",
            {
                "ended_at": (now - timedelta(minutes=5)).isoformat(),
                "closing_reason": "CONECTIVIDAD",
            },
        ),
        422,
    )
    assert body["errors"] == [{"field": "closing_reason", "message": expected}]
    web = session(head).post(
        f"/inoperatividad/eventos/{event.pk}/cerrar/",
        {"ended_at": local(now - timedelta(minutes=5)), "closing_reason": "CONECTIVIDAD"},
    )
    assert web.status_code == 422 and shows(web, expected)
    event.refresh_from_db()
    assert event.is_open  # nothing changed
    # The unforeseen-event motives close it.
    r = post_json(
        session(head),
        f"{URL}/{event.pk}/close",
        {
            "ended_at": (now - timedelta(minutes=5)).isoformat(),
            "closing_reason": "SIN_FLUIDO_ELECTRICO",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["closing_reason"] == "SIN_FLUIDO_ELECTRICO"


def test_the_table_is_data_the_administrator_keeps(claro, claro_store, people):
    rows = session(people["agent"]).get("/api/v1/operator/outage-closing-reasons").json()
    assert {r["scenario"]: r["closing_reasons"] for r in rows["items"]} == {
        "FALLA_MASIVA": [
            "CONECTIVIDAD",
            "INTERMITENCIA",
            "MANTENIMIENTO_APLICATIVOS",
            "FALLA_MASIVA_APLICATIVO",
            "ERROR_USUARIO",
        ],
        "EVENTO_NO_PREVISTO": ["SIN_FLUIDO_ELECTRICO", "INFRAESTRUCTURA", "ERROR_USUARIO"],
        "ERROR_O_PRUEBA": ["ERROR_USUARIO"],
    }
    ScenarioClosingReason.objects.create(
        scenario="EVENTO_NO_PREVISTO", closing_reason="CONECTIVIDAD"
    )
    event = closed_event(
        people["head"], claro_store, scenario="EVENTO_NO_PREVISTO", reason="CONECTIVIDAD"
    )
    assert event.closing_reason == "CONECTIVIDAD"


def test_error_de_usuario_needs_its_sustento_on_web_and_api(claro, claro_store, people):
    head = people["head"]
    now = timezone.now()
    event = register(
        head, claro_store, started_at=now - timedelta(hours=2), now=now - timedelta(hours=2)
    )
    payload = {
        "ended_at": (now - timedelta(hours=1)).isoformat(),
        "closing_reason": "ERROR_USUARIO",
    }
    body = problem(post_json(session(head), f"{URL}/{event.pk}/close", payload), 422)
    [error] = body["errors"]
    assert error["field"] == "closing_justification"
    assert error["message"].startswith(
        "Un evento registrado por error o como prueba se cierra como «Error de usuario» con su "
        "sustento"
    )
    web = session(head).post(
        f"/inoperatividad/eventos/{event.pk}/cerrar/",
        {"ended_at": local(now - timedelta(hours=1)), "closing_reason": "ERROR_USUARIO"},
    )
    assert web.status_code == 422 and shows(web, error["message"])
    event.refresh_from_db()
    assert event.is_open
    web = session(head).post(
        f"/inoperatividad/eventos/{event.pk}/cerrar/",
        {
            "ended_at": local(now - timedelta(hours=1)),
            "closing_reason": "ERROR_USUARIO",
            "closing_justification": "Lo registré por error al probar el formulario.",
        },
    )
    assert web.status_code == 302
    event.refresh_from_db()
    assert event.closing_justification == "Lo registré por error al probar el formulario."
    assert policies.review_state(event) == policies.ReviewState.DESCARTADO
    assert policies.flags(event, timezone.now()) == []


def test_an_event_closed_as_error_de_usuario_reaches_no_report_nor_export(
    claro, claro_store, people
):
    """Whatever its scenario: every path to the regulator leaves it out."""
    kept = closed_event(people["head"], claro_store, procedure_type="ALTAS")
    gone = closed_event(
        people["head"],
        claro_store,
        reason="ERROR_USUARIO",
        closing_justification="Registro de prueba durante la capacitación.",
    )
    assert gone.scenario == "FALLA_MASIVA" and not gone.reportable
    staff_user = make_supervisor(Role.REGULATOR_AGENT)
    api = Api(staff_token(staff_user))
    for query in ("", "?flagged=true", "?review_state=PENDIENTE", "?scenario=FALLA_MASIVA"):
        ids = [e["id"] for e in api.get(f"/api/v1/staff/outages{query}").json()["items"]]
        assert gone.pk not in ids and kept.pk in ids, query
    web = session(staff_user)
    page = web.get("/inoperatividad/regulador/?scenario=FALLA_MASIVA")
    assert page.status_code == 200
    assert list(page.context["events"]) == [kept]
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    web.get("/inoperatividad/regulador/exportar.csv").streaming_content
                ).decode("utf-8-sig")
            )
        )
    )
    assert [r[1] for r in rows[1:]] == [str(kept.number)]
    book = load_workbook(
        io.BytesIO(b"".join(web.get("/inoperatividad/regulador/exportar.xlsx").streaming_content))
    )
    assert [r[1] for r in book.active.iter_rows(min_row=2, values_only=True)] == [kept.number]
    # Nor can it be confirmed, evaluated or approved: it is not under review.
    body = problem(
        post_json(session(people["reviewer"]), f"{URL}/{gone.pk}/evaluate", {"proceeds": True}),
        409,
    )
    assert body["detail"] == (
        f"El evento N.º {gone.number} no está por evaluar (error de usuario: no se reporta)."
    )


# --- 9. affected applications ------------------------------------------------------------------


def test_the_catalog_starts_with_the_documents_list_and_each_operator_extends_its_own(
    claro, movistar, claro_store, movistar_store, people
):
    names = [
        a["name"]
        for a in session(people["agent"])
        .get("/api/v1/operator/outage-applications")
        .json()["items"]
    ]
    assert names == [
        "SISACT Prepago",
        "SISACT",
        "SICAR",
        "SIAC ÚNICO",
        "Web Asesor reclamos",
        "SGA",
    ]
    admin = make_operator_admin(claro)
    created = post_json(
        session(admin),
        "/api/v1/operator/outage-applications",
        {"code": "crm-ventas", "name": "CRM de ventas", "group": "VENTA"},
    )
    assert created.status_code == 201, created.content
    assert created.json() == {
        "code": "CRM-VENTAS",
        "name": "CRM de ventas",
        "group": "VENTA",
        "note": "",
        "common": False,
    }
    # Movistar neither sees nor can use Claro's entry.
    movistar_key = operator_api(movistar)
    codes = [
        a["code"] for a in movistar_key.get("/api/v1/operator/outage-applications").json()["items"]
    ]
    assert "CRM-VENTAS" not in codes
    body = problem(
        movistar_key.post(URL, outage_payload("CAC-SURCO", applications=["CRM-VENTAS"])), 422
    )
    assert body["errors"] == [
        {
            "field": "applications",
            "message": "No están en el catálogo de aplicativos de su empresa: CRM-VENTAS.",
        }
    ]
    # Several per event, through the API…
    r = operator_api(claro).post(
        URL, outage_payload("CAC-MIRAFLORES", applications=["SIAC-UNICO", "CRM-VENTAS"])
    )
    assert r.status_code == 201, r.content
    assert [a["name"] for a in r.json()["applications"]] == ["SIAC ÚNICO", "CRM de ventas"]
    # …and the web form (checkboxes).
    head = people["head"]
    web = session(head).post(
        "/inoperatividad/eventos/nuevo/",
        {
            "attention_point": "CAC-MIRAFLORES",
            "procedure_type": "ALTAS",
            "scenario": "FALLA_MASIVA",
            "applications": ["SISACT", "SICAR"],
            "started_at": local(timezone.now() - timedelta(minutes=30)),
        },
    )
    assert web.status_code == 302, web.content.decode()[:2000]
    event = OutageEvent.objects.get(procedure_type="ALTAS")
    assert sorted(a.code for a in event.applications.all()) == ["SICAR", "SISACT"]
    # None chosen: the same message on web and API.
    expected = "Elija al menos un aplicativo afectado (p. ej. SIAC ÚNICO o SISACT)."
    body = problem(operator_api(claro).post(URL, outage_payload("CC-X", applications=[])), 422)
    assert {"field": "applications", "message": expected} in body["errors"]
    web = session(head).post(
        "/inoperatividad/eventos/nuevo/",
        {
            "attention_point": "CAC-MIRAFLORES",
            "procedure_type": "BAJAS",
            "scenario": "FALLA_MASIVA",
            "started_at": local(timezone.now()),
        },
    )
    assert web.status_code == 422 and shows(web, expected)


def test_only_the_administrator_adds_applications(claro, people):
    expected = "Solo el administrador de la operadora agrega aplicativos al catálogo."
    body = problem(
        post_json(
            session(people["head"]),
            "/api/v1/operator/outage-applications",
            {"code": "CRM", "name": "CRM", "group": "VENTA"},
        ),
        403,
    )
    assert body["detail"] == expected
    web = session(people["head"]).post(
        "/inoperatividad/aplicativos/", {"code": "CRM", "name": "CRM", "group": "VENTA"}
    )
    assert web.status_code == 403 and shows(web, expected)
    # Bad input: Spanish, nothing written, never a 500.
    admin = make_operator_admin(claro)
    body = problem(
        post_json(
            session(admin),
            "/api/v1/operator/outage-applications",
            {"code": "ñ", "name": "x", "group": "VENTA"},
        ),
        422,
    )
    assert {e["field"] for e in body["errors"]} == {"code", "name"}
    assert problem(
        post_json(session(admin), "/api/v1/operator/outage-applications", {"code": 5}), 422
    )


# --- 10. who registers ---------------------------------------------------------------------------


def test_agents_see_the_register_and_only_the_channel_head_or_a_system_registers(
    claro, claro_store, people
):
    agent, head = people["agent"], people["head"]
    expected = policies.register_refusal(claro)
    assert expected.startswith(
        "Solo el jefe, supervisor o coordinador de canal de la operadora (o su sistema, con una "
        "clave de API) registra y cierra eventos de inoperatividad; los agentes los ven."
    )
    assert head.email in expected  # says who can
    web = session(agent)
    refused = web.get("/inoperatividad/eventos/nuevo/")
    assert refused.status_code == 403 and shows(refused, expected)
    form = {
        "attention_point": "CAC-MIRAFLORES",
        "procedure_type": "RECLAMOS",
        "scenario": "FALLA_MASIVA",
        "applications": ["SIAC-UNICO"],
        "started_at": local(timezone.now()),
    }
    refused = web.post("/inoperatividad/eventos/nuevo/", form)
    assert refused.status_code == 403 and shows(refused, expected)
    body = problem(
        post_json(
            web, URL, outage_payload("CAC-MIRAFLORES", started_at=timezone.now().isoformat())
        ),
        403,
    )
    assert body["detail"] == expected
    assert not OutageEvent.objects.exists()

    event = register(head, claro_store, started_at=timezone.now() - timedelta(hours=1))
    page = web.get("/inoperatividad/eventos/")
    assert page.status_code == 200 and shows(page, expected)
    assert b"Registrar un evento" not in page.content
    assert b"/cerrar/" not in page.content
    assert [e["id"] for e in web.get(URL).json()["items"]] == [event.pk]
    assert web.get(f"/inoperatividad/eventos/{event.pk}/").status_code == 200
    close = {"ended_at": timezone.now().isoformat(), "closing_reason": "CONECTIVIDAD"}
    assert problem(post_json(web, f"{URL}/{event.pk}/close", close), 403)["detail"] == expected
    refused = web.post(
        f"/inoperatividad/eventos/{event.pk}/cerrar/",
        {"ended_at": local(timezone.now()), "closing_reason": "CONECTIVIDAD"},
    )
    assert refused.status_code == 403 and shows(refused, expected)
    # The operator's system (API key) closes it.
    r = operator_api(claro).post(f"{URL}/{event.pk}/close", close)
    assert r.status_code == 200, r.content


def test_the_administrator_assigns_the_duties_in_personal(claro, movistar):
    admin = make_operator_admin(claro)
    agent = make_operator_agent(claro)
    other = make_operator_agent(movistar)
    web = session(admin)
    r = web.post(f"/operadora/personal/{agent.pk}/funciones/", {"duty": ["CHANNEL_HEAD"]})
    assert r.status_code == 302
    assert operators.duties_of(agent) == {"CHANNEL_HEAD"}
    page = web.get("/operadora/personal/")
    assert shows(page, "Jefe / supervisor / coordinador de canal")
    assert policies.can_register(principal_for_user(agent))
    # Unknown duty: a Spanish message, nothing changed.
    r = web.post(f"/operadora/personal/{agent.pk}/funciones/", {"duty": ["REY"]}, follow=True)
    assert shows(r, "Elija funciones de la lista")
    assert operators.duties_of(agent) == {"CHANNEL_HEAD"}
    # Another operator's person is not found; an agent cannot assign.
    assert web.post(f"/operadora/personal/{other.pk}/funciones/", {"duty": []}).status_code == 404
    r = session(agent).post(f"/operadora/personal/{agent.pk}/funciones/", {"duty": []})
    assert r.status_code == 403
    assert operators.duties_of(agent) == {"CHANNEL_HEAD"}
    # Taking the duty away takes the right away.
    web.post(f"/operadora/personal/{agent.pk}/funciones/", {})
    assert not policies.can_register(principal_for_user(agent))


# --- 11. review before reporting -----------------------------------------------------------------


def test_a_falla_masiva_is_confirmed_evaluated_and_approved_before_the_regulator_gets_it(
    claro, claro_store, people
):
    event = closed_event(people["head"], claro_store)
    regulator = Api(staff_token(make_supervisor(Role.REGULATOR_AGENT)))

    def seen_by_regulator() -> dict:
        [item] = regulator.get("/api/v1/staff/outages").json()["items"]
        return item

    item = seen_by_regulator()
    assert item["review_state"] == "POR_CONFIRMAR"
    assert "SIN_APROBAR" in [f["code"] for f in item["flags"]]
    # Not before the systems-failure team confirms it.
    body = problem(
        post_json(session(people["reviewer"]), f"{URL}/{event.pk}/evaluate", {"proceeds": True}),
        409,
    )
    assert body["detail"].endswith("(falla masiva por confirmar).")
    # Only that team confirms: the same refusal on web and API.
    expected = policies.review_refusal(claro, "confirm")
    assert people["systems"].email in expected
    failure = {
        "failure_started_at": (event.started_at - timedelta(minutes=10)).isoformat(),
        "failure_ended_at": (event.ended_at + timedelta(minutes=10)).isoformat(),
    }
    body = problem(post_json(session(people["agent"]), f"{URL}/{event.pk}/confirm", failure), 403)
    assert body["detail"] == expected
    web = session(people["agent"]).post(
        f"/inoperatividad/eventos/{event.pk}/confirmar/",
        {"failure_started_at": local(event.started_at)},
    )
    assert web.status_code == 403 and shows(web, expected)
    assert problem(operator_api(claro).post(f"{URL}/{event.pk}/confirm", failure), 403)
    r = post_json(session(people["systems"]), f"{URL}/{event.pk}/confirm", failure)
    assert r.status_code == 200, r.content
    assert r.json()["review_state"] == "POR_EVALUAR"
    event.refresh_from_db()
    assert event.failure_confirmed_by == people["systems"]
    assert event.failure_confirmed_at == timezone.now()
    # Evaluated with the document's criteria.
    figures = session(people["reviewer"]).get(f"{URL}/{event.pk}/evaluation").json()
    assert figures["inside_failure_window"] is True
    assert figures["duration_minutes"] == 120 and figures["over_one_hour"] is True
    body = problem(
        post_json(session(people["reviewer"]), f"{URL}/{event.pk}/evaluate", {"proceeds": False}),
        422,
    )
    assert body["errors"] == [
        {
            "field": "note",
            "message": "Explique por qué no procede reportarlo (al menos 10 caracteres).",
        }
    ]
    r = post_json(session(people["reviewer"]), f"{URL}/{event.pk}/evaluate", {"proceeds": True})
    assert r.status_code == 200, r.content
    assert r.json()["review_state"] == "POR_APROBAR"
    assert r.json()["evaluation"]["over_one_hour"] is True
    assert seen_by_regulator()["approved_at"] is None
    # A manager approves: reported now.
    expected = policies.review_refusal(claro, "approve")
    assert (
        problem(post_json(session(people["reviewer"]), f"{URL}/{event.pk}/approve"), 403)["detail"]
        == expected
    )
    r = post_json(session(people["manager"]), f"{URL}/{event.pk}/approve")
    assert r.status_code == 200, r.content
    item = seen_by_regulator()
    assert item["review_state"] == "REPORTADO" and item["approved_at"] is not None
    assert item["flags"] == [] and item["reported_late"] is False
    reported = regulator.get("/api/v1/staff/outages?review_state=REPORTADO").json()["items"]
    assert [e["id"] for e in reported] == [event.pk]
    assert problem(post_json(session(people["manager"]), f"{URL}/{event.pk}/approve"), 409)


def test_evaluation_compares_the_cases_received_with_the_same_hours_of_previous_days(
    claro, claro_store, people, clock
):
    now = timezone.now()
    start = now - timedelta(hours=3)
    ProcedureSubcategory.objects.create(
        procedure_type="RECLAMOS", subcategory=Subcategory.objects.get(code="recarga-no-acreditada")
    )
    for at in (start + timedelta(minutes=20), start + timedelta(minutes=90)):
        make_case(now=at)  # Claro, recharge: counted during the event
    make_case(now=start + timedelta(minutes=30) - timedelta(days=1))  # the day before
    make_case(now=start - timedelta(minutes=30))  # before the event's hours: not counted
    make_case(now=start + timedelta(minutes=30), operator="MOVISTAR")  # another operator
    event = closed_event(
        people["head"], claro_store, scenario="EVENTO_NO_PREVISTO", reason="INFRAESTRUCTURA"
    )
    figures = session(people["reviewer"]).get(f"{URL}/{event.pk}/evaluation").json()
    assert figures["inside_failure_window"] is None  # not a falla masiva
    assert figures["subcategories"] == [Subcategory.objects.get(code="recarga-no-acreditada").name]
    assert figures["cases_during"] == 2
    assert [d["cases"] for d in figures["cases_previous_days"]] == [1, 0, 0, 0, 0, 0, 0]
    assert figures["cases_previous_average"] == 0.1 and figures["cases_increase"] is True
    page = session(people["reviewer"]).get(f"/inoperatividad/eventos/{event.pk}/")
    assert page.status_code == 200
    assert b'id="casos-durante">2<' in page.content
    # Evaluating on the web keeps the figures as they were seen.
    r = session(people["reviewer"]).post(
        f"/inoperatividad/eventos/{event.pk}/evaluar/", {"proceeds": "si"}
    )
    assert r.status_code == 302
    event.refresh_from_db()
    assert event.evaluation["cases_during"] == 2 and event.evaluated_by == people["reviewer"]
    make_case(now=start + timedelta(minutes=40))
    event.refresh_from_db()
    assert event.evaluation["cases_during"] == 2


def test_flags_for_the_operator_and_the_regulator(claro, claro_store, people, clock, settings):
    head = people["head"]
    now = timezone.now()
    open_event = register(
        head, claro_store, procedure_type="BAJAS", started_at=now - timedelta(hours=5)
    )
    closed = closed_event(
        head, claro_store, scenario="EVENTO_NO_PREVISTO", reason="INFRAESTRUCTURA"
    )

    def codes(event):
        event.refresh_from_db()
        return [f.code for f in policies.flags(event, timezone.now())]

    def flagged_ids():
        qs = OutageEvent.objects.filter(policies.flagged_q(timezone.now()))
        return set(qs.values_list("pk", flat=True))

    assert codes(open_event) == ["ABIERTO_DEMASIADO"]
    settings.SGU = {**settings.SGU, "OUTAGE_LONG_OPEN_HOURS": 6}  # configurable
    assert codes(open_event) == []
    assert codes(closed) == ["SIN_APROBAR"]
    assert flagged_ids() == {closed.pk}
    clock.shift(timedelta(hours=25))
    assert codes(closed) == ["EVALUACION_VENCIDA", "SIN_APROBAR"]
    assert codes(open_event) == ["ABIERTO_DEMASIADO"]
    assert flagged_ids() == {closed.pk, open_event.pk}
    # The operator's page and the regulator's show the same flags.
    label = policies.FlagCode.EVALUACION_VENCIDA.label
    assert shows(session(people["agent"]).get("/inoperatividad/eventos/"), label)
    assert shows(session(make_supervisor()).get("/inoperatividad/regulador/"), label)
    # Past the 3 business days: the report is late, and stays so once approved.
    clock.move_to(closed.report_due_at + timedelta(seconds=1))
    assert "REPORTE_TARDIO" in codes(closed)
    services.evaluate_outage(event=closed, proceeds=True, by=principal_for_user(people["reviewer"]))
    services.approve_outage(event=closed, by=principal_for_user(people["manager"]))
    closed.refresh_from_db()
    assert closed.reported_late is True
    assert codes(closed) == ["EVALUACION_VENCIDA", "REPORTE_TARDIO"]
    assert closed.pk in flagged_ids()


def test_bad_review_input_is_a_spanish_422_never_a_500(claro, claro_store, people):
    event = closed_event(people["head"], claro_store)
    systems = session(people["systems"])
    for payload in (
        {"failure_started_at": "ayer"},
        {"failure_started_at": "2026-03-09T10:00:00"},  # no zone
        {},
        {"failure_started_at": None},
    ):
        problem(post_json(systems, f"{URL}/{event.pk}/confirm", payload), 422)
    body = problem(
        post_json(
            systems,
            f"{URL}/{event.pk}/confirm",
            {
                "failure_started_at": (timezone.now() + timedelta(days=1)).isoformat(),
                "failure_ended_at": (timezone.now() - timedelta(days=1)).isoformat(),
            },
        ),
        422,
    )
    assert {e["field"] for e in body["errors"]} == {"failure_started_at"}
    web = systems.post(
        f"/inoperatividad/eventos/{event.pk}/confirmar/", {"failure_started_at": "x"}
    )
    assert web.status_code == 422 and shows(web, "Indique la fecha y hora de inicio de la falla.")
    reviewer = session(people["reviewer"])
    problem(post_json(reviewer, f"{URL}/{event.pk}/evaluate", {"proceeds": "quizá"}), 422)
    event.refresh_from_db()
    assert event.failure_confirmed_at is None and event.evaluated_at is None


def test_another_operators_event_is_not_found(claro, movistar, claro_store, people):
    event = closed_event(people["head"], claro_store)
    stranger = make_staff(
        movistar,
        StaffDuty.SYSTEMS_FAILURE,
        StaffDuty.OUTAGE_REVIEWER,
        StaffDuty.OUTAGE_MANAGER,
        name="Ajena",
    )
    client = session(stranger)
    start = {"failure_started_at": event.started_at.isoformat()}
    assert problem(post_json(client, f"{URL}/{event.pk}/confirm", start), 404)
    assert problem(post_json(client, f"{URL}/{event.pk}/evaluate", {"proceeds": True}), 404)
    assert problem(post_json(client, f"{URL}/{event.pk}/approve"), 404)
    assert problem(client.get(f"{URL}/{event.pk}/evaluation"), 404)
    assert client.get(f"/inoperatividad/eventos/{event.pk}/").status_code == 404
    assert client.post(f"/inoperatividad/eventos/{event.pk}/aprobar/").status_code == 404
    event.refresh_from_db()
    assert event.failure_confirmed_at is None
