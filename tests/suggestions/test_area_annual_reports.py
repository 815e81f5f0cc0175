"""Attention manual 9.1: each area sends its annual report of suggestions (received, actions
implemented) within the first ten business days of the next year; the consolidated report is
made from them. Hand-computed with the law's holidays (this module deletes the days the run
may declare): 1 January 2027 is a Friday holiday, so the 10 business days of 2027 are
Mon 4 … Fri 8 and Mon 11 … Fri 15 → due Friday 15/01/2027. For 2025: Thursday 1 January 2026
holiday; Fri 2, Mon 5 … Fri 9, Mon 12 … Thu 15 → due Thursday 15/01/2026."""

from datetime import date, datetime

import pytest
from django.test import Client

from factories import make_citizen, make_regulator, text
from sgu.accounts.auth import principal_for_user
from sgu.core.calendar import LIMA
from sgu.core.errors import Conflict, Forbidden, ValidationFailed
from sgu.core.models import CalendarDay
from sgu.suggestions import selectors, services
from sgu.suggestions.models import AreaAnnualReport
from suggestions.helpers import area, member, route, submit

pytestmark = pytest.mark.django_db

SUMMARY = "Recibimos 2 sugerencias; implementamos el adjunto desde el celular."


def lima(y, m, d, hh=0, mm=0, ss=0):
    return datetime(y, m, d, hh, mm, ss, tzinfo=LIMA)


@pytest.fixture(autouse=True)
def calendar_by_hand(clock, db):
    CalendarDay.objects.all().delete()


@pytest.fixture
def setup(db):
    users = area("USUARIOS", "Protección de usuarios")
    web = area("SOPORTE-TI", "Soporte técnico", 3)
    boss = make_regulator("REGULATOR_SUPERVISOR")
    for a in ("USUARIOS", "USUARIOS", "SOPORTE-TI"):
        route(boss, submit(now=lima(2026, 6, 10, 10)), a)
    return {"users": users, "web": web, "boss": boss, "member": member(users)}


def submit_report(user, code="USUARIOS", now=None, year=2026, summary=SUMMARY):
    return services.submit_annual_report(
        year=year, area_code=code, summary=summary, by=principal_for_user(user), now=now
    )


def test_the_due_day_is_the_tenth_business_day_of_the_next_year(db):
    assert selectors.annual_report_due(2026) == date(2027, 1, 15)
    assert selectors.annual_report_due(2025) == date(2026, 1, 15)
    # A day the administrator declares non-working in those ten days moves it one more.
    CalendarDay.objects.create(date=date(2027, 1, 8), reason="Día no laborable")
    assert selectors.annual_report_due(2026) == date(2027, 1, 18)


def test_handed_in_across_new_year_on_time_and_late(setup):
    with pytest.raises(Conflict) as exc:  # the year has not ended in Lima
        submit_report(setup["member"], now=lima(2026, 12, 31, 23, 59, 59))
    assert "desde el 1 de enero de 2027" in exc.value.detail
    on_time = submit_report(setup["member"], now=lima(2027, 1, 15, 23, 59, 59))
    assert (on_time.due_on, on_time.on_time) == (date(2027, 1, 15), True)
    late = submit_report(setup["boss"], code="SOPORTE-TI", now=lima(2027, 1, 16, 0, 0, 1))
    assert late.on_time is False
    with pytest.raises(Conflict):
        submit_report(setup["member"], now=lima(2027, 1, 16))


def test_the_consolidated_report_is_made_from_the_areas(setup):
    submit_report(setup["member"], now=lima(2027, 1, 5, 10))
    rows = {r.area.code: r for r in selectors.area_reports(2026)}
    assert set(rows) == {"USUARIOS", "SOPORTE-TI"}
    assert (rows["USUARIOS"].received, rows["USUARIOS"].submitted) == (2, True)
    assert rows["SOPORTE-TI"].submitted is False
    assert rows["SOPORTE-TI"].late(date(2027, 1, 15)) is False
    assert rows["SOPORTE-TI"].late(date(2027, 1, 18)) is True


def test_refusals_change_nothing(setup):
    with pytest.raises(ValidationFailed) as exc:
        submit_report(setup["member"], code="NADA", summary="corto", now=lima(2027, 1, 5))
    assert {e.field for e in exc.value.errors} == {"area", "summary"}
    with pytest.raises(Forbidden):  # not its area
        submit_report(setup["member"], code="SOPORTE-TI", now=lima(2027, 1, 5))
    assert not AreaAnnualReport.objects.exists()


def test_the_pages(setup, clock):
    clock.move_to(lima(2027, 1, 18, 9))
    c = Client()
    c.force_login(setup["member"])
    page = c.get("/regulador/sugerencias/informe-del-area/")
    body = text(page)
    assert page.status_code == 200 and "15/01/2027" in body
    assert "Soporte técnico" not in body  # only its own area's row
    bad = c.post("/regulador/sugerencias/informe-del-area/", {"area": "USUARIOS", "summary": "x"})
    assert bad.status_code == 422 and "Resuma las sugerencias" in text(bad)
    c.post("/regulador/sugerencias/informe-del-area/", {"area": "USUARIOS", "summary": SUMMARY})
    assert AreaAnnualReport.objects.get().on_time is False  # Monday 18 > Friday 15
    boss = Client()
    boss.force_login(setup["boss"])
    report = text(boss.get("/regulador/sugerencias/informe/?year=2026"))
    assert "Informes de las áreas" in report and "Fuera de plazo" in report
    assert "Sin presentar, vencido" in report  # Soporte técnico
    # A citizen and a regulator with no area: not these pages.
    citizen = Client()
    citizen.force_login(make_citizen())
    assert citizen.get("/regulador/sugerencias/informe-del-area/").status_code in (302, 403)
    nobody = Client()
    nobody.force_login(make_regulator())
    assert nobody.get("/regulador/sugerencias/informe-del-area/").status_code == 403
