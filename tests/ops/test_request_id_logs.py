"""Every request has an id (the proxy's X-Request-ID when it looks like one, otherwise a new
one), answered in X-Request-ID and written on every log line of the request — in production as
one JSON object per line on stdout, including the lines that say which emails it enqueued and
the task worker's own lines while it runs a task that request enqueued."""

import json
import logging

import pytest

from ops.helpers import manage, production_env
from sgu.core import requestid
from sgu.core.logging import JsonFormatter, RedactFilter, RequestIdFilter


def test_a_response_carries_a_new_request_id_or_the_proxys(client):
    first = client.get("/healthz-does-not-matter/")["X-Request-ID"]
    second = client.get("/healthz-does-not-matter/")["X-Request-ID"]
    assert len(first) == 32 and first != second
    given = "nginx-7f3a9c2e41d0"
    assert client.get("/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    # Not something that could forge a log line.
    forged = client.get("/", HTTP_X_REQUEST_ID='x" \n{"level": "CRITICAL"}')["X-Request-ID"]
    assert len(forged) == 32 and "\n" not in forged


def _json_line(message: str, *args, exc_info=None, **extra) -> dict:
    record = logging.LogRecord("sgu.test", logging.INFO, __file__, 1, message, args, exc_info)
    for key, value in extra.items():
        setattr(record, key, value)
    RequestIdFilter().filter(record)
    RedactFilter().filter(record)
    return json.loads(JsonFormatter().format(record))


def test_a_log_line_is_one_json_object_with_the_current_request_id_and_no_secrets():
    token = requestid.use("req-0123456789")
    try:
        line = _json_line("ingreso con password=%s", "Clave.Secreta.1", email_id=42)
    finally:
        requestid.reset(token)
    assert line["request_id"] == "req-0123456789"
    assert line["level"] == "INFO" and line["logger"] == "sgu.test"
    assert line["message"] == "ingreso con password=[oculto]"
    assert line["email_id"] == 42  # fields given in extra= are kept
    assert line["time"].endswith("+00:00")
    assert _json_line("fuera de una solicitud")["request_id"] is None


def test_an_exception_is_a_field_of_the_same_line():
    try:
        raise ValueError("malo")
    except ValueError:
        import sys

        line = _json_line("falló", exc_info=sys.exc_info())
    assert "ValueError: malo" in line["exception"]


@pytest.mark.django_db
def test_the_emails_a_request_enqueues_are_logged_with_its_request_id(client, caplog, settings):
    from sgu.notifications.services import queue_email

    token = requestid.use("req-abcdef012345")
    try:
        with caplog.at_level(logging.INFO, logger="sgu.notifications"):
            email = queue_email(to="ana@example.com", template="daily_report", context={})
    finally:
        requestid.reset(token)
    records = [r for r in caplog.records if getattr(r, "email_id", None) == email.pk]
    assert records, caplog.text
    RequestIdFilter().filter(records[0])
    assert records[0].request_id == "req-abcdef012345"


def test_production_logs_are_json_on_stdout():
    code = "import logging; logging.getLogger('sgu.test').warning('hola %s', 'mundo')"
    result = manage("shell", "-v", "0", "-c", code, env=production_env())
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout.strip().splitlines()[-1])
    assert line["message"] == "hola mundo" and line["level"] == "WARNING"
    assert "request_id" in line


@pytest.mark.django_db
def test_the_worker_logs_a_task_under_the_request_id_that_enqueued_it(
    api, caplog, tasks, mailbox, settings, clock
):
    from datetime import timedelta

    from django_tasks_db.models import DBTaskResult

    from factories import case_payload
    from sgu.notifications.models import OutboundEmail

    given = "nginx-req-7f3a9c2e41d0"
    response = api.post("/api/v1/cases", case_payload(), HTTP_X_REQUEST_ID=given)
    assert response.status_code == 201, response.content
    assert response["X-Request-ID"] == given
    email = OutboundEmail.objects.get(template="case_registered")  # rendered by the worker

    # The mail server is down: the worker's line about it names the request, and so does the
    # retry it enqueues.
    up_port, settings.EMAIL_PORT = settings.EMAIL_PORT, 9
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        tasks()
    failed = [r for r in caplog.records if f"correo {email.pk} no enviado" in r.getMessage()]
    assert failed and failed[0].request_id == given, caplog.text
    retry = DBTaskResult.objects.get(status="READY", args_kwargs__args=[email.pk])
    assert retry.args_kwargs["request_id"] == given
    assert requestid.current() == ""  # the worker gave the id back after the task

    # The retry runs under it too, and the email goes out.
    settings.EMAIL_PORT = up_port
    clock.shift(timedelta(minutes=2))
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="sgu"):
        tasks()
    email.refresh_from_db()
    assert email.sent_at is not None
    assert mailbox.to(email.to)


@pytest.mark.django_db
def test_a_task_enqueued_outside_a_request_runs_without_one(caplog, tasks, mailbox, settings):
    from sgu.notifications.services import queue_email

    settings.EMAIL_PORT = 9
    email = queue_email(to="ana@example.com", template="daily_report", context={})
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO):
        tasks()
    failed = [r for r in caplog.records if f"correo {email.pk} no enviado" in r.getMessage()]
    assert failed and failed[0].request_id == "-", caplog.text
