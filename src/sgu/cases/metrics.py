"""What /metrics says about cases (core.metrics): how many in each state, and how many are
overdue right now — two aggregate queries per scrape."""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import Count
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric

from sgu.cases.models import Case
from sgu.cases.selectors import overdue_counts_by_operator
from sgu.cases.workflow import State
from sgu.catalog.selectors import active_operators
from sgu.core.metrics import collector


@collector("cases")
def cases(now: datetime) -> Iterator[Metric]:
    by_state = GaugeMetricFamily(
        "sgu_cases",
        "Casos por estado (todos los estados, también los que tienen 0).",
        labels=["state"],
    )
    counts = dict(Case.objects.order_by().values_list("state").annotate(n=Count("id")))
    for state in State:
        by_state.add_metric([state.value], counts.get(state.value, 0))
    yield by_state

    overdue = GaugeMetricFamily(
        "sgu_cases_overdue",
        "Casos vencidos ahora (marcados VENCIDO o con el plazo pasado sin moverse), por "
        "operadora activa (también las que tienen 0).",
        labels=["operator"],
    )
    counts = dict.fromkeys(active_operators().values_list("code", flat=True), 0)
    counts |= overdue_counts_by_operator(now)
    for operator, n in sorted(counts.items()):
        overdue.add_metric([operator], n)
    yield overdue
