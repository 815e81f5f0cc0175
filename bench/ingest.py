"""Ingest benchmark: a daily bajas y migraciones report of a million rows, end to end.

What it measures (see docs/benchmarks.md, "Ingesta de bajas y migraciones"):

- **SGU**: the file is received (`services.receive_report`: hash, stored, batch row and its
  task in one transaction) and processed (`ingest.process_batch`, the very function the
  worker's task runs: streamed reading, per-row checks in Python, COPY/executemany into a
  staging table, duplicate and kind checks in SQL, one INSERT … ON CONFLICT merge, one
  history INSERT, errors loaded in bulk), then its error report is written as the CSV the
  operator downloads. Wall time and peak RSS of that process.
- **Baseline**: a raw `COPY … FROM STDIN (FORMAT csv)` of the same file into a plain table
  with 16 text columns and no index (on SQLite: csv.reader + executemany in one
  transaction), in its own process, in the same run.

Each run is a fresh process for each side (peak RSS is per process), alternating the order;
the tables are emptied before each SGU run (every run is the first report of that day).
Prints medians of the runs as a Markdown table; `--write` puts it into docs/benchmarks.md.

    .venv/bin/python bench/ingest.py                 # PostgreSQL and SQLite, 1,000,000 rows
    .venv/bin/python bench/ingest.py --rows 100000 --runs 1 --no-sqlite
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SRC_DIR = PROJECT_DIR / "src"
DOC = PROJECT_DIR / "docs" / "benchmarks.md"
BEGIN, END = "<!-- ingest:begin -->", "<!-- ingest:end -->"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sgu_bench_ingest"
TABLES = (
    "service_requests_batcherror",
    "service_requests_servicerequestreport",
    "service_requests_dailyreport",
    "service_requests_servicerequest",
    "service_requests_batch",
    "django_tasks_database_dbtaskresult",
)


# --- the child processes ------------------------------------------------------------------------


def _django(db: str, var_dir: Path) -> None:
    if db == "sqlite":
        os.environ["DATABASE_URL"] = ""
    else:
        os.environ["DATABASE_URL"] = db
    os.environ["SGU_VAR_DIR"] = str(var_dir)
    os.environ["MEDIA_ROOT"] = str(var_dir / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgu.settings")
    sys.path.insert(0, str(SRC_DIR))
    import django

    django.setup()


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child_setup(args) -> dict:
    from django.core.management import call_command

    from sgu.catalog.demo import load_reference_data

    call_command("migrate", verbosity=0, interactive=False)
    load_reference_data()
    return {}


def child_baseline(args) -> dict:
    import csv

    from django.db import connection, transaction

    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_raw")
        cols = ", ".join(f"c{i} text" for i in range(16))
        cur.execute(f"CREATE TABLE bench_raw ({cols})")
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with (
                open(args.file, "rb") as fh,
                cur.copy("COPY bench_raw FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            ):
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        else:
            sql = f"INSERT INTO bench_raw VALUES ({', '.join(['%s'] * 16)})"
            with open(args.file, encoding="utf-8", newline="") as fh, transaction.atomic():
                reader = csv.reader(fh)
                next(reader)
                chunk = []
                for row in reader:
                    chunk.append(row)
                    if len(chunk) == 20_000:
                        cur.executemany(sql, chunk)
                        chunk = []
                cur.executemany(sql, chunk)
    seconds = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM bench_raw")
        rows = cur.fetchone()[0]
        cur.execute("DROP TABLE bench_raw")
    return {
        "seconds": seconds,
        "rows": rows,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_ingest(args) -> dict:
    from django.conf import settings
    from django.core.files import File
    from django.db import connection

    from sgu.cases.workflow import Actor
    from sgu.catalog.models import Operator
    from sgu.core.principal import Principal
    from sgu.service_requests import exports, ingest, services
    from sgu.service_requests.models import OnError, ServiceRequest

    # Bad rows are reported and the rest lands: the run does every step (merge and report).
    settings.SGU = {
        **settings.SGU,
        "SERVICE_REQUESTS": {
            **settings.SGU.get("SERVICE_REQUESTS", {}),
            "ON_ERROR": OnError.SKIP_ROWS,
        },
    }
    ingest.PIPELINE = not args.complete
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(f"TRUNCATE {', '.join(TABLES)} RESTART IDENTITY CASCADE")
        else:
            for table in TABLES:
                cur.execute(f"DELETE FROM {table}")
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "service_requests", ignore_errors=True)
    operator = Operator.objects.get(code="CLARO")
    by = Principal(actor_role=Actor.OPERATOR, operator=operator)
    rss_before = _rss_mb()
    timings: dict = {}
    t0 = time.perf_counter()
    with open(args.file, "rb") as fh:
        batch, _ = services.receive_report(
            file=File(fh, name="bajas.csv"), report_date=args.report_date, by=by
        )
    t1 = time.perf_counter()
    batch = ingest.process_batch(batch.pk, timings=timings)
    t2 = time.perf_counter()
    error_bytes = sum(len(chunk) for chunk in exports.error_csv_chunks(batch))
    t3 = time.perf_counter()
    landed = ServiceRequest.objects.count()
    return {
        "seconds": t3 - t0,
        "receive": t1 - t0,
        "stage": timings.get("stage", 0.0),
        "merge": timings.get("merge", 0.0),
        "path": timings.get("path", ""),
        "process": t2 - t1,
        "error_report": t3 - t2,
        "error_bytes": error_bytes,
        "state": batch.state,
        "rows": batch.rows_total,
        "rows_ok": batch.rows_ok,
        "rows_rejected": batch.rows_rejected,
        "errors": batch.errors_total,
        "landed": landed,
        "rss_before_mb": rss_before,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


CHILDREN = {"setup": child_setup, "baseline": child_baseline, "ingest": child_ingest}


# --- the parent -----------------------------------------------------------------------------


def run_child(kind: str, db: str, args, var_dir: Path, complete: bool = False) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        kind,
        "--db",
        db,
        "--file",
        str(args.file),
        "--report-date",
        args.report_date.isoformat(),
        "--var-dir",
        str(var_dir),
        *(["--complete"] if complete else []),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def recreate_database(url: str) -> None:
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def machine() -> dict:
    cpu = ""
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem_kb = int(fh.readline().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1048576, 1),
        "python": platform.python_version(),
        "load": os.getloadavg(),
    }


def pg_version(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute("SHOW server_version").fetchone()[0].split()[0]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def bench_backend(name: str, db: str, args, workdir: Path, complete: bool = False) -> dict:
    var_dir = workdir / f"var-{name.split(',')[0]}"
    shutil.rmtree(var_dir, ignore_errors=True)
    var_dir.mkdir(parents=True)
    if db != "sqlite":
        recreate_database(db)
    run_child("setup", db, args, var_dir)
    base, sgu = [], []
    for r in range(args.runs):
        order = ("baseline", "ingest") if r % 2 == 0 else ("ingest", "baseline")
        for kind in order:
            result = run_child(kind, db, args, var_dir, complete=complete)
            (base if kind == "baseline" else sgu).append(result)
            print(
                f"  {name} ronda {r + 1} {kind}: {result['seconds']:.1f} s, "
                f"RSS máx. {result['peak_rss_mb']:.0f} MB",
                file=sys.stderr,
            )
    last = sgu[-1]
    if last["state"] != "DONE" or last["landed"] != last["rows_ok"]:
        raise SystemExit(f"{name}: resultado inesperado {last}")
    return {
        "backend": name,
        "baseline_s": median([b["seconds"] for b in base]),
        "baseline_rss": median([b["peak_rss_mb"] for b in base]),
        "sgu_s": median([s["seconds"] for s in sgu]),
        "receive_s": median([s["receive"] for s in sgu]),
        "stage_s": median([s["stage"] for s in sgu]),
        "merge_s": median([s["merge"] for s in sgu]),
        "errors_s": median([s["error_report"] for s in sgu]),
        "peak_rss": median([s["peak_rss_mb"] for s in sgu]),
        "rss_before": median([s["rss_before_mb"] for s in sgu]),
        "ratio": median([s["seconds"] / b["seconds"] for s, b in zip(sgu, base, strict=True)]),
        "process_s": median([s["process"] for s in sgu]),
        "path": last["path"],
        "rows": last["rows"],
        "rows_ok": last["rows_ok"],
        "rows_rejected": last["rows_rejected"],
        "errors": last["errors"],
        "runs": [round(s["seconds"], 1) for s in sgu],
    }


def _n(value: int) -> str:
    """1 000 000 (thousands with a space, as in Spanish)."""
    return f"{value:,}".replace(",", "\u202f")


def _s(value: float, digits: int = 1) -> str:
    return f"{value:.{digits}f}".replace(".", ",")


def table(results: list[dict], info: dict) -> str:
    lines = [
        f"Máquina: {info['cpu']}, {info['cores']} núcleos, {info['ram_gb']} GB de RAM; Python "
        f"{info['python']}; {info['databases']}. Carga media al empezar: "
        f"{_s(info['load'][0])} (máquina compartida). Archivo: {_n(info['rows'])} filas, "
        f"{_s(info['mb'], 0)} MB (CSV UTF-8 con `,`), {_n(info['invalid'])} filas inválidas "
        f"(política `SKIP_ROWS`: se informan y el resto se integra). Mediana de {info['runs']} "
        f"rondas, {info['date']}.",
        "",
        "| base | SGU de punta a punta | recibir (hash + guardar) | procesar (leer, validar, "
        "integrar) | de ello, integrar tras leer | CSV de errores | `COPY` crudo | razón SGU ÷ "
        "COPY | RSS máx. SGU | RSS máx. COPY |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        merge = "— (por tramos)" if r["path"] == "tramos" else f"{_s(r['merge_s'])} s"
        lines.append(
            f"| {r['backend']} | **{_s(r['sgu_s'])} s** | {_s(r['receive_s'])} s | "
            f"{_s(r['process_s'])} s | {merge} | {_s(r['errors_s'], 2)} s | "
            f"{_s(r['baseline_s'])} s | {_s(r['ratio'])} | **{_s(r['peak_rss'], 0)} MB** "
            f"(Django cargado: {_s(r['rss_before'], 0)} MB) | {_s(r['baseline_rss'], 0)} MB |"
        )
    lines.append("")
    for r in results:
        runs = ", ".join(_s(x) for x in r["runs"])
        lines.append(
            f"- {r['backend']}: {_n(r['rows_ok'])} filas integradas, {_n(r['rows_rejected'])} "
            f"rechazadas con {_n(r['errors'])} errores; {_n(int(r['rows'] / r['sgu_s']))} "
            f"filas/s; cada ronda del SGU: {runs} s."
        )
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"faltan las marcas {BEGIN} / {END} en {DOC}")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOC.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--invalid-fraction", type=float, default=0.001)
    p.add_argument(
        "--db",
        default=os.environ.get("SGU_BENCH_DATABASE_URL", DEFAULT_DB),
        help="PostgreSQL (la base se borra y se vuelve a crear)",
    )
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--no-sqlite", action="store_true")
    p.add_argument(
        "--no-complete",
        action="store_true",
        help="sin la fila de PostgreSQL por el camino completo (sin tramos)",
    )
    p.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sgu-ingest-bench")
    p.add_argument("--write", action="store_true", help="escribe la tabla en docs/benchmarks.md")
    # Internal: one measured step in its own process.
    p.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    p.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--report-date", type=date.fromisoformat, help=argparse.SUPPRESS)
    p.add_argument("--var-dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--complete", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.child:
        _django(args.db, args.var_dir)
        print(json.dumps(CHILDREN[args.child](args)))
        return 0

    sys.path.insert(0, str(BENCH_DIR))
    import gen_requests

    args.workdir.mkdir(parents=True, exist_ok=True)
    args.report_date = date.today() - timedelta(days=1)
    args.file = args.workdir / (
        f"bajas-{args.rows}-{args.invalid_fraction}-{args.report_date:%Y%m%d}.csv"
    )
    if not args.file.exists():
        print(f"generando {args.file}…", file=sys.stderr)
        gen_requests.write(
            args.file,
            args.rows,
            report_date=args.report_date,
            invalid_fraction=args.invalid_fraction,
        )
    info = machine()
    databases = [f"SQLite {__import__('sqlite3').sqlite_version}"]
    results = []
    if not args.no_postgres:
        results.append(bench_backend("PostgreSQL", args.db, args, args.workdir))
        if not args.no_complete:
            results.append(
                bench_backend(
                    "PostgreSQL, camino completo", args.db, args, args.workdir, complete=True
                )
            )
        databases.insert(0, f"PostgreSQL {pg_version(args.db)}")
    if not args.no_sqlite:
        results.append(bench_backend("SQLite", "sqlite", args, args.workdir))
    info.update(
        rows=args.rows,
        mb=args.file.stat().st_size / 1e6,
        invalid=int(args.rows * args.invalid_fraction),
        runs=args.runs,
        databases=", ".join(databases),
        date=date.today().isoformat(),
    )
    text = table(results, info)
    print(text)
    if args.write:
        write_doc(text)
        print(f"\nescrito en {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
