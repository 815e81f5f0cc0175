"""The regulator's export of the inoperatividad register, in the fixed layout of
docs/outages.md ("Exportación"). The streaming (CSV row by row, XLSX in write-only mode) and
the guard against spreadsheet formulas are `sgu.core.export`'s.

Changing a column is a change to a published layout: update docs/outages.md and the test.
"""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sgu.core import export
from sgu.core.calendar import LIMA
from sgu.outages import policies
from sgu.outages.models import OutageEvent

CHUNK = 2000


def _dt(value: datetime | None) -> str:
    return f"{timezone.localtime(value, LIMA):%Y-%m-%d %H:%M:%S}" if value else ""


def _yes(value: bool) -> str:
    return "SI" if value else "NO"


# (header, value) — the order is the layout.
COLUMNS: list[tuple[str, Callable[[OutageEvent], Any]]] = [
    ("operadora", lambda e: e.operator.code),
    ("numero", lambda e: e.number),
    ("punto_codigo", lambda e: e.attention_point.code),
    ("punto_nombre", lambda e: e.attention_point.name),
    ("punto_tipo", lambda e: e.attention_point.kind),
    ("ubigeo", lambda e: e.attention_point.ubigeo),
    ("tipo_procedimiento", lambda e: e.procedure_type),
    ("escenario", lambda e: e.scenario),
    ("sistemas_afectados", lambda e: e.systems),
    ("inicio", lambda e: _dt(e.started_at)),
    ("fin", lambda e: _dt(e.ended_at)),
    ("duracion_minutos", lambda e: e.duration_minutes if e.duration_minutes is not None else ""),
    ("motivo_cierre", lambda e: e.closing_reason),
    ("registro_manual", lambda e: _yes(e.manual)),
    ("registrado_en", lambda e: _dt(e.registered_at)),
    ("cierre_registrado_en", lambda e: _dt(e.closed_at)),
    ("plazo_reporte", lambda e: _dt(e.report_due_at)),
    ("registro_fuera_de_plazo", lambda e: _yes(e.registered_late)),
    ("cierre_fuera_de_plazo", lambda e: _yes(e.closed_late)),
    # Added with the review before reporting (appended: earlier columns keep their place).
    ("aplicativos", lambda e: " | ".join(a.name for a in e.applications.all())),
    ("estado_revision", lambda e: policies.review_state_label(e)),
    ("aprobado_reportado_en", lambda e: _dt(e.approved_at)),
    ("reporte_fuera_de_plazo", lambda e: _yes(e.reported_late)),
]
HEADERS = [h for h, _ in COLUMNS]
NUMERIC = {"numero", "duracion_minutos"}


def row_values(event: OutageEvent) -> list[Any]:
    return [get(event) for _, get in COLUMNS]


def _rows(qs: QuerySet[OutageEvent]) -> Iterator[list[Any]]:
    # Iterating with a chunk size keeps prefetch_related (the applications) per chunk.
    return (row_values(e) for e in qs.iterator(chunk_size=CHUNK))


def csv_chunks(qs: QuerySet[OutageEvent]) -> Iterator[str]:
    """UTF-8 with BOM, comma-separated, CRLF, one header line (sgu.core.export)."""
    return export.csv_chunks(HEADERS, _rows(qs))


def write_xlsx(qs: QuerySet[OutageEvent], sheet_title: str = "Inoperatividad"):
    """A temporary file holding the workbook, built in constant memory (sgu.core.export)."""
    return export.write_xlsx(
        HEADERS,
        _rows(qs),
        sheet_title=sheet_title,
        numeric=NUMERIC,
    )
