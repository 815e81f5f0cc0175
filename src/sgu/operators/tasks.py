"""Sending webhooks: a POST signed with the operator's secret, retried with exponential
backoff (more than 24 hours in all) until the operator answers 2xx."""

import hashlib
import hmac
import time
import urllib.error
import urllib.request

from django.conf import settings
from django_tasks import task

from sgu.core.worker import through_restarts
from sgu.operators.services import outbox

# The retry schedule belongs to the deliveries' writes (services/outbox.py); named here too
# for the tests.
RETRY_DELAYS = outbox.RETRY_DELAYS


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


@task()
def deliver_webhook(delivery_id: int) -> None:
    deliver(delivery_id)


def _post(url: str, body: bytes, signature: str, event: str, delivery_id: int):
    """(status, excerpt, error) — never raises."""
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "SGU-Webhooks/1",
            "X-SGU-Event": event,
            "X-SGU-Delivery": str(delivery_id),
            "X-SGU-Signature": signature,
        },
    )
    timeout = settings.SGU.get("WEBHOOK_TIMEOUT", 5)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read(500).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as exc:
        try:
            excerpt = exc.read(500).decode("utf-8", "replace")
        except Exception:
            excerpt = ""
        return exc.code, excerpt, ""
    except Exception as exc:
        return None, "", f"{type(exc).__name__}: {exc}"[:500]


def deliver(delivery_id: int) -> None:
    """Claim the delivery, commit, POST, then record the outcome: no HTTP call inside a
    transaction. At least once: a worker killed between the POST and the record leaves the
    claim, which expires, and the operator gets the event again under the same
    X-SGU-Delivery (its idempotency key). Every write is a service of services/outbox.py;
    this only puts them in order."""
    claimed = outbox.claim_delivery(delivery_id=delivery_id, task=deliver_webhook)
    if claimed is None:
        return
    delivery, endpoint = claimed
    body = delivery.body.encode()
    started = time.monotonic()
    status, excerpt, error = _post(
        endpoint.url, body, sign(endpoint.secret, body), delivery.event, delivery.pk
    )
    seconds = time.monotonic() - started
    # Recorded through a database restart if need be: the operator has the event already.
    through_restarts(
        lambda: outbox.record_webhook_attempt(
            delivery=delivery,
            status=status,
            excerpt=excerpt,
            error=error,
            seconds=seconds,
            task=deliver_webhook,
        )
    )
