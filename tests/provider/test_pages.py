"""The provider's pages: register (filters, CSV, XLSX), filing, a requirement's actions,
a replica's confirmations, the periodic report (page + CSV).

The pages take their instant from the clock (services called without `now`): a test whose
expectations are computed for a given day moves the clock there first — a plain Wednesday,
25 November 2026, 10:00 Lima — whatever instant the suite runs at."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from factories import lima
from provider.helpers import P, approved_version, file, to_replica_stage
from sgu.provider import services
from sgu.provider.models import Requirement, Stage

pytestmark = pytest.mark.django_db


WEDNESDAY = lima(2026, 11, 25, 10)


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_regulator_files_a_requirement_on_the_page_and_errors_show_in_spanish(team, cliente, clock):
    clock.move_to(WEDNESDAY)
    page = web(cliente)
    bad = page.post(
        "/proveedor/requerimientos/nuevo/",
        {"provider": "CONTACTA", "type": "NEW_INFO", "topic": "", "description": "x"},
    )
    # The API's status for the same mistake.
    assert bad.status_code == 422
    assert "Indique el tema" in bad.content.decode()
    assert not Requirement.objects.exists()
    ok = page.post(
        "/proveedor/requerimientos/nuevo/",
        {
            "provider": "CONTACTA",
            "type": "TRAINING",
            "topic": "Reclamos por facturación",
            "description": "Capacitar en el caso de cobros por servicios no contratados.",
        },
    )
    assert ok.status_code == 302
    assert ok["Location"] == "/proveedor/requerimientos/REQ-2026-00001/"


def test_the_code_takes_the_year_in_lima_at_new_year(team, cliente, clock):
    # 31 December 23:59:59 Lima is already 1 January in UTC: still a 2026 code. One second
    # after midnight Lima, the 2027 correlative starts at 1. (Signed in at that instant: a
    # session opened weeks earlier would have expired.)
    body = {
        "provider": "CONTACTA",
        "type": "NEW_INFO",
        "topic": "Portabilidad numérica",
        "description": "Informar a los asesores el nuevo plazo de portabilidad.",
    }
    clock.move_to(lima(2026, 12, 31, 23, 59, 59))
    page = web(cliente)
    last = page.post("/proveedor/requerimientos/nuevo/", body)
    clock.move_to(lima(2027, 1, 1, 0, 0, 1))
    first = page.post("/proveedor/requerimientos/nuevo/", body)
    assert last["Location"] == "/proveedor/requerimientos/REQ-2026-00001/"
    assert first["Location"] == "/proveedor/requerimientos/REQ-2027-00001/"


def test_requirement_page_shows_stage_owner_remaining_and_acts(team, cliente, clock):
    # Filed Wednesday 25 at 9:00, due Thursday 26; the page is seen Wednesday at 10:00.
    clock.move_to(WEDNESDAY)
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    page = web(team.cx)
    html = page.get(f"/proveedor/requerimientos/{req.code}/").content.decode()
    assert "Validación inicial" in html and "Vence en 1 día hábil" in html
    assert "Observar y devolver al cliente" in html
    refused = page.post(f"/proveedor/requerimientos/{req.code}/acciones/observe/", {"text": ""})
    assert refused.status_code == 302
    assert Requirement.objects.get(pk=req.pk).stage == Stage.VALIDATION
    page.post(
        f"/proveedor/requerimientos/{req.code}/acciones/observe/",
        {"text": "¿Aplica también a las líneas prepago?"},
    )
    assert Requirement.objects.get(pk=req.pk).stage == Stage.OBSERVED
    html = web(cliente).get(f"/proveedor/requerimientos/{req.code}/").content.decode()
    assert "Reloj del proveedor detenido" in html and "Absolver las precisiones" in html


def test_register_filters_and_exports_csv_and_xlsx(team, cliente):
    file(team, cliente, now=lima(2026, 11, 25, 9), type="NEW_INFO", topic="Portabilidad")
    file(team, cliente, now=lima(2026, 11, 25, 9), type="SYSTEM_ACCESS", topic="Accesos")
    page = web(cliente)
    html = page.get("/proveedor/?type=SYSTEM_ACCESS").content.decode()
    assert "REQ-2026-00002" in html and "REQ-2026-00001" not in html
    csv = b"".join(page.get("/proveedor/exportar.csv?type=SYSTEM_ACCESS").streaming_content)
    lines = csv.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("codigo,proveedor,registrado,tipo,tema")
    assert len(lines) == 2 and lines[1].startswith("REQ-2026-00002")
    xlsx = page.get("/proveedor/exportar.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [c.value for c in sheet[2]][:1] == ["REQ-2026-00002"]
    assert sheet.max_row == 3


def test_replica_page_lets_each_person_confirm_in_order(team, cliente, clock):
    # The replica is scheduled for Wednesday 25 November, the day it all happens.
    clock.move_to(WEDNESDAY)
    req = to_replica_stage(file(team, cliente), team, cliente, now=None)
    replica = services.plan_replica(
        requirement=req,
        article_version=approved_version(),
        memory_aid="La portabilidad se ejecuta en 24 horas.",
        scheduled_for="2026-11-25",
        trainer=team.trainer,
        advisors=[team.advisors[0]],
        by=P(team.trainer),
    )
    web(team.trainer).post(f"/proveedor/replicas/{replica.pk}/iniciar/")
    advisor = web(team.advisors[0])
    html = advisor.get(f"/proveedor/replicas/{replica.pk}/").content.decode()
    assert "Primero se capacitan el supervisor de operaciones y el monitor" in html
    web(team.ops).post(f"/proveedor/replicas/{replica.pk}/confirmar/")
    web(team.monitor).post(f"/proveedor/replicas/{replica.pk}/confirmar/")
    assert (
        "Confirmo haber sido informado"
        in advisor.get(f"/proveedor/replicas/{replica.pk}/").content.decode()
    )
    advisor.post(f"/proveedor/replicas/{replica.pk}/confirmar/")
    html = web(cliente).get(f"/proveedor/replicas/{replica.pk}/").content.decode()
    assert "100.0 % (3 de 3 personas)" in html or "100,0 % (3 de 3 personas)" in html
    assert "Cerrada" in html


def test_report_page_and_csv(team, cliente, clock):
    # Seen Wednesday 25 November: the last two weeks are 16–22 and 23–29 November.
    clock.move_to(WEDNESDAY)
    file(team, cliente, now=lima(2026, 11, 25, 9))
    page = web(team.coordinator)
    html = page.get("/proveedor/reportes/?period=weekly&count=2").content.decode()
    assert "23/11/2026 – 29/11/2026" in html
    csv = b"".join(
        page.get("/proveedor/reportes.csv?period=weekly&count=2").streaming_content
    ).decode("utf-8-sig")
    lines = csv.strip().splitlines()
    assert lines[0].startswith("periodo_desde,periodo_hasta,requerimientos_registrados")
    assert lines[2].startswith("2026-11-23,2026-11-29,1,0,")
    xlsx = page.get("/proveedor/reportes.xlsx?period=weekly&count=2")
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [c.value for c in sheet[3]][:4] == ["2026-11-23", "2026-11-29", 1, 0]


def test_the_report_page_takes_today_in_lima(team, cliente, clock):
    # Sunday 29 November 23:30 Lima is Monday 30 in UTC: the current week is still 23–29,
    # and the requirement filed that Sunday evening counts in it.
    clock.move_to(lima(2026, 11, 29, 23, 30))
    file(team, cliente)
    page = web(team.coordinator)
    csv = b"".join(
        page.get("/proveedor/reportes.csv?period=weekly&count=1").streaming_content
    ).decode("utf-8-sig")
    assert csv.strip().splitlines()[1].startswith("2026-11-23,2026-11-29,1,0,")
    html = page.get("/proveedor/reportes/?period=monthly&count=1").content.decode()
    assert "01/11/2026 – 30/11/2026" in html
