"""The published OpenAPI schema, tested against the running Django app (in-process WSGI) by
schemathesis with all of its checks (`--checks all`): for every operation, a bounded number of
generated requests, valid and invalid, each answered without a 500, with a documented status
code, content type, headers and body; invalid data refused, valid data accepted, an
authenticated operation refused without its credential, unsupported methods refused.

Each caller authenticates as the operation expects: an operator's API key under
/operator/, a regulator agent's token under /staff/, otherwise a citizen's token. Examples
are derandomized (the same run every time) and health checks are off (the database fixture
is function-scoped on purpose).

"Valid data accepted" has one documented exception (`SEMANTIC`): a 422 (or 415) whose every
field error is a rule no JSON Schema states — on the data behind the request (an opaque
cursor the server issued, a one-time token, a code that must exist, a catalog entry, a
file's real content) or conditional on another field (the extra fields a subcategory
requires, a name unless anonymous). Bounds and types are in the schema itself
(tests/api/test_schema_limits.py); the NUL byte is refused everywhere.

Method, command and figures on SQLite and PostgreSQL: docs/reliability.md ("Contrato OpenAPI").
"""

import os
import re

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import CHECKS as REGISTERED_CHECKS
from schemathesis.checks import load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from factories import (
    citizen_api,
    make_case,
    make_citizen,
    make_regulator,
    operator_api,
    staff_token,
)
from sgu.core.refusals import NUL_MESSAGE

SCHEMA_PATH = "/api/v1/openapi.json"
# Bounded: every operation, each check, in a minute or two on a quiet two-core machine.
EXAMPLES = int(os.environ.get("SGU_SCHEMATHESIS_EXAMPLES", "5"))

# Field errors that depend on the data behind the request, not its shape: a request the schema
# calls valid may still be refused with them (422, problem+json, a message in Spanish).
SEMANTIC = {
    "cursor": "an opaque token the server issued on the previous page",
    "token": "the one-time token sent by email",
    "code": "the code of a case that exists",
    "attention_point": "an attention point of the operator's own company",
    "office": "the regulator agent must have an office assigned",
    "file": "the file's real content (sniffed, not its name or declared type)",
    "password": "Django's password validators (common, all digits, like the name)",
    "document_number": "a DNI's check digit, a RUC's module 11",
    "request_code": "a request code the operator reported",
    "email": "an address that is not only well formed (and one to answer to)",
    "period": "a month between 2000-01 and the current one",
    "report_date": "a day from 2000 to today",
    "motive": "a motive of the regulator's catalog",
    "question": "a question with words in it",
    "text": "a suggestion of at least 10 characters once blanks are trimmed",
    "description": "a description of at least 10 characters once blanks are trimmed",
    "service_number": "a number of the kind the subcategory's service uses (mobile: 9 digits)",
    "name": "who asks, unless the query is marked anonymous",
    "ended_at": "the end of an outage, required once it has a closing reason",
    "topic": "a topic of the regulator's list",
    "subcategory": "a subcategory of the catalog, in force",
    "operator": "an operator of the catalog",
    "phone": "a Peruvian mobile number (9 digits, starting with 9) once spaces are removed",
    "closing_reason": "a closing reason that fits the outage's scenario and times",
    "closing_justification": "a justification of 15 characters, required with ERROR_USUARIO",
    "applications": "codes of the operator's catalog of applications (blanks are not codes)",
    "items.name": "an element's name: not blank, not «otro», not repeated in its list",
    "valid_from": "a first day of validity that is not past (today moves)",
    "started_at": "the start of an outage, not in the future (now moves)",
    "valid_to": "the end of a list's validity, not before its start (valid_from)",
}
# 422 (invalid data) or 415 (a file whose content is not of an accepted type).
SEMANTIC_STATUSES = {415, 422}
# The NUL byte is refused everywhere (core/refusals.py: PostgreSQL cannot store it), also in
# the keys of free-form objects, where a schema cannot forbid it.
NUL_REFUSED = NUL_MESSAGE


def _is_semantic(field: str) -> bool:
    # "items[3].name" is the rule of "items.name"; "code" the rule of "code" wherever it is.
    path = re.sub(r"\[\d+\]", "", field)
    head = path.split(".", 1)[0]
    return path in SEMANTIC or head in SEMANTIC or field.startswith("fields.")


def positive_data_acceptance_but_semantic(ctx, response, case):
    """schemathesis' `positive_data_acceptance`, except a 422 refusing only semantic fields."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except AssertionError:
        if response.status_code in SEMANTIC_STATUSES:
            errors = response.json().get("errors") or []
            if errors and all(
                e["message"] == NUL_REFUSED or _is_semantic(e["field"]) for e in errors
            ):
                return None
        raise


load_all_checks()
CHECKS = [
    positive_data_acceptance_but_semantic if check is positive_data_acceptance else check
    for check in REGISTERED_CHECKS.get_all()
]


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
