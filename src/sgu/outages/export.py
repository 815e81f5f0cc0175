"""The regulator's export of the inoperatividad register, in the fixed layout of
docs/outages.md ("Exportación"). CSV is streamed row by row; XLSX is written by openpyxl in
write-only mode (constant memory) to a temporary file that is then streamed.

Changing a column is a change to a published layout: update docs/outages.md and the test.
"""

import csv
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from sgu.core.calendar import LIMA
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
]
HEADERS = [h for h, _ in COLUMNS]
NUMERIC = {"numero", "duracion_minutos"}
# Text typed by operators must never become a spreadsheet formula (CSV/formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def row_values(event: OutageEvent) -> list[Any]:
    return [get(event) for _, get in COLUMNS]


def _safe_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(qs: QuerySet[OutageEvent]) -> Iterator[str]:
    """UTF-8 (with BOM, so spreadsheets read the accents), comma-separated, CRLF, one header
    line. Yields text; the view encodes it."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(HEADERS)
    for event in qs.iterator(chunk_size=CHUNK):
        yield writer.writerow([_safe_text(v) for v in row_values(event)])


def write_xlsx(qs: QuerySet[OutageEvent], sheet_title: str = "Inoperatividad"):
    """A temporary file holding the workbook (write-only: rows never held in memory)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title)
    ws.append(HEADERS)
    for event in qs.iterator(chunk_size=CHUNK):
        cells = []
        for (header, _), value in zip(COLUMNS, row_values(event), strict=True):
            cell = WriteOnlyCell(ws, value=value)
            if header not in NUMERIC:
                # Stored as text, whatever it starts with (never a formula).
                cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    wb.save(out)
    out.seek(0)
    return out
