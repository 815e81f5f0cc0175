"""What `bench/intake.py` reads from inside its gunicorn workers (only when
`SGU_BENCH_PROBE_DIR` is set; imported by `bench/settings_bench.py`, never by production):

- SQL statements per request, counted by a Django execute wrapper on every connection;
- how long each request held the year's case-sequence row: from the moment the statement that
  bumps `cases_casesequence` returned (the row lock is then held) until the COMMIT returned
  (`on_commit` runs right after it), and how long that statement waited for the lock.

One line per request, appended to `<dir>/<pid>.log`: wall time, path, statements, wait ms,
hold ms (`-` when the request numbered no case). The script keeps the lines of each measured
window."""

import os
import time

from django.core.signals import request_finished, request_started
from django.db.backends.signals import connection_created

SEQUENCE_TABLE = "cases_casesequence"


class _Request:
    statements = 0
    wait_ms: float | None = None
    hold_ms: float | None = None
    path = ""


_state = _Request()
_out = None


def _probe(execute, sql, params, many, context):
    _state.statements += 1
    numbering = SEQUENCE_TABLE in sql and _state.hold_ms is None
    t0 = time.perf_counter()
    result = execute(sql, params, many, context)
    if numbering:
        locked = time.perf_counter()
        _state.wait_ms = (locked - t0) * 1000

        def committed() -> None:
            _state.hold_ms = (time.perf_counter() - locked) * 1000

        context["connection"].on_commit(committed)
    return result


def _connected(sender, connection, **kwargs) -> None:
    if _probe not in connection.execute_wrappers:
        connection.execute_wrappers.append(_probe)


def _started(sender, environ=None, **kwargs) -> None:
    _state.statements = 0
    _state.wait_ms = _state.hold_ms = None
    _state.path = (environ or {}).get("PATH_INFO", "")


def _finished(sender, **kwargs) -> None:
    global _out
    if _out is None:
        _out = open(os.path.join(DIRECTORY, f"{os.getpid()}.log"), "a", buffering=1)  # noqa: SIM115
    wait = "-" if _state.wait_ms is None else f"{_state.wait_ms:.3f}"
    hold = "-" if _state.hold_ms is None else f"{_state.hold_ms:.3f}"
    _out.write(f"{time.time():.6f} {_state.path} {_state.statements} {wait} {hold}\n")


DIRECTORY = os.environ.get("SGU_BENCH_PROBE_DIR", "")
if DIRECTORY:
    connection_created.connect(_connected, weak=False)
    request_started.connect(_started, weak=False)
    request_finished.connect(_finished, weak=False)
