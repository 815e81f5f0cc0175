"""Who sees the provider's work (issue 18, point 8): a provider's staff only their provider's
requirements and replicas; the regulator's staff all of them; citizens and operator staff
none — in the selectors, the API and the pages, like the operators' isolation."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factories import (
    Api,
    NothingWritten,
    citizen_api,
    lima,
    make_citizen,
    make_operator_agent,
    pdf_bytes,
    problem_of,
    staff_token,
)
from provider.helpers import P, approved_version, file, to_replica_stage
from sgu.core.errors import NotFound
from sgu.provider import selectors, services
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


def test_replicas_files_and_reports_are_scoped_the_same_way(
    team, other_team, cliente, catalog, claro
):
    version = approved_version()
    replicas = {}
    for t in (team, other_team):
        req = to_replica_stage(
            file(t, cliente, now=lima(2026, 11, 25, 9)), t, cliente, now=lima(2026, 11, 25, 10)
        )
        services.add_attachments(
            requirement=req,
            files=[SimpleUploadedFile("oficio.pdf", pdf_bytes(), "application/pdf")],
            by=P(cliente),
        )
        replicas[t.provider.code] = services.plan_replica(
            requirement=req,
            article_version=version,
            memory_aid="La portabilidad se ejecuta en 24 horas; la pide el titular.",
            scheduled_for="2030-01-02",
            trainer=t.trainer,
            advisors=None,
            by=P(t.trainer),
            now=lima(2026, 11, 25, 11),
        )
    mine, theirs = replicas["CONTACTA"], replicas["LLAMAPERU"]

    def ids(qs):
        return sorted(r.pk for r in qs)

    for person in (team.cx, team.trainer, team.ops, team.monitor, team.advisors[0]):
        assert ids(selectors.replicas_for(person)) == [mine.pk]
        assert ids(selectors.replica_register(person)) == [mine.pk]
    assert ids(selectors.replica_register(cliente)) == sorted([mine.pk, theirs.pk])
    # The other provider's replica, and its file, are not found for this team.
    with pytest.raises(NotFound):
        selectors.replica_for(team.advisors[0], theirs.pk)
    theirs_file = theirs.requirement.attachments.get()
    with pytest.raises(NotFound):
        selectors.attachment_for(team.cx, theirs.requirement.code, theirs_file.pk)
    # Each team's report counts only its own requirements; the regulator's counts both.
    week = date(2026, 11, 29)
    assert selectors.report(team.cx, "weekly", week, 1)[0].filed == 1
    assert selectors.report(cliente, "weekly", week, 1)[0].filed == 2
    # Citizens and operator staff: nothing at all.
    for outsider in (make_citizen(), make_operator_agent(claro)):
        assert ids(selectors.replicas_for(outsider)) == []
        assert ids(selectors.replica_register(outsider)) == []
        assert list(selectors.providers_for(outsider)) == []
        assert selectors.report(outsider, "weekly", week, 1)[0].filed == 0
        with pytest.raises(NotFound):
            selectors.attachment_for(outsider, mine.requirement.code, 1)
    # Through the API, the other team's replica is a 404 like one that does not exist.
    api = Api(staff_token(team.advisors[0]))
    assert problem_of(api.get(f"/api/v1/provider/replicas/{theirs.pk}"), 404) == problem_of(
        api.get("/api/v1/provider/replicas/999999"), 404
    )
    listed = api.get("/api/v1/provider/replicas").json()["items"]
    assert [r["id"] for r in listed] == [mine.pk]
