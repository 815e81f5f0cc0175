"""The annual report on a hand-made data set: which suggestions fall in 2025 (Lima's
calendar year), counted by state, area and topic, with the actions taken."""

import csv
import io

import pytest
from django.test import Client

from factories import lima, make_regulator
from sgu.suggestions import selectors
from suggestions.helpers import action, answer, area, map_topic, member, route, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2025(db):
    web = area("SOPORTE-TI", "Soporte técnico", 3)
    area("USUARIOS", "Protección de usuarios")
    map_topic("sitio-web", web)
    boss = make_regulator("REGULATOR_SUPERVISOR")
    tech = member(web)
    # In creation order (codes are correlative per Lima year):
    s5 = submit(topic="sitio-web", now=lima(2024, 12, 31, 23, 59))  # 2024 (UTC: 2025)
    s1 = submit(topic="sitio-web", now=lima(2025, 1, 1, 0, 30))  # 2025 (UTC: 2025-01-01 05:30)
    s2 = submit(topic="sitio-web", now=lima(2025, 3, 10, 9))
    s3 = submit(topic="atencion", now=lima(2025, 6, 1, 12))
    s7 = submit(topic="atencion", now=lima(2025, 8, 15, 16))
    s4 = submit(
        text="=1+1 es lo que nos cobran de más en la tienda", now=lima(2025, 12, 31, 23, 30)
    )
    s6 = submit(topic="atencion", now=lima(2026, 1, 1, 0, 10))  # 2026
    answer(tech, s1, actions="Se mejoró el buscador del sitio.")
    action(tech, s1, "Se publicó una guía de uso.", now=lima(2025, 2, 1, 10))
    route(boss, s3, "USUARIOS")
    answer(boss, s3)
    route(boss, s7, "USUARIOS")
    action(boss, s7, "Se capacitó al personal de la oficina de Lima.", now=lima(2025, 9, 1, 10))
    return {"boss": boss, "codes": [s.code for s in (s1, s2, s3, s7, s4)], "s5": s5, "s6": s6}


def test_annual_report_counts_by_hand(year_2025):
    report = selectors.annual_report(2025)

    assert year_2025["codes"] == [f"SUG-2025-00000{n}" for n in (1, 2, 3, 4, 5)]
    assert year_2025["s5"].code == "SUG-2024-000001" and year_2025["s6"].code == "SUG-2026-000001"
    assert report.received == 5
    assert report.answered == 2  # s1, s3
    assert (report.with_actions, report.actions) == (2, 3)  # s1 (2), s7 (1)
    assert report.by_state == [
        ("Recibida (por derivar)", 1),  # s4
        ("Derivada al área", 2),  # s2, s7
        ("Respondida", 2),  # s1, s3
        ("No es sugerencia: atendida como consulta o reclamo", 0),
    ]
    assert report.by_area == [
        ("Protección de usuarios", 2, 1),  # s3 answered, s7
        ("Soporte técnico", 2, 1),  # s1 answered, s2
        ("Sin derivar", 1, 0),  # s4
    ]
    assert report.by_topic == [
        ("Atención en oficinas y canales del regulador", 2),
        ("Sitio web y plataforma SGU", 2),
        ("Sin tema", 1),
    ]
    assert [s.code for s in selectors.annual_list(2025)] == year_2025["codes"]
    assert selectors.annual_report(2024).received == 1


def test_annual_report_page_and_csv(year_2025):
    web = Client()
    web.force_login(year_2025["boss"])

    page = web.get("/regulador/sugerencias/informe/?year=2025")
    download = web.get("/regulador/sugerencias/informe.csv?year=2025")

    assert page.status_code == 200
    assert "Se capacitó al personal de la oficina de Lima." in page.content.decode()
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:6] == ["codigo", "recibida", "canal", "tema", "area", "estado"]
    assert [r[0] for r in rows[1:]] == year_2025["codes"]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["recibida"] == "01/01/2025 00:30"
    assert first["acciones_adoptadas"].count(" | ") == 1
    assert "Se publicó una guía de uso." in first["acciones_adoptadas"]
    last = dict(zip(rows[0], rows[-1], strict=True))
    assert last["sugerencia"].startswith("'=1+1")  # never a formula
    assert (
        "vecina@example.pe"
        not in b"".join(
            web.get("/regulador/sugerencias/informe.csv?year=2025").streaming_content
        ).decode()
    )
