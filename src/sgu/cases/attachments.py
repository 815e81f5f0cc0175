"""Evidence files: PDF, JPEG or PNG up to 10 MB, recognised by their content, not their name."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from sgu.core.errors import ErrorCollector

# Magic numbers of the accepted types.
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass
class CheckedUpload:
    upload: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def sniff_content_type(head: bytes) -> str | None:
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def check_upload(upload: UploadedFile, errors: ErrorCollector, field: str) -> CheckedUpload | None:
    """Validate one file; add a Spanish error and return None when it is refused."""
    name = (upload.name or "archivo").replace("\\", "/").rsplit("/", 1)[-1][:200] or "archivo"
    limit = settings.SGU["MAX_ATTACHMENT_BYTES"]
    size = upload.size or 0
    if size == 0:
        errors.add(field, f"«{name}» está vacío.")
        return None
    if size > limit:
        errors.add(
            field, f"«{name}» pesa {size / 1048576:.1f} MB; el máximo es {limit // 1048576} MB."
        )
        return None
    upload.seek(0)
    head = upload.read(16)
    content_type = sniff_content_type(head)
    if content_type is None:
        errors.add(field, f"«{name}» no es un PDF, JPEG o PNG válido.")
        return None
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, name, content_type, size, digest.hexdigest())


def too_large(upload: UploadedFile) -> bool:
    return (upload.size or 0) > settings.SGU["MAX_ATTACHMENT_BYTES"]
