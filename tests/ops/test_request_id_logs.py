"""Every request has an id (the proxy's X-Request-ID when it looks like one, otherwise a new
one), answered in X-Request-ID and written on every log line of the request — in production as
one JSON object per line on stdout, including the lines that say which emails it enqueued."""

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
