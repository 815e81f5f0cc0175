"""Ingest of a daily report: stream → check → stage in bulk → one set-based merge.

`process_batch()` is what the worker runs (tasks.py) and what bench/ingest.py measures:

1. Claim the batch (QUEUED → PROCESSING; a task delivered twice does nothing the 2nd time;
   a batch left PROCESSING by a dead worker is taken again by the redelivery of its task,
   see core/worker.py).
2. Stream the stored file (readers.py) and check each row in Python (layout.RowChecker).
   Checked rows go to a temporary staging table in bulk: one `COPY` on PostgreSQL (the
   server parses while Python checks the next rows), `executemany` by chunks on SQLite. Bad
   rows go there too, with only their request code (for the duplicate check). Every problem
   goes to a temporary CSV file, never to memory.
3. In one transaction, under the lock of the (operator, day) row of DailyReport: if this
   report replaces an earlier one of the same day, the earlier one's effect is undone; then
   one `INSERT … SELECT … ON CONFLICT DO UPDATE` into the requests and one `INSERT … SELECT`
   into their history, both straight from the staging table. Errors are loaded in bulk; the
   batch and the day are updated. A report lands whole or not at all.

The checks that need the whole file cost nothing when the file is clean: a request code
twice in the file makes the history's unique index refuse the insert (then, and only then,
a GROUP BY finds and reports every such row); a code already known with the other kind is
not updated by the upsert (then, and only then, a join finds and reports those rows).
"""

import contextlib
import csv
import logging
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from sgu.core.calendar import LIMA
from sgu.core.worker import lease

# The module, not its names: services.py imports this module back (through tasks.py).
from sgu.service_requests import readers, services
from sgu.service_requests.layout import COLUMNS, RowChecker, pg_datetime, sqlite_datetime
from sgu.service_requests.models import (
    Batch,
    BatchError,
    BatchSource,
    BatchState,
    DailyReport,
    OnError,
    ServiceRequest,
    ServiceRequestReport,
)

logger = logging.getLogger("sgu.service_requests")

STAGING = "sr_staging"
CHUNK = "sr_chunk"
AFFECTED = "sr_affected"
STAGE_CHUNK = 20_000
PIPE_CHUNK = 50_000
# PostgreSQL's fast path (by chunks); off only to measure the complete path (bench/ingest.py).
PIPELINE = True
# Values kept per request (and per report of it), in this order everywhere below.
VALUE_COLUMNS = (*COLUMNS[1:], "late_execution")
STORED_COLUMNS = (*VALUE_COLUMNS, "report_date")
REQUEST = ServiceRequest._meta.db_table
REPORT = ServiceRequestReport._meta.db_table
ERROR = BatchError._meta.db_table
BATCH = Batch._meta.db_table

DUPLICATE = 1  # staging.flag: the code appears more than once in the file
KIND_CHANGED = 2  # staging.flag: the code is known with the other kind

INTERNAL_ERROR = (
    "No se pudo procesar el reporte por un error del SGU. Envíelo de nuevo; si vuelve a "
    "ocurrir, avise al regulador."
)


def config() -> dict:
    defaults = {
        "MAX_UPLOAD_BYTES": 250 * 1024 * 1024,
        "ON_ERROR": OnError.REJECT_FILE,
        "REPORT_DUE": "08:00",
        "MISSING_LOOKBACK_DAYS": 7,
        "MIGRATION_ANSWER_BUSINESS_DAYS": 3,
        "LOOKUP_LIMIT": 10,
        "LOOKUP_WINDOW_SECONDS": 60,
        "MAX_JSON_ROWS": 20_000,
    }
    return {**defaults, **settings.SGU.get("SERVICE_REQUESTS", {})}


def report_due_at(report_date) -> datetime:
    """A day's report is due the next morning (config default 08:00 Lima)."""
    due = datetime.strptime(config()["REPORT_DUE"], "%H:%M").time()
    return datetime.combine(report_date + timedelta(days=1), due, tzinfo=LIMA)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


# --- staging --------------------------------------------------------------------------------

_STAGE_DDL = """
CREATE TEMPORARY TABLE {table} (
    row_no integer NOT NULL,
    request_code varchar(40),
    kind varchar(10),
    channel varchar(12),
    requested_at {ts},
    document_type varchar(10),
    document_number varchar(12),
    service_number varchar(20),
    contract varchar(30),
    service varchar(10),
    from_plan varchar(100),
    to_plan varchar(100),
    reason varchar(500),
    status varchar(12),
    scheduled_date date,
    executed_at {ts},
    rejection_reason varchar(500),
    service_state varchar(14),
    late_execution boolean,
    ok boolean NOT NULL,
    flag smallint NOT NULL DEFAULT 0
)
"""
_STAGE_COLUMNS = ("row_no", "request_code", *VALUE_COLUMNS, "ok")
_BAD_TAIL = (None,) * len(VALUE_COLUMNS) + (False,)


class _Staging:
    """Rows buffered and written in bulk to the temporary staging table."""

    timestamp_type = "datetime"

    def __init__(self, cursor, batch_id: int):
        self.cursor = cursor
        self.batch_id = batch_id
        self.buffer: list = []
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(_STAGE_DDL.format(table=STAGING, ts=self.timestamp_type))

    def add(self, row: tuple) -> None:
        self.buffer.append(row)

    def add_bad(self, row_no: int, code: str | None) -> None:
        self.buffer.append((row_no, code, *_BAD_TAIL))

    def full(self) -> bool:
        return len(self.buffer) >= STAGE_CHUNK

    def flush(self) -> None:
        raise NotImplementedError

    def progress(self, rows: int, fraction: float) -> None:
        Batch.objects.filter(pk=self.batch_id).update(
            rows_read=rows, progress=max(0, min(99, int(fraction * 100)))
        )

    def close(self, failed: bool = False) -> None:
        pass


class _PgStaging(_Staging):
    """One COPY for the whole file, fed as rows are checked: the server parses and stores
    while Python checks the next rows. The connection is busy with the COPY meanwhile, so
    the progress bar is updated through a second, short-lived connection."""

    timestamp_type = "timestamptz"
    _sql = f"COPY {STAGING} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"

    def __init__(self, cursor, batch_id: int):
        super().__init__(cursor, batch_id)
        self._context = cursor.copy(self._sql)
        self._copy = self._context.__enter__()
        self._progress = _Progress(batch_id)
        self.rows = 0
        # psycopg formats each row in C (text format: None is NULL, "" stays "").
        self.add = self._copy.write_row  # type: ignore[method-assign]

    def add_bad(self, row_no: int, code: str | None) -> None:
        self._copy.write_row((row_no, code, *_BAD_TAIL))

    def full(self) -> bool:
        self.rows += 1
        return self.rows % STAGE_CHUNK == 0

    def flush(self) -> None:
        pass

    def progress(self, rows: int, fraction: float) -> None:
        self._progress(rows, fraction)

    def close(self, failed: bool = False) -> None:
        if self._context is not None:
            context, self._context = self._context, None
            if failed:
                context.__exit__(RuntimeError, RuntimeError("cancelado"), None)
            else:
                context.__exit__(None, None, None)
        self._progress.close()


class _SqliteStaging(_Staging):
    _insert = (
        f"INSERT INTO {STAGING} ({', '.join(_STAGE_COLUMNS)}) "
        f"VALUES ({', '.join(['%s'] * len(_STAGE_COLUMNS))})"
    )

    def flush(self) -> None:
        if not self.buffer:
            return
        self.cursor.executemany(self._insert, self.buffer)
        self.buffer.clear()


# --- errors -----------------------------------------------------------------------------------


class _Errors:
    """Every problem found, spilled to a temporary CSV file as it is found."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self.file = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")  # noqa: SIM115
        self.writer = csv.writer(self.file, lineterminator="\n")
        self.pending: list = []  # the checker appends here; spilled every chunk
        self.count = 0

    def spill(self) -> None:
        if self.pending:
            bid = self.batch_id
            self.writer.writerows((bid, r, f, m) for r, f, m in self.pending)
            self.count += len(self.pending)
            self.pending.clear()

    def add(self, row: int, field: str, message: str) -> None:
        self.pending.append((row, field, message))

    def rows(self) -> Iterator[list[str]]:
        self.spill()
        self.file.flush()
        self.file.seek(0)
        yield from csv.reader(self.file)

    def load(self, cursor) -> None:
        """Into the BatchError table, in bulk."""
        self.spill()
        if not self.count:
            return
        self.file.flush()
        self.file.seek(0)
        if _is_postgres():
            with cursor.copy(
                f"COPY {ERROR} (batch_id, row, field, message) FROM STDIN WITH (FORMAT csv)"
            ) as copy:
                while chunk := self.file.read(1 << 20):
                    copy.write(chunk)
        else:
            sql = f"INSERT INTO {ERROR} (batch_id, row, field, message) VALUES (%s, %s, %s, %s)"
            chunk = []
            for line in csv.reader(self.file):
                chunk.append(line)
                if len(chunk) == STAGE_CHUNK:
                    cursor.executemany(sql, chunk)
                    chunk = []
            if chunk:
                cursor.executemany(sql, chunk)

    def close(self) -> None:
        self.file.close()


# --- the pipeline -----------------------------------------------------------------------------


@dataclass
class Outcome:
    rows_total: int = 0
    rows_bad: int = 0
    kinds: Counter = field(default_factory=Counter)
    file_problem: bool = False


def process_batch(
    batch_id: int, *, redelivered: bool = False, timings: dict | None = None
) -> Batch | None:
    """Process one queued batch (the worker's task). Returns it, or None if it was not
    waiting (already taken by another delivery of the task). `redelivered`: this run is the
    task's second or later attempt. `timings`, if given, gets the seconds of each phase (the
    benchmark reads them; the log always has them)."""
    started = time.perf_counter()
    now = timezone.now()
    waiting = Q(state=BatchState.QUEUED)
    if redelivered:
        # The batch's only task is running again: its worker died while the batch was
        # PROCESSING (nothing of it committed: the merge is one transaction). Take it again.
        waiting |= Q(state=BatchState.PROCESSING, started_at__lt=now - lease())
    taken = Batch.objects.filter(waiting, pk=batch_id).update(
        state=BatchState.PROCESSING, started_at=now
    )
    if not taken:
        return None
    batch = Batch.objects.select_related("operator").get(pk=batch_id)
    errors = _Errors(batch.pk)
    try:
        with connection.cursor() as cursor:
            try:
                fast = PIPELINE and _is_postgres()
                outcome = _pipelined(batch, cursor, errors) if fast else None
                pipelined = outcome is not None
                if pipelined:
                    staged = finished = time.perf_counter()
                else:
                    if _is_postgres():  # something unusual: the complete path decides
                        errors.close()
                        errors = _Errors(batch.pk)
                    outcome = _stage(batch, cursor, errors)
                    staged = time.perf_counter()
                    _finish(batch, cursor, errors, outcome)
                    finished = time.perf_counter()
                if pipelined:
                    logger.info(
                        "reporte %s: %s filas, %s errores; validado e integrado por tramos en "
                        "%.1f s",
                        batch_id,
                        outcome.rows_total,
                        errors.count,
                        finished - started,
                    )
                else:
                    logger.info(
                        "reporte %s: %s filas, %s errores; leído y validado en %.1f s, "
                        "integrado en %.1f s",
                        batch_id,
                        outcome.rows_total,
                        errors.count,
                        staged - started,
                        finished - staged,
                    )
                if timings is not None:
                    timings.update(
                        path="tramos" if pipelined else "completo",
                        stage=staged - started,
                        merge=finished - staged,
                    )
            finally:
                cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
                if _is_postgres():
                    cursor.execute(f"DROP TABLE IF EXISTS {CHUNK}")
    except Exception:
        logger.exception("reporte %s: falla al procesar", batch_id)
        services.fail_batch(batch_id=batch_id, message=INTERNAL_ERROR, now=timezone.now())
    finally:
        errors.close()
    return Batch.objects.get(pk=batch_id)


class _Fallback(Exception):
    """The fast path met something it does not handle: undo it, take the complete path."""


def _pipelined(batch: Batch, cursor, errors: _Errors) -> Outcome | None:
    """PostgreSQL's fast path for the common case, a clean report of new days' data: the
    file is checked, staged and merged by chunks, and while the server merges one chunk
    (psycopg's pipeline mode: the statements are sent and Python does not wait) Python
    checks the next one. The whole runs in one transaction and lands whole.

    Whatever it does not handle — a file that cannot be read, a row with errors when the
    report must be refused whole, a code twice in the file (the history's key refuses
    it), a row the upsert did not apply (a report of an earlier day, or a code that changes
    kind), a later upload that already stands — rolls it back and returns None: the
    complete path (`_stage` + `_finish`) then reads the file again and decides, with a
    complete error report.
    """
    now = timezone.now()
    reject_whole = batch.on_error == OnError.REJECT_FILE
    pg = cursor.connection  # psycopg's connection: pipeline mode
    checker = RowChecker(report_date=batch.report_date, now=batch.uploaded_at)
    check = checker.check
    outcome = Outcome()
    kinds = outcome.kinds
    pending = errors.pending
    upsert, history = _merge_sql(batch, now, CHUNK)
    progress = _Progress(batch.pk)
    with transaction.atomic():
        # The day's lock serialises its reports; the batch row itself stays unlocked (it is
        # this worker's since the claim), so the progress bar's connection can update it.
        day = _lock_day(batch)
        old = day.batch_id
        if old is not None and old > batch.pk:
            return None
        try:
            with transaction.atomic():  # a savepoint: the fallback undoes it whole
                if old is not None:
                    _undo(cursor, old, batch.operator_id)
                cursor.execute(f"DROP TABLE IF EXISTS {CHUNK}")
                cursor.execute(_STAGE_DDL.format(table=CHUNK, ts="timestamptz"))
                in_flight: list = []  # (pipeline, upsert cursor, rows sent) not yet synced

                def settle() -> None:
                    if not in_flight:
                        return
                    pipeline, sent, count = in_flight.pop()
                    try:
                        pipeline.__exit__(None, None, None)  # waits for the server
                    except psycopg_errors() as exc:
                        raise _Fallback from exc  # e.g. a code twice in the file
                    if sent.rowcount != count:
                        raise _Fallback  # an earlier day's report, or a change of kind

                def send(chunk: list) -> None:
                    settle()
                    cursor.execute(f"TRUNCATE {CHUNK}")
                    with cursor.copy(
                        f"COPY {CHUNK} ({', '.join(_STAGE_COLUMNS)}) FROM STDIN"
                    ) as cp:
                        for row in chunk:
                            cp.write_row(row)
                    pipeline = pg.pipeline()
                    pipeline.__enter__()
                    try:
                        sent = pg.cursor()
                        sent.execute(*upsert)
                        pg.cursor().execute(*history)
                    except psycopg_errors() as exc:
                        # The server may already have answered the previous statement
                        # with an error (psycopg reads results when they are there).
                        with contextlib.suppress(*psycopg_errors()):
                            pipeline.__exit__(None, None, None)
                        raise _Fallback from exc
                    except BaseException:
                        with contextlib.suppress(*psycopg_errors()):
                            pipeline.__exit__(None, None, None)
                        raise
                    in_flight.append((pipeline, sent, len(chunk)))

                stored = batch.file.storage.open(batch.file.name, "rb")
                raw = getattr(stored, "file", stored)
                meta: dict = {}
                chunk: list = []
                try:
                    rows, fraction = _open_rows(batch, raw, pending, outcome, meta)
                    for number, values in rows:
                        outcome.rows_total += 1
                        checked = None if values is None else check(values, number, pending)
                        if checked is None:
                            outcome.rows_bad += 1
                            if reject_whole:
                                raise _Fallback  # refused whole: the complete report
                            continue
                        chunk.append(checked)
                        kinds[checked[2]] += 1
                        if len(chunk) == PIPE_CHUNK:
                            send(chunk)
                            chunk = []
                            errors.spill()
                            progress(outcome.rows_total, fraction())
                    if chunk:
                        send(chunk)
                    settle()
                except readers.FileProblem:
                    raise _Fallback from None
                finally:
                    while in_flight:  # leave pipeline mode before anything else
                        pipeline, _, _ = in_flight.pop()
                        with contextlib.suppress(Exception):
                            pipeline.__exit__(None, None, None)
                    stored.close()
                    progress.close()
        except _Fallback:
            return None
        errors.load(cursor)
        services.finish_batch(
            batch=batch,
            outcome=services.BatchOutcome(
                refused=False,
                rows_total=outcome.rows_total,
                rows_rejected=outcome.rows_bad,
                errors_total=errors.count,
                bajas=kinds["BAJA"],
                migraciones=kinds["MIGRACION"],
            ),
            finished_at=timezone.now(),
            rows_read=outcome.rows_total,
        )
        services.land_report(batch=batch, day=day, replaced=old, now=now)
    return outcome


def psycopg_errors() -> tuple[type[Exception], ...]:
    import psycopg  # asked only on PostgreSQL: a SQLite process never loads the driver

    return (psycopg.Error,)


class _Progress:
    """The progress bar, updated through a second, short-lived connection (the main one is
    busy in a COPY or a pipeline)."""

    def __init__(self, batch_id: int):
        self.batch_id = batch_id
        self._side = None

    def __call__(self, rows: int, fraction: float) -> None:
        try:
            if self._side is None:
                self._side = connection.get_new_connection(connection.get_connection_params())
                self._side.autocommit = True
                # Never wait behind a lock: a skipped update is only a less precise bar.
                self._side.execute("SET lock_timeout = '200ms'")
            self._side.execute(
                f"UPDATE {BATCH} SET rows_read = %s, progress = %s WHERE id = %s",
                [rows, max(0, min(99, int(fraction * 100))), self.batch_id],
            )
        except Exception:  # the progress bar is a comfort, never a reason to fail
            logger.warning("reporte %s: no se pudo actualizar el avance", self.batch_id)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def _open_rows(batch: Batch, raw, pending: list, outcome: "Outcome", meta: dict):
    """The reader for the batch's format, and how far it has got (0 to 1)."""
    if batch.source == BatchSource.XLSX:
        rows = readers.xlsx_rows(raw, pending, meta=meta)

        def fraction() -> float:
            return outcome.rows_total / max(meta.get("max_row") or 1, 1)
    else:
        first_row = 1 if batch.source == BatchSource.JSON else 2
        rows = readers.csv_rows(raw, pending, first_row=first_row)
        size = batch.size or 1

        def fraction() -> float:
            return raw.tell() / size

    return rows, fraction


def _stage(batch: Batch, cursor, errors: _Errors) -> Outcome:
    """Read, check and stage every row; return the counts."""
    pg = _is_postgres()
    staging = (_PgStaging if pg else _SqliteStaging)(cursor, batch.pk)
    checker = RowChecker(
        report_date=batch.report_date,
        now=batch.uploaded_at,
        fmt_datetime=pg_datetime if pg else sqlite_datetime,
    )
    outcome = Outcome()
    pending = errors.pending
    check = checker.check
    add, add_bad = staging.add, staging.add_bad
    kinds = outcome.kinds
    meta: dict = {}
    stored = batch.file.storage.open(batch.file.name, "rb")
    raw = getattr(stored, "file", stored)  # the OS file under Django's File: fast reads
    failed = True
    try:
        rows, fraction = _open_rows(batch, raw, pending, outcome, meta)
        try:
            for number, values in rows:
                outcome.rows_total += 1
                if values is None:
                    outcome.rows_bad += 1
                    add_bad(number, None)
                    continue
                checked = check(values, number, pending)
                if checked is None:
                    outcome.rows_bad += 1
                    add_bad(number, RowChecker.code_of(values))
                else:
                    add(checked)
                    kinds[checked[2]] += 1
                if staging.full():
                    staging.flush()
                    errors.spill()
                    staging.progress(outcome.rows_total, fraction())
        except readers.FileProblem as problem:
            outcome.file_problem = True
            for row, name, message in problem.errors:
                errors.add(row, name, message)
        staging.flush()
        errors.spill()
        failed = False
    finally:
        staging.close(failed=failed)
        stored.close()
    Batch.objects.filter(pk=batch.pk).update(rows_read=outcome.rows_total, progress=100)
    return outcome


class _Refused(Exception):
    """Roll back the merge's savepoint: the report is refused whole."""


class _Duplicates(Exception):
    """The history's unique index refused a code that is twice in the file."""


def _finish(batch: Batch, cursor, errors: _Errors, outcome: Outcome) -> None:
    now = timezone.now()
    op = batch.operator_id
    reject_whole = batch.on_error == OnError.REJECT_FILE
    with transaction.atomic():
        if _is_postgres():
            # Room for the GROUP BY and joins of the (rare) detailed checks of a big day.
            cursor.execute("SET LOCAL work_mem = '128MB'")
        day = _lock_day(batch)
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        old = day.batch_id
        stale = old is not None and old > batch.pk  # a later upload already stands
        replacing = old is not None and not stale
        flagged = 0
        landed = False
        if not outcome.file_problem:
            if outcome.rows_bad and reject_whole:
                # Refused anyway: make the report complete (duplicates among all rows).
                flagged += _flag_duplicates(cursor, errors)
            for _attempt in range(2):
                must_refuse = reject_whole and (outcome.rows_bad or flagged)
                try:
                    with transaction.atomic():  # a savepoint: undone whole on refusal
                        if replacing:
                            _undo(cursor, old, op)
                        if must_refuse or stale:
                            # Nothing will land: only complete the report.
                            flagged += _flag_kind_changes(cursor, errors, op)
                            raise _Refused
                        expected = outcome.rows_total - outcome.rows_bad - flagged
                        kind_flagged = _merge(cursor, batch, now, expected, errors)
                        flagged += kind_flagged
                        if kind_flagged and reject_whole:
                            raise _Refused
                        landed = True
                except _Refused:
                    pass
                except _Duplicates:
                    flagged += _flag_duplicates(cursor, errors)
                    continue  # merge the rest, or refuse it all with a complete report
                break
        errors.load(cursor)
        if flagged:
            cursor.execute(
                f"SELECT kind, COUNT(*) FROM {STAGING} WHERE ok AND flag <> 0 GROUP BY kind"
            )
            for kind, n in cursor.fetchall():
                outcome.kinds[kind] -= n
        rows_bad = outcome.rows_bad + flagged
        refused = outcome.file_problem or (reject_whole and rows_bad > 0)
        services.finish_batch(
            batch=batch,
            outcome=services.BatchOutcome(
                refused=refused,
                rows_total=outcome.rows_total,
                rows_rejected=rows_bad,
                errors_total=errors.count,
                bajas=outcome.kinds["BAJA"],
                migraciones=outcome.kinds["MIGRACION"],
            ),
            finished_at=timezone.now(),
            replaced_by=old if stale and not refused else None,
            replaced_at=now,
        )
        if landed:
            services.land_report(batch=batch, day=day, replaced=old if replacing else None, now=now)


def _lock_day(batch: Batch) -> DailyReport:
    DailyReport.objects.bulk_create(
        [
            DailyReport(
                operator_id=batch.operator_id,
                report_date=batch.report_date,
                due_at=report_due_at(batch.report_date),
            )
        ],
        ignore_conflicts=True,
    )
    return DailyReport.objects.select_for_update().get(
        operator_id=batch.operator_id, report_date=batch.report_date
    )


def _stream(cursor, sql: str, params: list, size: int = 10_000) -> Iterator[tuple]:
    """The rows of a query without holding them all (a server-side cursor on PostgreSQL)."""
    if _is_postgres():
        with cursor.connection.cursor(name="sr_stream") as named:
            named.itersize = size
            named.execute(sql, params)
            yield from named
    else:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(size):
            yield from chunk


def _analyze(cursor) -> None:
    # Temporary tables are never auto-analysed: before a join or a GROUP BY over a big
    # day, tell the planner how big it is.
    if _is_postgres():
        cursor.execute(f"ANALYZE {STAGING}")


def _flag_duplicates(cursor, errors: _Errors) -> int:
    """Mark and report every row whose request code appears more than once in the file.
    Returns how many of them were otherwise good rows."""
    _analyze(cursor)
    cursor.execute(
        f"UPDATE {STAGING} SET flag = {DUPLICATE} WHERE request_code IN ("
        f"SELECT request_code FROM {STAGING} WHERE request_code IS NOT NULL "
        f"AND request_code <> '' GROUP BY request_code HAVING COUNT(*) > 1) AND flag = 0"
    )
    if not cursor.rowcount:
        return 0
    flagged = 0
    code_seen, first, second_reported = None, 0, False
    rows = _stream(
        cursor,
        f"SELECT request_code, row_no, ok FROM {STAGING} WHERE flag = {DUPLICATE} "
        "ORDER BY request_code, row_no",
        [],
    )
    for code, row_no, ok in rows:
        flagged += bool(ok)
        if code != code_seen:
            code_seen, first, second_reported = code, row_no, False
            continue
        if not second_reported:
            errors.add(
                first,
                "request_code",
                f"El código de pedido «{code}» se repite en el archivo (también en la fila "
                f"{row_no}).",
            )
            second_reported = True
        errors.add(
            row_no,
            "request_code",
            f"El código de pedido «{code}» ya aparece en la fila {first} del archivo.",
        )
    return flagged


def _flag_kind_changes(cursor, errors: _Errors, operator_id: int) -> int:
    """A request code keeps its kind: a BAJA does not become a MIGRACION."""
    _analyze(cursor)
    cursor.execute(
        f"UPDATE {STAGING} SET flag = {KIND_CHANGED} WHERE ok AND flag = 0 AND EXISTS ("
        f"SELECT 1 FROM {REQUEST} r WHERE r.request_code = {STAGING}.request_code "
        f"AND r.operator_id = %s AND r.kind <> {STAGING}.kind)",
        [operator_id],
    )
    if not cursor.rowcount:
        return 0
    flagged = 0
    rows = _stream(
        cursor,
        f"SELECT s.row_no, s.request_code, s.kind, r.kind FROM {STAGING} s JOIN {REQUEST} r "
        f"ON r.request_code = s.request_code AND r.operator_id = %s "
        f"WHERE s.flag = {KIND_CHANGED} ORDER BY s.row_no",
        [operator_id],
    )
    for row_no, code, new, old in rows:
        flagged += 1
        errors.add(
            row_no,
            "kind",
            f"El pedido «{code}» ya se reportó como {old}: su tipo no puede cambiar a {new}.",
        )
    return flagged


def _merge_sql(batch: Batch, now: datetime, table: str) -> tuple[tuple, tuple]:
    """The two statements of the merge, reading from `table` (the staging table, or one
    chunk of it): the upsert of the requests and the insert of their history."""
    ops = connection.ops
    op = batch.operator_id
    staged = ", ".join(VALUE_COLUMNS)
    stored = ", ".join(STORED_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in (*STORED_COLUMNS, "batch_id", "updated_at"))
    rd = ops.adapt_datefield_value(batch.report_date)
    at = ops.adapt_datetimefield_value(now)
    upsert = (
        f"INSERT INTO {REQUEST} AS r (operator_id, request_code, {stored}, batch_id, "
        f"first_report_date, created_at, updated_at) "
        f"SELECT %s, request_code, {staged}, %s, %s, %s, %s, %s FROM {table} "
        f"WHERE ok AND flag = 0 "
        f"ON CONFLICT (request_code, operator_id) DO UPDATE SET {updates} "
        f"WHERE r.report_date <= excluded.report_date AND r.kind = excluded.kind",
        [op, rd, batch.pk, rd, at, at],
    )
    history = (
        f"INSERT INTO {REPORT} (operator_id, request_code, batch_id, {stored}) "
        f"SELECT %s, request_code, %s, {staged}, %s FROM {table} WHERE ok AND flag = 0",
        [op, batch.pk, rd],
    )
    return upsert, history


def _merge(cursor, batch: Batch, now: datetime, expected: int, errors: _Errors) -> int:
    """The set-based merge: requests upserted by (code, operator) — a report of an earlier
    day never overwrites a later one, and a code keeps its kind — and every row kept in the
    history. Returns how many rows were refused for changing kind."""
    upsert, history = _merge_sql(batch, now, STAGING)
    try:
        cursor.execute(*upsert)
    except (IntegrityError, ProgrammingError) as exc:
        # PostgreSQL: "ON CONFLICT DO UPDATE command cannot affect row a second time".
        if getattr(getattr(exc, "__cause__", None), "sqlstate", "") == "21000":
            raise _Duplicates from exc
        raise
    kind_flagged = 0
    if cursor.rowcount < expected:
        # Some rows did not apply: reports of an earlier day (fine: history only) or codes
        # known with the other kind (refused). Only now is the join worth it.
        kind_flagged = _flag_kind_changes(cursor, errors, batch.operator_id)
    try:
        cursor.execute(*history)
    except IntegrityError as exc:
        raise _Duplicates from exc
    return kind_flagged


def _undo(cursor, old_batch_id: int, operator_id: int) -> None:
    """Take back what an earlier report of the same day did: its history rows go, and each
    request it set returns to its latest other report (or goes, if it had none)."""
    cursor.execute(f"DROP TABLE IF EXISTS {AFFECTED}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {AFFECTED} AS SELECT r.id, r.request_code FROM {REPORT} h "
        f"JOIN {REQUEST} r ON r.request_code = h.request_code AND r.operator_id = h.operator_id "
        f"WHERE h.batch_id = %s AND r.batch_id = %s",
        [old_batch_id, old_batch_id],
    )
    cursor.execute(f"DELETE FROM {REPORT} WHERE batch_id = %s", [old_batch_id])
    sets = ", ".join(f"{c} = h.{c}" for c in (*STORED_COLUMNS, "batch_id"))
    cursor.execute(
        f"UPDATE {REQUEST} SET {sets}, first_report_date = h.first_date FROM ("
        f"SELECT * FROM (SELECT rep.*, ROW_NUMBER() OVER (PARTITION BY rep.request_code "
        f"ORDER BY rep.report_date DESC, rep.batch_id DESC) AS rn, MIN(rep.report_date) OVER "
        f"(PARTITION BY rep.request_code) AS first_date FROM {REPORT} rep "
        f"WHERE rep.operator_id = %s AND rep.request_code IN "
        f"(SELECT request_code FROM {AFFECTED})) x WHERE rn = 1) h "
        f"WHERE {REQUEST}.operator_id = %s AND {REQUEST}.request_code = h.request_code",
        [operator_id, operator_id],
    )
    cursor.execute(
        f"DELETE FROM {REQUEST} WHERE id IN (SELECT id FROM {AFFECTED}) AND NOT EXISTS "
        f"(SELECT 1 FROM {REPORT} h WHERE h.request_code = {REQUEST}.request_code "
        f"AND h.operator_id = {REQUEST}.operator_id)"
    )
    cursor.execute(f"DROP TABLE {AFFECTED}")
