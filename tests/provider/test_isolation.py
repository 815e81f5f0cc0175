"""Who sees the provider's work (issue 18, point 8): a provider's staff only their provider's
requirements and replicas; the regulator's staff all of them; citizens and operator staff
none — in the selectors, the API and the pages, like the operators' isolation."""

import pytest
from django.test import Client

from factories import (
    Api,
    NothingWritten,
    citizen_api,
    lima,
    make_citizen,
    make_operator_agent,
    problem_of,
    staff_token,
)
from provider.helpers import file
from sgu.provider import selectors
from sgu.provider.models import Requirement, Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(team, other_team, cliente):
    mine = file(team, cliente, now=lima(2026, 11, 25, 9), topic="Portabilidad")
    theirs = file(other_team, cliente, now=lima(2026, 11, 25, 9), topic="Recargas")
    return mine, theirs


def codes(qs):
    return sorted(r.code for r in qs)


def test_selectors_scope_each_seat(team, other_team, cliente, both, catalog, claro):
    mine, theirs = both
    for person in (
        team.cx,
        team.coordinator,
        team.trainer,
        team.ops,
        team.monitor,
        team.advisors[0],
    ):
        assert codes(selectors.requirements_for(person)) == [mine.code]
    assert codes(selectors.requirements_for(other_team.advisors[0])) == [theirs.code]
    assert codes(selectors.requirements_for(cliente)) == sorted([mine.code, theirs.code])
    assert codes(selectors.requirements_for(make_citizen())) == []
    assert codes(selectors.requirements_for(make_operator_agent(claro))) == []


def test_api_provider_staff_see_only_their_providers_requirements(team, both):
    mine, theirs = both
    api = Api(staff_token(team.cx))

    listed = api.get("/api/v1/provider/requirements")
    assert listed.status_code == 200, listed.content
    assert [i["code"] for i in listed.json()["items"]] == [mine.code]
    assert api.get(f"/api/v1/provider/requirements/{mine.code}").status_code == 200
    nobodys = api.get("/api/v1/provider/requirements/REQ-2026-99999")
    with NothingWritten():
        other = api.get(f"/api/v1/provider/requirements/{theirs.code}")
        assert problem_of(other, 404) == problem_of(nobodys, 404)
        problem_of(api.post(f"/api/v1/provider/requirements/{theirs.code}/actions/accept"), 404)
    assert Requirement.objects.get(pk=theirs.pk).stage == Stage.VALIDATION


def test_api_regulator_sees_every_provider(cliente, both):
    api = Api(staff_token(cliente))
    listed = api.get("/api/v1/provider/requirements").json()["items"]
    assert sorted(i["code"] for i in listed) == codes(both)


def test_api_citizen_and_operator_see_none_of_it(catalog, claro, both):
    citizen = citizen_api(make_citizen())
    assert problem_of(citizen.get("/api/v1/provider/requirements"), 403)["detail"] == (
        selectors.NOT_ALLOWED
    )
    problem_of(citizen.get(f"/api/v1/provider/requirements/{both[0].code}"), 403)
    operator = Client()
    operator.force_login(make_operator_agent(claro))
    problem_of(operator.get("/api/v1/provider/requirements"), 401)


def test_pages_scope_each_seat(team, cliente, both, catalog, claro):
    mine, theirs = both
    web = Client()
    web.force_login(team.advisors[0])
    page = web.get("/proveedor/").content.decode()
    assert mine.code in page and theirs.code not in page
    assert web.get(f"/proveedor/requerimientos/{theirs.code}/").status_code == 404
    assert web.get(f"/proveedor/requerimientos/{mine.code}/").status_code == 200
    csv = b"".join(web.get("/proveedor/exportar.csv").streaming_content).decode()
    assert mine.code in csv and theirs.code not in csv

    for outsider in (make_citizen(), make_operator_agent(claro)):
        other = Client()
        other.force_login(outsider)
        assert other.get("/proveedor/").status_code == 403
        assert other.get(f"/proveedor/requerimientos/{mine.code}/").status_code == 403

    regulator = Client()
    regulator.force_login(cliente)
    page = regulator.get("/proveedor/").content.decode()
    assert mine.code in page and theirs.code in page
