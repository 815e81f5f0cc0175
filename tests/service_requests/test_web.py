"""The pages: the operator sends a report and follows it (HTMX polling), downloads its
errors; the regulator's monitoring and downloads; who may open what; the rules every page
keeps (no inline script or style, every input labelled, Spanish)."""

import csv
import io
import re
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from factories import make_citizen, make_operator_agent, run_tasks
from outages.helpers import make_supervisor
from service_requests.helpers import DAY, baja, csv_bytes, migracion, send
from sgu.accounts.models import Role
from sgu.service_requests.models import Batch, ServiceRequest

pytestmark = pytest.mark.django_db

BASE = "/bajas-migraciones"


@pytest.fixture
def agent(claro):
    client = Client()
    client.force_login(make_operator_agent(claro))
    return client


@pytest.fixture
def regulator(catalog):
    client = Client()
    client.force_login(make_supervisor(Role.REGULATOR_AGENT))
    return client


def text(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_operator_sends_a_file_and_follows_it_until_it_is_loaded(agent):
    page = agent.get(f"{BASE}/operadora/")
    assert page.status_code == 200
    assert "Enviar el reporte de un día" in text(page)

    upload = SimpleUploadedFile("bajas.csv", csv_bytes([baja(), migracion()]))
    sent = agent.post(f"{BASE}/operadora/enviar/", {"file": upload, "report_date": "2026-03-09"})

    batch = Batch.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"{BASE}/operadora/reportes/{batch.pk}/"
    waiting = agent.get(sent["Location"])
    assert "Lo estamos revisando" in text(waiting) and "En cola" in text(waiting)
    assert 'hx-trigger="every 2s"' in waiting.content.decode()  # the page polls

    run_tasks()
    fragment = agent.get(sent["Location"], HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and "<html" not in fragment.content.decode()
    assert "Se cargaron 2 solicitudes (1 baja y 1 migración)" in text(fragment)
    assert "hx-trigger" not in fragment.content.decode()  # finished: polling stops


def test_a_report_with_errors_shows_them_and_offers_the_csv(agent, claro):
    batch = send(claro, csv_bytes([baja("B-1"), baja("B-2", status="NADA")]))

    page = agent.get(f"{BASE}/operadora/reportes/{batch.pk}/")
    shown = text(page)
    assert "Rechazado" in shown and "No se cargó nada." in shown
    assert "Estado no válido «NADA»" in shown
    download = agent.get(f"{BASE}/operadora/reportes/{batch.pk}/errores.csv")
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["fila", "columna", "mensaje"] and rows[1][:2] == ["3", "status"]


def test_the_form_shows_the_services_messages_next_to_each_field(agent):
    response = agent.post(f"{BASE}/operadora/enviar/", {"report_date": ""})

    assert response.status_code == 422
    shown = text(response)
    assert "Adjunte el archivo del reporte (CSV o XLSX)." in shown
    assert "Indique el día que reporta (AAAA-MM-DD)." in shown
    assert not Batch.objects.exists()


def test_the_original_file_can_be_downloaded_back(agent, claro):
    content = csv_bytes([baja()])
    batch = send(claro, content, name="mi-reporte.csv")

    response = agent.get(f"{BASE}/operadora/reportes/{batch.pk}/archivo/")
    assert b"".join(response.streaming_content) == content
    assert "mi-reporte.csv" in response["Content-Disposition"]


def test_the_template_csv_is_a_valid_report(agent, claro):
    response = agent.get(f"{BASE}/operadora/plantilla.csv")
    content = b"".join(response.streaming_content)

    batch = send(claro, content)
    assert batch.state == "DONE" and batch.rows_ok == 3


def test_an_operator_cannot_open_another_operators_reports(claro, movistar):
    batch = send(claro, csv_bytes([baja()]))
    other = Client()
    other.force_login(make_operator_agent(movistar))

    for path in ("", "errores.csv", "archivo/"):
        assert other.get(f"{BASE}/operadora/reportes/{batch.pk}/{path}").status_code == 404
    assert f"reportes/{batch.pk}/" not in other.get(f"{BASE}/operadora/").content.decode()


def test_pages_are_for_their_roles(claro, regulator, agent):
    citizen = Client()
    citizen.force_login(make_citizen())
    assert citizen.get(f"{BASE}/operadora/").status_code == 403
    assert citizen.get(f"{BASE}/regulador/").status_code == 403
    assert regulator.get(f"{BASE}/operadora/").status_code == 403
    assert agent.get(f"{BASE}/regulador/").status_code == 403
    assert agent.get(f"{BASE}/regulador/bajas-vencidas.csv").status_code == 403
    anonymous = Client().get(f"{BASE}/operadora/")
    assert anonymous.status_code == 302 and "/cuenta/ingresar/" in anonymous["Location"]
    assert Client().get(f"{BASE}/consulta/").status_code == 200


def test_home_sends_each_role_to_its_page(agent, regulator):
    assert agent.get(f"{BASE}/")["Location"] == f"{BASE}/operadora/"
    assert regulator.get(f"{BASE}/")["Location"] == f"{BASE}/regulador/"
    assert Client().get(f"{BASE}/")["Location"] == f"{BASE}/consulta/"


@pytest.fixture
def monitored(claro, movistar):
    send(
        claro,
        csv_bytes(
            [
                baja("B-LATE", requested_at="2026-03-02 09:00", scheduled_date="2026-03-03"),
                baja("B-REJ", status="RECHAZADA", rejection_reason='=HYPERLINK("x")'),
                migracion("M-OLD", requested_at="2026-03-02 09:00"),
            ]
        ),
    )
    send(movistar, csv_bytes([baja("X-1")]), day=date(2026, 3, 8))


def test_the_regulator_sees_each_alert_and_filters_it(regulator, monitored):
    summary = regulator.get(f"{BASE}/regulador/")
    assert summary.status_code == 200 and "Claro" in text(summary)

    overdue = text(regulator.get(f"{BASE}/regulador/bajas-vencidas/"))
    assert "B-LATE" in overdue and "X-1" not in overdue
    unanswered = text(regulator.get(f"{BASE}/regulador/migraciones-sin-respuesta/"))
    assert "M-OLD" in unanswered and "05/03/2026 23:59" in unanswered  # its deadline
    rejected = text(regulator.get(f"{BASE}/regulador/bajas-rechazadas/?operador=CLARO"))
    assert "B-REJ" in rejected
    assert "B-REJ" not in text(regulator.get(f"{BASE}/regulador/bajas-rechazadas/?operador=ENTEL"))
    fragment = regulator.get(f"{BASE}/regulador/bajas-vencidas/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "B-LATE" in text(fragment)
    assert regulator.get(f"{BASE}/regulador/no-existe/").status_code == 404


def test_the_regulator_downloads_csv_and_xlsx(regulator, monitored):
    response = regulator.get(f"{BASE}/regulador/bajas-rechazadas.csv?operador=CLARO")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:3] == ["operadora", "codigo_pedido", "tipo"]
    assert rows[1][:3] == ["CLARO", "B-REJ", "BAJA"]
    reason = rows[0].index("motivo_rechazo")
    assert rows[1][reason] == '\'=HYPERLINK("x")'  # never a formula in a spreadsheet

    response = regulator.get(f"{BASE}/regulador/bajas-vencidas.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert [c.value for c in sheet[2]][:2] == ["CLARO", "B-LATE"]

    days = regulator.get(f"{BASE}/regulador/dias.csv")
    lines = b"".join(days.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("operadora,dia,plazo,recibido,fuera_de_plazo")
    assert any(line.startswith("CLARO,2026-03-09") for line in lines)
    xlsx = regulator.get(f"{BASE}/regulador/dias.xlsx")
    assert load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.max_row == 3


def test_the_days_page_shows_volumes_and_lateness(regulator, monitored):
    page = text(regulator.get(f"{BASE}/regulador/dias/?operador=CLARO"))

    assert "09/03/2026" in page and "Fuera de plazo" in page  # sent long after 10/03 08:00


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=", re.I)


def test_every_page_keeps_the_rules(agent, regulator, claro, monitored):
    batch = send(claro, csv_bytes([baja("B-9", status="NADA")]), day=DAY)
    pages = [
        agent.get(f"{BASE}/operadora/"),
        agent.get(f"{BASE}/operadora/reportes/{batch.pk}/"),
        agent.post(f"{BASE}/operadora/enviar/", {}),
        Client().get(f"{BASE}/consulta/"),
        Client().post(f"{BASE}/consulta/", {"request_code": "", "document_number": ""}),
        Client().post(f"{BASE}/consulta/", {"request_code": "B-9", "document_number": "1"}),
        regulator.get(f"{BASE}/regulador/"),
        regulator.get(f"{BASE}/regulador/dias/"),
        *(
            regulator.get(f"{BASE}/regulador/{a}/")
            for a in ("bajas-vencidas", "migraciones-sin-respuesta", "bajas-rechazadas")
        ),
    ]
    for response in pages:
        html = response.content.decode()
        where = response.wsgi_request.path
        assert '<html lang="es">' in html, where
        assert not INLINE_SCRIPT.search(html), where
        assert not INLINE_HANDLER.search(html), where
        assert not INLINE_STYLE.search(html), where
        ids = set(re.findall(r'<label[^>]*\bfor="([^"]+)"', html))
        for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
            if re.search(r'type="(hidden|submit)"', tag):
                continue
            match = re.search(r'\bid="([^"]+)"', tag)
            assert match and match.group(1) in ids, (where, tag)


def test_nothing_was_written_by_the_pages_that_only_read(regulator, monitored):
    before = ServiceRequest.objects.count(), Batch.objects.count()
    regulator.get(f"{BASE}/regulador/")
    assert (ServiceRequest.objects.count(), Batch.objects.count()) == before


def test_the_upload_form_is_protected_against_csrf(claro):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_operator_agent(claro))
    upload = SimpleUploadedFile("bajas.csv", csv_bytes([baja()]))

    forged = client.post(f"{BASE}/operadora/enviar/", {"file": upload, "report_date": "2026-03-09"})
    assert forged.status_code == 403 and not Batch.objects.exists()

    token = re.search(
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        client.get(f"{BASE}/operadora/").content.decode(),
    ).group(1)
    upload.seek(0)
    sent = client.post(
        f"{BASE}/operadora/enviar/",
        {"file": upload, "report_date": "2026-03-09", "csrfmiddlewaretoken": token},
    )
    assert sent.status_code == 302 and Batch.objects.count() == 1


def test_the_admin_shows_reports_and_requests_read_only(claro):
    from sgu.accounts.models import User

    send(claro, csv_bytes([baja("B-1"), baja("B-2")]))
    client = Client()
    client.force_login(User.objects.create_superuser("admin@regulador.gob.pe", "x"))

    found = client.get("/admin/service_requests/servicerequest/?q=b-1")
    assert found.status_code == 200 and "B-1" in found.content.decode()
    assert "B-2" not in found.content.decode()
    assert client.get("/admin/service_requests/batch/").status_code == 200
    assert client.get("/admin/service_requests/dailyreport/").status_code == 200
    assert client.get("/admin/service_requests/batch/add/").status_code == 403
