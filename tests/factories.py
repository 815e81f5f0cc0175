"""Factories and assertions shared by the API, cases, accounts and catalog suites.

Everything here goes through the services (never `.save()` on domain models) so a test's
data is data the platform could really have produced.
"""

import base64
import json
import struct
import zlib
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import case_payload, make_citizen
from sgu.accounts.auth import principal_for_user
from sgu.accounts.models import User
from sgu.cases import services
from sgu.cases.models import Attachment, Case, CaseEvent
from sgu.cases.workflow import Actor
from sgu.core.models import IdempotencyRecord
from sgu.core.principal import Principal
from sgu.notifications.models import OutboundEmail

PROBLEM = "application/problem+json"
LIMA = ZoneInfo("America/Lima")

# --- time ----------------------------------------------------------------------------------


def lima(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    """An aware instant given in Lima's wall clock."""
    return datetime(y, m, d, hh, mm, ss, tzinfo=LIMA)


# --- cases ---------------------------------------------------------------------------------


def citizen_principal(user) -> Principal:
    return principal_for_user(user)


def operator_principal(operator) -> Principal:
    return Principal(actor_role=Actor.OPERATOR, operator=operator)


def make_case(citizen=None, *, now: datetime | None = None, **overrides) -> Case:
    """A case registered through the service (forwarded if the citizen is verified)."""
    citizen = citizen or make_citizen()
    data = case_payload(**overrides)
    return services.register_case(
        citizen=citizen,
        data=services.CaseInput(**data),
        by=citizen_principal(citizen),
        now=now,
    )


def acknowledge(case: Case, now: datetime | None = None) -> Case:
    return services.acknowledge_case(case=case, by=operator_principal(case.operator), now=now)


def solution_input(**overrides) -> services.SolutionInput:
    data = {
        "outcome": "RESOLVED",
        "detail": "Se acreditó la recarga de S/ 10 en la línea del usuario.",
        "actions": "Revisión del registro de recargas y abono manual.",
        "executed_at": date(2026, 1, 16),
        "responsible": "Mesa de ayuda de recargas",
    }
    data.update(overrides)
    return services.SolutionInput(**data)


def answer(case: Case, now: datetime | None = None, **overrides) -> Case:
    if "executed_at" not in overrides:
        from django.utils import timezone

        overrides["executed_at"] = timezone.localdate(now or timezone.now())
    return services.record_solution(
        case=case, data=solution_input(**overrides), by=operator_principal(case.operator), now=now
    )


def rate(case: Case, *, resolved=True, score=5, comment="") -> Case:
    return services.rate_case(
        case=case,
        resolved=resolved,
        score=score,
        comment=comment,
        by=citizen_principal(case.citizen),
    )


def solution_payload(**overrides) -> dict:
    from django.utils import timezone

    data = {
        "outcome": "RESOLVED",
        "detail": "Se acreditó la recarga de S/ 10 en la línea del usuario.",
        "actions": "Revisión del registro de recargas y abono manual.",
        "executed_at": timezone.localdate().isoformat(),
        "responsible": "Mesa de ayuda de recargas",
    }
    data.update(overrides)
    return data


# --- files ---------------------------------------------------------------------------------


def pdf_bytes(text: str = "evidencia") -> bytes:
    body = (
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        f"% {text}\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return body.encode()


def png_bytes() -> bytes:
    """A real 1×1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """Starts like a JFIF JPEG (SOI + APP0), which is what the platform sniffs."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + (b"\x00" * 64)
        + b"\xff\xd9"
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- what was written ----------------------------------------------------------------------

COUNTED = {
    "Case": Case,
    "CaseEvent": CaseEvent,
    "Attachment": Attachment,
    "User": User,
    "OutboundEmail": OutboundEmail,
    "IdempotencyRecord": IdempotencyRecord,
}


def row_counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in COUNTED.items()}


class NothingWritten:
    """`with NothingWritten(): ...` fails if any counted table changed inside the block."""

    def __enter__(self):
        self.before = row_counts()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            after = row_counts()
            assert after == self.before, f"se escribieron filas: {self.before} → {after}"
        return False


# --- responses -----------------------------------------------------------------------------


def problem_of(response, status: int) -> dict:
    """Assert `response` is an RFC 9457 problem with exactly the contract's keys."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith(PROBLEM), response["Content-Type"]
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail", "errors"}, body
    assert body["status"] == status
    assert isinstance(body["errors"], list)
    for e in body["errors"]:
        assert set(e) == {"field", "message"}, e
    return body


def field_errors(body: dict) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body["errors"]}


def cursor_of(values: list) -> str:
    raw = json.dumps(values).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
