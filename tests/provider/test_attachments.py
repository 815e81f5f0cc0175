"""A requirement's files (issue 18, point 1: «attachments»): the regulator attaches them on
filing and afterwards, on the page and through the API; whoever sees the requirement lists
and downloads them. One check for every file of the platform (`check_upload`: PDF, JPEG or
PNG by content, up to 10 MB, at most 5): the same mistake gets the same Spanish message and
the same status on the page and in the API, and nothing is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factories import (
    Api,
    citizen_api,
    lima,
    make_citizen,
    pdf_bytes,
    png_bytes,
    problem_of,
    staff_token,
    text,
)
from provider.helpers import P, file, to_replica_stage
from sgu.provider import services
from sgu.provider.models import Requirement, RequirementAttachment

pytestmark = pytest.mark.django_db

FILING = {
    "provider": "CONTACTA",
    "type": "NEW_INFO",
    "topic": "Portabilidad numérica",
    "description": "Informar a los asesores el nuevo plazo de portabilidad.",
}
BASE = "/api/v1/provider/requirements"


def pdf(name="oficio.pdf", content=None):
    return SimpleUploadedFile(name, content or pdf_bytes(name), "application/pdf")


def web(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def multipart(api: Api, path: str, data: dict):
    return api.client.post(path, data, **api._headers({}))


@pytest.fixture
def reg(cliente):
    return Api(staff_token(cliente))


def test_the_api_files_a_requirement_with_its_files_and_they_download_as_sent(team, reg, cliente):
    png = SimpleUploadedFile("captura.png", png_bytes(), "image/png")
    created = multipart(reg, BASE, {**FILING, "attachments": [pdf(), png]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert [(a["name"], a["content_type"]) for a in body["attachments"]] == [
        ("oficio.pdf", "application/pdf"),
        ("captura.png", "image/png"),
    ]
    assert (body["stage"], body["can_attach"]) == ("VALIDATION", True)

    # Experiencia Cliente lists and downloads them.
    cx = Api(staff_token(team.cx))
    listed = cx.get(f"{BASE}/{body['code']}/attachments").json()
    assert [a["name"] for a in listed] == ["oficio.pdf", "captura.png"]
    got = cx.get(f"{BASE}/{body['code']}/attachments/{listed[0]['id']}")
    assert got.status_code == 200
    assert b"".join(got.streaming_content) == pdf_bytes("oficio.pdf")
    assert got["Content-Type"] == "application/pdf"
    assert got["Content-Disposition"].startswith("attachment")
    assert cx.get(f"{BASE}/{body['code']}").json()["can_attach"] is False


def test_a_json_filing_still_works_and_an_empty_form_date_is_no_date(team, reg):
    plain = reg.post(BASE, FILING)
    assert plain.status_code == 201 and plain.json()["attachments"] == []
    form = multipart(reg, BASE, {**FILING, "requested_date": ""})
    assert form.status_code == 201, form.content
    assert form.json()["requested_date"] is None


def test_the_regulator_attaches_more_files_afterwards_until_it_is_closed(team, reg, cliente):
    req = file(team, cliente, type="SYSTEM_ACCESS", now=lima(2026, 11, 25, 9))
    added = multipart(reg, f"{BASE}/{req.code}/attachments", {"file": [pdf("a.pdf"), pdf("b.pdf")]})
    assert added.status_code == 201, added.content
    assert [a["name"] for a in added.json()] == ["a.pdf", "b.pdf"]
    assert [a.name for a in req.attachments.all()] == ["a.pdf", "b.pdf"]

    req = to_replica_stage(req, team, cliente, now=lima(2026, 11, 25, 10))
    req = services.complete_replica(requirement=req, by=P(team.trainer), now=lima(2026, 11, 25, 11))
    services.report_final_status(
        requirement=req, by=P(team.cx), status="Accesos otorgados.", now=lima(2026, 11, 25, 12)
    )
    assert reg.get(f"{BASE}/{req.code}").json()["can_attach"] is False
    refused = multipart(reg, f"{BASE}/{req.code}/attachments", {"file": pdf("c.pdf")})
    assert "cerrado" in problem_of(refused, 409)["detail"]
    assert req.attachments.count() == 2


def test_only_the_regulator_attaches_and_outsiders_see_no_file(team, other_team, reg, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    services.add_attachments(requirement=req, files=[pdf()], by=P(cliente))
    one = req.attachments.get()
    cx = Api(staff_token(team.cx))
    refused = multipart(cx, f"{BASE}/{req.code}/attachments", {"file": pdf("x.pdf")})
    assert problem_of(refused, 403)["detail"].startswith("Solo el personal del regulador")
    # Another provider's staff: not found, as a code that does not exist.
    stranger = Api(staff_token(other_team.cx))
    problem_of(stranger.get(f"{BASE}/{req.code}/attachments"), 404)
    problem_of(stranger.get(f"{BASE}/{req.code}/attachments/{one.pk}"), 404)
    assert web(other_team.cx).get(
        f"/proveedor/requerimientos/{req.code}/adjuntos/{one.pk}/"
    ).status_code == (404)
    # A citizen: none of it.
    problem_of(citizen_api(make_citizen()).get(f"{BASE}/{req.code}/attachments/{one.pk}"), 403)
    # A file of another requirement, asked under this one's code: not found.
    other = file(team, cliente, now=lima(2026, 11, 25, 9))
    problem_of(reg.get(f"{BASE}/{other.code}/attachments/{one.pk}"), 404)
    assert req.attachments.count() == 1


def test_the_page_lists_downloads_and_adds_files(team, cliente):
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    page = web(cliente)
    added = page.post(f"/proveedor/requerimientos/{req.code}/adjuntos/", {"attachments": pdf()})
    assert added.status_code == 302
    shown = page.get(f"/proveedor/requerimientos/{req.code}/")
    assert "oficio.pdf" in text(shown) and "Agregar archivos" in text(shown)
    one = req.attachments.get()
    got = web(team.advisors[0]).get(f"/proveedor/requerimientos/{req.code}/adjuntos/{one.pk}/")
    assert b"".join(got.streaming_content) == pdf_bytes("oficio.pdf")
    # Provider staff see the files but get no form to add one.
    assert "Agregar archivos" not in text(
        web(team.cx).get(f"/proveedor/requerimientos/{req.code}/")
    )


HUGE = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024)
MISTAKES = [
    ("no es un PDF, JPEG o PNG", "recibo.exe", b"MZ\x90\x00" + b"\x00" * 64, 415),
    ("un PDF con una página web dentro", "recibo.pdf", b"%PDF-1.4 <script>x</script>", 415),
    ("vacío", "recibo.pdf", b"", 415),
    ("más de 10 MB", "enorme.pdf", HUGE, 413),
]


@pytest.mark.parametrize(
    ("mistake", "name", "content", "status"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_a_refused_file_on_filing_reads_the_same_on_the_page_and_in_the_api(
    team, cliente, reg, mistake, name, content, status
):
    def upload():
        return SimpleUploadedFile(name, content, "application/pdf")

    page = web(cliente).post(
        "/proveedor/requerimientos/nuevo/", {**FILING, "attachments": upload()}
    )
    api = multipart(reg, BASE, {**FILING, "attachments": upload()})

    assert page.status_code == api.status_code == status
    message = problem_of(api, status)["errors"][0]["message"]
    assert api.json()["errors"][0]["field"] == "attachments"
    assert message in text(page)
    assert not Requirement.objects.exists() and not RequirementAttachment.objects.exists()


@pytest.mark.parametrize(
    ("mistake", "name", "content", "status"), MISTAKES, ids=[m[0] for m in MISTAKES]
)
def test_a_refused_file_afterwards_reads_the_same_on_the_page_and_in_the_api(
    team, cliente, reg, mistake, name, content, status
):
    def upload():
        return SimpleUploadedFile(name, content, "application/pdf")

    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    page = web(cliente).post(
        f"/proveedor/requerimientos/{req.code}/adjuntos/", {"attachments": upload()}
    )
    api = multipart(reg, f"{BASE}/{req.code}/attachments", {"file": upload()})

    assert page.status_code == api.status_code == status
    assert problem_of(api, status)["errors"][0]["message"] in text(page)
    assert not RequirementAttachment.objects.exists()


def test_no_file_too_many_files_and_a_bad_field_with_a_bad_file(team, cliente, reg):
    req = file(team, cliente, now=lima(2026, 11, 25, 9))
    none = problem_of(reg.post(f"{BASE}/{req.code}/attachments", {}), 422)
    assert none["errors"] == [{"field": "file", "message": "Adjunte un archivo PDF, JPEG o PNG."}]
    six = [pdf(f"{i}.pdf") for i in range(6)]
    many = problem_of(multipart(reg, f"{BASE}/{req.code}/attachments", {"file": six}), 422)
    assert (
        many["errors"][0]["message"] == "Puede adjuntar como máximo 5 archivos por requerimiento."
    )
    # A file refused and a field to correct: 422 with both, all at once.
    both = multipart(
        reg,
        BASE,
        {**FILING, "topic": "x", "attachments": SimpleUploadedFile("a.exe", b"MZ" * 40)},
    )
    assert {e["field"] for e in problem_of(both, 422)["errors"]} == {"topic", "attachments"}
    assert not RequirementAttachment.objects.exists()
    assert Requirement.objects.count() == 1
