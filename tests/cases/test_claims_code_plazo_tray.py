"""Reclamo point 2: the code "de manera inmediata". The operator's tray shows the claims
waiting for a code first, each with the time left to its plazo (server-rendered words that a
small script keeps counting; no inline script, so the CSP holds); an operator system takes the
claim from the webhook and gives the code through the API at once."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from factories import (
    citizen_principal,
    lima,
    make_case,
    make_citizen,
    make_operator_agent,
    operator_api,
)
from operators.webhook_server import start
from sgu.cases import services
from sgu.cases.models import Claim, ClaimState
from sgu.cases.templatetags.cases_ui import remaining_words
from sgu.operators import services as operator_services
from sgu.operators.models import WebhookDelivery
from sgu.operators.tasks import deliver

pytestmark = pytest.mark.django_db

MON_2_MAR = lima(2026, 3, 2, 10)
REASON = "La operadora no respondió y la recarga sigue sin acreditarse."
SECRET = "s3creto-de-pruebas-0123456789"


def new_claim(now=None, operator: str = "CLARO") -> Claim:
    citizen = make_citizen()
    case = make_case(citizen, now=MON_2_MAR, operator=operator)
    return services.request_claim(case=case, reason=REASON, by=citizen_principal(citizen), now=now)


def agent_page(claim: Claim, url: str = "/operadora/reclamos/") -> str:
    client = Client()
    client.force_login(make_operator_agent(claim.operator))
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_pending_claims_come_first_with_the_time_left_to_their_code_plazo(catalog, clock):
    coded = new_claim()
    services.assign_claim_code(
        claim=coded,
        claim_code="RCL-0001",
        by=operator_services_principal(coded),
        now=coded.code_due_at,
    )
    late = new_claim(now=timezone.now() - timedelta(days=5))
    waiting = new_claim()
    now = timezone.now()

    html = agent_page(waiting)
    rows = re.findall(r'<tr id="reclamo-(\d+)"', html)
    assert rows.index(str(coded.pk)) > max(rows.index(str(late.pk)), rows.index(str(waiting.pk)))

    for claim in (waiting, late):
        due = timezone.localtime(claim.code_due_at).isoformat()
        countdown = re.search(
            rf'<time class="countdown[^"]*" datetime="{re.escape(due)}" '
            r"data-countdown>([^<]+)</time>",
            html,
        )
        assert countdown, claim.pk
        assert countdown.group(1) == remaining_words(claim.code_due_at, now)
    assert remaining_words(waiting.code_due_at, now).startswith("quedan ")
    assert remaining_words(late.code_due_at, now).startswith("venció hace ")
    # The coded claim has no clock; the late one is marked.
    assert html.count("data-countdown") == 2
    assert re.search(rf'<tr id="reclamo-{late.pk}" class="row--overdue"', html)
    # The script is a same-origin file (the CSP allows no inline script).
    assert re.search(r'<script src="/static/sgu/countdown\.js" defer></script>', html)
    assert "<script>" not in html


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (59 * 60 + 59, "quedan 59 min"),
        (3600, "quedan 1 h 00 min"),
        (26 * 3600 + 5 * 60, "quedan 1 d 2 h"),
        (-61, "venció hace 1 min"),
        (-(2 * 3600 + 5 * 60), "venció hace 2 h 05 min"),
    ],
)
def test_the_words_of_the_countdown(seconds, words):
    now = timezone.now()
    assert remaining_words(now + timedelta(seconds=seconds), now) == words


def operator_services_principal(claim):
    from sgu.cases.workflow import Actor
    from sgu.core.principal import Principal

    return Principal(actor_role=Actor.OPERATOR, operator=claim.operator)


@pytest.fixture
def hook(settings):
    settings.SGU = {**settings.SGU, "WEBHOOK_ALLOW_HTTP_HOSTS": ["127.0.0.1"]}
    server, httpd = start(SECRET)
    yield server
    httpd.shutdown()
    httpd.server_close()


def test_an_operator_system_gives_the_code_from_the_webhook_at_once(catalog, hook, claro):
    operator_services.configure_webhook(operator=claro, url=hook.url, secret=SECRET)
    claim = new_claim()

    delivery = WebhookDelivery.objects.get(event="claim.requested")
    deliver(delivery.pk)  # the worker posts it (outside any transaction)
    (received,) = [r for r in hook.received if r.json.get("event") == "claim.requested"]
    assert received.signature_ok
    event = received.json
    data = event.get("data", event)
    # What the system needs to answer: the claim's id, its case and the plazo for the code.
    assert data["id"] == claim.pk and data["case_code"] == claim.case.code
    assert data["state"] == ClaimState.PENDING_CODE and data["code_due_at"]

    api = operator_api(claro)
    r = api.post(f"/api/v1/operator/claims/{data['id']}/code", {"claim_code": "RCL-API-0001"})
    assert r.status_code == 200, r.content
    assert r.json()["coded_late"] is False and r.json()["claim_code"] == "RCL-API-0001"
    claim.refresh_from_db()
    assert claim.state == ClaimState.CODED and claim.coded_at <= claim.code_due_at


def test_the_webhook_payload_is_the_documented_one(catalog, claro):
    # Without an endpoint nothing is owed; with one, the body names the claim by its id.
    operator_services.configure_webhook(
        operator=claro, url="https://hooks.claro.example/sgu", secret=SECRET
    )
    new_claim()
    body = json.loads(WebhookDelivery.objects.get(event="claim.requested").body)
    data = body.get("data", body)
    assert {"id", "case_code", "state", "requested_at", "code_due_at"} <= set(data)
