"""Webhooks: signed, retried with backoff until a 2xx, every attempt logged and visible to
the operator's administrator, redeliverable; enqueued in the event's own transaction."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from factories import (
    make_admin,
    make_case,
    make_citizen,
    make_operator_agent,
    overdue_case,
    request_claim,
    run_tasks,
)
from operators.webhook_server import SECRET, start
from sgu.cases import services as cases
from sgu.cases.workflow import Actor
from sgu.core.errors import ValidationFailed
from sgu.core.principal import Principal
from sgu.operators import services
from sgu.operators.models import WebhookDelivery
from sgu.operators.tasks import RETRY_DELAYS, deliver

pytestmark = pytest.mark.django_db


def due_retries_now() -> None:
    """Time passes: the scheduled retries are due."""
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_case_forwarded_is_signed_retried_until_2xx_and_logged(claro, hook_server):
    services.configure_webhook(operator=claro, url=hook_server.url, secret=SECRET)
    case = make_case(make_citizen())
    delivery = WebhookDelivery.objects.get(operator=claro)
    assert delivery.event == "case.forwarded" and delivery.case_code == case.code

    run_tasks()
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.delivered_at is None
    # Backoff: the retry waits (30 s first), it is not run at once.
    assert delivery.next_attempt_at - timezone.now() > timedelta(seconds=20)
    run_tasks()
    assert len(hook_server.received) == 1

    due_retries_now()
    run_tasks()
    due_retries_now()
    run_tasks()
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.attempts == 3
    statuses = [a.status_code for a in delivery.attempt_log.all()]
    assert statuses == [503, 503, 200]
    assert delivery.attempt_log.last().response_excerpt == '{"ok":true}'

    assert len(hook_server.received) == 3
    assert all(r.signature_ok for r in hook_server.received)
    first = hook_server.received[0]
    assert first.headers["Content-Type"] == "application/json"
    assert first.json["event"] == "case.forwarded"
    assert first.json["data"]["code"] == case.code
    assert first.json["data"]["operator"] == "CLARO"
    assert "occurred_at" in first.json
    assert {r.body for r in hook_server.received} == {first.body}  # the same bytes each time


def test_wrong_secret_is_rejected_by_the_receiver(claro, hook_server):
    services.configure_webhook(operator=claro, url=hook_server.url, secret="otro-secreto-123456789")
    make_case(make_citizen())
    run_tasks()
    assert hook_server.received and not hook_server.received[0].signature_ok
    delivery = WebhookDelivery.objects.get()
    assert delivery.delivered_at is None
    assert delivery.attempt_log.get().status_code == 401


def test_backoff_lasts_more_than_24_hours_then_gives_up(claro, hook_server):
    assert sum(RETRY_DELAYS) >= 24 * 3600
    assert sorted(RETRY_DELAYS) == RETRY_DELAYS
    assert RETRY_DELAYS[1] == 2 * RETRY_DELAYS[0]
    hook_server.fail_first = 10_000
    services.configure_webhook(operator=claro, url=hook_server.url, secret=SECRET)
    make_case(make_citizen())
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=len(RETRY_DELAYS))
    deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.gave_up_at is not None and delivery.next_attempt_at is None


def test_unreachable_endpoint_is_logged_and_retried(claro, allow_local_http):
    server, httpd = start(SECRET)
    url = server.url
    httpd.shutdown()
    httpd.server_close()
    services.configure_webhook(operator=claro, url=url, secret=SECRET)
    make_case(make_citizen())
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and attempt.error
    assert delivery.next_attempt_at is not None
    assert DBTaskResult.objects.filter(status="READY", task_path__contains="webhook").count() == 1


def test_no_endpoint_no_delivery_and_rollback_takes_the_delivery_with_it(
    claro, movistar, hook_server
):
    make_case(make_citizen())
    assert not WebhookDelivery.objects.exists()
    services.configure_webhook(operator=claro, url=hook_server.url, secret=SECRET)
    with pytest.raises(RuntimeError), transaction.atomic():
        make_case(make_citizen())
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError
    assert not WebhookDelivery.objects.exists()
    assert not DBTaskResult.objects.filter(task_path__contains="deliver_webhook").exists()


def test_forwarded_on_email_confirmation_claim_and_reassignment(claro, movistar, hook_server):
    services.configure_webhook(operator=claro, url=hook_server.url, secret=SECRET)
    services.configure_webhook(operator=movistar, url=hook_server.url, secret=SECRET)
    citizen = make_citizen(verified=False)
    case = make_case(citizen)
    assert not WebhookDelivery.objects.exists()  # not forwarded yet
    cases.forward_waiting_cases(citizen=citizen)
    assert WebhookDelivery.objects.get().event == "case.forwarded"

    cases.return_case(
        case=case,
        reason="La línea no es de Claro, es de otra empresa.",
        by=Principal(actor_role=Actor.OPERATOR, operator=claro),
    )
    cases.reassign_case(
        case=case, operator_code="MOVISTAR", by=Principal(actor_role=Actor.REGULATOR)
    )
    reassigned = WebhookDelivery.objects.get(event="case.reassigned")
    assert reassigned.operator == movistar
    run_tasks()
    due_retries_now()
    run_tasks()
    due_retries_now()
    run_tasks()
    bodies = {r.json["event"]: r.json for r in hook_server.received}
    assert bodies["case.reassigned"]["data"]["from_operator"] == "CLARO"
    assert bodies["case.reassigned"]["data"]["operator"] == "MOVISTAR"


def test_claim_requested(claro, hook_server):

    citizen = make_citizen()
    case = overdue_case(citizen)
    services.configure_webhook(operator=claro, url=hook_server.url, secret=SECRET)
    claim = request_claim(case)
    delivery = WebhookDelivery.objects.get(event="claim.requested")
    import json

    assert json.loads(delivery.body)["data"] == {
        "id": claim.pk,
        "case_code": case.code,
        "state": "PENDING_CODE",
        "requested_at": claim.requested_at.isoformat(),
        "code_due_at": claim.code_due_at.isoformat(),
    }


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x",
        "ftp://example.com",
        "https://10.0.0.5/x",
        "https://localhost/x",
        "https://user:pw@example.com/",
        "",
    ],
)
def test_endpoint_must_be_public_https(claro, url):
    with pytest.raises(ValidationFailed) as exc:
        services.configure_webhook(operator=claro, url=url, secret=SECRET)
    assert exc.value.errors[0].field == "url"


def test_admin_portal_configures_sees_attempts_and_redelivers(claro, movistar, hook_server):
    admin = make_admin(claro)
    web = Client()
    web.force_login(admin)
    page = web.get("/operadora/webhook/")
    assert page.status_code == 200
    response = web.post("/operadora/webhook/", {"url": hook_server.url, "active": "on"})
    assert response.status_code == 200  # the generated secret is shown once
    endpoint = claro.webhook
    assert endpoint.secret in response.content.decode()
    hook_server.secret = endpoint.secret
    hook_server.fail_first = 0
    make_case(make_citizen())
    run_tasks()
    delivery = WebhookDelivery.objects.get()
    detail = web.get(f"/operadora/webhook/entregas/{delivery.pk}/")
    assert detail.status_code == 200 and "HTTP 200" in detail.content.decode()
    assert web.get("/operadora/webhook/").content.decode().count("case.forwarded") >= 1

    response = web.post(f"/operadora/webhook/entregas/{delivery.pk}/reenviar/")
    assert response.status_code == 302
    run_tasks()
    assert len(hook_server.received) == 2
    assert hook_server.received[0].body == hook_server.received[1].body
    assert WebhookDelivery.objects.filter(redelivery_of=delivery).get().delivered_at

    # Another operator's administrator: 404; an agent of the same operator: 403.
    other = Client()
    other.force_login(make_admin(movistar))
    assert other.get(f"/operadora/webhook/entregas/{delivery.pk}/").status_code == 404
    assert other.post(f"/operadora/webhook/entregas/{delivery.pk}/reenviar/").status_code == 404

    agent = Client()
    agent.force_login(make_operator_agent(claro))
    assert agent.get("/operadora/webhook/").status_code == 403


def test_invalid_form_shows_errors_and_changes_nothing(claro):
    web = Client()
    web.force_login(make_admin(claro))
    response = web.post("/operadora/webhook/", {"url": "http://example.com", "secret": "corto"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "https://" in body and "16 caracteres" in body
    from sgu.operators.models import WebhookEndpoint

    assert not WebhookEndpoint.objects.exists()


def test_the_post_is_made_outside_any_transaction_under_a_stable_delivery_id(
    claro, hook_server, monkeypatch
):
    """Claim, commit, POST, record: a slow operator never holds a row lock or a transaction
    open, and every attempt carries the same X-SGU-Delivery (the receiver's idempotency key)."""
    from django.db import connection

    from sgu.operators import tasks

    services.configure_webhook(operator=claro, url=hook_server.url, secret=SECRET)
    make_case(make_citizen())
    delivery = WebhookDelivery.objects.get(operator=claro)
    depth = len(connection.atomic_blocks)
    real_post = tasks._post
    seen = []

    def post(*args, **kwargs):
        seen.append(len(connection.atomic_blocks) - depth)
        return real_post(*args, **kwargs)

    monkeypatch.setattr(tasks, "_post", post)
    for _ in range(3):
        deliver(delivery.pk)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=None)

    assert seen == [0, 0, 0]
    delivery.refresh_from_db()
    assert delivery.attempts == 3 and delivery.delivered_at is not None
    assert delivery.sending_until is None
    headers = [{k.lower(): v for k, v in r.headers.items()} for r in hook_server.received]
    ids = {h["x-sgu-delivery"] for h in headers}
    assert ids == {str(delivery.pk)}


def test_a_delivery_held_by_a_worker_that_died_is_posted_when_the_hold_ends(claro, hook_server):
    services.configure_webhook(operator=claro, url=hook_server.url, secret=SECRET)
    make_case(make_citizen())
    delivery = WebhookDelivery.objects.get(operator=claro)
    DBTaskResult.objects.all().delete()
    # A worker claimed it (attempt 1) and was killed before recording anything.
    held_until = timezone.now() + timedelta(seconds=40)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=1, sending_until=held_until)

    deliver(delivery.pk)  # the task taken again meanwhile does not post twice at once
    assert hook_server.received == []
    assert DBTaskResult.objects.get().run_after == held_until

    WebhookDelivery.objects.filter(pk=delivery.pk).update(sending_until=timezone.now())
    deliver(delivery.pk)
    delivery.refresh_from_db()
    assert len(hook_server.received) == 1 and delivery.attempts == 2
