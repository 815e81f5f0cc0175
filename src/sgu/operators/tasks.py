"""Sending webhooks: a POST signed with the operator's secret, retried with exponential
backoff (more than 24 hours in all) until the operator answers 2xx."""

import hashlib
import hmac
import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from sgu.core.worker import through_restarts
from sgu.operators.models import WebhookAttempt, WebhookDelivery

logger = logging.getLogger(__name__)


def _delays() -> list[int]:
    # 30 s, 1 min, 2 min … doubling up to 4 h, then every 4 h: ~26 h over 14 retries.
    delays, total, d = [], 0, 30
    while total < 25 * 3600:
        delays.append(d)
        total += d
        d = min(d * 2, 4 * 3600)
    return delays


RETRY_DELAYS = _delays()


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


def sending_lease() -> timedelta:
    """How long a worker holds a delivery it is posting: well above one POST."""
    return timedelta(seconds=max(60, 3 * settings.SGU.get("WEBHOOK_TIMEOUT", 5)))


def deliver(delivery_id: int) -> None:
    """Claim the delivery, commit, POST, then record the outcome: no HTTP call inside a
    transaction. At least once: a worker killed between the POST and the record leaves the
    claim, which expires, and the operator gets the event again under the same
    X-SGU-Delivery (its idempotency key)."""
    claimed = _claim(delivery_id)
    if claimed is None:
        return
    delivery, endpoint = claimed
    body = delivery.body.encode()
    started = time.monotonic()
    status, excerpt, error = _post(
        endpoint.url, body, sign(endpoint.secret, body), delivery.event, delivery.pk
    )
    seconds = time.monotonic() - started
    through_restarts(lambda: _record(delivery, status, excerpt, error, seconds))


def _claim(delivery_id: int):
    """(delivery, endpoint), counted as one more attempt and held by this worker; None if
    there is nothing to send or another worker holds it (then this task looks again when the
    hold ends)."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("operator__webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.delivered_at is not None or delivery.gave_up_at:
            return None
        endpoint = getattr(delivery.operator, "webhook", None)
        if endpoint is None:
            return None
        if delivery.sending_until is not None and delivery.sending_until > now:
            deliver_webhook.using(run_after=delivery.sending_until).enqueue(delivery.pk)
            return None
        delivery.attempts += 1
        delivery.url = endpoint.url
        delivery.sending_until = now + sending_lease()
        delivery.save(update_fields=["attempts", "url", "sending_until"])
    return delivery, endpoint


def _record(delivery, status, excerpt: str, error: str, seconds: float) -> None:
    now = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=status,
            latency_ms=int(seconds * 1000),
            response_excerpt=excerpt[:500],
            error=error,
        )
        delivery.sending_until = None
        if status is not None and 200 <= status < 300:
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif delivery.attempts <= len(RETRY_DELAYS):
            delivery.next_attempt_at = now + timedelta(seconds=RETRY_DELAYS[delivery.attempts - 1])
            deliver_webhook.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
            logger.warning(
                "webhook %s (%s) no entregado, intento %s: %s",
                delivery.pk,
                delivery.event,
                delivery.attempts,
                status or error,
            )
        else:
            delivery.next_attempt_at = None
            delivery.gave_up_at = now
        delivery.save(
            update_fields=["delivered_at", "next_attempt_at", "gave_up_at", "sending_until"]
        )
