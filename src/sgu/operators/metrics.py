"""What /metrics says about webhooks (core.metrics): deliveries waiting for a retry and those
given up — one aggregate query per scrape."""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Q
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from sgu.core.metrics import collector
from sgu.operators.models import WebhookDelivery


@collector("operators")
def webhooks(now: datetime) -> Iterator[Metric]:
    open_ = Q(delivered_at__isnull=True, gave_up_at__isnull=True)
    row = WebhookDelivery.objects.aggregate(
        pending=Count("id", filter=open_ & Q(attempts=0)),
        retrying=Count("id", filter=open_ & Q(attempts__gt=0)),
        failed=Count("id", filter=Q(delivered_at__isnull=True, gave_up_at__isnull=False)),
    )
    waiting = GaugeMetricFamily(
        "sgu_webhooks_undelivered",
        "Entregas de webhook pendientes: pending (sin intento aún) o retrying (la operadora "
        "no respondió 2xx; espera su próximo intento).",
        labels=["status"],
    )
    waiting.add_metric(["pending"], row["pending"])
    waiting.add_metric(["retrying"], row["retrying"])
    yield waiting
    failed = CounterMetricFamily(
        "sgu_webhooks_failed",
        "Entregas de webhook abandonadas tras todos sus reintentos (más de 24 horas).",
    )
    failed.add_metric([], row["failed"])
    yield failed
