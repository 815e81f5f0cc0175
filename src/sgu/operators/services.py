"""Writes of the operator integration: the webhook endpoint and the deliveries owed to it."""

import ipaddress
import json
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from sgu.core.errors import ErrorCollector, NotFound
from sgu.operators.models import WebhookDelivery, WebhookEndpoint
from sgu.operators.tasks import deliver_webhook

EVENTS = ("case.forwarded", "claim.requested", "case.reassigned")
MIN_SECRET = 16


def _check_url(url: str, errors: ErrorCollector) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    allowed_http = set(settings.SGU.get("WEBHOOK_ALLOW_HTTP_HOSTS", ()))
    if not url:
        errors.add("url", "Ingrese la dirección HTTPS donde recibirá los eventos.")
    elif len(url) > 500:
        errors.add("url", "Admite hasta 500 caracteres.")
    elif parts.scheme == "http" and host in allowed_http:
        pass
    elif parts.scheme != "https" or not host:
        errors.add("url", "La dirección debe empezar con https:// e incluir el servidor.")
    elif parts.username or parts.password:
        errors.add("url", "No incluya usuario ni contraseña en la dirección.")
    else:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            if host == "localhost" or host.endswith(".localhost"):
                errors.add("url", "Use una dirección pública.")
        else:
            if not ip.is_global:
                errors.add("url", "Use una dirección pública.")
    return url


@transaction.atomic
def configure_webhook(
    *, operator, url: str, secret: str = "", active: bool = True, by=None
) -> tuple[WebhookEndpoint, str | None]:
    """Set the operator's endpoint. A blank secret keeps the current one (or makes one up
    the first time); returns (endpoint, new secret to show once, or None)."""
    from sgu.core import audit

    errors = ErrorCollector()
    url = _check_url(url, errors)
    secret = (secret or "").strip()
    if secret and not (MIN_SECRET <= len(secret) <= 200):
        errors.add("secret", f"El secreto debe tener entre {MIN_SECRET} y 200 caracteres.")
    errors.raise_if_any()
    endpoint = WebhookEndpoint.objects.select_for_update().filter(operator=operator).first()
    shown = None
    if endpoint is None:
        shown = secret or secrets.token_urlsafe(32)
        endpoint = WebhookEndpoint(operator=operator, secret=shown)
    elif secret:
        endpoint.secret = secret
        shown = secret
    endpoint.url, endpoint.active, endpoint.updated_by = url, bool(active), by
    endpoint.save()
    audit.record(
        "webhook.configured",
        actor=by,
        target=f"operator:{operator.code}",
        data={"url": url, "active": endpoint.active, "secret_changed": shown is not None},
    )
    return endpoint, shown


def queue_webhook(
    *, operator, event: str, data: dict, case_code: str = "", now: datetime | None = None
) -> WebhookDelivery | None:
    """Owe `event` to the operator if it has an active endpoint — inside the caller's
    transaction, so the event and its delivery commit (or vanish) together."""
    assert event in EVENTS, event
    endpoint = WebhookEndpoint.objects.filter(operator=operator, active=True).first()
    if endpoint is None:
        return None
    now = now or timezone.now()
    body = json.dumps(
        {"event": event, "occurred_at": now.isoformat(), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    delivery = WebhookDelivery.objects.create(
        operator=operator,
        event=event,
        url=endpoint.url,
        body=body,
        case_code=case_code,
        next_attempt_at=now,
    )
    deliver_webhook.enqueue(delivery.pk)
    return delivery


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def case_data(case) -> dict:
    return {
        "code": case.code,
        "state": case.state,
        "operator": case.operator.code,
        "subcategory": case.subcategory.code,
        "service": case.service,
        "channel": case.channel,
        "registered_at": _iso(case.registered_at),
        "forwarded_at": _iso(case.forwarded_at),
        "due_at": _iso(case.due_at),
    }


def case_forwarded(case, now: datetime | None = None) -> None:
    queue_webhook(
        operator=case.operator,
        event="case.forwarded",
        data=case_data(case),
        case_code=case.code,
        now=now,
    )


def case_reassigned(case, previous, now: datetime | None = None) -> None:
    data = {**case_data(case), "from_operator": previous.code}
    queue_webhook(
        operator=case.operator, event="case.reassigned", data=data, case_code=case.code, now=now
    )


def claim_requested(claim, now: datetime | None = None) -> None:
    data = {
        "id": claim.pk,
        "case_code": claim.case.code,
        "state": claim.state,
        "requested_at": _iso(claim.requested_at),
        "code_due_at": _iso(claim.code_due_at),
    }
    queue_webhook(
        operator=claim.operator,
        event="claim.requested",
        data=data,
        case_code=claim.case.code,
        now=now,
    )


@transaction.atomic
def redeliver(*, operator, delivery_id: int, by=None) -> WebhookDelivery:
    """Send an event again (as a new delivery, with its own attempts)."""
    original = WebhookDelivery.objects.filter(operator=operator, pk=delivery_id).first()
    if original is None:
        raise NotFound("No existe esa entrega.")
    endpoint = WebhookEndpoint.objects.filter(operator=operator).first()
    if endpoint is None:
        raise NotFound("La operadora no tiene webhook configurado.")
    copy = WebhookDelivery.objects.create(
        operator=operator,
        event=original.event,
        url=endpoint.url,
        body=original.body,
        case_code=original.case_code,
        redelivery_of=original,
        next_attempt_at=timezone.now(),
    )
    deliver_webhook.enqueue(copy.pk)
    return copy
