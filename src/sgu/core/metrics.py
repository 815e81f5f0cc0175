"""Prometheus metrics at /metrics (docs/operations.md, «Métricas y alertas»).

- **HTTP requests**, measured by `MetricsMiddleware` in each web process: a counter by route
  (the resolved URL pattern's name, never the raw path: a path holds case codes and ids),
  method and status, and a latency histogram by route and method. Under gunicorn with
  `PROMETHEUS_MULTIPROC_DIR` set (deploy/gunicorn.conf.py sets it and empties it on start),
  prometheus-client's multiprocess mode adds up every worker's values at scrape time.
- **The state of the platform**, computed at scrape time from the database by collectors:
  each app registers its own with `@collector("name")` in its `metrics.py` (loaded by
  `CoreConfig.ready()`, the way `jobs.py` is), so core imports no app. A collector makes a
  few aggregate queries — never a loop over rows. One that fails (the database is down) is
  reported as `sgu_metrics_collector_up{collector=…} 0` and the scrape still answers.

Not public: a request is served only with `Authorization: Bearer $SGU_METRICS_TOKEN`, or,
outside production, straight from loopback (not through the proxy). Anyone else gets a 404.
"""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from sgu.core import replica
from sgu.core.models import ProcessHeartbeat
from sgu.core.worker import connection_lost, reset_connection

logger = logging.getLogger("sgu.metrics")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# No "_created" twin of every counter: nothing here reads them.
disable_created_metrics()  # type: ignore[no-untyped-call]

# --- HTTP, per process (added up across gunicorn workers in multiprocess mode) ---------------

# Registered only in the registry built for each scrape (below), never in the global one.
REQUESTS = Counter(
    "sgu_http_requests",
    "Solicitudes HTTP atendidas, por ruta (nombre del patrón de URL), método y estado.",
    ["route", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "sgu_http_request_duration_seconds",
    "Tiempo de respuesta de las solicitudes HTTP, por ruta y método.",
    ["route", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
    registry=None,
)
_HTTP_METRICS: tuple[Collector, ...] = (REQUESTS, LATENCY)

# An unknown method would be a label value per attacker's whim.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<sin_ruta>"  # no URL pattern matched (404s), or refused before resolving


def route_of(request: HttpRequest) -> str:
    """The URL pattern that served the request ("cases:detail"), or UNMATCHED."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return match.view_name or match._func_path or UNMATCHED


class MetricsMiddleware:
    """Counts and times every request (placed right after the request id: it sees the
    answers of every other middleware too, the 503s and 413s included)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return response
        finally:
            method = request.method if request.method in _METHODS else "OTHER"
            route = route_of(request)
            REQUESTS.labels(route, method, str(status)).inc()
            LATENCY.labels(route, method).observe(time.perf_counter() - started)


# --- the platform's state, computed at scrape time -------------------------------------------

Collect = Callable[[datetime], Iterable[Metric]]
_COLLECTORS: dict[str, Collect] = {}


def collector(name: str) -> Callable[[Collect], Collect]:
    """Register the decorated function (taking the scrape's `now`, returning metric families)
    as a source of /metrics. Each app's `metrics.py` registers its own."""

    def register(fn: Collect) -> Collect:
        if name in _COLLECTORS:
            raise ValueError(f"metrics collector registered twice: {name}")
        _COLLECTORS[name] = fn
        return fn

    return register


def collectors() -> dict[str, Collect]:
    return dict(_COLLECTORS)


class _PlatformCollector:
    """Runs every registered collector once per scrape; one failing does not hide the rest."""

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        up = GaugeMetricFamily(
            "sgu_metrics_collector_up",
            "1 si el colector respondió en este raspado, 0 si falló (p. ej. sin base de datos).",
            labels=["collector"],
        )
        for name, fn in sorted(_COLLECTORS.items()):
            try:
                families = list(fn(now))
            except Exception as exc:
                logger.warning("colector de métricas %s fallido: %s", name, exc)
                if connection_lost(exc):  # the next query opens a new connection
                    reset_connection()
                up.add_metric([name], 0)
                continue
            up.add_metric([name], 1)
            yield from families
        yield up


def registry() -> CollectorRegistry:
    """A registry for one scrape: the HTTP metrics (this process's, or every process's in
    multiprocess mode) plus the platform collectors."""
    reg = CollectorRegistry(auto_describe=False)
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.MultiProcessCollector(reg)  # type: ignore[no-untyped-call]
    else:
        for metric in _HTTP_METRICS:
            reg.register(metric)
    reg.register(_PlatformCollector())
    return reg


# --- who may read it --------------------------------------------------------------------------


def _bearer_ok(request: HttpRequest) -> bool:
    token = str(settings.SGU.get("METRICS_TOKEN") or "")
    given = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = given.partition(" ")
    if not token or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())


def _straight_from_loopback(request: HttpRequest) -> bool:
    """From this host and not through the proxy (nginx always sets X-Forwarded-For)."""
    if request.META.get("HTTP_X_FORWARDED_FOR") or request.META.get("HTTP_X_REAL_IP"):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def allowed(request: HttpRequest) -> bool:
    if _bearer_ok(request):
        return True
    return not settings.PRODUCTION and _straight_from_loopback(request)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        raise Http404  # not "forbidden": nothing says there is something here
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


# --- core's own: the task queue, the background processes, the replica, readiness ------------


@collector("core")
def _core(now: datetime) -> Iterator[Metric]:
    from sgu.core.health import CHECKS  # health imports the worker; kept out of import time

    queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    depth = GaugeMetricFamily(
        "sgu_task_queue_depth",
        "Tareas en cola (listas o programadas), por cola.",
        labels=["queue"],
    )
    counts = dict.fromkeys(_queues(), 0) | dict(_count_by(queued, "queue_name"))
    for queue, n in sorted(counts.items()):
        depth.add_metric([queue], n)
    yield depth
    # Ready now: scheduled retries (run_after in the future) are not late.
    oldest = (
        queued.filter(run_after__lte=now)
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )
    age = GaugeMetricFamily(
        "sgu_task_queue_oldest_age_seconds",
        "Antigüedad de la tarea lista más antigua sin tomar (0 si no hay ninguna).",
    )
    age.add_metric([], (now - oldest).total_seconds() if oldest else 0.0)
    yield age
    running = GaugeMetricFamily("sgu_tasks_running", "Tareas que un worker está ejecutando.")
    running.add_metric([], DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count())
    yield running

    beats = GaugeMetricFamily(
        "sgu_process_last_heartbeat_timestamp_seconds",
        "Último latido del proceso más reciente de cada tipo (worker, scheduler), en segundos "
        "Unix. El del planificador es su última pasada.",
        labels=["kind"],
    )
    alive = GaugeMetricFamily(
        "sgu_processes_alive",
        "Procesos de cada tipo con latido reciente.",
        labels=["kind"],
    )
    latest: dict[str, float] = {}
    count: dict[str, int] = {ProcessHeartbeat.WORKER: 0, ProcessHeartbeat.SCHEDULER: 0}
    for kind, seen_at, every in ProcessHeartbeat.objects.values_list("kind", "seen_at", "every"):
        latest[kind] = max(latest.get(kind, 0.0), seen_at.timestamp())
        if (now - seen_at).total_seconds() <= 3 * every + 30:  # worker.stale_after
            count[kind] = count.get(kind, 0) + 1
    for kind in (ProcessHeartbeat.WORKER, ProcessHeartbeat.SCHEDULER):
        beats.add_metric([kind], latest.get(kind, 0.0))
        alive.add_metric([kind], count[kind])
    yield beats
    yield alive

    ready = GaugeMetricFamily(
        "sgu_readiness_check_ok",
        "1 si la verificación de /readyz pasa, 0 si no (database, migrations, worker, scheduler).",
        labels=["check"],
    )
    for name, check in CHECKS.items():
        try:
            ok = bool(check()["ok"])
        except DatabaseError as exc:
            if connection_lost(exc):
                reset_connection()
            ok = False
        ready.add_metric([name], 1 if ok else 0)
    yield ready

    status = replica.status()
    configured = GaugeMetricFamily(
        "sgu_replica_configured",
        "1 si hay una réplica de lectura configurada (DATABASE_REPLICA_URL).",
    )
    configured.add_metric([], 1 if status.get("configured") else 0)
    yield configured
    lag = GaugeMetricFamily(
        "sgu_replica_lag_seconds",
        "Retraso de la réplica de lectura respecto del primario (+Inf si no responde; 0 sin "
        "réplica). Pasado SGU_REPLICA_MAX_LAG las lecturas van al primario.",
    )
    current = status.get("lag_seconds")
    if not status.get("configured"):
        lag.add_metric([], 0.0)
    else:
        lag.add_metric([], float("inf") if current is None else float(current))
    yield lag


def _queues() -> list[str]:
    """Every queue the task backends declare (each reported, with 0 when empty)."""
    return sorted({str(q) for conf in settings.TASKS.values() for q in conf.get("QUEUES", [])})


def _count_by(queryset: QuerySet[Any], field: str) -> list[tuple[str, int]]:
    """[(value, count)] of one GROUP BY."""
    rows = queryset.order_by().values_list(field).annotate(n=Count("pk"))
    return [(str(value), int(n)) for value, n in rows]
