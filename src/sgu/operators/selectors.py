"""Reads of the operator integration, always scoped to one operator."""

from sgu.core.errors import NotFound
from sgu.operators.models import WebhookDelivery, WebhookEndpoint


def webhook_of(operator) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(operator=operator).first()


def deliveries(operator, limit: int = 50) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(operator=operator).order_by("-id")[:limit])


def delivery(operator, delivery_id: int) -> WebhookDelivery:
    found = (
        WebhookDelivery.objects.filter(operator=operator, pk=delivery_id)
        .prefetch_related("attempt_log")
        .first()
    )
    if found is None:
        raise NotFound("No existe esa entrega.")
    return found
