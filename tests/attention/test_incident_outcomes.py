"""Attention manual 9.3.1, 9.3.7.3, 8.3.2.2 and 9.3.3: an incident that is not a defect becomes
a functional requirement (a closing outcome, the user area's backlog); the answer records
whether internal or external coordination was needed and with whom; and the incident
coordinator's reports (daily consolidated, by typification with cumulative frequency and TOP,
monthly totals for Lima and the regions, % solved by each level, % correctly routed), on the
page and as CSV/XLSX. Dates in November 2026 (no holiday)."""

import io
import re
from datetime import date, datetime

import pytest
from django.test import Client
from openpyxl import load_workbook

from attention.helpers import api_for
from factories import make_citizen, make_operator_agent
from sgu.attention import selectors, services
from sgu.attention.models import AttentionEvent, Escalation, FunctionalRequirement
from sgu.core.calendar import LIMA
from sgu.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def lima(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LIMA)


def consulta(agent, now, motive="sgu-seguimiento", region=""):
    return services.register_query(
        agent=agent,
        channel="EMAIL",
        motive=motive,
        question="El sistema no me deja adjuntar el recibo de pago.",
        name="Rosa",
        email="rosa@example.pe",
        region=region,
        now=now,
    )


def up(orientador, specialist, now, region="", motive="sgu-seguimiento"):
    l2 = services.escalate(
        agent=orientador,
        area_code="USUARIOS",
        criticality="MEDIO",
        complexity="MEDIA",
        reason="No se adjunta el recibo.",
        query=consulta(orientador, now, motive=motive, region=region),
        now=now,
    )
    l3 = services.escalate_up(
        escalation=l2,
        user=specialist,
        area_code="SOPORTE-TI",
        criticality="MEDIO",
        complexity="ALTA",
        reason="Falla del formulario.",
        now=now,
    )
    return l2, l3


def test_a_level3_answer_turns_the_incident_into_a_requirement(orientador, specialist, support):
    l2, l3 = up(orientador, specialist, lima(2026, 11, 24, 10))
    services.answer_escalation(
        escalation=l3,
        user=support,
        answer="No es un error: adjuntar desde el celular exige un desarrollo nuevo.",
        outcome="REQUIREMENT",
        requirement_title="Adjuntar recibos desde el celular",
        coordination="INTERNAL",
        coordination_with="Área de Desarrollo",
        now=lima(2026, 11, 25, 11),
    )
    req = FunctionalRequirement.objects.get()
    assert (req.escalation_id, req.user_area.code, req.title) == (
        l3.pk,
        "USUARIOS",
        "Adjuntar recibos desde el celular",
    )
    assert req.code == f"RF-2026-{req.pk:05d}"
    l3.refresh_from_db()
    assert (l3.outcome, l3.coordination, l3.coordination_with) == (
        "REQUIREMENT",
        "INTERNAL",
        "Área de Desarrollo",
    )
    event = AttentionEvent.objects.get(escalation=l3, kind="ANSWER")
    assert event.data["coordination_label"] == "Coordinación interna"
    assert AttentionEvent.objects.get(escalation=l3, kind="REQUIREMENT").data["code"] == req.code
    # Level 2 validates and passes the same outcome down, without a second requirement.
    services.answer_escalation(
        escalation=Escalation.objects.get(pk=l2.pk),
        user=specialist,
        answer="Pasa a requerimiento funcional.",
        now=lima(2026, 11, 25, 15),
    )
    l2.refresh_from_db()
    assert l2.outcome == "REQUIREMENT" and FunctionalRequirement.objects.count() == 1
    assert selectors.requirement_code(l2) == req.code


def test_refusals_change_nothing_the_same_on_web_and_api(orientador, specialist, support):
    _, l3 = up(orientador, specialist, lima(2026, 11, 24, 10))
    with pytest.raises(ValidationFailed) as exc:
        services.answer_escalation(
            escalation=l3,
            user=support,
            answer="Listo.",
            outcome="REQUIREMENT",
            coordination="EXTERNAL",
        )
    messages = {e.field: e.message for e in exc.value.errors}
    assert set(messages) == {"requirement_title", "coordination_with"}
    web = Client()
    web.force_login(support)
    page = web.post(
        f"/regulador/atencion/escalamientos/{l3.pk}/responder/",
        {
            "responder-answer": "Listo.",
            "responder-outcome": "REQUIREMENT",
            "responder-coordination": "EXTERNAL",
        },
    )
    assert page.status_code == 422
    body = page.content.decode()
    assert messages["requirement_title"] in body and messages["coordination_with"] in body
    api = api_for(support).post(
        f"/api/v1/staff/escalations/{l3.pk}/answer",
        {"text": "Listo.", "outcome": "REQUIREMENT", "coordination": "EXTERNAL"},
    )
    assert api.status_code == 422
    assert api["Content-Type"].startswith("application/problem+json")
    assert {e["field"]: e["message"] for e in api.json()["errors"]} == messages
    bad = api_for(support).post(
        f"/api/v1/staff/escalations/{l3.pk}/answer", {"text": "Listo.", "coordination": "X"}
    )
    assert bad.status_code == 422
    l3.refresh_from_db()
    assert l3.state == "PENDING" and l3.answer == "" and not FunctionalRequirement.objects.exists()


def test_the_backlog_page_is_scoped_to_the_areas(
    orientador, specialist, support, fiscalizador, supervisor, claro
):
    _, l3 = up(orientador, specialist, lima(2026, 11, 24, 10))
    api = api_for(support).post(
        f"/api/v1/staff/escalations/{l3.pk}/answer",
        {
            "text": "Exige un desarrollo.",
            "outcome": "REQUIREMENT",
            "requirement_title": "Nuevo campo de recibo",
            "coordination": "EXTERNAL",
            "coordination_with": "Operadora Claro",
        },
    )
    assert api.status_code == 200, api.content
    assert re.fullmatch(r"RF-\d{4}-\d{5}", api.json()["requirement"])
    assert api.json()["coordination_with"] == "Operadora Claro"

    def page(user):
        c = Client()
        c.force_login(user)
        return c.get("/regulador/atencion/requerimientos/")

    for user in (specialist, support, supervisor):
        assert "Nuevo campo de recibo" in page(user).content.decode()
    assert "Nuevo campo de recibo" not in page(fiscalizador).content.decode()
    assert "Nuevo campo de recibo" not in page(orientador).content.decode()
    for outsider in (make_citizen(), make_operator_agent(claro)):
        assert page(outsider).status_code in (302, 403)
    # The incident's page shows the outcome and the coordination.
    c = Client()
    c.force_login(support)
    body = c.get(f"/regulador/atencion/escalamientos/{l3.pk}/").content.decode()
    assert "Pasa a requerimiento funcional" in body
    assert "Coordinación externa con Operadora Claro" in body


@pytest.fixture
def month(orientador, specialist, support):
    """Three incidents of November 2026, by hand:
    A (Lima, sgu-seguimiento): escalated Mon 23 10:00, answered by level 2 Tue 24 (solved, L2).
    B (Cusco, sgu-seguimiento): Mon 23 11:00, to level 3, paused, answered as a requirement
        with external coordination Wed 25; level 2 validates Wed 25 16:00 (solved, L3).
    C (no region given: its office's department, Lima; otros-informacion): Tue 24 09:00, sent
        back by level 2 (wrongly routed)."""
    a = services.escalate(
        agent=orientador,
        area_code="USUARIOS",
        criticality="BAJO",
        complexity="BAJA",
        reason="Duda del trámite.",
        query=consulta(orientador, lima(2026, 11, 23, 10), region="LIMA"),
        now=lima(2026, 11, 23, 10),
    )
    services.answer_escalation(
        escalation=a, user=specialist, answer="Resuelto.", now=lima(2026, 11, 24, 12)
    )
    b2, b3 = up(orientador, specialist, lima(2026, 11, 23, 11), region="CUSCO")
    services.pause_solution(
        escalation=b3,
        user=support,
        waiting_on="PROVIDER",
        waiting_on_name="Proveedor de nube",
        reason="Caída del almacenamiento.",
        now=lima(2026, 11, 24, 9),
    )
    services.answer_escalation(
        escalation=b3,
        user=support,
        answer="Requiere desarrollo.",
        outcome="REQUIREMENT",
        requirement_title="Almacenamiento redundante",
        coordination="EXTERNAL",
        coordination_with="Proveedor de nube",
        now=lima(2026, 11, 25, 10),
    )
    services.answer_escalation(
        escalation=Escalation.objects.get(pk=b2.pk),
        user=specialist,
        answer="Validado.",
        now=lima(2026, 11, 25, 16),
    )
    c = services.escalate(
        agent=orientador,
        area_code="USUARIOS",
        criticality="BAJO",
        complexity="BAJA",
        reason="Otra cosa.",
        query=consulta(orientador, lima(2026, 11, 24, 9), motive="otros-informacion"),
        now=lima(2026, 11, 24, 9),
    )
    services.send_back(
        escalation=c, user=specialist, reason="No es nuestro.", now=lima(2026, 11, 24, 10)
    )


def test_monthly_totals_by_hand(month):
    (nov,) = selectors.incident_monthly(date(2026, 11, 1), date(2026, 11, 30))
    assert (nov["total"], nov["lima"], nov["regions"], nov["no_region"]) == (3, 2, 1, 0)
    assert (nov["solved"], nov["solved_l2"], nov["solved_l3"]) == (2, 1, 1)
    assert (nov["solved_l2_pct"], nov["solved_l3_pct"], nov["solved_l1_pct"]) == (50.0, 50.0, 0.0)
    assert nov["routed_ok_pct"] == 66.7  # A and B answered, C sent back
    assert (nov["requirements"], nov["coordinated"], nov["paused"]) == (1, 1, 1)


def test_daily_and_typification_by_hand(month):
    daily = {r["day"]: r for r in selectors.incident_daily(date(2026, 11, 23), date(2026, 11, 25))}
    assert [(d.day, r["received"], r["solved"]) for d, r in daily.items()] == [
        (23, 2, 0),
        (24, 1, 1),
        (25, 0, 1),
    ]
    rows = selectors.incident_typification(date(2026, 11, 1), date(2026, 11, 30))
    assert [(r["rank"], r["n"], r["cumulative"], r["cumulative_pct"]) for r in rows] == [
        (1, 2, 2, 66.7),
        (2, 1, 3, 100.0),
    ]
    assert " › " in rows[0]["typification"]  # family › sub-motive
    assert all(r["top"] for r in rows)


def test_the_report_page_and_its_downloads(month, supervisor, specialist):
    c = Client()
    c.force_login(supervisor)
    period = "desde=2026-11-01&hasta=2026-11-30"
    body = c.get(f"/regulador/atencion/incidencias/?{period}").content.decode()
    assert "Totales mensuales" in body and "66,7 %" in body and "Las 2 más frecuentes" in body
    csv = c.get(f"/regulador/atencion/incidencias.csv?{period}&tabla=mensual")
    lines = b"".join(csv.streaming_content).decode().lstrip("\ufeff").splitlines()
    assert lines[0].startswith("mes,total,Lima,regiones")
    assert lines[1].startswith("2026-11,3,2,1,0,2,")
    xlsx = c.get(f"/regulador/atencion/incidencias.xlsx?{period}&tabla=tipificacion")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("puesto", "tipificación", "incidencias")
    assert values[1][0] == 1 and values[1][2] == 2
    assert c.get(f"/regulador/atencion/incidencias.pdf?{period}").status_code == 404
    assert c.get(f"/regulador/atencion/incidencias.csv?{period}&tabla=otra").status_code == 404
    assert c.get("/regulador/atencion/incidencias/?desde=mal").status_code == 200
    # An area's specialist does not read the coordinator's report.
    s = Client()
    s.force_login(specialist)
    assert s.get("/regulador/atencion/incidencias/").status_code in (302, 403)
