"""Size limit and streaming: a file over the limit is refused with a clear message before
its body is read; a 200 MB file really streams through the upload (constant memory); and a
big report is processed in bounded memory."""

import hashlib
import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from factories import make_operator_agent, problem_of, run_tasks
from service_requests.helpers import DAY, baja, by, csv_bytes
from sgu.service_requests import ingest, services
from sgu.service_requests.layout import COLUMNS
from sgu.service_requests.models import Batch, ServiceRequest

pytestmark = pytest.mark.django_db

BATCHES = "/api/v1/operator/service-requests/batches"
MB = 1024 * 1024


@pytest.fixture
def limit_mb(settings):
    def set_limit(n: int) -> None:
        settings.SGU = {
            **settings.SGU,
            "SERVICE_REQUESTS": {**settings.SGU["SERVICE_REQUESTS"], "MAX_UPLOAD_BYTES": n * MB},
        }

    return set_limit


def stored_files(media_root) -> list[Path]:
    folder = Path(media_root) / "service_requests"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def big_csv(size: int) -> bytes:
    block = csv_bytes([baja(f"B-{i}") for i in range(8000)])
    return (block * (size // len(block) + 1))[:size]


def test_the_api_refuses_a_file_over_the_limit_before_reading_it(claro_api, limit_mb, media_root):
    limit_mb(1)
    upload = SimpleUploadedFile("grande.csv", big_csv(2 * MB))
    response = claro_api.client.post(
        BATCHES,
        {"file": upload, "report_date": "2026-03-09"},
        HTTP_AUTHORIZATION=f"Bearer {claro_api.token}",
    )

    problem = problem_of(response, 413)
    assert problem["title"] == "Archivo demasiado grande"
    assert problem["detail"].startswith("El archivo pesa 2,0 MB; el máximo es 1,0 MB.")
    assert not Batch.objects.exists() and stored_files(media_root) == []


def test_the_service_refuses_a_file_over_the_limit_too(claro, limit_mb):
    limit_mb(1)
    upload = SimpleUploadedFile("grande.csv", big_csv(MB + 1))

    with pytest.raises(services.PayloadTooLarge) as refusal:
        services.receive_report(file=upload, report_date=DAY, by=by(claro))
    assert "el máximo es 1,0 MB" in refusal.value.detail


def test_the_page_refuses_a_file_over_the_limit(claro, limit_mb):
    limit_mb(1)
    client = Client()
    client.force_login(make_operator_agent(claro))

    response = client.post(
        "/bajas-migraciones/operadora/enviar/",
        {"file": SimpleUploadedFile("grande.csv", big_csv(2 * MB)), "report_date": "2026-03-09"},
    )

    assert response.status_code == 413
    assert "El archivo pesa 2,0 MB; el máximo es 1,0 MB." in response.content.decode()
    assert not Batch.objects.exists()


class StreamedBody:
    """A WSGI input that produces the request body as it is read: the test never holds
    the 200 MB either."""

    def __init__(self, parts):
        self._parts = iter(parts)
        self._buffer = bytearray()

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            part = next(self._parts, None)
            if part is None:
                break
            self._buffer += part
        if size < 0:
            size = len(self._buffer)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def readline(self, size: int = -1) -> bytes:  # part of the WSGI input interface
        raise AssertionError("el cuerpo multipart se lee por bloques, no por líneas")


def test_a_200_mb_file_streams_through_the_upload_in_constant_memory(claro_api, tmp_path):
    # The file is written to disk in chunks, then sent from disk in chunks.
    path = tmp_path / "bajas-200mb.csv"
    block = big_csv(MB)
    digest = hashlib.sha256()
    with open(path, "wb") as fh:
        for _ in range(200):
            fh.write(block)
            digest.update(block)
    size = path.stat().st_size
    boundary = "----sgu-limite-200mb"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="report_date"\r\n\r\n'
        f'2026-03-09\r\n--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="bajas-200mb.csv"\r\nContent-Type: text/csv\r\n\r\n'
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        with open(path, "rb") as fh:
            while chunk := fh.read(MB):
                yield chunk
        yield tail

    tracemalloc.start()
    try:
        response = claro_api.client.generic(
            "POST",
            BATCHES,
            b"",
            **{
                "wsgi.input": StreamedBody(body()),
                "CONTENT_LENGTH": str(len(head) + size + len(tail)),
                "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
                "HTTP_AUTHORIZATION": f"Bearer {claro_api.token}",
            },
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 202, response.content[:300]
    batch = Batch.objects.get(pk=response.json()["id"])
    assert (batch.size, batch.sha256) == (size, digest.hexdigest())
    assert Path(batch.file.path).stat().st_size == size
    assert peak < 32 * MB, f"la subida usó {peak / MB:.0f} MB de memoria"


def test_a_big_report_is_processed_in_bounded_memory(claro, tmp_path):
    """60 000 rows (≈ 8 MB) through the same path as a million: streamed in, checked row by
    row, staged in chunks. Memory does not grow with the file."""
    path = tmp_path / "bajas.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(COLUMNS) + "\r\n")
        template = ",".join(baja("{code}").get(c, "") for c in COLUMNS) + "\r\n"
        for i in range(60_000):
            fh.write(
                template.replace("{code}", f"B-{i:06d}").replace("45678912", f"{10_000_000 + i}")
            )
    with open(path, "rb") as fh:
        batch, _ = services.receive_report(
            file=SimpleUploadedFile("bajas.csv", fh.read()), report_date=DAY, by=by(claro)
        )

    tracemalloc.start()
    try:
        ingest.process_batch(batch.pk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    batch.refresh_from_db()
    assert batch.state == "DONE" and batch.rows_ok == 60_000
    assert ServiceRequest.objects.count() == 60_000
    assert peak < 48 * MB, f"el proceso usó {peak / MB:.0f} MB de memoria"
    run_tasks()  # nothing else queued is left behind
