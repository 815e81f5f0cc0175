"""A file is what its whole content is, not its first bytes: `%PDF-` followed by an HTML page
(a "polyglot" a browser may render as HTML) is refused, and the name kept for an accepted file
always ends with its real type's extension — never `.html`, `.exe` or `.svg`."""

import pytest
from django.test import Client

from factories import (
    NothingWritten,
    jpeg_bytes,
    make_case,
    pdf_bytes,
    png_bytes,
    problem_of,
    upload,
)
from sgu.cases.attachments import check_upload
from sgu.cases.models import Attachment
from sgu.core.errors import ErrorCollector

pytestmark = pytest.mark.django_db

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"

POLYGLOTS = [
    ("evidencia.html", b"%PDF-1.4\n" + HTML),
    ("evidencia.pdf", b"%PDF-1.4\n" + HTML + b"\n%%EOF\n"),
    ("foto.jpg", jpeg_bytes()[:-2] + b"<svg onload=alert(1)>" + b"\xff\xd9"),
    ("captura.png", png_bytes() + b"<!DOCTYPE html><p>hola"),
    ("script.pdf", pdf_bytes().replace(b"% evidencia", b"<SCRIPT>alert(1)</SCRIPT>")),
    # Ends nothing like a PDF (cut, or something else behind the signature).
    ("cortado.pdf", pdf_bytes()[:-8]),
    ("cortado.png", png_bytes()[:-12]),
]


def attachments_url(case) -> str:
    return f"/api/v1/cases/{case.code}/attachments"


@pytest.mark.parametrize(("name", "content"), POLYGLOTS)
def test_a_polyglot_is_refused_on_the_api_and_nothing_is_written(
    api, citizen, media_root, name, content
):
    case = make_case(citizen)
    with NothingWritten():
        response = api.upload(attachments_url(case), upload(name, content, "application/pdf"))
    problem_of(response, 415)
    assert not (media_root / "attachments").exists()


@pytest.mark.parametrize(("name", "content"), POLYGLOTS[:2])
def test_a_polyglot_is_refused_on_the_web_form(citizen, name, content):
    case = make_case(citizen)
    web = Client()
    web.force_login(citizen)
    with NothingWritten():
        response = web.post(
            f"/casos/{case.code}/adjuntos/", {"attachments": [upload(name, content)]}
        )
    assert "no es un PDF, JPEG o PNG válido" in response.content.decode()


@pytest.mark.parametrize(
    ("sent", "content", "kept"),
    [
        ("informe.html", pdf_bytes(), "informe.pdf"),
        ("programa.exe", png_bytes(), "programa.png"),
        ("dibujo.svg", png_bytes(), "dibujo.png"),
        ("foto.JPEG", jpeg_bytes(), "foto.JPEG"),
        ("foto.jpg.html", jpeg_bytes(), "foto.jpg.jpg"),
        (".htaccess", pdf_bytes(), "archivo.pdf"),
    ],
)
def test_an_accepted_file_keeps_a_name_with_its_real_extension(api, citizen, sent, content, kept):
    case = make_case(citizen)
    response = api.upload(attachments_url(case), upload(sent, content))
    assert response.status_code == 201, response.content
    assert response.json()["name"] == kept
    stored = Attachment.objects.get(pk=response.json()["id"])
    assert stored.name == kept
    web = Client()
    web.force_login(citizen)
    download = web.get(f"/casos/{case.code}/adjuntos/{stored.pk}/")
    assert download.status_code == 200
    assert kept in download["Content-Disposition"]


def test_the_upload_itself_is_renamed_for_whatever_stores_it_by_name():
    # The knowledge base stores its source files under the uploaded name.
    sent = upload("sustento.html", pdf_bytes())
    checked = check_upload(sent, ErrorCollector(), "source_file")
    assert checked is not None
    assert checked.upload.name == "sustento.pdf"
