"""Every indicator on a small data set computed by hand (the expected numbers are written
here, not recomputed by the code under test), the downloads, the daily report and who may
see the statistics.

October 2026, Lima. 8 October (Combate de Angamos) is a holiday. Every case is registered
Monday 5 October at 10:00 (received that day; plazo 1 business day: Tue 6, 23:59):

  c1 CLARO    answered Tue 6 10:00  -> 1 business day, on time; rated resolved, 5
  c2 CLARO    answered Fri 9 10:00  -> 3 business days (6, 7, 9; the 8th skipped), late;
                                       rated NOT resolved, 2; turned into a reclamo
  c3 CLARO    answered Mon 5 15:00  -> 0 business days, on time; never rated
  c4 MOVISTAR never answered        -> overdue now
  c5 CLARO    registered 2 November (outside October)
"""

from datetime import date

import pytest
from django.test import Client

from factories import Mailbox, lima, make_operator_agent, make_regulator
from sgu.cases.models import Solution
from sgu.reporting import selectors
from sgu.reporting.models import DailyReport
from sgu.reporting.services import daily_report_if_due, generate_daily_report

pytestmark = pytest.mark.django_db

OCT = selectors.month_filters("2026-10")


def test_response_business_days_are_stored_with_the_calendar(data):
    c1, c2, c3, *_ = data
    days = dict(Solution.objects.values_list("case__code", "response_business_days"))
    assert days == {c1.code: 1, c2.code: 3, c3.code: 0}


def test_summary_of_the_month(data):
    s = selectors.summary(OCT)
    assert s == {
        "cases": 4,
        "answered": 3,
        "answered_on_time_pct": 66.7,
        "avg_response_business_days": 1.33,
        "p90_response_business_days": 3,
        "resolved_pct": 33.3,  # 1 resolved of 3 answered: the unrated c3 is not resolved
        "rated": 2,
        "satisfaction_avg": 3.5,
        "claims": 1,
        "claims_pct": 25.0,
        "overdue_now": 1,
    }


def test_by_operator_with_lines_and_p90(data):
    rows = {r["key"]: r for r in selectors.breakdown(OCT, "operadora")}
    claro, movistar = rows["CLARO"], rows["MOVISTAR"]
    assert (claro["cases"], claro["answered"], claro["answered_on_time_pct"]) == (3, 3, 66.7)
    assert claro["avg_response_business_days"] == 1.33
    assert claro["p90_response_business_days"] == 3
    assert (claro["resolved_pct"], claro["rated"], claro["satisfaction_avg"]) == (33.3, 2, 3.5)
    assert claro["claims_pct"] == 33.3
    assert claro["cases_per_100k_lines"] == 0.1  # 3 / 3,000,000 × 100,000
    assert movistar["cases"] == 1 and movistar["answered"] == 0
    assert movistar["answered_on_time_pct"] is None and movistar["resolved_pct"] is None
    assert movistar["overdue_now"] == 1 and movistar["cases_per_100k_lines"] is None


def test_by_month_channel_category_and_filters(data):
    both = selectors.Filters(date(2026, 10, 1), date(2026, 11, 30))
    months = {r["key"]: r["cases"] for r in selectors.breakdown(both, "mes")}
    assert months == {"2026-10": 4, "2026-11": 1}
    assert [(r["key"], r["cases"]) for r in selectors.breakdown(OCT, "canal")] == [("WEB", 4)]
    assert [(r["key"], r["cases"]) for r in selectors.breakdown(OCT, "subcategoria")] == [
        ("recarga-no-acreditada", 4)
    ]
    assert selectors.breakdown(OCT, "oficina")[0]["label"] == "Sin oficina (web y app)"
    only_claro = selectors.month_filters("2026-10", operator="CLARO")
    assert selectors.summary(only_claro)["cases"] == 3
    assert selectors.summary(selectors.month_filters("2026-10", service="FIJO"))["cases"] == 0


def test_dashboard_and_downloads_for_supervisors(data):
    client = Client()
    client.force_login(make_regulator("REGULATOR_SUPERVISOR"))
    page = client.get("/regulador/estadisticas/?desde=2026-10-01&hasta=2026-10-31")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Respondidos a tiempo" in html and "66,7" in html
    assert 'type="application/json"' in html and "chart.umd.min.js" in html
    csv = client.get(
        "/regulador/estadisticas/exportar/operadora.csv?desde=2026-10-01&hasta=2026-10-31"
    )
    body = b"".join(csv.streaming_content).decode()
    assert body.splitlines()[1].startswith(
        "CLARO,Claro (América Móvil Perú),3,3,66.7,1.33,33.3,2,3.5,1,33.3,0,3,0.1"
    )
    xlsx = client.get("/regulador/estadisticas/exportar/mes.xlsx?desde=2026-10-01")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")


def test_statistics_are_for_supervisors_only(data, claro):
    client = Client()
    for user in (data[0].citizen, make_operator_agent(claro), make_regulator()):
        client.force_login(user)
        assert client.get("/regulador/estadisticas/").status_code == 403
        assert client.get("/regulador/estadisticas/exportar/mes.csv").status_code == 403


def test_daily_report_is_made_once_per_day_and_emailed(data, mailbox, tasks):
    boss = make_regulator("REGULATOR_SUPERVISOR")
    assert daily_report_if_due(now=lima(2026, 10, 10, 5, 59)) is None  # before 06:00
    report = daily_report_if_due(now=lima(2026, 10, 10, 6, 0))
    assert report.day == date(2026, 10, 9)
    assert daily_report_if_due(now=lima(2026, 10, 10, 7, 0)) is None  # idempotent
    assert DailyReport.objects.count() == 1
    rows = {r[0]: r[1:] for r in report.rows}
    # 9 Oct: nothing registered, c2 answered, c4 overdue, one claim. Its code was due one
    # business hour after Friday 9 Oct 13:00, at 14:00, and at 06:00 on the 10th it still had
    # none: one late claim code, visible to the regulator.
    assert rows["CLARO"] == [0, 1, 0, 1, 1]
    assert rows["MOVISTAR"] == [0, 0, 1, 0, 0]
    again, created = generate_daily_report(day=date(2026, 10, 9))
    assert not created and again.pk == report.pk
    tasks()
    assert "CLARO: ingresados 0" in Mailbox.text(mailbox.wait_for(boss.email, "Reporte diario"))
    client = Client()
    client.force_login(make_regulator("REGULATOR_SUPERVISOR"))
    csv = client.get("/regulador/estadisticas/diario/2026-10-09.csv")
    assert b"CLARO,0,1,0,1,1" in b"".join(csv.streaming_content)
