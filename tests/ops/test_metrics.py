"""/metrics for Prometheus (core/metrics.py): not public (a bearer token, or loopback outside
production), requests counted by route name (never the raw path), and every metric the runbook
documents present with the values the data says after a few cases, emails, webhooks, tasks
and bajas reports."""

import re
from datetime import timedelta

import pytest
from django.db import DatabaseError
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from factories import case_payload, make_case
from ops.helpers import ROOT
from service_requests.helpers import baja, csv_file, migracion
from sgu.core import metrics
from sgu.core.calendar import LIMA
from sgu.core.models import ProcessHeartbeat
from sgu.core.worker import beat
from sgu.notifications.models import OutboundEmail
from sgu.notifications.services.outbox import RETRY_DELAYS
from sgu.operators.models import WebhookDelivery

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef"
OPERATIONS = ROOT / "docs" / "operations.md"


def scrape(client, **extra) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of one scrape allowed by loopback."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples, name: str, **labels) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


def total(samples, name: str, **labels) -> float:
    """Sum of every series of `name` whose labels include `labels`."""
    return sum(v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls))


# --- access -----------------------------------------------------------------------------------


def test_outside_production_loopback_may_read_but_not_through_the_proxy_nor_from_outside(
    client, settings
):
    settings.SGU = {**settings.SGU, "METRICS_TOKEN": ""}
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    # Through nginx (it always sets X-Forwarded-For) the address is loopback too: refused.
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


def test_the_bearer_token_opens_it_from_anywhere_and_a_wrong_one_does_not(client, settings):
    settings.SGU = {**settings.SGU, "METRICS_TOKEN": TOKEN}
    outside = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert (
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **outside).status_code == 200
    )
    for wrong in (f"Bearer {TOKEN}x", "Bearer ", TOKEN, f"Basic {TOKEN}"):
        assert client.get("/metrics", HTTP_AUTHORIZATION=wrong, **outside).status_code == 404


def test_in_production_only_the_token_opens_it_and_without_one_configured_nothing_does(
    client, settings
):
    settings.PRODUCTION = True
    settings.SGU = {**settings.SGU, "METRICS_TOKEN": TOKEN}
    assert client.get("/metrics").status_code == 404  # loopback is not enough
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    settings.SGU = {**settings.SGU, "METRICS_TOKEN": ""}
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_it_is_read_only(client):
    assert client.post("/metrics").status_code == 405


# --- requests ---------------------------------------------------------------------------------


def test_requests_are_counted_by_route_name_method_and_status_never_by_raw_path(client, citizen):
    case = make_case(citizen)
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.force_login(citizen)
    assert client.get(f"/casos/{case.code}/").status_code == 200
    client.get("/no-existe/SGU-2026-9999999/")
    after = scrape(client)

    def grew(name: str, **labels) -> float:
        return total(after, name, **labels) - total(before, name, **labels)

    assert grew("sgu_http_requests_total", route="healthz", method="GET", status="200") == 2
    assert grew("sgu_http_request_duration_seconds_count", route="healthz", method="GET") == 2
    assert grew("sgu_http_requests_total", route="cases:detail", status="200") == 1
    assert grew("sgu_http_requests_total", route=metrics.UNMATCHED, status="404") == 1
    text = client.get("/metrics").content.decode()
    assert case.code not in text and "SGU-2026-9999999" not in text and "no-existe" not in text
    routes = {dict(ls).get("route") for (n, ls) in after if n == "sgu_http_requests_total"}
    assert all("/" not in r for r in routes), routes


# --- the platform's state ---------------------------------------------------------------------


def documented_metrics() -> set[str]:
    """The metric names the runbook's table lists (docs/operations.md, «Métricas»)."""
    text = OPERATIONS.read_text()
    section = text[text.index("### Métricas expuestas") :]
    section = section[: section.index("\n## ", 1)] if "\n## " in section[1:] else section
    return set(re.findall(r"^\| `(sgu_[a-z_]+)`", section, flags=re.MULTILINE))


def test_every_documented_metric_is_exposed_with_the_values_the_data_says(
    client, citizen, claro, claro_api, tasks, mailbox, settings, clock
):
    now = timezone.now()
    today = timezone.localtime(now, LIMA).date()
    # Two cases now and one registered 40 days ago, whose plazo has passed (overdue).
    make_case(citizen)
    make_case(citizen)
    make_case(citizen, now=now - timedelta(days=40), operator="CLARO")
    # A webhook waiting for its retry and one given up.
    for attempts, gave_up in ((2, None), (15, now)):
        WebhookDelivery.objects.create(
            operator=claro,
            event="case.forwarded",
            url="https://claro.example/hook",
            body="{}",
            attempts=attempts,
            gave_up_at=gave_up,
        )
    # A bajas report accepted and one rejected (a row without its code).
    for rows, days_ago in (([baja("B-1"), migracion("M-1")], 2), ([baja("")], 1)):
        response = claro_api.client.post(
            "/api/v1/operator/service-requests/batches",
            {"file": csv_file(rows), "report_date": str(today - timedelta(days=days_ago))},
            HTTP_AUTHORIZATION=f"Bearer {claro_api.token}",
        )
        assert response.status_code == 202, response.content
    # The mail server is down: every queued email fails once and waits for its retry.
    settings.EMAIL_PORT = 9  # discard: nothing listens there
    tasks()
    mails = OutboundEmail.objects.filter(sent_at__isnull=True, attempts=1).count()
    assert mails >= 3 and mails == OutboundEmail.objects.count()
    OutboundEmail.objects.filter(pk=OutboundEmail.objects.order_by("pk").first().pk).update(
        attempts=len(RETRY_DELAYS) + 1
    )  # one given up after every retry
    # A worker and a scheduler beat; then ten minutes pass with a new task waiting.
    beat("w-1", ProcessHeartbeat.WORKER, every=10)
    beat("s-1", ProcessHeartbeat.SCHEDULER, every=30)
    beaten_at = timezone.now().timestamp()
    make_case(citizen)  # its email task waits in the queue
    clock.shift(timedelta(minutes=10))

    samples = scrape(client)
    names = {name for name, _ in samples}
    families = {re.sub(r"_(total|bucket|count|sum)$", "", n) for n in names} | names
    missing = documented_metrics() - families
    assert documented_metrics() and not missing, missing

    for collector in ("core", "cases", "notifications", "operators", "service_requests"):
        assert value(samples, "sgu_metrics_collector_up", collector=collector) == 1
    assert total(samples, "sgu_cases") == 4
    assert value(samples, "sgu_cases", state="FORWARDED") == 4
    assert value(samples, "sgu_cases", state="CLOSED") == 0
    assert value(samples, "sgu_cases_overdue", operator="CLARO") == 1
    assert value(samples, "sgu_emails_unsent", status="retrying") == mails - 1
    assert value(samples, "sgu_emails_failed_total") == 1
    assert value(samples, "sgu_emails_oldest_unsent_age_seconds") >= 600
    assert value(samples, "sgu_webhooks_undelivered", status="retrying") == 1
    assert value(samples, "sgu_webhooks_failed_total") == 1
    assert value(samples, "sgu_ingest_batches_total", outcome="accepted") == 1
    assert value(samples, "sgu_ingest_batches_total", outcome="rejected") == 1
    assert value(samples, "sgu_ingest_batches_in_progress") == 0
    assert value(samples, "sgu_ingest_last_accepted_timestamp_seconds", operator="CLARO") > 0
    assert value(samples, "sgu_ingest_last_accepted_timestamp_seconds", operator="MOVISTAR") == 0
    # The queue: the new case's email (and the retries scheduled for later, not late).
    assert total(samples, "sgu_task_queue_depth") >= 1
    assert value(samples, "sgu_task_queue_oldest_age_seconds") == pytest.approx(600, abs=1)
    assert value(
        samples, "sgu_process_last_heartbeat_timestamp_seconds", kind="worker"
    ) == pytest.approx(beaten_at, abs=1)
    assert value(
        samples, "sgu_process_last_heartbeat_timestamp_seconds", kind="scheduler"
    ) == pytest.approx(beaten_at, abs=1)
    assert value(samples, "sgu_processes_alive", kind="worker") == 0  # 10 minutes: stale
    assert value(samples, "sgu_readiness_check_ok", check="database") == 1
    assert value(samples, "sgu_readiness_check_ok", check="worker") == 0
    assert value(samples, "sgu_replica_configured") == 0


def test_the_scrape_makes_a_few_aggregate_queries_whatever_the_data(
    client, citizen, django_assert_max_num_queries
):
    for _ in range(3):
        make_case(citizen)
    client.get("/metrics")  # the migrations check is cached after its first success
    with django_assert_max_num_queries(30) as few:
        client.get("/metrics")
    for _ in range(5):
        make_case(citizen)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/metrics")


def test_a_failing_collector_is_reported_and_the_others_still_answer(client, monkeypatch):
    def broken(now):
        raise DatabaseError("la base de datos no responde")

    monkeypatch.setitem(metrics._COLLECTORS, "cases", broken)
    samples = scrape(client)
    assert value(samples, "sgu_metrics_collector_up", collector="cases") == 0
    assert value(samples, "sgu_metrics_collector_up", collector="core") == 1
    assert not any(n == "sgu_cases" for n, _ in samples)


def test_each_app_registers_its_collector_and_core_imports_none():
    assert set(metrics.collectors()) >= {
        "core",
        "cases",
        "notifications",
        "operators",
        "service_requests",
    }
    with pytest.raises(ValueError, match="twice"):
        metrics.collector("cases")(lambda now: [])


def test_an_api_request_is_counted_under_its_route_name(api, client):
    def created_by_route() -> dict:
        # The counters live as long as the process: other tests in it count too, so the test
        # looks at what this request added.
        return {
            dict(ls)["route"]: v
            for (n, ls), v in scrape(client).items()
            if n == "sgu_http_requests_total" and dict(ls).get("status") == "201"
        }

    before = created_by_route()
    response = api.post("/api/v1/cases", case_payload(), HTTP_IDEMPOTENCY_KEY="m-1")
    assert response.status_code == 201, response.content
    after = created_by_route()
    created = {route for route, v in after.items() if v > before.get(route, 0)}
    assert len(created) == 1 and "api" in next(iter(created)), created
