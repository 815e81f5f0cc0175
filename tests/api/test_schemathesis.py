"""The published OpenAPI schema, tested against the running Django app (in-process WSGI) by
schemathesis: for every operation, a bounded number of generated requests (valid and
invalid), each answered without a 500, with a documented status code, a documented content
type and a body that matches the documented schema.

Each caller authenticates as the operation expects: an operator's API key under
/operator/, a regulator agent's token under /staff/, otherwise a citizen's token. Examples
are derandomized (the same run every time) and health checks are off (the database fixture
is function-scoped on purpose)."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from factories import (
    citizen_api,
    make_case,
    make_citizen,
    make_regulator,
    operator_api,
    staff_token,
)

SCHEMA_PATH = "/api/v1/openapi.json"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 10


@pytest.fixture
def in_process_requests():
    """As Django's own test client does: a request must not close the database connection
    (it holds the test's transaction; PostgreSQL would really close it)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def credentials(claro, settings, in_process_requests):
    """A citizen with a case, a regulator agent and Claro's back-end key."""

    settings.SGU = {
        **settings.SGU,
        "RATE_LIMITS": {**settings.SGU["RATE_LIMITS"], "ENABLED": False},
    }
    citizen = make_citizen()
    make_case(citizen)
    return {
        "citizen": citizen_api(citizen).token,
        "operator": operator_api(claro).token,
        "staff": staff_token(make_regulator()),
    }


# Loaded from the app itself, as a client would (no database needed for the schema).
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, WSGIHandler())


def token_for(path: str, credentials: dict) -> str:
    if path.startswith("/api/v1/operator/"):
        return credentials["operator"]
    if path.startswith("/api/v1/staff/"):
        return credentials["staff"]
    return credentials["citizen"]


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],
)
@pytest.mark.django_db
def test_every_operation_honours_its_schema(case, credentials):
    headers = {"Authorization": f"Bearer {token_for(case.path, credentials)}"}
    case.call_and_validate(headers=headers, checks=CHECKS)
