"""Exports for the regulator: CSV streamed row by row, XLSX written by openpyxl in
write-only mode (constant memory) to a temporary file that is then streamed.

Any layout is a header and rows of values; the app that owns a layout describes its columns
(e.g. outages/export.py, service_requests/exports.py). Text typed by operators or citizens
never becomes a spreadsheet formula (CSV/formula injection).
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: Any) -> Any:
    """A text that a spreadsheet would take for a formula, quoted so it stays text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_chunks(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """UTF-8 (with BOM, so spreadsheets read the accents), comma-separated, CRLF, one
    header line. Yields text, one row at a time."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for values in rows:
        yield writer.writerow([safe_text(v) for v in values])


def write_xlsx(
    header: list[str],
    rows: Iterable[list[Any]],
    *,
    sheet_title: str,
    numeric: Iterable[str] = (),
) -> Any:
    """A temporary file holding the workbook (write-only: rows never held in memory).
    Columns named in `numeric` keep their numbers; every other cell is stored as text,
    whatever it starts with (never a formula)."""
    numeric_at = {i for i, name in enumerate(header) if name in set(numeric)}
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title[:31])
    ws.append(header)
    for values in rows:
        cells = []
        for i, value in enumerate(values):
            cell = WriteOnlyCell(ws, value=value)
            if i not in numeric_at and value is not None:
                cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
    out = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    wb.save(out)
    out.seek(0)
    return out


def csv_response(
    header: list[str], rows: Iterable[list[Any]], filename: str
) -> StreamingHttpResponse:
    """A CSV download streamed as it is written (see `csv_chunks`)."""
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in csv_chunks(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_response(
    header: list[str],
    rows: Iterable[list[Any]],
    filename: str,
    *,
    sheet: str,
    numeric: Iterable[str] = (),
) -> FileResponse:
    """An XLSX download built in constant memory (see `write_xlsx`)."""
    response = FileResponse(
        write_xlsx(header, rows, sheet_title=sheet, numeric=numeric),
        as_attachment=True,
        filename=filename,
        content_type=XLSX_CONTENT_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response
