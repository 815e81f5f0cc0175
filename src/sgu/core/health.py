"""Probes for the load balancer and the orchestrator.

- `/healthz`: the process answers (no database, no disk): restart it if this fails.
- `/readyz`: it can do its work: the database answers, every migration is applied, and a
  task worker and a scheduler have beaten recently (core/worker.py). 200 when every check
  passes, 503 otherwise; each check is named in the JSON answer. The read replica's lag, if
  there is one, is shown too (`replica`) but never fails it: past its limit, the reads meant
  for it go to the primary (core/replica.py).
"""

import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sgu.core import replica
from sgu.core.models import ProcessHeartbeat
from sgu.core.worker import freshest, reset_connection

_migrations_applied = False  # once true, true for the life of this process


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> dict[str, Any]:
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 1)}


def _migrations() -> dict[str, Any]:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return {"ok": False, "pending": [f"{m.app_label}.{m.name}" for m, _ in pending]}
        _migrations_applied = True
    return {"ok": True, "pending": []}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": _database,
    "migrations": _migrations,
    "worker": lambda: freshest(ProcessHeartbeat.WORKER),
    "scheduler": lambda: freshest(ProcessHeartbeat.SCHEDULER),
}


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            checks[name] = check()
        except DatabaseError as exc:
            checks[name] = {"ok": False, "error": type(exc).__name__}
            reset_connection()  # the next request gets a fresh one
            if name == "database":  # the rest cannot be asked
                for rest in list(CHECKS)[1:]:
                    checks[rest] = {"ok": False, "error": "sin base de datos"}
                break
    ready = all(c["ok"] for c in checks.values())
    response = JsonResponse(
        {"status": "ok" if ready else "fail", "checks": checks, "replica": replica.status()}
    )
    response.status_code = 200 if ready else 503
    if not ready:
        response["Retry-After"] = "10"
    return response
