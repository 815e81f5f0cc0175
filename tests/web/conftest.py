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


# --- deadlines, reclamos and the regulator (tests/web/test_claims_web.py, test_staff_web.py) --

NOT_CLAIMABLE = {"subcategory": "sin-codigo", "fields": {"canal_atencion": "Tienda"}}
CLAIM_REASON = "La operadora no respondió y la recarga de S/ 10 sigue sin acreditarse."


def make_regulator(role: str = "REGULATOR_AGENT"):
    from conftest import PASSWORD, dni
    from sgu.accounts import services as accounts

    return accounts.create_staff_user(
        email=f"orientador.{dni()}@regulador.gob.pe",
        password=PASSWORD,
        role=role,
        first_name="Lucía",
        last_name="Orientadora",
    )


def overdue_case(citizen, *, expire: bool = True, **overrides):
    """A case forwarded 20 days ago: its plazo passed. With `expire`, the scheduler's
    function has already marked it OVERDUE (otherwise it is past due but unmoved)."""
    from datetime import timedelta

    from django.utils import timezone

    case = register_case(citizen, now=timezone.now() - timedelta(days=20), **overrides)
    if expire:
        services.expire_overdue_cases()
        case.refresh_from_db()
    return case


def request_claim(case, reason: str = CLAIM_REASON, now=None):
    return services.request_claim(
        case=case,
        reason=reason,
        by=Principal(actor_role=Actor.CITIZEN, user=case.citizen),
        now=now,
    )


def assign_code(claim, code: str, now=None):
    return services.assign_claim_code(
        claim=claim,
        claim_code=code,
        by=Principal(actor_role=Actor.OPERATOR, operator=claim.operator),
        now=now,
    )


def return_case(case, reason: str = "La línea 987654321 no pertenece a nuestra empresa."):
    return services.return_case(
        case=case, reason=reason, by=Principal(actor_role=Actor.OPERATOR, operator=case.operator)
    )
