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


def deliver(delivery_id: int) -> None:

    with transaction.atomic():
        # The row lock keeps two workers from sending the same delivery at once; the POST
        # is bounded by WEBHOOK_TIMEOUT.
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("operator__webhook")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.delivered_at is not None or delivery.gave_up_at:
            return
        endpoint = getattr(delivery.operator, "webhook", None)
        if endpoint is None:
            return
        body = delivery.body.encode()
        started = time.monotonic()
        status, excerpt, error = _post(
            endpoint.url, body, sign(endpoint.secret, body), delivery.event, delivery.pk
        )
        now = timezone.now()
        WebhookAttempt.objects.create(
            delivery=delivery,
            at=now,
            status_code=status,
            latency_ms=int((time.monotonic() - started) * 1000),
            response_excerpt=excerpt[:500],
            error=error,
        )
        delivery.attempts += 1
        delivery.url = endpoint.url
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
            update_fields=["attempts", "url", "delivered_at", "next_attempt_at", "gave_up_at"]
        )
