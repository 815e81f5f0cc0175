"""Reclamo point 3: the claim email carries the code, the claim form (PDF), the case's
documents (attached, or secure expiring links above a size limit) and the plazo of the
reclamo; the same documents are downloadable from the case page by the citizen, the operator
and the regulator, and nobody else. Emails really go over SMTP."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from factories import (
    PDF_BYTES,
    assign_code,
    make_citizen,
    make_operator_agent,
    make_regulator,
    overdue_case,
    pdf_upload,
    png_bytes,
    png_upload,
    request_claim,
)
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^\s]+/casos/(SGU-[0-9-]+)/reclamo/documentos/([^/\s]+)/")


def coded_claim(citizen, *, code: str = "RCL-000777"):
    case = overdue_case(citizen, attachments=[pdf_upload("voucher.pdf"), png_upload("saldo.png")])
    claim = assign_code(request_claim(case), code)
    return case, claim


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def attachments_of(msg) -> dict[str, bytes]:
    return {p.get_filename(): p.get_content() for p in msg.iter_attachments()}


def test_the_email_attaches_the_form_and_the_case_documents_with_the_plazo(catalog, mailbox, tasks):
    citizen = make_citizen()
    _case, claim = coded_claim(citizen)
    tasks()

    msg = mailbox.wait_for(citizen.email, "RCL-000777")
    files = attachments_of(msg)
    assert set(files) == {"reclamo-RCL-000777.pdf", "voucher.pdf", "saldo.png"}
    assert files["voucher.pdf"] == PDF_BYTES
    assert files["saldo.png"] == png_bytes()
    assert files["reclamo-RCL-000777.pdf"].startswith(b"%PDF")
    text = mailbox.text(msg)
    assert "Código de reclamo:    RCL-000777" in text
    assert f"Plazo de resolución:  {claim.resolution_days} días hábiles" in text
    assert "y 2 documentos de su caso" in text and "voucher.pdf" in text
    assert not LINK.search(text)  # small enough: attached, no links


@pytest.fixture
def small_limit(settings):
    # Below what the form and the two documents weigh together.
    settings.SGU = {**settings.SGU, "CLAIM_EMAIL_ATTACHMENTS_MAX_BYTES": 1500}


def test_above_the_size_limit_the_documents_go_as_links_for_the_citizen_only(
    catalog, mailbox, tasks, small_limit, clock
):
    citizen, stranger = make_citizen(), make_citizen()
    case, _claim = coded_claim(citizen)
    tasks()

    msg = mailbox.wait_for(citizen.email, "RCL-000777")
    assert set(attachments_of(msg)) == {"reclamo-RCL-000777.pdf"}  # the form, always
    text = mailbox.text(msg)
    assert "pesan demasiado para este correo" in text
    links = LINK.findall(text)
    assert len(links) == 2 and all(code == case.code for code, _ in links)
    urls = [m.group(0) for m in LINK.finditer(text)]
    paths = [re.sub(r"^https?://[^/]+", "", u) for u in urls]

    # The citizen it was sent to, logged in: each link gives its document.
    owner = client_of(citizen)
    got = [owner.get(p) for p in paths]
    assert [r.status_code for r in got] == [200, 200]
    assert {b"".join(r.streaming_content) for r in got} == {PDF_BYTES, png_bytes()}
    assert all(r["Content-Disposition"].startswith("attachment") for r in got)

    # Anyone else: another citizen, the operator's agent, the regulator, nobody logged in.
    refused = client_of(stranger).get(paths[0])
    assert refused.status_code == 404
    assert "Este enlace no es válido para su cuenta." in refused.content.decode()
    agent = make_operator_agent(case.operator)
    assert client_of(agent).get(paths[0]).status_code in (302, 403, 404)
    assert client_of(make_regulator()).get(paths[0]).status_code in (302, 403, 404)
    anonymous = Client().get(paths[0])
    assert anonymous.status_code == 302 and "/cuenta/ingresar/" in anonymous["Location"]

    # A link edited by hand, or to another case, opens nothing.
    code, token = links[0]
    assert owner.get(paths[0].replace(token, token[:-2] + "xx")).status_code == 404
    other_case = overdue_case(citizen)
    assert owner.get(paths[0].replace(code, other_case.code)).status_code == 404

    # Expired after the configured days: the citizen is told where the documents still are.
    clock.shift(timedelta(days=31))
    expired = client_of(citizen).get(paths[0])  # logged in again: sessions end sooner
    assert expired.status_code == 410
    assert "Este enlace venció" in expired.content.decode()


def test_the_documents_are_on_every_case_page_and_isolated(catalog, tasks, clock):
    citizen = make_citizen()
    case, _claim = coded_claim(citizen)
    voucher = case.attachments.get(name="voucher.pdf")

    pages = {
        "citizen": (client_of(citizen), f"/casos/{case.code}/"),
        "operator": (
            client_of(make_operator_agent(case.operator)),
            f"/operadora/casos/{case.code}/",
        ),
        "regulator": (client_of(make_regulator()), f"/regulador/casos/{case.code}/"),
    }
    forms = {
        "citizen": f"/casos/{case.code}/reclamo/formulario.pdf",
        "operator": f"/operadora/casos/{case.code}/reclamo/formulario.pdf",
        "regulator": f"/regulador/casos/{case.code}/reclamo/formulario.pdf",
    }
    files = {
        "citizen": f"/casos/{case.code}/adjuntos/{voucher.pk}/",
        "operator": f"/operadora/casos/{case.code}/adjuntos/{voucher.pk}/",
        "regulator": f"/regulador/casos/{case.code}/adjuntos/{voucher.pk}/",
    }
    for who, (client, url) in pages.items():
        html = client.get(url).content.decode()
        assert forms[who] in html, who
        assert "voucher.pdf" in html, who
        pdf = client.get(forms[who])
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf", who
        assert b"".join(client.get(files[who]).streaming_content) == PDF_BYTES, who

    # Another operator and another citizen see none of it.
    from sgu.catalog.models import Operator

    movistar_agent = client_of(make_operator_agent(Operator.objects.get(code="MOVISTAR")))
    assert movistar_agent.get(forms["operator"]).status_code == 404
    assert movistar_agent.get(files["operator"]).status_code == 404
    stranger = client_of(make_citizen())
    assert stranger.get(forms["citizen"]).status_code == 404
    assert stranger.get(files["citizen"]).status_code == 404


def test_the_documents_are_chosen_when_the_email_is_queued_without_reading_storage(
    catalog, small_limit
):
    # The decision uses the sizes recorded with each attachment; the worker reads the files
    # when it sends (outside the transaction), so the queued email only names their paths.
    citizen = make_citizen()
    _case, _claim = coded_claim(citizen)
    email = OutboundEmail.objects.get(template="claim_coded")
    assert [a["filename"] for a in email.attachments] == ["reclamo-RCL-000777.pdf"]
    assert "reclamo/documentos/" in email.body_text
