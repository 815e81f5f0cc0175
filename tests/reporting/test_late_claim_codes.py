"""Late claim codes per operator (reclamo point 2): the regulator's statistics count, per
operator, the claims whose code plazo ended in the period and how many got the code late or
still have none — one set-based query, on screen and as CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from factories import (
    citizen_principal,
    lima,
    make_case,
    make_citizen,
    make_regulator,
)
from sgu.cases import services
from sgu.cases.workflow import Actor
from sgu.core.principal import Principal
from sgu.reporting import selectors

pytestmark = pytest.mark.django_db

MON_2_MAR = lima(2026, 3, 2, 10)
REASON = "La operadora no respondió y la recarga sigue sin acreditarse."


def claim(operator: str, *, requested=None):
    citizen = make_citizen()
    case = make_case(citizen, now=MON_2_MAR, operator=operator)
    return services.request_claim(
        case=case, reason=REASON, by=citizen_principal(citizen), now=requested
    )


def code(c, code: str, *, late: bool) -> None:
    at = c.code_due_at + (timedelta(minutes=5) if late else timedelta(0))
    services.assign_claim_code(
        claim=c,
        claim_code=code,
        by=Principal(actor_role=Actor.OPERATOR, operator=c.operator),
        now=at,
    )


@pytest.fixture
def claims(catalog, clock):
    week_ago = timezone.now() - timedelta(days=7)
    code(claim("CLARO", requested=week_ago), "C-1", late=False)
    code(claim("CLARO", requested=week_ago), "C-2", late=True)
    claim("CLARO", requested=week_ago)  # never coded: late too
    code(claim("MOVISTAR", requested=week_ago), "M-1", late=False)
    claim("ENTEL")  # its plazo has not ended: not counted yet


def test_late_codes_per_operator(claims):
    today = timezone.localdate()
    f = selectors.Filters(today - timedelta(days=30), today, "", "")
    rows = {r["code"]: r for r in selectors.late_claim_codes(f)}

    assert set(rows) == {"CLARO", "MOVISTAR"}
    assert (rows["CLARO"]["due"], rows["CLARO"]["late"], rows["CLARO"]["missing"]) == (3, 2, 1)
    assert rows["CLARO"]["late_pct"] == 66.7
    assert (rows["MOVISTAR"]["late"], rows["MOVISTAR"]["late_pct"]) == (0, 0.0)


def test_the_supervisor_reads_them_on_the_dashboard_and_downloads_them(claims):
    client = Client()
    client.force_login(make_regulator("REGULATOR_SUPERVISOR"))
    html = client.get("/regulador/estadisticas/").content.decode()
    assert "Códigos de reclamo fuera de plazo, por operadora" in html
    assert "66,7" in html  # the percentage as shown: decimal comma

    response = client.get("/regulador/estadisticas/exportar/codigos-de-reclamo.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:4] == selectors.LATE_CODE_HEADERS[:4]
    claro = next(r for r in rows[1:] if r[0] == "CLARO")
    assert claro[2:4] == ["3", "2"]


def test_an_agent_cannot_read_them(claims):
    client = Client()
    client.force_login(make_regulator("REGULATOR_AGENT"))
    response = client.get("/regulador/estadisticas/exportar/codigos-de-reclamo.csv")
    assert response.status_code in (302, 403)
