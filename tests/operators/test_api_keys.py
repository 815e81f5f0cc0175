"""The operator administrator's API keys: created with a name and shown once, stored hashed,
last use visible, revocation effective on the very next request; never another operator's."""

import re

import pytest
from django.test import Client

from factories import Api, make_admin, make_operator_agent
from sgu.accounts.models import OperatorApiKey
from sgu.accounts.services import token_hash
from sgu.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_create_use_and_revoke_a_key(claro, movistar):
    admin = make_admin(claro)
    web = Client()
    web.force_login(admin)
    response = web.post("/operadora/claves/", {"name": "CRM producción"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = re.search(r"sgu_[A-Za-z0-9_-]{20,}", response.content.decode()).group(0)
    key = OperatorApiKey.objects.get(operator=claro)
    assert key.key_hash == token_hash(raw) and raw not in str(key.__dict__)
    # Shown once: the list shows only its prefix.
    listing = web.get("/operadora/claves/").content.decode()
    assert raw not in listing and key.prefix in listing and "nunca" in listing

    api = Api(raw)
    assert api.get("/api/v1/operator/cases").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None

    # Another operator's administrator cannot revoke it.
    other = Client()
    other.force_login(make_admin(movistar))
    assert other.post(f"/operadora/claves/{key.pk}/revocar/").status_code == 404
    assert (
        other.post(f"/operadora/claves/{key.pk}/revocar/", {"confirmado": "1"}).status_code == 404
    )
    assert api.get("/api/v1/operator/cases").status_code == 200

    assert web.post(f"/operadora/claves/{key.pk}/revocar/", {"confirmado": "1"}).status_code == 302
    assert api.get("/api/v1/operator/cases").status_code == 401  # at once
    assert "Revocada" in web.get("/operadora/claves/").content.decode()

    actions = set(AuditEvent.objects.filter(actor=admin).values_list("action", flat=True))
    assert {"api_key.created", "api_key.revoked"} <= actions


def test_blank_name_is_refused(claro):
    web = Client()
    web.force_login(make_admin(claro))
    response = web.post("/operadora/claves/", {"name": "  "})
    assert response.status_code == 422 and "Dé un nombre" in response.content.decode()
    assert not OperatorApiKey.objects.exists()


def test_agents_cannot_manage_keys(claro):
    web = Client()
    web.force_login(make_operator_agent(claro))
    assert web.get("/operadora/claves/").status_code == 403
    assert web.post("/operadora/claves/", {"name": "x"}).status_code == 403
    assert not OperatorApiKey.objects.exists()


def test_a_key_and_its_audit_record_are_written_together(claro):
    from unittest import mock

    from sgu.accounts import services as accounts

    admin = make_admin(claro)
    with (
        mock.patch("sgu.core.audit.record", side_effect=RuntimeError("caída")),
        pytest.raises(RuntimeError),
    ):
        accounts.create_operator_key(operator=claro, name="CRM", created_by=admin)

    assert not OperatorApiKey.objects.filter(operator=claro).exists()


def test_looking_a_credential_up_reads_and_never_writes(claro):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sgu.accounts import selectors
    from sgu.accounts import services as accounts

    raw, key = accounts.create_operator_key(operator=claro, name="CRM")
    with CaptureQueriesContext(connection) as queries:
        assert selectors.operator_key(raw).pk == key.pk
    assert [q["sql"].split()[0].upper() for q in queries] == ["SELECT"]
    key.refresh_from_db()
    assert key.last_used_at is None  # recording the use is the caller's write (accounts.auth)
