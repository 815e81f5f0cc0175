"""Downloads: a report's errors (for the operator) and the monitoring lists (for the
regulator), in the layouts of docs/service_requests.md. Streamed with `sgu.core.export`."""

from collections.abc import Callable, Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sgu.core import export
from sgu.core.calendar import LIMA
from sgu.service_requests.models import Batch, DailyReport, ServiceRequest

CHUNK = 5000

ERROR_HEADERS = ["fila", "columna", "mensaje"]


def error_rows(batch: Batch) -> Iterator[list[Any]]:
    errors = batch.errors.order_by("row", "id").values_list("row", "field", "message")
    for row, field, message in errors.iterator(chunk_size=CHUNK):
        yield [row, field, message]


def error_csv_chunks(batch: Batch) -> Iterator[str]:
    """Every error of a report: row (0 = the file as a whole, 1 = the header), column,
    message."""
    return export.csv_chunks(ERROR_HEADERS, error_rows(batch))


def error_filename(batch: Batch) -> str:
    return f"errores-{batch.operator.code.lower()}-{batch.report_date:%Y%m%d}-{batch.pk}.csv"


# --- monitoring -------------------------------------------------------------------------------


def _dt(value: datetime | None) -> str:
    return f"{timezone.localtime(value, LIMA):%Y-%m-%d %H:%M:%S}" if value else ""


def _d(value: date | None) -> str:
    return value.isoformat() if value else ""


REQUEST_COLUMNS: list[tuple[str, Callable[[ServiceRequest], Any]]] = [
    ("operadora", lambda r: r.operator.code),
    ("codigo_pedido", lambda r: r.request_code),
    ("tipo", lambda r: r.kind),
    ("canal", lambda r: r.channel),
    ("servicio", lambda r: r.service),
    ("solicitado", lambda r: _dt(r.requested_at)),
    ("estado", lambda r: r.status),
    ("estado_servicio", lambda r: r.service_state),
    ("fecha_programada", lambda r: _d(r.scheduled_date)),
    ("ejecutado", lambda r: _dt(r.executed_at)),
    ("plan_origen", lambda r: r.from_plan),
    ("plan_destino", lambda r: r.to_plan),
    ("motivo_rechazo", lambda r: r.rejection_reason),
    ("dia_reporte", lambda r: _d(r.report_date)),
]
REQUEST_HEADERS = [h for h, _ in REQUEST_COLUMNS]

DAY_COLUMNS: list[tuple[str, Callable[[DailyReport], Any]]] = [
    ("operadora", lambda d: d.operator.code),
    ("dia", lambda d: _d(d.report_date)),
    ("plazo", lambda d: _dt(d.due_at)),
    ("recibido", lambda d: _dt(d.received_at)),
    ("fuera_de_plazo", lambda d: "SI" if d.late else "NO"),
    ("sin_reporte", lambda d: "SI" if d.batch_id is None else "NO"),
    ("filas", lambda d: d.batch.rows_ok if d.batch_id else 0),
    ("bajas", lambda d: d.batch.bajas if d.batch_id else 0),
    ("migraciones", lambda d: d.batch.migraciones if d.batch_id else 0),
]
DAY_HEADERS = [h for h, _ in DAY_COLUMNS]
DAY_NUMERIC = {"filas", "bajas", "migraciones"}


def request_rows(qs: QuerySet[ServiceRequest]) -> Iterator[list[Any]]:
    for r in qs.iterator(chunk_size=CHUNK):
        yield [get(r) for _, get in REQUEST_COLUMNS]


def day_rows(qs: QuerySet[DailyReport]) -> Iterator[list[Any]]:
    for d in qs.iterator(chunk_size=CHUNK):
        yield [get(d) for _, get in DAY_COLUMNS]
