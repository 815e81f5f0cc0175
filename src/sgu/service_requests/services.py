"""Every write on bajas y migraciones, apart from the merge itself (ingest.py).

- `receive_report`: an operator's file (CSV or XLSX) for a day is stored and queued; the same
  content for the same day is the report already received (idempotent).
- `receive_rows`: the same, for rows sent as JSON (stored as a CSV in the published layout,
  so that one code path reads both).
- `flag_missing_reports`: the next morning, each active operator's day without an accepted
  report is flagged for the regulator (the scheduler calls it on every pass; it is cheap and
  acts once per day).
- `finish_batch`, `land_report`, `fail_batch`: what the processing of a report (ingest.py)
  records about it once it has counted and merged its rows.
"""

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.files.base import ContentFile, File
from django.db import IntegrityError, transaction
from django.utils import timezone

from sgu.catalog import selectors as catalog
from sgu.catalog.models import Operator
from sgu.core.calendar import LIMA
from sgu.core.errors import (
    ErrorCollector,
    FieldError,
    Forbidden,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from sgu.core.principal import Principal
from sgu.operators import selectors as operator_scope

# Modules, not names: ingest.py and tasks.py import this module back (a report is queued here,
# processed there, and its result recorded here).
from sgu.service_requests import ingest, readers, tasks
from sgu.service_requests.layout import COLUMNS, OPTIONAL_COLUMNS
from sgu.service_requests.models import Batch, BatchError, BatchSource, BatchState, DailyReport


def _require_operator(by: Principal) -> None:
    if by.operator is None:
        raise Forbidden("Los reportes de bajas y migraciones los envía una empresa operadora.")


def mb(size: int) -> str:
    return f"{size / 1048576:.1f}".replace(".", ",") + " MB"


def clean_report_date(
    value: date | str | None, errors: ErrorCollector, *, now: datetime | None = None
) -> date | None:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        text = value.strip()
        if not text:
            errors.add("report_date", "Indique el día que reporta (AAAA-MM-DD).")
            return None
        try:
            value = date.fromisoformat(text)
        except ValueError:
            errors.add("report_date", "El día del reporte debe ser una fecha AAAA-MM-DD.")
            return None
    if value is None:
        errors.add("report_date", "Indique el día que reporta (AAAA-MM-DD).")
        return None
    today = timezone.localtime(now or timezone.now(), LIMA).date()
    if value > today:
        errors.add("report_date", "El día del reporte no puede ser posterior a hoy.")
        return None
    if value.year < 2000:
        errors.add("report_date", "El día del reporte no puede ser anterior al año 2000.")
        return None
    return value


def _digest(upload: File[bytes]) -> tuple[str, bytes]:
    """SHA-256 of the whole file, streamed; and its first bytes (to recognise its type)."""
    digest = hashlib.sha256()
    head = b""
    upload.seek(0)
    for chunk in upload.chunks(1 << 20):
        if len(head) < 8192:
            head += chunk[: 8192 - len(head)]
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest(), head


def receive_report(
    *,
    file: File[bytes] | None,
    report_date: date | str | None,
    by: Principal,
    name: str | None = None,
    now: datetime | None = None,
    source: str | None = None,
) -> tuple[Batch, bool]:
    """Keep the file and queue its processing (same transaction). Returns the batch and
    whether it is new (False: this very content was already received for that day)."""
    _require_operator(by)
    now = now or timezone.now()
    errors = ErrorCollector()
    day = clean_report_date(report_date, errors, now=now)
    limit = ingest.config()["MAX_UPLOAD_BYTES"]
    # getattr: File.size raises AttributeError when it cannot tell the size.
    size: int | None = getattr(file, "size", None) if file is not None else None
    if file is None:
        errors.add("file", "Adjunte el archivo del reporte (CSV o XLSX).")
    elif not size:
        errors.add("file", "El archivo está vacío (0 bytes).")
    elif size > limit:
        raise too_large(size, limit)
    errors.raise_if_any()
    # Each refused just above when missing (and the size when 0 or unknown).
    assert file is not None and day is not None and size is not None
    sha256, head = _digest(file)
    kind = readers.sniff(head)
    if kind is None:
        why = readers.refusal(head)
        raise UnsupportedMediaType(why, [FieldError("file", why)])
    source = source or kind
    existing = _same_report(by.operator, day, sha256)
    if existing is not None:
        return existing, False
    original = name or getattr(file, "name", "") or "reporte"
    original = original.replace("\\", "/").rsplit("/", 1)[-1]
    batch = Batch(
        operator=by.operator,
        report_date=day,
        source=source,
        original_name=original[:200],
        size=size,
        sha256=sha256,
        on_error=ingest.config()["ON_ERROR"],
        uploaded_at=now,
        uploaded_by=by.user,
        uploaded_by_key_id=by.api_key_id,
    )
    # Stored first (a temporary upload is moved, not copied), then the row and its task in
    # one transaction: the worker never sees a batch without its file.
    batch.file.save(batch_path_name(batch), file, save=False)
    try:
        with transaction.atomic():
            batch.save()
            tasks.process_report.enqueue(batch.pk)
    except IntegrityError:
        batch.file.delete(save=False)
        existing = _same_report(by.operator, day, sha256)
        if existing is None:
            raise
        return existing, False
    except BaseException:
        batch.file.delete(save=False)
        raise
    return batch, True


def batch_path_name(batch: Batch) -> str:
    return {"CSV": "reporte.csv", "XLSX": "reporte.xlsx", "JSON": "filas.csv"}[batch.source]


def _same_report(operator: Operator, day: date, sha256: str) -> Batch | None:
    return Batch.objects.filter(
        operator=operator, report_date=day, sha256=sha256, internal_error=False
    ).first()


def too_large(size: int | None, limit: int) -> PayloadTooLarge:
    shown = f"pesa {mb(size)}" if size else "es demasiado grande"
    message = (
        f"El archivo {shown}; el máximo es {mb(limit)}. Envíe el reporte como XLSX "
        "(ocupa menos) o consulte al regulador."
    )
    return PayloadTooLarge(message, [FieldError("file", message)])


def receive_rows(
    *,
    rows: list[dict[str, object]],
    report_date: date | str | None,
    by: Principal,
    now: datetime | None = None,
) -> tuple[Batch, bool]:
    """Rows sent as JSON (the same columns as the file) for a day: kept as a CSV in the
    published layout and processed exactly like an uploaded file."""
    _require_operator(by)
    errors = ErrorCollector()
    clean_report_date(report_date, errors, now=now)
    limit = ingest.config()["MAX_JSON_ROWS"]
    if not isinstance(rows, list):
        errors.add("rows", "Envíe las filas como una lista.")
    elif len(rows) > limit:
        errors.add(
            "rows",
            f"Se admiten hasta {limit} filas por envío; para más, envíe el archivo del día "
            "(POST /operator/service-requests/batches).",
        )
    else:
        known = set(COLUMNS)
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                errors.add(f"rows[{i}]", "Cada fila es un objeto JSON.")
                continue
            for key in row:
                if key not in known:
                    errors.add(f"rows[{i}].{key}", "Dato no previsto.")
            if len(errors.errors) > 100:
                break
    errors.raise_if_any()
    # Rows that never give the state of the service are the layout before it (each row's
    # state "not reported", as a file without the column); once one row gives it, all must.
    columns = [
        c
        for c in COLUMNS
        if c not in OPTIONAL_COLUMNS or any(isinstance(r, dict) and c in r for r in rows)
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else str(row.get(c)) for c in columns])
    content = ContentFile(out.getvalue().encode("utf-8"), name="filas.csv")
    return receive_report(
        file=File(content, name="filas.csv"),
        report_date=report_date,
        by=by,
        name="filas (JSON)",
        now=now,
        source=BatchSource.JSON,
    )


def flag_missing_reports(*, now: datetime | None = None) -> int:
    """Flag, once, each active operator's day (within the last few) whose report deadline
    passed with no accepted report. Returns how many days were flagged now."""
    now = now or timezone.now()
    today = timezone.localtime(now, LIMA).date()
    lookback = int(ingest.config()["MISSING_LOOKBACK_DAYS"])
    days = [
        d
        for d in (today - timedelta(days=n) for n in range(1, lookback + 1))
        if ingest.report_due_at(d) <= now
    ]
    if not days:
        return 0
    active = list(catalog.active_operators().values_list("pk", flat=True))
    # Only operators bound on that day owe its report (more than the threshold of
    # subscribers, operators.selectors.bound_operator_ids): a day is flagged per its own scope.
    bound = {d: operator_scope.bound_operator_ids(d, active) for d in days}
    with transaction.atomic():
        # Days with a row but no accepted report (only rejected files so far).
        flagged = 0
        for d in days:
            flagged += DailyReport.objects.filter(
                report_date=d,
                operator_id__in=bound[d],
                batch__isnull=True,
                missing_flagged_at__isnull=True,
            ).update(late=True, missing_flagged_at=now)
        known = set(
            DailyReport.objects.filter(report_date__in=days).values_list(
                "operator_id", "report_date"
            )
        )
        new = [
            DailyReport(
                operator_id=op,
                report_date=d,
                due_at=ingest.report_due_at(d),
                late=True,
                missing_flagged_at=now,
            )
            for d in days
            for op in sorted(bound[d])
            if (op, d) not in known
        ]
        DailyReport.objects.bulk_create(new, ignore_conflicts=True)
    return flagged + len(new)


def refuse_too_large_request(content_length: int | None) -> None:
    """Before the body is read: a request bigger than the limit (plus the multipart
    framing) is refused without reading it."""
    limit = ingest.config()["MAX_UPLOAD_BYTES"]
    if content_length is not None and content_length > limit + 64 * 1024:
        raise too_large(content_length, limit)


# --- what the processing of a report records (ingest.py counts and merges; these write) ---------


@dataclass(frozen=True)
class BatchOutcome:
    """How a processed report ended, as ingest.py counted it."""

    refused: bool
    rows_total: int
    rows_rejected: int
    errors_total: int
    bajas: int
    migraciones: int


def finish_batch(
    *,
    batch: Batch,
    outcome: BatchOutcome,
    finished_at: datetime,
    rows_read: int | None = None,
    replaced_by: int | None = None,
    replaced_at: datetime | None = None,
) -> None:
    """The batch's final state and counts. In the caller's transaction, which holds the
    batch's row (and its day's) lock. `replaced_by`: a later upload of the same day already
    stands, so this one is replaced as soon as it ends."""
    batch.state = BatchState.REJECTED if outcome.refused else BatchState.DONE
    if rows_read is not None:
        batch.rows_read = rows_read
    batch.rows_total = outcome.rows_total
    batch.rows_rejected = outcome.rows_rejected
    batch.rows_ok = outcome.rows_total - outcome.rows_rejected
    batch.errors_total = outcome.errors_total
    batch.bajas = outcome.bajas
    batch.migraciones = outcome.migraciones
    batch.progress = 100
    batch.finished_at = finished_at
    if replaced_by is not None:
        batch.replaced_by_id = replaced_by
        batch.replaced_at = replaced_at
    batch.save()


def land_report(*, batch: Batch, day: DailyReport, replaced: int | None, now: datetime) -> None:
    """The batch stands for its day now (it replaced the batch `replaced`, if there was
    one). In the caller's transaction, under the day's row lock."""
    if replaced is not None:
        Batch.objects.filter(pk=replaced).update(replaced_by=batch, replaced_at=now)
    day.batch = batch
    if day.received_at is None:
        day.received_at = batch.uploaded_at
        day.late = day.late or batch.uploaded_at > day.due_at
    day.save()


def fail_batch(*, batch_id: int, message: str, now: datetime) -> None:
    """The processing failed on the SGU's side: the batch is refused with that one error
    (whatever it had recorded before is dropped), marked as an internal error."""
    with transaction.atomic():
        BatchError.objects.filter(batch_id=batch_id).delete()
        BatchError.objects.create(batch_id=batch_id, row=0, field="archivo", message=message)
        Batch.objects.filter(pk=batch_id).update(
            state=BatchState.REJECTED,
            internal_error=True,
            errors_total=1,
            finished_at=now,
        )
