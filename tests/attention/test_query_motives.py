"""Typification: a consulta's motive comes from the maintained catalog (families with their
sub-motives, attention manual 7.4.1.1 / 7.4.2.1 «motivos de la consulta»), never free
text; the supervisor reads (and downloads) the consultas by motive."""

from csv import reader
from datetime import datetime

import pytest
from django.test import Client

from attention.helpers import QUERY, api_for
from factories import field_errors, problem_of
from sgu.attention import services
from sgu.attention.models import Query, QueryMotive
from sgu.core.calendar import LIMA
from sgu.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db


def lima(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LIMA)


def register(agent, motive, now, channel="EMAIL", topic=""):
    return services.register_query(
        agent=agent,
        channel=channel,
        motive=motive,
        topic=topic,
        question="¿Cómo hago?",
        name="Rosa",
        email="rosa@example.pe",
        now=now,
    )


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_catalog_has_the_manuals_families_with_sub_motives():
    families = {m.code: m for m in QueryMotive.objects.filter(parent__isnull=True)}
    assert set(families) == {"sgu", "tramites", "legal", "otros"}
    assert families["legal"].legal and not families["tramites"].legal
    assert QueryMotive.objects.filter(parent=families["legal"]).count() == 3


@pytest.mark.parametrize("motive", ["", "tramites", "no-existe"])
def test_a_consulta_needs_an_active_sub_motive(orientador, motive):
    with pytest.raises(ValidationFailed) as exc:
        register(orientador, motive, lima(2026, 11, 25, 10))
    assert {e.field: e.message for e in exc.value.errors} == {
        "motive": "Elija el motivo de la consulta (tipificación)."
    }
    assert Query.objects.count() == 0


def test_a_deactivated_motive_or_family_is_no_longer_offered(orientador):
    QueryMotive.objects.filter(code="tramites-bajas").update(active=False)
    QueryMotive.objects.filter(code="otros").update(active=False)
    with pytest.raises(ValidationFailed):
        register(orientador, "tramites-bajas", lima(2026, 11, 25, 10))
    with pytest.raises(ValidationFailed):
        register(orientador, "otros-informacion", lima(2026, 11, 25, 10))
    html = client_for(orientador).get("/regulador/atencion/consultas/nueva/").content.decode()
    assert "tramites-portabilidad" in html and "tramites-bajas" not in html
    assert "otros-informacion" not in html


def test_the_subject_defaults_to_the_motive(orientador):
    q = register(orientador, "tramites-portabilidad", lima(2026, 11, 25, 10))
    assert q.topic == "Trámites y servicios del regulador › Portabilidad numérica"
    q = register(orientador, "tramites-portabilidad", lima(2026, 11, 25, 10), topic="Mi línea")
    assert q.topic == "Mi línea" and q.motive.code == "tramites-portabilidad"


def test_report_by_motive_hand_computed(orientador, supervisor):
    # Three portabilidad consultas by email on Wednesday 25/11/2026 at 10:00 (due Thursday
    # 10:00): one answered Thursday 09:00 (in plazo), one Thursday 11:00 (late), one
    # escalated Wednesday 12:00 (in plazo). One legal consulta by telephone (no plazo).
    wed = lima(2026, 11, 25, 10)
    a = register(orientador, "tramites-portabilidad", wed)
    b = register(orientador, "tramites-portabilidad", wed)
    c = register(orientador, "tramites-portabilidad", wed)
    register(orientador, "legal-derechos", wed, channel="TELEFONICO")
    services.answer_query(query=a, agent=orientador, answer="Así.", now=lima(2026, 11, 26, 9))
    services.answer_query(query=b, agent=orientador, answer="Así.", now=lima(2026, 11, 26, 11))
    services.escalate(
        agent=orientador,
        area_code="USUARIOS",
        criticality="BAJO",
        complexity="BAJA",
        reason="Criterio.",
        query=c,
        now=lima(2026, 11, 25, 12),
    )
    c_ = client_for(supervisor)
    html = c_.get("/regulador/atencion/consultas/motivos/?desde=2026-11-01&hasta=2026-11-30")
    assert html.status_code == 200
    text = html.content.decode()
    assert "Portabilidad numérica" in text and "Derechos de los usuarios" in text
    csv = c_.get("/regulador/atencion/consultas/motivos.csv?desde=2026-11-01&hasta=2026-11-30")
    lines = list(reader(b"".join(csv.streaming_content).decode("utf-8-sig").splitlines()))
    assert lines[0][:4] == ["familia", "motivo", "código", "recibidas"]
    rows = {line[2]: line for line in lines[1:]}
    # received, virtual, answered, escalated, within %, late
    assert rows["tramites-portabilidad"][3:] == ["3", "3", "2", "1", "66,7", "1"]
    assert rows["legal-derechos"][3:] == ["1", "0", "0", "0", "", "0"]


def test_the_report_is_for_the_supervisor(orientador):
    assert client_for(orientador).get("/regulador/atencion/consultas/motivos/").status_code == 403


def test_the_list_filters_by_family_or_motive(orientador):
    wed = lima(2026, 11, 25, 10)
    port = register(orientador, "tramites-portabilidad", wed)
    legal = register(orientador, "legal-derechos", wed, channel="TELEFONICO")
    c = client_for(orientador)
    html = c.get("/regulador/atencion/consultas/?motivo=legal").content.decode()
    assert legal.code in html and port.code not in html
    html = c.get("/regulador/atencion/consultas/?motivo=tramites-portabilidad").content.decode()
    assert port.code in html and legal.code not in html


def test_the_api_lists_the_catalog_and_requires_a_motive(orientador):
    api = api_for(orientador)
    catalog = api.get("/api/v1/staff/query-motives").json()
    legal = next(f for f in catalog if f["code"] == "legal")
    assert legal["legal"] and {m["code"] for m in legal["motives"]} >= {"legal-derechos"}
    r = api.post("/api/v1/staff/queries", {**QUERY, "motive": ""})
    assert field_errors(problem_of(r, 422)) == {
        "motive": "Elija el motivo de la consulta (tipificación)."
    }
    r = api.post("/api/v1/staff/queries", QUERY)
    assert r.status_code == 201
    assert r.json()["motive"] == {
        "code": "tramites-portabilidad",
        "name": "Portabilidad numérica",
        "family": "Trámites y servicios del regulador",
        "legal": False,
    }
