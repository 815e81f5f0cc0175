"""Reading a daily report as a stream of rows, whatever it came as (CSV in UTF-8 with `,` or
`;`, XLSX with one sheet, JSON rows stored as CSV), with every problem of the file as a whole
(encoding, header, sheets, formulas…) reported in Spanish.

`open_rows()` yields `(row_number, values)` with the 16 values in `layout.COLUMNS` order, or
`(row_number, None)` for a row that cannot be read as such (its problems already appended to
the caller's error list). Nothing is held in memory but the current row.
"""

import contextlib
import csv
import io
import operator
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from typing import IO

from sgu.service_requests.layout import ABSENT, COLUMNS, OPTIONAL_COLUMNS

FILE = 0  # the row number of problems of the file as a whole
HEADER = 1

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # .xls (Excel 97-2003) and other OLE2 documents

# csv refuses fields beyond this; a report's longest column is 500 characters.
csv.field_size_limit(64 * 1024)


class FileProblem(Exception):
    """The file cannot be read as a report; `errors` say why (row, field, message)."""

    def __init__(self, errors: list[tuple[int, str, str]]):
        super().__init__(errors[0][2] if errors else "")
        self.errors = errors


def sniff(head: bytes) -> str | None:
    """The kind of file from its first bytes: "XLSX", "CSV", or None with no chance."""
    if head.startswith(ZIP_MAGIC):
        return "XLSX"
    if head.startswith(OLE_MAGIC) or head.startswith(b"%PDF") or b"\x00" in head:
        return None
    return "CSV"


def refusal(head: bytes) -> str:
    """Why a file that `sniff` refused is not a report, in Spanish."""
    if head.startswith(OLE_MAGIC):
        return (
            "Los libros .xls (Excel 97-2003) no se admiten: guárdelo como .xlsx o como «CSV UTF-8»."
        )
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "El archivo está en UTF-16: guárdelo como «CSV UTF-8 (delimitado por comas)»."
    if head.startswith(b"%PDF"):
        return "Es un PDF: envíe el reporte como CSV (UTF-8) o XLSX."
    return "No es un archivo CSV de texto ni un libro XLSX."


# --- header -------------------------------------------------------------------------------


def _name(cell: object) -> str:
    return str(cell if cell is not None else "").strip().strip("\ufeff").strip().lower()


def map_header(cells: list, *, where: str = "") -> Callable[[list], list] | None:
    """Check the header row; return how to put a row's values in `COLUMNS` order (None when
    the file is already in that order). Raises FileProblem with every header problem."""
    names = [_name(c) for c in cells]
    # Trailing empty header cells (spreadsheets) are not columns.
    while names and not names[-1]:
        names.pop()
    errors: list[tuple[int, str, str]] = []
    known = set(COLUMNS)
    if not any(n in known for n in names):
        raise FileProblem(
            [
                (
                    HEADER,
                    "encabezado",
                    f"La primera fila{where} debe tener los nombres de las columnas "
                    f"({', '.join(COLUMNS)}); no se reconoce ninguno.",
                )
            ]
        )
    seen: set[str] = set()
    for n in names:
        if not n:
            errors.append((HEADER, "encabezado", "Hay una columna sin nombre en el encabezado."))
        elif n not in known:
            errors.append(
                (HEADER, n[:40], f"Columna no prevista «{n[:40]}»: el formato no la tiene.")
            )
        elif n in seen:
            errors.append((HEADER, n, f"La columna «{n}» aparece dos veces."))
        seen.add(n)
    for c in COLUMNS:
        if c not in seen and c not in OPTIONAL_COLUMNS:
            errors.append((HEADER, c, f"Falta la columna «{c}»."))
    if errors:
        raise FileProblem(errors)
    if tuple(names) == COLUMNS:
        return None
    # A column the file leaves out (OPTIONAL_COLUMNS) is read as ABSENT, never as "".
    width = len(names)
    index = [names.index(c) if c in seen else width for c in COLUMNS]
    getter = operator.itemgetter(*index)
    return lambda row: list(getter([*row, ABSENT]))


# --- CSV ----------------------------------------------------------------------------------


def _delimiter(first_line: str) -> str:
    commas, semicolons = first_line.count(","), first_line.count(";")
    if commas == 0 and semicolons == 0:
        if "\t" in first_line or "|" in first_line:
            raise FileProblem(
                [
                    (
                        HEADER,
                        "encabezado",
                        "No se reconoce el separador: use coma (,) o punto y coma (;), no "
                        "tabulaciones ni barras.",
                    )
                ]
            )
        return ","
    return ";" if semicolons > commas else ","


class _NulByte(Exception):
    pass


class _Guarded(io.BufferedIOBase):
    """The raw file as TextIOWrapper reads it, refusing NUL bytes (a NUL can be stored by
    neither database; it means a binary or UTF-16 file) in big chunks: one memchr per
    megabyte instead of a check per value."""

    def __init__(self, raw: IO[bytes]):
        self._raw = raw

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._raw.read(size)
        if b"\x00" in data:
            raise _NulByte
        return data

    read1 = read  # type: ignore[assignment]


def _first_nul_line(raw: IO[bytes]) -> int:
    raw.seek(0)
    for number, line in enumerate(raw, 1):
        if b"\x00" in line:
            return number
    return 0


def _first_bad_line(raw: IO[bytes]) -> int:
    """The line number of the first line that is not UTF-8 (after a decoding error)."""
    raw.seek(0)
    for number, line in enumerate(raw, 1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return 0


def _encoding_problem(raw: IO[bytes]) -> FileProblem:
    line = _first_bad_line(raw)
    where = f" (fila {line})" if line else ""
    return FileProblem(
        [
            (
                line if line else FILE,
                "archivo",
                f"El archivo no está en UTF-8{where}: probablemente se guardó como «CSV» "
                "(Latin-1/Windows-1252). Guárdelo como «CSV UTF-8 (delimitado por comas)».",
            )
        ]
    )


def csv_rows(
    raw: IO[bytes], errors: list, *, first_row: int = 2
) -> Iterator[tuple[int, list | None]]:
    """Rows of a UTF-8 CSV (BOM accepted), `,` or `;`, first line the header."""
    text = io.TextIOWrapper(_Guarded(raw), encoding="utf-8-sig", newline="")
    text._CHUNK_SIZE = 1 << 20  # type: ignore[attr-defined]  # fewer, bigger reads
    try:
        first = text.readline()
        while first and not first.strip():
            first = text.readline()
        if not first.strip():
            raise FileProblem(
                [(FILE, "archivo", "El archivo no tiene contenido: falta la fila de encabezados.")]
            )
        delimiter = _delimiter(first)
        header = next(csv.reader([first], delimiter=delimiter))
        reorder = map_header(header)
        # The header's columns (a file may leave out the optional ones).
        width = len(header)
        while width and not header[width - 1].strip():
            width -= 1
        reader = csv.reader(text, delimiter=delimiter)
        number = first_row - 1
        for record in reader:
            number += 1
            if not record or (not record[0].strip() and not any(v.strip() for v in record)):
                continue  # a blank line (or a row of empty cells)
            if len(record) != width:
                extra = record[width:]
                if len(record) > width and not any(v.strip() for v in extra):
                    record = record[:width]  # trailing empty cells
                else:
                    errors.append(
                        (
                            number,
                            "fila",
                            f"La fila tiene {len(record)} valores; el encabezado tiene "
                            f"{width} columnas (separador «{delimiter}»).",
                        )
                    )
                    yield number, None
                    continue
            yield number, (reorder(record) if reorder else record)
    except UnicodeDecodeError:
        raise _encoding_problem(raw) from None
    except _NulByte:
        line = _first_nul_line(raw)
        raise FileProblem(
            [
                (
                    line,
                    "archivo",
                    f"La fila {line} contiene caracteres nulos: ¿es un archivo binario o está "
                    "en UTF-16? Guárdelo como «CSV UTF-8».",
                )
            ]
        ) from None
    except csv.Error as exc:
        line = reader.line_num if "reader" in locals() else HEADER
        message = str(exc)
        if "field larger" in message:
            detail = "tiene un valor demasiado largo (¿falta cerrar unas comillas?)"
        else:
            detail = "no se puede leer como CSV (revise las comillas)"
        raise FileProblem([(line + first_row - 2, "archivo", f"La fila {detail}.")]) from None
    finally:
        with contextlib.suppress(ValueError):  # already detached or closed
            text.detach()


# --- XLSX ---------------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "SI" if value else "NO"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def xlsx_rows(
    raw: IO[bytes], errors: list, *, meta: dict | None = None
) -> Iterator[tuple[int, list | None]]:
    """Rows of the only sheet of an XLSX workbook (read-only: streamed). `meta["max_row"]`
    gets the sheet's declared size, for the progress bar."""
    # openpyxl is heavy (~0.2 s): loaded by the worker that reads an XLSX, not by every process
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    try:
        wb = load_workbook(raw, read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign zip
        raise FileProblem(
            [(FILE, "archivo", "No se pudo leer el libro XLSX: está dañado o no es de Excel.")]
        ) from None
    try:
        names = wb.sheetnames
        if len(names) != 1:
            listed = ", ".join(f"«{n}»" for n in names[:10])
            raise FileProblem(
                [
                    (
                        FILE,
                        "archivo",
                        f"El libro tiene {len(names)} hojas ({listed}): envíe una sola hoja con "
                        "el reporte.",
                    )
                ]
            )
        sheet = wb[names[0]]
        if meta is not None:
            meta["max_row"] = sheet.max_row or 0
        rows = sheet.iter_rows()
        header: list | None = None
        reorder = None
        width = 0
        for number, cells in enumerate(rows, 1):
            if header is None:
                header = [c.value for c in cells]
                if not any(_name(v) for v in header):
                    raise FileProblem(
                        [
                            (
                                HEADER,
                                "encabezado",
                                "La fila 1 de la hoja debe tener los nombres de las columnas.",
                            )
                        ]
                    )
                reorder = map_header(header, where=" de la hoja")
                width = len([n for n in header if _name(n)])
                continue
            values: list[str] = []
            formula = False
            for index, cell in enumerate(cells):
                if cell.data_type == "f":
                    formula = True
                    column = _name(header[index]) if index < len(header) else ""
                    errors.append(
                        (
                            number,
                            column or get_column_letter(index + 1),
                            f"La celda {get_column_letter(index + 1)}{number} tiene una fórmula "
                            f"({str(cell.value)[:40]}): escriba el valor, no la fórmula.",
                        )
                    )
                values.append(_cell_text(cell.value))
            if not any(v.strip() for v in values):
                continue  # an empty (maybe formatted) row
            if formula:
                yield number, None
                continue
            if len(values) < width:
                values.extend([""] * (width - len(values)))
            elif len(values) > width:
                if any(v.strip() for v in values[width:]):
                    errors.append(
                        (
                            number,
                            "fila",
                            f"La fila tiene valores fuera de las {width} columnas del encabezado.",
                        )
                    )
                    yield number, None
                    continue
                values = values[:width]
            yield number, (reorder(values) if reorder else values)
        if header is None:
            raise FileProblem(
                [(FILE, "archivo", "La hoja está vacía: falta la fila de encabezados.")]
            )
    finally:
        wb.close()
