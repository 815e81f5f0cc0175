"""`load_demo` on a small size: every role's main pages show data, nobody is emailed, and a
second run changes nothing.

(No `__init__.py` here: a package named `site` would shadow the standard library's.)
"""

from datetime import datetime

import pytest
import time_machine
from django.apps import apps
from django.core.management import call_command
from django.test import Client

from sgu.accounts.models import User
from sgu.attention.models import AttentionEvent, Escalation, Query, Survey
from sgu.cases.models import Case, Claim
from sgu.cases.workflow import OPEN_STATES, State
from sgu.core.calendar import LIMA
from sgu.notifications.models import OutboundEmail
from sgu.outages.models import AttentionPoint, ContingencyWindow, OutageEvent
from sgu.reporting.models import DailyReport
from sgu.service_requests.models import Batch, ServiceRequest
from sgu.suggestions.models import Suggestion

# A Wednesday; the pages are read that morning, right after the history ends (00:00 Lima).
TODAY = datetime(2026, 4, 15, 9, 30, tzinfo=LIMA)
SMALL = ["--quiet", "--months", "3", "--per-day", "3", "--verbosity", "0"]


@pytest.fixture
def demo(db):
    with time_machine.travel(TODAY, tick=False):
        call_command("load_demo", *SMALL)
    with time_machine.travel(TODAY, tick=True):
        yield


def page(email: str, url: str) -> str:
    client = Client()
    client.force_login(User.objects.get(email=email))
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def test_every_role_sees_a_year_of_activity(demo):
    # The history: all four operators, every subcategory, each kind of ending.
    assert Case.objects.values("operator").distinct().count() == 4
    assert Case.objects.values("subcategory").distinct().count() == 14
    states = set(Case.objects.values_list("state", flat=True))
    assert {State.RATED, State.CLOSED, State.CLAIM_CODED, State.OVERDUE} <= states
    assert states & OPEN_STATES
    assert Case.objects.filter(channel="PRESENCIAL").values("office").distinct().count() >= 2
    assert Claim.objects.filter(claim_code__isnull=False).exists()
    assert Case.objects.filter(solution__on_time=False).exists()
    assert Case.objects.filter(solution__on_time=True).exists()

    # The citizen: her own cases, one open, one waiting for her rating, one reclamo.
    rosa = "ciudadano@demo.sgu.pe"
    mine = page(rosa, "/casos/")
    own = Case.objects.filter(citizen__email=rosa)
    assert {c.state for c in own} >= {
        State.FORWARDED,
        State.ANSWERED,
        State.CLAIM_CODED,
        State.OVERDUE,
        State.RATED,
    }
    for case in own:
        assert case.code in mine

    # An operator's agent: its tray, its reclamos, its register of outages, its reports.
    open_claro = Case.objects.filter(operator__code="CLARO", state__in=OPEN_STATES)
    page("agente.claro@demo.sgu.pe", "/operadora/bandeja/")
    assert open_claro.exists()
    waiting = page("agente.claro@demo.sgu.pe", "/operadora/bandeja/?state=FORWARDED")
    assert any(c.code in waiting for c in open_claro.filter(state=State.FORWARDED))
    claims = page("agente.claro@demo.sgu.pe", "/operadora/reclamos/")
    assert any(c.claim_code in claims for c in Claim.objects.filter(operator__code="CLARO")[:20])
    events = page("agente.claro@demo.sgu.pe", "/inoperatividad/eventos/")
    assert OutageEvent.objects.filter(operator__code="CLARO", ended_at__isnull=True).exists()
    claro_point = AttentionPoint.objects.filter(operator__code="CLARO").first()
    assert claro_point.name in events
    batches = page("agente.claro@demo.sgu.pe", "/bajas-migraciones/operadora/")
    assert Batch.objects.filter(operator__code="CLARO", state="DONE").count() >= 20
    assert "2026" in batches
    # Every operator's administrator has attention points to register outages against.
    for code in ("CLARO", "MOVISTAR", "ENTEL", "BITEL"):
        points = page(f"admin.{code.lower()}@demo.sgu.pe", "/inoperatividad/puntos/")
        assert "CAC-MIRAFLORES" in points

    # The regulator: trays, returns to review, statistics, daily reports, monitoring.
    sup = "supervisor@demo.sgu.pe"
    tray = page(sup, "/regulador/bandeja/")
    assert Case.objects.order_by("-registered_at").first().code in tray
    returned = Case.objects.filter(state=State.RETURNED)
    assert returned.exists()
    assert returned.first().code in page(sup, "/regulador/devueltos/")
    client = Client()
    client.force_login(User.objects.get(email=sup))
    stats = client.get("/regulador/estadisticas/")
    assert stats.status_code == 200
    summary = stats.context["summary"]
    assert summary["cases"] > 200
    assert summary["answered"] > 0 and summary["rated"] > 0 and summary["claims"] > 0
    assert DailyReport.objects.count() >= 30
    daily = page(sup, "/regulador/estadisticas/diario/")
    assert f"{DailyReport.objects.latest('day').day:%d/%m/%Y}" in daily
    home = client.get("/regulador/")
    assert home.context["total"] > 0 and home.context["returned"] > 0
    assert ServiceRequest.objects.count() > 100
    page(sup, "/bajas-migraciones/regulador/")
    assert OutageEvent.objects.values("operator").distinct().count() == 4
    page(sup, "/inoperatividad/regulador/")
    windows = page(sup, "/inoperatividad/contingencias/")
    assert ContingencyWindow.objects.count() == 2
    assert "Corte de energía" in windows or "N.º" in windows

    # The regulator's own attention: consultas, escalations in course, surveys, suggestions.
    assert Query.objects.filter(state="ANSWERED").count() > 20
    queries = page("orientador@demo.sgu.pe", "/regulador/atencion/consultas/")
    assert Query.objects.order_by("-registered_at").first().code in queries
    assert Escalation.objects.filter(state="INFORMED").exists()
    page("orientador@demo.sgu.pe", "/regulador/atencion/")
    page("especialista@demo.sgu.pe", "/regulador/atencion/areas/USUARIOS/")
    assert Survey.objects.filter(answered_at__isnull=False).exists()
    page(sup, "/regulador/atencion/encuestas/")
    page(sup, "/regulador/atencion/indicadores/")
    # Typified consultas, virtual ones on their 24-hour clock, some answered late.
    assert not Query.objects.filter(motive__isnull=True).exists()
    assert Query.objects.filter(on_time=False).exists()
    assert Query.objects.filter(on_time=True).exists()
    assert "Portabilidad numérica" in page(sup, "/regulador/atencion/consultas/motivos/")
    assert "Tiempo de respuesta promedio" in page(sup, "/regulador/atencion/orientadores/")
    page("orientador@demo.sgu.pe", "/regulador/atencion/registro/")
    assert Query.objects.filter(anonymous=True, name="", email="").exists()
    # Incidents: taken (the response clock), level-3 hops with their solution clock.
    assert Escalation.objects.filter(level=2, taken_at__isnull=False).exists()
    assert Escalation.objects.filter(level=3, solution_on_time__isnull=False).exists()
    assert Escalation.objects.filter(level=2, elevated_same_day__isnull=False).exists()
    assert AttentionEvent.objects.filter(kind="EXTEND").exists()
    assert Escalation.objects.filter(level=2, validation_on_time__isnull=False).exists()
    # Legal consultas went through the quality review (some returned with observations).
    assert Query.objects.filter(state="ANSWERED", reviewed_by__isnull=False).exists()
    assert Query.objects.exclude(review_observations="").exists()
    assert Suggestion.objects.filter(state="ANSWERED").exists()
    suggestions = page(sup, "/regulador/sugerencias/")
    assert Suggestion.objects.order_by("-received_at").first().code in suggestions

    # Nobody is emailed: the history's emails count as sent, nothing waits for the worker,
    # and the demo citizen confirmed her address (no "Confirme su correo" pending).
    assert not OutboundEmail.objects.filter(sent_at__isnull=True).exists()
    assert not apps.get_model("django_tasks_database", "DBTaskResult").objects.exists()
    assert User.objects.get(email=rosa).email_verified


def _snapshot() -> dict:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if not model._meta.proxy
    }


def test_running_it_again_changes_nothing(demo):
    before = _snapshot()
    last_case = Case.objects.order_by("-id").values_list("id", "state", "updated_at").first()
    call_command("load_demo", *SMALL)
    assert _snapshot() == before
    assert Case.objects.order_by("-id").values_list("id", "state", "updated_at").first() == (
        last_case
    )


def test_the_demo_keeps_every_invariant(demo, capsys):
    # What a restored backup is checked against (check_integrity): timelines in order, codes
    # unique, every email and webhook belonging to something.
    call_command("check_integrity")
    assert "integridad: todo en orden" in capsys.readouterr().out
