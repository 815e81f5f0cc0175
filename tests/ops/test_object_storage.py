"""Shared-nothing files: with AWS_STORAGE_BUCKET_NAME the uploaded and generated files go to an
S3-compatible object store (django-storages), the file system stays the default. Each file
feature runs here on both — the S3 one against moto's S3 server on loopback — and nothing of it
may land on the local disk when the object store is configured."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from factories import (
    citizen_api,
    citizen_principal,
    lima,
    make_case,
    make_citizen,
    make_regulator,
    pdf_bytes,
    png_bytes,
    upload,
)
from ops.helpers import manage, production_env
from service_requests.helpers import baja, csv_file, migracion
from sgu.cases import services as cases
from sgu.cases.models import Attachment, Claim
from sgu.core.files import sweep_orphan_files
from sgu.service_requests.models import Batch, ServiceRequest

pytestmark = pytest.mark.django_db


def local_files(media_root) -> list[str]:
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def test_the_bucket_variable_selects_the_s3_storage_of_django_storages():
    code = (
        "from django.core.files.storage import storages;"
        "s = storages['default'];"
        "print(type(s).__name__, s.bucket_name, s.endpoint_url)"
    )
    env = production_env(
        AWS_STORAGE_BUCKET_NAME="sgu-archivos", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000"
    )
    result = manage("shell", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["S3Storage", "sgu-archivos", "http://127.0.0.1:9000"]


def test_an_attachment_is_stored_and_downloaded_back(
    storage_backend, api, citizen, client, media_root
):
    backend, names = storage_backend
    case = make_case(citizen)
    content = png_bytes()

    response = api.upload(f"/api/v1/cases/{case.code}/attachments", upload("foto.png", content))

    assert response.status_code == 201, response.content
    stored = Attachment.objects.get(pk=response.json()["id"])
    assert names() == [stored.file.name]
    client.force_login(citizen)
    download = client.get(f"/casos/{case.code}/adjuntos/{stored.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    if backend == "s3":
        assert local_files(media_root) == []


def test_the_claim_form_pdf_is_generated_stored_emailed_and_downloaded(
    storage_backend, claro_api, mailbox, tasks, media_root
):
    backend, names = storage_backend
    citizen = make_citizen()
    case = make_case(citizen, now=lima(2026, 3, 2, 10), operator="CLARO")
    claim = cases.request_claim(
        case=case,
        reason="La operadora no respondió y la recarga sigue sin acreditarse.",
        by=citizen_principal(citizen),
    )

    coded = claro_api.post(
        f"/api/v1/operator/claims/{claim.pk}/code", {"claim_code": "R-2026-000777"}
    )

    assert coded.status_code == 200, coded.content
    claim = Claim.objects.get(pk=claim.pk)
    assert names() == [claim.form_pdf.name]
    tasks()  # the email attaches the PDF, read back from the store by the worker
    msg = mailbox.wait_for(citizen.email, "R-2026-000777")
    (pdf,) = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF")

    form = citizen_api(citizen).get(f"/api/v1/cases/{case.code}/claim/form.pdf")
    assert form.status_code == 200
    assert b"".join(form.streaming_content) == pdf.get_content()
    if backend == "s3":
        assert local_files(media_root) == []


def test_a_bajas_report_is_stored_then_ingested_from_the_store(
    storage_backend, claro_api, tasks, media_root
):
    backend, names = storage_backend
    response = claro_api.client.post(
        "/api/v1/operator/service-requests/batches",
        {"file": csv_file([baja("B-1"), migracion("M-1")]), "report_date": "2026-03-09"},
        HTTP_AUTHORIZATION=f"Bearer {claro_api.token}",
    )
    assert response.status_code == 202, response.content
    batch = Batch.objects.get(pk=response.json()["id"])
    assert names() == [batch.file.name]

    tasks()  # the worker reads the report back from the store

    batch.refresh_from_db()
    assert batch.state == "DONE", batch.state
    assert ServiceRequest.objects.count() == 2
    if backend == "s3":
        assert local_files(media_root) == []


def test_orphan_files_are_swept_from_the_store_and_owned_ones_kept(storage_backend, citizen):
    _, names = storage_backend
    case = make_case(citizen)
    (kept,) = cases.add_attachments(
        case=case, files=[upload("r.pdf", pdf_bytes())], by=citizen_principal(citizen)
    )
    orphan = default_storage.save("attachments/huerfano.pdf", ContentFile(pdf_bytes()))
    assert sorted(names()) == sorted([kept.file.name, orphan])

    # Much later (the store stamps files with its own clock, not the suite's).
    later = default_storage.get_modified_time(orphan) + timedelta(days=1)
    removed = sweep_orphan_files("attachments", Attachment, "file", now=later)

    assert removed == 1
    assert names() == [kept.file.name]


def test_a_statistics_export_is_streamed_and_stores_nothing(storage_backend, citizen, client):
    """The exports (CSV, XLSX) go straight to the client: nothing lands on either backend, so
    any web process can answer them."""

    _, names = storage_backend
    make_case(citizen)
    client.force_login(make_regulator("REGULATOR_SUPERVISOR"))
    for url in (
        "/regulador/estadisticas/exportar/operadora.csv?desde=2026-10-01&hasta=2026-11-30",
        "/regulador/estadisticas/exportar/mes.xlsx?desde=2026-10-01",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body
    assert names() == []
