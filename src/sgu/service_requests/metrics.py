"""What /metrics says about the daily bajas y migraciones reports (core.metrics): files
accepted and rejected, files waiting for the worker, and, for every active operator (each
must report every day), when its last accepted file arrived and how many recent days it
left unreported — three aggregate queries per scrape."""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from sgu.catalog.selectors import active_operators
from sgu.core.calendar import LIMA
from sgu.core.metrics import collector
from sgu.service_requests.ingest import config
from sgu.service_requests.models import Batch, BatchState, DailyReport

_OUTCOMES = {BatchState.DONE: "accepted", BatchState.REJECTED: "rejected"}


@collector("service_requests")
def ingest(now: datetime) -> Iterator[Metric]:
    by_state = dict(Batch.objects.order_by().values_list("state").annotate(n=Count("id")))
    batches = CounterMetricFamily(
        "sgu_ingest_batches",
        "Reportes de bajas y migraciones procesados: accepted (cargados) o rejected.",
        labels=["outcome"],
    )
    for state, outcome in _OUTCOMES.items():
        batches.add_metric([outcome], by_state.get(state, 0))
    yield batches
    waiting = GaugeMetricFamily(
        "sgu_ingest_batches_in_progress", "Reportes recibidos que el worker aún no termina."
    )
    waiting.add_metric(
        [], by_state.get(BatchState.QUEUED, 0) + by_state.get(BatchState.PROCESSING, 0)
    )
    yield waiting

    operators = dict(active_operators().values_list("pk", "code"))
    last = dict(
        Batch.objects.filter(operator_id__in=operators, state=BatchState.DONE)
        .order_by()
        .values_list("operator_id")
        .annotate(at=Max("uploaded_at"))
    )
    last_seen = GaugeMetricFamily(
        "sgu_ingest_last_accepted_timestamp_seconds",
        "Cuándo llegó el último reporte aceptado de cada operadora activa (segundos Unix; 0 si "
        "nunca).",
        labels=["operator"],
    )
    today = timezone.localtime(now, LIMA).date()
    since = today - timedelta(days=int(config()["MISSING_LOOKBACK_DAYS"]))
    missing = dict(
        DailyReport.objects.filter(
            Q(operator_id__in=operators, report_date__gte=since),
            batch__isnull=True,
            missing_flagged_at__isnull=False,
        )
        .order_by()
        .values_list("operator_id")
        .annotate(n=Count("id"))
    )
    missing_days = GaugeMetricFamily(
        "sgu_ingest_missing_report_days",
        "Días de los últimos siete (MISSING_LOOKBACK_DAYS) que vencieron sin reporte aceptado, por "
        "operadora activa.",
        labels=["operator"],
    )
    for pk, code in sorted(operators.items(), key=lambda item: item[1]):
        at = last.get(pk)
        last_seen.add_metric([code], at.timestamp() if at else 0.0)
        missing_days.add_metric([code], missing.get(pk, 0))
    yield last_seen
    yield missing_days
