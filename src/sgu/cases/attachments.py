"""Evidence files: PDF, JPEG or PNG up to 10 MB, recognised by their content, not their name.

The first bytes are not enough: `%PDF-` followed by an HTML page is a "polyglot" a browser
may render as HTML. A file is accepted only if it also ends as its type ends (PDF `%%EOF`,
JPEG end-of-image, PNG `IEND`) and nowhere holds markup a browser would run; the name kept
for it always ends with its type's extension (never `.html`, `.exe`…)."""

import hashlib
import re
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


# How each type ends, within its last bytes (writers may pad after the end marker).
_ENDINGS = {
    "application/pdf": b"%%EOF",
    "image/jpeg": b"\xff\xd9",
    "image/png": b"IEND\xaeB`\x82",
}
_TAIL = 1024
# Markup a browser would render or run if it ever took the file for HTML or SVG. Each marker
# is long enough (a tag name and what may follow it) that compressed image or PDF data
# matches it by chance about once in thousands of 10 MB files.
_MARKUP = re.compile(
    rb"<(?:script|html|body|head|iframe|frame|object|embed|svg|meta|img)[\s/>]"
    rb"|<!doctype\s+html|javascript:",
    re.IGNORECASE,
)
EXTENSIONS = {"application/pdf": ("pdf",), "image/jpeg": ("jpg", "jpeg"), "image/png": ("png",)}
_CHUNK = 1024 * 1024


def sniff_content_type(head: bytes) -> str | None:
    """The type announced by the first bytes (only a first guess: see `recognise`)."""
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


def recognise(upload: UploadedFile) -> str | None:
    """The file's type if its whole content is a PDF, JPEG or PNG as far as can be told without
    rendering it (start, end, no markup anywhere); None otherwise. Leaves it at position 0."""
    upload.seek(0)
    content_type = sniff_content_type(upload.read(16))
    if content_type is None:
        return None
    upload.seek(0)
    previous = b""
    last = b""
    for chunk in upload.chunks(_CHUNK):
        # Across chunk boundaries: a marker split in two is still found.
        window = previous[-64:] + chunk
        if _MARKUP.search(window):
            upload.seek(0)
            return None
        previous = chunk
        last = (last + chunk)[-_TAIL:]
    upload.seek(0)
    if _ENDINGS[content_type] not in last:
        return None
    return content_type


def safe_name(name: str, content_type: str) -> str:
    """The name shown and offered on download: the person's name, with the extension of what
    the file really is (`informe.html` → `informe.pdf`; `foto.JPG` stays)."""
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in EXTENSIONS[content_type]:
        return name
    stem = (stem if dot else name).rstrip(". ") or "archivo"
    return f"{stem[:190]}.{EXTENSIONS[content_type][0]}"


def check_upload(
    upload: UploadedFile,
    errors: ErrorCollector,
    field: str,
    refusals: list[str] | None = None,
) -> CheckedUpload | None:
    """Validate one file; add a Spanish error and return None when it is refused. `refusals`
    gets why ("size" or "type"), for the status a lone refused upload answers (413, 415)."""
    refusals = refusals if refusals is not None else []
    name = (upload.name or "archivo").replace("\\", "/").rsplit("/", 1)[-1][:200] or "archivo"
    limit = settings.SGU["MAX_ATTACHMENT_BYTES"]
    size = upload.size or 0
    if size == 0:
        errors.add(field, f"«{name}» está vacío.")
        refusals.append("type")  # nothing in it is a PDF, JPEG or PNG
        return None
    if size > limit:
        errors.add(
            field,
            f"«{name}» pesa {f'{size / 1048576:.1f}'.replace('.', ',')} MB; "
            f"el máximo es {limit // 1048576} MB.",
        )
        refusals.append("size")
        return None
    content_type = recognise(upload)
    if content_type is None:
        errors.add(field, f"«{name}» no es un PDF, JPEG o PNG válido.")
        refusals.append("type")
        return None
    name = safe_name(name, content_type)
    # Whatever stores the upload under its own name (a FileField without a computed path)
    # stores this one, never the name as sent.
    upload.name = name
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, name, content_type, size, digest.hexdigest())


def too_large(upload: UploadedFile) -> bool:
    return (upload.size or 0) > settings.SGU["MAX_ATTACHMENT_BYTES"]
