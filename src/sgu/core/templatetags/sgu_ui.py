"""Formatting used by every page: dates in Lima, sizes, forms."""

from datetime import date, datetime

from django import template

from sgu.core.identity import DocumentType
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
    return dict(DocumentType.choices).get(code, code)


def numero(value: float | int | str | None, decimals: int | None = None) -> str:
    """A number as read in Peru on every page: decimal comma and a narrow space between
    thousands (1 234 567; 85,3). Integers keep no decimals; floats keep `decimals` (2 if not
    given, 1 for percentages by the caller)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        text = f"{value:,}"
    else:
        text = f"{float(value):,.{2 if decimals is None else decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


register.filter("numero", numero)


@register.filter
def cifra(value: float | int | None, unit: str = "") -> str:
    """An indicator's figure with its unit in the cell: 85,3 %, 2,45 días, 4,2 de 5, 1 234."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{numero(value, 1)} %"
    if unit.startswith("días"):
        return f"{numero(value)} día{'' if value == 1 else 's'}"
    if unit == "de 1 a 5":
        return f"{numero(value, 1)} de 5"
    return numero(value)


@register.filter
def pluralize_figure(shown: str) -> str:
    """«s» unless a formatted figure is exactly one (for «1 caso» / «1 234 casos»)."""
    return "" if str(shown).strip() == "1" else "s"
