"""The read replica (core/replica.py): statistics, exports, public indicators and open data
read from it; what a person just wrote, and every write, goes to the primary; past the lag
limit, or with the replica down, those reads fall back to the primary; /readyz shows the lag.

A second database alias, `replica`, stands in for the streaming replica: it is the test's own
connection (so it sees the test's rows inside its transaction), and a spy on the router records
which alias each read was sent to."""

import pytest
from django.db import connections

from factories import case_payload, citizen_api, make_case, make_citizen
from sgu.cases.models import Case
from sgu.catalog import selectors as catalog
from sgu.core import reference, replica

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica_db(catalog, monkeypatch):
    connections.settings[replica.ALIAS] = connections.settings["default"]
    connections[replica.ALIAS] = connections["default"]
    replica._checked.update(at=float("-inf"), lag=None)
    routed: list[str] = []
    original = replica.ReplicaRouter.db_for_read

    def spy(self, model, **hints):
        alias = original(self, model, **hints)
        routed.append(alias)
        return alias

    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", spy)
    yield routed
    del connections[replica.ALIAS]
    del connections.settings[replica.ALIAS]
    replica._checked.update(at=float("-inf"), lag=None)


def test_given_reads_for_statistics_then_they_go_to_the_replica_and_writes_to_the_primary(
    replica_db,
):
    make_case()

    with replica.reads():
        counted = Case.objects.all()
        assert counted.db == "replica" and counted.count() == 1
        case = make_case()  # a write inside still goes to the primary

    assert case._state.db == "default"
    assert Case.objects.all().db == "default"


def test_given_no_replica_context_then_reads_stay_on_the_primary(replica_db):
    assert Case.objects.count() == 0

    assert set(replica_db) == {"default"}


def test_given_a_citizen_who_just_registered_then_their_case_is_read_from_the_primary(
    replica_db,
):
    api = citizen_api(make_citizen())
    code = api.post("/api/v1/cases", case_payload()).json()["code"]
    replica_db.clear()

    assert api.get(f"/api/v1/cases/{code}").status_code == 200

    assert replica_db and "replica" not in replica_db


def test_given_the_public_indicators_then_they_are_read_from_the_replica(replica_db, client):
    make_case()
    replica_db.clear()

    response = client.get("/api/v1/public/indicators")

    assert response.status_code == 200
    assert "replica" in replica_db


@pytest.mark.parametrize("lag", [120.0, None], ids=["lagging", "unreachable"])
def test_given_a_replica_behind_the_limit_or_down_then_reads_fall_back_to_the_primary(
    replica_db, monkeypatch, lag
):
    monkeypatch.setattr(replica, "measure_lag", lambda: lag)

    with replica.reads():
        assert Case.objects.all().db == "default"
        assert Case.objects.count() == 0


def test_readyz_shows_the_replica_lag(replica_db, client, monkeypatch):
    monkeypatch.setattr(replica, "measure_lag", lambda: 2.5)

    body = client.get("/readyz").json()

    assert body["checks"]["database"]["ok"]
    assert body["replica"] == {
        "configured": True, "lag_seconds": 2.5, "max_lag_seconds": 30.0, "used": True
    }  # fmt: skip


def test_readyz_without_a_replica(client):
    body = client.get("/readyz").json()

    assert body["checks"]["database"]["ok"] and body["replica"] == {"configured": False}


def test_given_the_catalog_first_needed_inside_replica_reads_then_it_is_cached_from_the_primary(
    replica_db, settings
):
    settings.SGU = {**settings.SGU, "REFERENCE_CACHE": True}
    reference.bump()

    with replica.reads():
        replica_db.clear()
        catalog.operator_by_code("CLARO")

    assert replica_db and "replica" not in replica_db
