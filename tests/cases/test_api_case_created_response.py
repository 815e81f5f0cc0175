"""The 201 of `POST /api/v1/cases` is built from the case just written, without reading it
back (bench/intake.py): it must be exactly the case as `GET /api/v1/cases/{code}` shows it."""

import pytest
from django.utils import timezone

from factories import case_payload, citizen_api, make_citizen
from sgu.accounts.models import ApiToken

pytestmark = pytest.mark.django_db

CASES = "/api/v1/cases"
# Computed at each request from the clock, not stored.
VOLATILE = {"overdue"}


def shown(body: dict) -> dict:
    return {k: v for k, v in body.items() if k not in VOLATILE}


@pytest.mark.parametrize("verified", [True, False], ids=["forwarded", "waiting"])
@pytest.mark.parametrize("key", [None, "clave-1"], ids=["plain", "idempotent"])
def test_given_a_new_case_when_created_then_the_201_body_is_the_case_as_read_back(
    catalog, verified, key
):
    api = citizen_api(make_citizen(verified=verified))
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}

    created = api.post(CASES, case_payload(), **extra)

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == ("FORWARDED" if verified else "REGISTERED")
    assert [e["kind"] for e in body["timeline"]] == (
        ["REGISTER", "FORWARD"] if verified else ["REGISTER"]
    )
    read = api.get(f"{CASES}/{body['code']}")
    assert read.status_code == 200
    assert shown(body) == shown(read.json())
    if key:  # the stored answer replayed is that same body
        again = api.post(CASES, case_payload(), **extra)
        assert (again.status_code, again.json()) == (201, body)


def test_given_a_token_used_moments_ago_when_used_again_then_last_use_is_not_rewritten(
    catalog,
):
    api = citizen_api(make_citizen())
    api.get(CASES)
    token = ApiToken.objects.get()
    first_use = token.last_used_at
    assert first_use is not None and first_use <= timezone.now()

    api.get(CASES)

    token.refresh_from_db()
    assert token.last_used_at == first_use


def test_given_a_token_last_used_over_a_minute_ago_when_used_then_last_use_is_updated(catalog):
    api = citizen_api(make_citizen())
    api.get(CASES)
    old = timezone.now() - timezone.timedelta(minutes=2)
    ApiToken.objects.update(last_used_at=old)

    api.get(CASES)

    assert ApiToken.objects.get().last_used_at > old
