"""Formatting used by every page: dates in Lima, sizes, forms."""

from datetime import date, datetime

from django import template

from sgu.core.web import as_local

register = template.Library()


@register.filter
def fecha_hora(value: datetime | None) -> str:
    """dd/mm/aaaa HH:MM, hora de Lima."""
    if not value:
        return ""
    return f"{as_local(value):%d/%m/%Y %H:%M}"


@register.filter
def fecha(value: date | datetime | str | None) -> str:
    """dd/mm/aaaa (a datetime is first taken to Lima)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            day: date = date.fromisoformat(value)
        except ValueError:
            return value
        return f"{day:%d/%m/%Y}"
    if isinstance(value, datetime):
        value = as_local(value).date()
    return f"{value:%d/%m/%Y}"


@register.filter
def iso_local(value: datetime | None) -> str:
    """For <time datetime="…">."""
    if not value:
        return ""
    return as_local(value).isoformat(timespec="minutes")


@register.filter
def tamano(size: int | None) -> str:
    """File size in Spanish notation: 850 KB, 1,2 MB."""
    if size is None:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / 1048576:.1f} MB".replace(".", ",")


FILE_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG"}


@register.filter
def tipo_archivo(content_type: str) -> str:
    return FILE_TYPES.get(content_type, content_type)


@register.filter
def documento(code: str) -> str:
    """A document type as people read it (PASAPORTE → Pasaporte, CE → Carné de extranjería)."""
    from sgu.core.identity import DocumentType

    return dict(DocumentType.choices).get(code, code)
