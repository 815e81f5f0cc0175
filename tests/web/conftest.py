"""Helpers for the HTML pages' tests (Django test client)."""

import re
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import case_payload
from sgu.cases import services
from sgu.cases.workflow import Actor
from sgu.core.principal import Principal


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """PBKDF2 at production strength costs ~0.3 s per hash; these tests hash a lot."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded evidence goes to a throw-away folder, never to the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png_upload(name: str = "recibo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def pdf_upload(name: str = "constancia.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def register_case(citizen, now=None, attachments=None, **overrides):
    """A case as the citizen would register it (through the service)."""
    payload = case_payload(**overrides)
    return services.register_case(
        citizen=citizen,
        data=services.CaseInput(**payload),
        by=Principal(actor_role=Actor.CITIZEN, user=citizen),
        attachments=attachments,
        now=now,
    )


def case_form(**overrides) -> dict:
    """The new-case form as a browser posts it."""
    payload = case_payload()
    data = {
        "operator": payload["operator"],
        "subcategory": payload["subcategory"],
        "service_number": payload["service_number"],
        "description": payload["description"],
    }
    for name, value in payload["fields"].items():
        data[f"fields.{name}"] = value
    data.update(overrides)
    return data


def text(response) -> str:
    """The page's visible text, whitespace collapsed (for 'the user reads X' checks)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    import html as html_lib

    return " ".join(html_lib.unescape(html).split())


def error_of(response, field_id: str) -> str:
    """The error message shown next to the field with this id ('' if none)."""
    html = response.content.decode()
    m = re.search(rf'<span class="error" id="{re.escape(field_id)}_error">(.*?)</span>', html, re.S)
    if not m:
        return ""
    import html as html_lib

    return html_lib.unescape(m.group(1)).strip()
