"""What /metrics says about outgoing email (core.metrics): unsent emails waiting for a retry,
and those given up after every retry — one aggregate query per scrape."""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count, Min, Q
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from sgu.core.metrics import collector
from sgu.notifications.models import OutboundEmail
from sgu.notifications.services.outbox import RETRY_DELAYS


@collector("notifications")
def emails(now: datetime) -> Iterator[Metric]:
    unsent = Q(sent_at__isnull=True)
    gave_up = unsent & Q(attempts__gt=len(RETRY_DELAYS))
    retrying = unsent & ~Q(last_error="") & Q(attempts__lte=len(RETRY_DELAYS))
    row = OutboundEmail.objects.aggregate(
        pending=Count("id", filter=unsent & Q(last_error="")),
        retrying=Count("id", filter=retrying),
        failed=Count("id", filter=gave_up),
        oldest=Min("created_at", filter=unsent & ~gave_up),
    )
    waiting = GaugeMetricFamily(
        "sgu_emails_unsent",
        "Correos sin enviar: pending (aún sin intento fallido) o retrying (el servidor SMTP "
        "falló; espera su próximo intento).",
        labels=["status"],
    )
    waiting.add_metric(["pending"], row["pending"])
    waiting.add_metric(["retrying"], row["retrying"])
    yield waiting
    failed = CounterMetricFamily(
        "sgu_emails_failed",
        f"Correos abandonados tras {len(RETRY_DELAYS) + 1} intentos (nunca enviados).",
    )
    failed.add_metric([], row["failed"])
    yield failed
    age = GaugeMetricFamily(
        "sgu_emails_oldest_unsent_age_seconds",
        "Antigüedad del correo sin enviar más antiguo que aún se reintenta (0 si no hay).",
    )
    age.add_metric([], (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0)
    yield age
