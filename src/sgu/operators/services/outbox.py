"""Writes of the webhook deliveries, for the worker that posts them (operators/tasks.py): claim
a delivery, record the attempt and what follows from it (delivered, retried later, given up).
Each is a short transaction of its own; the POST happens between them, in the task, outside
any transaction.

This module imports no task (tasks.py imports it): the task that looks at a delivery again
comes in as an argument."""

import logging
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from sgu.operators.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("sgu.operators.tasks")  # where these lines were logged before


def _delays() -> list[int]:
    # 30 s, 1 min, 2 min … doubling up to 4 h, then every 4 h: ~26 h over 14 retries.
    delays, total, d = [], 0, 30
    while total < 25 * 3600:
        delays.append(d)
        total += d
        d = min(d * 2, 4 * 3600)
    return delays


RETRY_DELAYS = _delays()


def sending_lease() -> timedelta:
    """How long a worker holds a delivery it is posting: well above one POST."""
    timeout = cast(float, settings.SGU.get("WEBHOOK_TIMEOUT", 5))
    return timedelta(seconds=max(60, 3 * timeout))


def claim_delivery(
    *, delivery_id: int, task: Task[[int], None]
) -> tuple[WebhookDelivery, WebhookEndpoint] | None:
    """(delivery, endpoint), counted as one more attempt and held by this worker until the
    lease ends, committed before anything is posted; None if there is nothing to send or
    another worker holds it (then `task` looks again, in the same transaction, when the hold
    ends)."""
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
        endpoint: WebhookEndpoint | None = getattr(delivery.operator, "webhook", None)
        if endpoint is None:
            return None
        if delivery.sending_until is not None and delivery.sending_until > now:
            task.using(run_after=delivery.sending_until).enqueue(delivery.pk)
            return None
        delivery.attempts += 1
        delivery.url = endpoint.url
        delivery.sending_until = now + sending_lease()
        delivery.save(update_fields=["attempts", "url", "sending_until"])
    return delivery, endpoint


def record_webhook_attempt(
    *,
    delivery: WebhookDelivery,
    status: int | None,
    excerpt: str,
    error: str,
    seconds: float,
    task: Task[[int], None],
) -> None:
    """The attempt as the operator answered it (`status` None: no answer, `error` says why),
    and the delivery released: delivered on a 2xx, else retried by `task` after the next
    delay while the attempts last, else given up — in one transaction, so the retry exists
    exactly when the failed attempt is recorded."""
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
            task.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
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
