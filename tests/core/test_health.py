"""Probes: /healthz says the process answers (without touching the database); /readyz says
it can work — database, migrations, a live worker, a live scheduler — naming each check."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import OperationalError
from django.utils import timezone

from sgu.core import health
from sgu.core.models import ProcessHeartbeat
from sgu.core.worker import beat

pytestmark = pytest.mark.django_db


def alive(kind: str, name: str, *, seconds_ago: float = 0, every: float = 10) -> None:
    beat(name, kind, every=every)
    ProcessHeartbeat.objects.filter(name=name).update(
        seen_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.fixture
def everything_up():
    alive(ProcessHeartbeat.WORKER, "w1")
    alive(ProcessHeartbeat.SCHEDULER, "s1", every=30)


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_names_every_check_and_is_ready_when_all_pass(client, everything_up):
    response = client.get("/readyz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "migrations", "worker", "scheduler"}
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["worker"]["alive"] == 1


@pytest.mark.parametrize("missing", ["worker", "scheduler"])
def test_readyz_fails_without_a_live_worker_or_scheduler(client, missing):
    alive(ProcessHeartbeat.WORKER, "w1", seconds_ago=500 if missing == "worker" else 0)
    alive(ProcessHeartbeat.SCHEDULER, "s1", seconds_ago=500 if missing == "scheduler" else 0)
    response = client.get("/readyz")
    assert response.status_code == 503 and response["Retry-After"]
    checks = response.json()["checks"]
    assert checks[missing]["ok"] is False and checks[missing]["last_seen_seconds"] >= 500
    assert [name for name, c in checks.items() if not c["ok"]] == [missing]


def test_readyz_fails_with_pending_migrations(client, everything_up, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)

    def plan(self, targets, clean_start=False):  # one migration not applied yet
        return [(self.loader.graph.nodes[("core", "0003_process_heartbeat")], False)]

    monkeypatch.setattr(MigrationExecutor, "migration_plan", plan)
    response = client.get("/readyz")
    checks = response.json()["checks"]
    assert response.status_code == 503
    assert checks["migrations"] == {"ok": False, "pending": ["core.0003_process_heartbeat"]}


def test_readyz_fails_with_503_when_the_database_is_unreachable(client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", unreachable)
    monkeypatch.setattr(health, "reset_connection", lambda: None)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"] == {"ok": False, "error": "OperationalError"}
    assert not any(c["ok"] for c in checks.values())
