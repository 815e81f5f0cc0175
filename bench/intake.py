"""Intake benchmark: cases registered per second through `POST /api/v1/cases`.

What it does (see docs/benchmarks.md for the method and the figures):

1. Drops and re-creates a PostgreSQL database (`sgu_bench` by default), migrates it, loads
   the reference data and creates N verified citizens with bearer tokens (setup, not timed).
2. Starts gunicorn (2 workers) on a free localhost port with the real SGU application and
   `bench/settings_bench.py`, which only adds the bare baseline endpoint (`bench/baseline.py`:
   one INSERT into a bench table, 201). The server's rate limits are set explicitly
   (`rate_limit_env`): on, so every API request still pays for its counters, but high enough
   that the benchmark's clients — all on 127.0.0.1 — are never refused.
3. With C concurrent clients (threads by default, each with its own HTTP connection), it
   alternates a baseline phase and a case phase, R times: warm-up, then a fixed duration.
   Every case request is a valid registration (random operator, random subcategory of the
   MOVIL catalog with valid extra fields, citizens in rotation and never shared between
   clients, an Idempotency-Key on a fraction); anything but 201 is counted as an error, and
   a phase with any error stops the benchmark without a figure (`refuse_errors`).
4. Prints the medians (throughput, p50/p95/p99 latency, errors, ratio cases/s ÷ inserts/s) as
   a Markdown table; `--write` puts it into docs/benchmarks.md.

Usage: `make bench`, or `.venv/bin/python bench/intake.py --help`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import multiprocessing as mp
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SRC_DIR = PROJECT_DIR / "src"
DOC = PROJECT_DIR / "docs" / "benchmarks.md"
BEGIN, END = "<!-- intake:begin -->", "<!-- intake:end -->"

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sgu_bench"
CASES_PATH = "/api/v1/cases"
BASELINE_PATH = "/bench/insert"
PASSWORD = "Bench.Intake.2026"
# The table the baseline endpoint (bench/baseline.py) inserts into.
BASELINE_TABLE_SQL = (
    "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, "
    "at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)"
)

# Cases already in the database before measuring (seed_history).
HISTORY = 100_000
# Issue 19's targets (with 8 clients, on a 2-core machine), and the first performance issue's.
SCALE_P95_MS, SCALE_RATIO = 60.0, 0.25
TARGET_RATE, TARGET_P95_MS, TARGET_RATIO = 400.0, 50.0, 0.5
# With --wait-idle, a phase during which other processes took more than this share of the CPU
# is measured again (the kernel's loopback networking alone is ~5-12 %).
NOISY, MAX_ATTEMPTS = 0.25, 4


# --- the benchmark's own server: its rate limits, and no figure from a round with errors --------

# The rate limits of core/ratelimit.py are per address and per credential, and every client of
# a benchmark is on 127.0.0.1: under the production defaults (1,200 API requests a minute per
# address) a benchmark measures the limiter's 429s, not the endpoint. Each benchmark therefore
# sets its server's limits itself, through the same variables an operator would set: the
# limiter stays on (each request still writes its counters, the cost production pays), with a
# ceiling no run on one machine comes near (1,000,000 a minute ≈ 16,700 requests/s).
BENCH_RATE_LIMIT = 1_000_000
RATE_LIMIT_VARIABLES = (
    "SGU_RATE_AUTH",
    "SGU_RATE_PUBLIC",
    "SGU_RATE_API_IP",
    "SGU_RATE_API_KEY",
    "SGU_RATE_CASE_LOOKUP",
    "SGU_RATE_OPEN_DATA",
)


def rate_limit_env(limit: int = BENCH_RATE_LIMIT) -> dict[str, str]:
    """The environment that sets a benchmark server's rate limits explicitly (per minute)."""
    env = {"SGU_RATE_LIMITS": "true", "SGU_TRUST_X_FORWARDED_FOR": "false"}
    env.update({name: str(limit) for name in RATE_LIMIT_VARIABLES})
    return env


def refuse_errors(what: str, statuses: dict[int, int], ok: set[int], sample: str = "") -> None:
    """Stop the benchmark, printing no figure, if a round had any answer outside `ok` (a
    round with errors measures the errors — e.g. a rate limiter's 429s — not the endpoint)."""
    bad = {s: n for s, n in sorted(statuses.items()) if s not in ok}
    if not bad:
        return
    codes = ", ".join(f"{n} × {s or 'sin respuesta'}" for s, n in bad.items())
    print(f"✗ {what}: {sum(bad.values())} respuestas con error ({codes}).", file=sys.stderr)
    if sample:
        print(f"  ejemplo: {sample}", file=sys.stderr)
    sys.exit("✗ sin cifras: lo medido serían los errores, no lo que el benchmark dice medir.")


# --- setup (not measured) ----------------------------------------------------------------------


def recreate_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        sys.exit(f"nombre de base de datos no válido para el benchmark: {name!r}")
    admin = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")


def server_env(
    db_url: str, var_dir: str, rate_limit: int = BENCH_RATE_LIMIT, redis_url: str = ""
) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DEBUG="0",
        DJANGO_SETTINGS_MODULE="settings_bench",
        # No SMTP: during the request an email is only stored and enqueued (a row in the tasks
        # table; the worker renders it); no worker runs during the measurement. Files if it did.
        EMAIL_HOST="",
        SGU_VAR_DIR=var_dir,
        LOG_LEVEL="WARNING",
        PYTHONPATH=os.pathsep.join([str(SRC_DIR), str(BENCH_DIR)]),
        # bench/probe.py: statements per request and the hold of the case-sequence lock.
        SGU_BENCH_PROBE_DIR=probe_dir(var_dir),
        # The cache and the rate-limit counters in a shared Redis (as several web hosts would)
        # or, empty, the rate-limit counters in the database.
        REDIS_URL=redis_url,
        **rate_limit_env(rate_limit),
    )
    env.pop("EMAIL_BACKEND", None)
    return env


def probe_dir(var_dir: str) -> str:
    path = os.path.join(var_dir, "probe")
    os.makedirs(path, exist_ok=True)
    return path


def probe_lines(directory: str, path: str, since: float, until: float) -> list[list[str]]:
    """The lines bench/probe.py wrote for requests to `path` that ended inside the window."""
    rows = []
    for name in os.listdir(directory):
        with open(os.path.join(directory, name), encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 5 and parts[1] == path and since <= float(parts[0]) <= until:
                    rows.append(parts)
    return rows


def probe_figures(rows: list[list[str]]) -> dict:
    """Statements per request; wait for and hold of the sequence lock (ms, p50 and p99)."""
    n = max(len(rows), 1)
    holds = sorted(float(r[4]) / 1000 for r in rows if r[4] != "-")
    waits = sorted(float(r[3]) / 1000 for r in rows if r[3] != "-")
    return {
        "stmts": sum(int(r[2]) for r in rows) / n,
        "hold_p50": pct(holds, 50),
        "hold_p99": pct(holds, 99),
        "wait_p50": pct(waits, 50),
        "wait_p99": pct(waits, 99),
    }


def prepare_data(n_citizens: int, history: int = 0) -> tuple[list[str], dict]:
    """Migrate, load the catalog, create verified citizens and `history` cases of last year
    (seed_history); return the citizens' bearer tokens and the setup's timings."""
    import django
    from django.core.management import call_command

    django.setup()
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from sgu.accounts import services as accounts
    from sgu.accounts.models import ApiToken, Role, User
    from sgu.catalog.demo import load_reference_data

    t = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    load_reference_data()
    with connection.cursor() as cur:
        cur.execute(BASELINE_TABLE_SQL)
    migrate_s = time.perf_counter() - t

    t = time.perf_counter()
    now = timezone.now()
    # One citizen through the real services (validation, consent, confirmation email)…
    first = accounts.register_citizen(
        document_type="DNI",
        document_number="40000000",
        first_name="Ana",
        last_name="Pérez Rojas",
        email="bench.0@example.pe",
        phone="987000000",
        password=PASSWORD,
        consent=True,
    )
    User.objects.filter(pk=first.pk).update(email_verified_at=now)
    raw, _ = accounts.issue_api_token(email=first.email, password=PASSWORD)
    tokens = [raw]
    # … and the rest in bulk, the same shape (one password hash: hashing is slow on purpose).
    password = make_password(PASSWORD)
    users = [
        User(
            username=f"bench.{i}@example.pe",
            email=f"bench.{i}@example.pe",
            password=password,
            role=Role.CITIZEN,
            first_name="Ana",
            last_name=f"Pérez {i}",
            document_type="DNI",
            document_number=f"{40000000 + i:08d}",
            phone=f"987{i:06d}",
            email_verified_at=now,
            consent_at=now,
            consent_version=first.consent_version,
            consent_channel="WEB",
        )
        for i in range(1, n_citizens)
    ]
    with transaction.atomic():
        users = User.objects.bulk_create(users, batch_size=1000)
        raws = [secrets.token_urlsafe(32) for _ in users]
        ApiToken.objects.bulk_create(
            [
                ApiToken(
                    user=u,
                    token_hash=accounts.token_hash(r),
                    expires_at=now + timedelta(hours=settings.SGU["API_TOKEN_HOURS"]),
                )
                for u, r in zip(users, raws, strict=True)
            ],
            batch_size=1000,
        )
    tokens += raws
    citizens_s = time.perf_counter() - t
    t = time.perf_counter()
    seed_history(history)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    connection.close()
    return tokens, {
        "migrate_s": migrate_s,
        "citizens_s": citizens_s,
        "history": history,
        "history_s": time.perf_counter() - t,
    }


# Last year's cases, closed, two timeline events each: what a production database holds when the
# day's registrations arrive. Not only realism: each event's foreign key to its case is checked
# at COMMIT by a plan PostgreSQL caches per connection, and planned on an empty table it is a
# sequential scan, which a growing table turns into a cost that grows with every case
# (docs/benchmarks.md, «Issue 19, punto 2 (quinta parte)»).
HISTORY_CASES_SQL = """
INSERT INTO cases_case (code, citizen_id, operator_id, subcategory_id, service, channel,
    service_number, description, fields, state, registered_at, forwarded_at, received_on,
    due_at, due_explanation, answered_at, closed_at, updated_at)
SELECT %(prefix)s || lpad(g::text, 7, '0'),
    c.ids[1 + g %% array_length(c.ids, 1)],
    o.ids[1 + g %% array_length(o.ids, 1)], s.ids[1 + g %% array_length(s.ids, 1)],
    s.services[1 + g %% array_length(s.ids, 1)], 'WEB', '9' || lpad((g %% 100000000)::text, 8, '0'),
    'Caso del año anterior para el benchmark', '{}', 'CLOSED', at, at, at::date,
    at + interval '3 days', '', at + interval '2 days', at + interval '9 days',
    at + interval '9 days'
FROM generate_series(1, %(n)s) g
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM accounts_user WHERE role = 'CITIZEN') c
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM catalog_operator) o
CROSS JOIN (
    SELECT array_agg(sc.id ORDER BY sc.id) AS ids, array_agg(sv.code ORDER BY sc.id) AS services
    FROM catalog_subcategory sc
    JOIN catalog_category ca ON ca.id = sc.category_id
    JOIN catalog_service sv ON sv.id = ca.service_id
) s
CROSS JOIN LATERAL (SELECT %(start)s::timestamptz + (g * interval '1 year') / %(n)s AS at) t
"""
HISTORY_EVENTS_SQL = """
INSERT INTO cases_caseevent (case_id, at, kind, actor_id, actor_role, from_state, to_state,
    note, internal, data)
SELECT id, registered_at, 'REGISTER', citizen_id, 'CITIZEN', '', 'FORWARDED', '', false, '{}'::jsonb
FROM cases_case
UNION ALL
SELECT id, closed_at, 'CLOSE', NULL, 'SYSTEM', 'ANSWERED', 'CLOSED', '', false, '{}'::jsonb
FROM cases_case
"""


def seed_history(n: int) -> None:
    """n cases of last year, closed, with their events (set-based; run before ANALYZE)."""
    if n <= 0:
        return
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    year = timezone.localdate().year - 1
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            HISTORY_CASES_SQL,
            {
                "prefix": f"{settings.SGU['CASE_CODE_PREFIX']}-{year}-",
                "n": n,
                "start": f"{year}-01-01T08:00:00-05:00",
            },
        )
        cur.execute(HISTORY_EVENTS_SQL)
        cur.execute("INSERT INTO cases_casesequence (year, last_number) VALUES (%s, %s)", [year, n])


def db_counts() -> dict[str, int]:
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for label, table in (
            ("cases", "cases_case"),
            ("events", "cases_caseevent"),
            ("emails", "notifications_outboundemail"),
            ("tasks", "django_tasks_database_dbtaskresult"),
            ("idempotency", "core_idempotencyrecord"),
            ("baseline_rows", "bench_insert"),
        ):
            cur.execute(f"SELECT count(*) FROM {table}")
            out[label] = cur.fetchone()[0]
    connection.close()
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(
    port: int, env: dict, worker_class: str, threads: int, workers: int = 2
) -> subprocess.Popen:
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "sgu.wsgi:application",
        "--pythonpath",
        f"{SRC_DIR},{BENCH_DIR}",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        cmd += ["--threads", str(threads)]
    proc = subprocess.Popen(cmd, env=env, cwd=PROJECT_DIR)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn terminó al arrancar")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/catalog/operators")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.2)
    proc.terminate()
    sys.exit("gunicorn no respondió en 30 s")


def get_json(port: int, path: str):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    if resp.status != 200:
        sys.exit(f"GET {path}: {resp.status} {body[:300]!r}")
    return json.loads(body)


# --- CPU accounting (who uses the 2 cores) -----------------------------------------------------

CLK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK
    except OSError:
        return 0.0


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


_pg_monitor = None  # a psycopg connection to the bench database, set by main()


def _postgres_pids() -> list[int]:
    """The PostgreSQL processes working for the benchmark: the bench database's backends and
    the server's own processes (WAL writer, checkpointer…), not other databases' backends
    (other people's test runs share this server)."""
    rows = _pg_monitor.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR datname IS NULL"
    ).fetchall()
    return [pid for (pid,) in rows]


def _total_cpu() -> tuple[float, float]:
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / CLK, sum(values) / CLK


def machine_load(seconds: float = 2.0) -> float:
    """Share of all cores busy over a short window (before starting: what else runs)."""
    busy0, total0 = _total_cpu()
    time.sleep(seconds)
    busy1, total1 = _total_cpu()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else 0.0


def _all_processes() -> dict[int, tuple[str, float]]:
    out = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    head, rest = fh.read().rsplit(")", 1)
                fields = rest.split()
                out[int(entry)] = (
                    head.split("(", 1)[1],
                    (int(fields[11]) + int(fields[12])) / CLK,
                )
            except (OSError, IndexError, ValueError):
                pass
    return out


def wait_for_quiet(seconds: float) -> float:
    """Wait up to `seconds` until other processes use < 15 % of the CPU; the last load seen."""
    deadline = time.monotonic() + seconds
    load = machine_load()
    while load > 0.15 and time.monotonic() < deadline:
        print(f"· la máquina está ocupada ({load:.0%} de CPU); esperando…")
        load = machine_load(5.0)
    return load


def cpu_snapshot(server_pid: int) -> dict:
    busy, total = _total_cpu()
    return {
        "server": {p: _proc_cpu(p) for p in [server_pid, *_children(server_pid)]},
        "postgres": {p: _proc_cpu(p) for p in _postgres_pids()},
        "all": _all_processes(),
        "busy": busy,
        "total": total,
    }


def watch_until(end: float, server_pid: int) -> dict:
    """Sleep until `end`, sampling the database's processes every half second: a backend
    that ends in the window (Django reconnects after CONN_MAX_AGE) keeps its last reading,
    instead of taking its CPU with it."""
    seen: dict[int, float] = {}
    while (left := end - time.monotonic()) > 0:
        time.sleep(min(0.5, left))
        seen.update({p: t for p in _postgres_pids() if (t := _proc_cpu(p))})
    snap = cpu_snapshot(server_pid)
    snap["postgres"] = {**seen, **{p: t for p, t in snap["postgres"].items() if t}}
    return snap


def strangers(a: dict, b: dict, ours: set[int]) -> str:
    """The processes outside the benchmark that used most CPU between two snapshots."""
    used: dict[str, float] = {}
    for pid, (name, t) in b["all"].items():
        if pid not in ours:
            before = a["all"].get(pid, (name, 0.0))[1]
            used[name] = used.get(name, 0.0) + t - before
    window = b["total"] - a["total"]
    top = sorted(used.items(), key=lambda kv: -kv[1])[:3]
    return ", ".join(f"{n} {t / window:.0%}" for n, t in top if window and t / window >= 0.02)


def cpu_delta(a: dict, b: dict, key: str) -> float:
    """CPU-seconds used between two snapshots by a group of processes (a process that
    started in between counts from zero; one that ended is lost, hence short-lived ones are
    under-counted)."""
    return sum(t - a[key].get(p, 0.0) for p, t in b[key].items())


# --- load ----------------------------------------------------------------------------------------

DESCRIPTIONS = [
    "Desde ayer no puedo hacer llamadas ni usar datos; la operadora no me da solución.",
    "Me cobraron un monto que no reconozco en el último recibo y en tienda no lo corrigen.",
    "Hice una recarga y el saldo nunca se acreditó, ya pasaron más de dos días.",
    "Pedí la baja del servicio hace semanas y sigo recibiendo cobros cada mes.",
    "Solicité la portabilidad y la rechazaron sin explicarme el motivo del rechazo.",
]
TEXT_VALUES = ["PED-2026-004512", "Av. Arequipa 1234, Lince", "Plan Max 69.90", "Paquete redes"]


def field_value(f: dict, rng: random.Random):
    kind = f["type"].upper()
    if kind == "DATE":
        return (date.today() - timedelta(days=rng.randint(1, 20))).isoformat()
    if kind == "MONEY":
        return f"{rng.randint(5, 200)}.{rng.choice(['00', '50', '90'])}"
    if kind == "NUMBER":
        return str(rng.randint(1, 50))
    if kind == "CHOICE":
        return rng.choice(f["choices"])
    return rng.choice(TEXT_VALUES)


def case_body(catalog: dict, rng: random.Random) -> dict:
    sub = rng.choice(catalog["subcategories"])
    fields = {
        f["name"]: field_value(f, rng) for f in sub["fields"] if f["required"] or rng.random() < 0.5
    }
    return {
        "operator": rng.choice(catalog["operators"]),
        "subcategory": sub["code"],
        "service_number": f"9{rng.randint(0, 99_999_999):08d}",
        "description": rng.choice(DESCRIPTIONS),
        "fields": fields,
    }


@dataclass
class Job:
    kind: str  # "cases" | "baseline"
    port: int
    t_start: float  # monotonic: warm-up starts
    t_measure: float  # measurement starts
    t_end: float
    tokens: list[str] = field(default_factory=list)
    catalog: dict = field(default_factory=dict)
    idempotent_share: float = 0.2
    seed: int = 0


def run_client(job: Job) -> dict:
    """One client: one connection, requests back to back until t_end."""
    rng = random.Random(job.seed)
    conn = http.client.HTTPConnection("127.0.0.1", job.port, timeout=30)
    latencies: list[float] = []
    statuses: dict[int, int] = {}  # measured window
    seen: dict[int, int] = {}  # warm-up included
    created = 0
    sample_error = ""
    i = 0
    while time.monotonic() < job.t_start:
        time.sleep(0.001)
    cpu_measure = None
    while True:
        if job.kind == "cases":
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {job.tokens[i % len(job.tokens)]}",
            }
            if rng.random() < job.idempotent_share:
                headers["Idempotency-Key"] = str(uuid.uuid4())
            body = json.dumps(case_body(job.catalog, rng))
            path = CASES_PATH
        else:
            headers = {"Content-Type": "application/json"}
            body = json.dumps({"client": job.seed, "n": i})
            path = BASELINE_PATH
        i += 1
        t0 = time.monotonic()
        if t0 >= job.t_end:
            break
        if cpu_measure is None and t0 >= job.t_measure:
            cpu_measure = time.process_time()
        try:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            status = resp.status
            if resp.will_close:
                conn.close()  # sync workers answer `Connection: close`; reconnect next time
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            status, data = 0, repr(exc).encode()
        t1 = time.monotonic()
        seen[status] = seen.get(status, 0) + 1
        if status == 201:
            created += 1
        elif not sample_error:
            sample_error = f"{status} {data[:300].decode(errors='replace')}"
        if t0 >= job.t_measure:
            latencies.append(t1 - t0)
            statuses[status] = statuses.get(status, 0) + 1
    conn.close()
    return {
        "latencies": latencies,
        "statuses": statuses,
        "seen": seen,
        "created": created,
        "sample_error": sample_error,
        # This client's CPU while measured (meaningful per process, not per thread).
        "client_cpu": time.process_time() - (cpu_measure or time.process_time()),
    }


def _process_entry(job: Job, queue) -> None:
    queue.put(run_client(job))


def run_phase(
    kind: str,
    *,
    port: int,
    clients: int,
    mode: str,
    warmup: float,
    duration: float,
    tokens: list[str],
    catalog: dict,
    server_pid: int,
    round_no: int,
    probe: str = "",
) -> dict:
    start = time.monotonic() + 0.3  # time to fork/start the clients
    wall = time.time() - time.monotonic()  # the probe's lines carry wall time
    jobs = [
        Job(
            kind=kind,
            port=port,
            t_start=start,
            t_measure=start + warmup,
            t_end=start + warmup + duration,
            tokens=tokens[c::clients],  # disjoint citizens per client
            catalog=catalog,
            seed=round_no * 1000 + c,
        )
        for c in range(clients)
    ]
    results: list[dict] = []
    if mode == "processes":
        ctx = mp.get_context("fork")
        queue = ctx.Queue()
        procs = [ctx.Process(target=_process_entry, args=(j, queue)) for j in jobs]
        for p in procs:
            p.start()
        time.sleep(max(0.0, start + warmup - time.monotonic()))
        cpu0 = cpu_snapshot(server_pid)
        cpu1 = watch_until(start + warmup + duration, server_pid)
        results = [queue.get() for _ in procs]
        client_pids = [p.pid for p in procs]
        for p in procs:
            p.join()
        client_cpu = sum(r["client_cpu"] for r in results)
    else:
        lock = threading.Lock()

        def target(j: Job) -> None:
            r = run_client(j)
            with lock:
                results.append(r)

        threads = [threading.Thread(target=target, args=(j,)) for j in jobs]
        for t in threads:
            t.start()
        time.sleep(max(0.0, start + warmup - time.monotonic()))
        cpu0 = cpu_snapshot(server_pid)
        own0 = time.process_time()
        cpu1 = watch_until(start + warmup + duration, server_pid)
        client_cpu = time.process_time() - own0
        client_pids = []
        for t in threads:
            t.join()

    ours = {os.getpid(), *cpu1["server"], *cpu1["postgres"], *client_pids}
    latencies = sorted(x for r in results for x in r["latencies"])
    statuses: dict[int, int] = {}
    for r in results:
        for s, n in r["statuses"].items():
            statuses[s] = statuses.get(s, 0) + n
    seen: dict[int, int] = {}
    for r in results:
        for s, n in r["seen"].items():
            seen[s] = seen.get(s, 0) + n
    ok = statuses.get(201, 0)
    errors = sum(n for s, n in statuses.items() if s != 201)
    cores = os.cpu_count() or 1
    available = (cpu1["total"] - cpu0["total"]) or duration * cores  # CPU-seconds, all cores
    used = {
        "server": cpu_delta(cpu0, cpu1, "server"),
        "postgres": cpu_delta(cpu0, cpu1, "postgres"),
        "client": client_cpu,
    }
    busy = cpu1["busy"] - cpu0["busy"]
    n = max(len(latencies), 1)
    path = CASES_PATH if kind == "cases" else BASELINE_PATH
    window = (start + warmup + wall, start + warmup + duration + wall)
    probed = probe_figures(probe_lines(probe, path, *window)) if probe else {}
    return {
        **probed,
        "load": os.getloadavg()[0],
        "kind": kind,
        "rate": ok / duration,
        "requests": len(latencies),
        "ok": ok,
        "errors": errors,
        "statuses": statuses,
        "seen": seen,  # every answer of the phase, its warm-up included
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "created": sum(r["created"] for r in results),
        "sample_error": next((r["sample_error"] for r in results if r["sample_error"]), ""),
        # Share of the machine's CPU (all cores) during the measured window, by whom; "other"
        # is the kernel's share of the local network and any other process on the machine.
        "cpu_busy": busy / available,
        "cpu_server": used["server"] / available,
        "cpu_postgres": used["postgres"] / available,
        "cpu_client": used["client"] / available,
        "cpu_other": max(0.0, busy - sum(used.values())) / available,
        "strangers": strangers(cpu0, cpu1, ours),
        # CPU milliseconds each request cost: unlike the throughput, this hardly depends on
        # what else the machine is doing.
        "ms_server": used["server"] / n * 1000,
        "ms_postgres": used["postgres"] / n * 1000,
        "ms_client": used["client"] / n * 1000,
    }


def pct(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile, in milliseconds."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, math.ceil(p / 100 * len(sorted_values)) - 1))
    return sorted_values[k] * 1000


# --- report --------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import psycopg

    mem_kb = 0
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    cpu_model = ""
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        pg = cur.fetchone()[0]
        cur.execute("SHOW synchronous_commit")
        sync = cur.fetchone()[0]
    connection.close()
    import django
    import gunicorn

    return {
        "cpu": f"{os.cpu_count()} núcleos ({cpu_model})",
        "ram": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "postgres": f"{pg} (synchronous_commit={sync})",
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "psycopg": psycopg.__version__,
    }


def median(values: list[float]) -> float:
    return statistics.median(values)


METRICS = (
    "rate", "p50", "p95", "p99", "cpu_busy", "cpu_server", "cpu_postgres", "cpu_client",
    "cpu_other", "ms_server", "ms_postgres", "ms_client", "stmts", "hold_p50", "hold_p99",
    "wait_p50", "wait_p99", "load",
)  # fmt: skip


def report(rounds: list[dict], args, info: dict, counts: dict, setup: dict) -> str:
    cases = [r["cases"] for r in rounds]
    base = [r["baseline"] for r in rounds]
    ratios = [c["rate"] / b["rate"] if b["rate"] else 0.0 for c, b in zip(cases, base, strict=True)]
    med = {k: (median([c[k] for c in cases]), median([b[k] for b in base])) for k in METRICS}
    errors = (sum(c["errors"] for c in cases), sum(b["errors"] for b in base))
    ratio = median(ratios)
    cores = os.cpu_count() or 1
    # What the machine could do if nothing else ran on it: its cores over the CPU that one
    # request costs the server, the database and the client together.
    cost = [med["ms_server"][i] + med["ms_postgres"][i] + med["ms_client"][i] for i in (0, 1)]
    ceiling = [cores * 1000 / c if c else 0.0 for c in cost]
    server = f"gunicorn, {args.workers} workers {args.worker_class}" + (
        f" × {args.threads} hilos" if args.worker_class == "gthread" else ""
    )
    labels = ("`POST /api/v1/cases` (casos/s)", "`POST /bench/insert` (línea base: 1 INSERT)")

    def row(i: int) -> str:
        return (
            f"| {labels[i]} | {med['rate'][i]:.0f} | {med['p50'][i]:.1f} | "
            f"{med['p95'][i]:.1f} | {med['p99'][i]:.1f} | {errors[i]} |"
        )

    def cpu_row(i: int) -> str:
        return (
            f"| {labels[i]} | {med['ms_server'][i]:.2f} | {med['ms_postgres'][i]:.2f} | "
            f"{med['ms_client'][i]:.2f} | {ceiling[i]:.0f} | {med['cpu_server'][i]:.0%} | "
            f"{med['cpu_postgres'][i]:.0%} | {med['cpu_client'][i]:.0%} | "
            f"{med['cpu_other'][i]:.0%} |"
        )

    per_round = ", ".join(
        f"{c['rate']:.0f}/{b['rate']:.0f} = {c['rate'] / b['rate']:.2f}"
        for c, b in zip(cases, base, strict=True)
    )
    scale_verdict = [
        f"razón ≥ {SCALE_RATIO}: {'sí' if ratio >= SCALE_RATIO else 'no'}",
        f"p95 ≤ {SCALE_P95_MS:.0f} ms: {'sí' if med['p95'][0] <= SCALE_P95_MS else 'no'}",
    ]
    verdict = [
        f"≥ {TARGET_RATE:.0f} casos/s: {'sí' if med['rate'][0] >= TARGET_RATE else 'no'}",
        f"p95 ≤ {TARGET_P95_MS:.0f} ms: {'sí' if med['p95'][0] <= TARGET_P95_MS else 'no'}",
        f"razón ≥ {TARGET_RATIO}: {'sí' if ratio >= TARGET_RATIO else 'no'}",
    ]
    lines = [
        f"Medido el {time.strftime('%Y-%m-%d %H:%M %Z')} con `{' '.join(args.argv)}`.",
        "",
        f"- Máquina: {info['cpu']}, {info['ram']} de RAM, {info['os']}. Clientes, gunicorn y "
        "PostgreSQL comparten esos núcleos; al empezar, otros procesos usaban "
        f"{info['load_before']:.0%} de la CPU.",
        f"- Software: Python {info['python']}, Django {info['django']}, gunicorn "
        f"{info['gunicorn']}, psycopg {info['psycopg']}, PostgreSQL {info['postgres']}.",
        f"- Servidor: {server}, `DEBUG=0`, `sgu.wsgi` con la configuración real "
        "(`bench/settings_bench.py` solo añade la ruta de la línea base); límites de "
        f"frecuencia activos, en {args.rate_limit:,} solicitudes por minuto (cada solicitud "
        "a la API escribe sus contadores; ninguna es rechazada).",
        f"- Carga: {args.clients} clientes concurrentes ({args.client_mode}), cada uno con su "
        f"conexión; por fase {args.warmup:g} s de calentamiento y {args.duration:g} s medidos; "
        f"{args.runs} rondas alternando línea base y casos; se informa la mediana de las rondas"
        + (
            f"; con `--wait-idle`, cada fase empezó con la máquina libre y se repitió si otros "
            f"procesos usaron más del {NOISY:.0%} de la CPU ({args.repeats} repeticiones)."
            if args.wait_idle
            else "."
        ),
        f"- Datos: {args.citizens} ciudadanos verificados con token; catálogo MÓVIL "
        f"({info['subcategories']} subcategorías, 4 operadoras); {args.idempotent:.0%} de las "
        "solicitudes con `Idempotency-Key`; contadores de los límites de frecuencia en "
        + ("Redis" if args.redis else "la base de datos")
        + f"; antes de medir, {setup['history']:,} casos del año anterior, cerrados, con dos "
        "eventos cada uno (la base de un sistema en marcha). Al terminar: "
        f"{counts['cases']} casos, {counts['events']} eventos, {counts['emails']} correos y "
        f"{counts['tasks']} tareas encolados, {counts['baseline_rows']} filas de línea base. "
        f"Preparación (no medida): migraciones {setup['migrate_s']:.1f} s, ciudadanos "
        f"{setup['citizens_s']:.1f} s, historia {setup['history_s']:.1f} s.",
        "",
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errores |",
        "|---|---:|---:|---:|---:|---:|",
        row(0),
        row(1),
        "",
        f"**Razón casos/s ÷ inserciones/s: {ratio:.2f}** (mediana de las razones de cada "
        f"ronda: {per_round}).",
        "",
        f"Objetivo del issue 19 (razón ≥ {SCALE_RATIO}, p95 ≤ {SCALE_P95_MS:.0f} ms con 8 "
        f"clientes): {'; '.join(scale_verdict)}. Objetivo del primer issue de rendimiento "
        f"({TARGET_RATE:.0f} casos/s, p95 ≤ {TARGET_P95_MS:.0f} ms, razón ≥ {TARGET_RATIO}): "
        f"{'; '.join(verdict)}.",
        "",
        "CPU por solicitud (ms de CPU de gunicorn, de PostgreSQL —solo los procesos de la base "
        "del benchmark— y de los clientes), el techo que eso da si los "
        f"{cores} núcleos fueran solo para esto, y el reparto de la máquina durante la medición "
        "(«otros»: red local del núcleo y procesos ajenos al benchmark):",
        "",
        "| endpoint | gunicorn ms | PostgreSQL ms | cliente ms | techo req/s | % gunicorn | "
        "% PostgreSQL | % clientes | % otros |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        cpu_row(0),
        cpu_row(1),
    ]
    hold = (med["hold_p50"][0], med["hold_p99"][0])
    lines += [
        "",
        f"Sentencias SQL por solicitud: casos {med['stmts'][0]:.1f}, línea base "
        f"{med['stmts'][1]:.1f} (sin contar BEGIN/COMMIT). Carga media de la máquina (1 min) "
        f"durante las fases: casos {med['load'][0]:.1f}, línea base {med['load'][1]:.1f}.",
        "",
        "Bloqueo de la fila del año (`cases_casesequence`), desde que la sentencia que la "
        "incrementa vuelve hasta que vuelve el COMMIT: "
        f"**p50 {hold[0]:.2f} ms, p99 {hold[1]:.2f} ms**; espera para tomarlo: p50 "
        f"{med['wait_p50'][0]:.2f} ms, p99 {med['wait_p99'][0]:.2f} ms. Techo que impone a las "
        "altas, con cualquier número de procesos web: 1 ÷ bloqueo = "
        f"{1000 / hold[0]:.0f} casos/s (p50), {1000 / hold[1]:.0f} casos/s (p99)."
        if hold[0] == hold[0] and hold[0] > 0
        else "Bloqueo de la fila del año: sin medir.",
    ]
    seen = [f"{r['kind']}: {r['strangers']}" for r in [*cases, *base] if r["strangers"]]
    if seen:
        lines += ["", "Procesos ajenos al benchmark durante las fases: " + "; ".join(seen) + "."]
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else ""
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc and END in doc:
        doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
    else:
        doc += ("\n" if doc else "") + block + "\n"
    DOC.write_text(doc, encoding="utf-8")


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("SGU_BENCH_DATABASE_URL", DEFAULT_DB)
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--client-mode", choices=["threads", "processes"], default="threads")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=2, help="hilos por worker (gthread)")
    parser.add_argument("--workers", type=int, default=2, help="procesos de gunicorn")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=2.0, help="segundos por fase")
    parser.add_argument("--duration", type=float, default=10.0, help="segundos medidos por fase")
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument(
        "--history",
        type=int,
        default=HISTORY,
        help="casos del año anterior (cerrados, con sus eventos) en la base antes de medir",
    )
    parser.add_argument("--idempotent", type=float, default=0.2, help="fracción con clave")
    parser.add_argument("--only", choices=["cases", "baseline"], help="una sola fase")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0.0,
        metavar="S",
        help="antes de empezar y de cada fase, esperar hasta S segundos a que la máquina "
        "esté libre (< 15%% de CPU usada por otros), y repetir una fase en la que otros "
        "procesos usaron más del 25%%",
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=BENCH_RATE_LIMIT,
        metavar="N",
        help="límites de frecuencia del servidor del benchmark, por minuto (por dirección y por "
        "credencial; todos los clientes están en 127.0.0.1). Con los de producción (1200) la "
        "ronda recibe 429 y el benchmark se niega a dar una cifra",
    )
    parser.add_argument(
        "--redis",
        default=os.environ.get("SGU_BENCH_REDIS_URL", ""),
        metavar="URL",
        help="caché y contadores de los límites de frecuencia en este Redis (REDIS_URL); "
        "sin él, los contadores en la base de datos",
    )
    parser.add_argument("--write", action="store_true", help="escribir en docs/benchmarks.md")
    args = parser.parse_args(argv)
    given = sys.argv[1:] if argv is None else argv
    if os.environ.get("MAKELEVEL"):
        args.argv = ["make bench", *([f"BENCH_ARGS='{' '.join(given)}'"] if given else [])]
    else:
        args.argv = [".venv/bin/python bench/intake.py", *given]

    # A TERM (e.g. from a CI timeout) unwinds like Ctrl+C: gunicorn is stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    t_all = time.monotonic()
    var_dir = tempfile.mkdtemp(prefix="sgu-bench-")
    env = server_env(args.database_url, var_dir, args.rate_limit, args.redis)
    # This process uses the same settings as the server (for setup and the final counts).
    for k in (
        "DATABASE_URL",
        "DEBUG",
        "DJANGO_SETTINGS_MODULE",
        "EMAIL_HOST",
        "SGU_VAR_DIR",
        "LOG_LEVEL",
    ):
        os.environ[k] = env[k]
    sys.path[:0] = [str(SRC_DIR), str(BENCH_DIR)]

    load = wait_for_quiet(args.wait_idle) if args.wait_idle else machine_load()
    print(f"· carga de la máquina antes de empezar: {load:.0%} de CPU")
    print(f"· base de datos {urlsplit(args.database_url).path.lstrip('/')}: re-creándola…")
    recreate_database(args.database_url)
    tokens, setup = prepare_data(args.citizens, args.history)
    print(
        f"· migrada en {setup['migrate_s']:.1f} s; {len(tokens)} ciudadanos con token en "
        f"{setup['citizens_s']:.1f} s; {setup['history']:,} casos del año anterior en "
        f"{setup['history_s']:.1f} s"
    )

    before = db_counts()
    global _pg_monitor
    import psycopg

    _pg_monitor = psycopg.connect(
        urlunsplit(urlsplit(args.database_url)._replace(scheme="postgresql")), autocommit=True
    )
    port = free_port()
    server = start_gunicorn(port, env, args.worker_class, args.threads, args.workers)
    rounds: list[dict] = []
    extra: list[int] = []  # cases created by phases measured again (--wait-idle)
    args.repeats = 0
    try:
        operators = [o["code"] for o in get_json(port, "/api/v1/catalog/operators")]
        subs = get_json(port, "/api/v1/catalog/subcategories?service=MOVIL")
        catalog = {"operators": operators, "subcategories": subs}
        print(
            f"· gunicorn pid {server.pid} en 127.0.0.1:{port} ({args.worker_class}); "
            f"{len(operators)} operadoras, {len(subs)} subcategorías"
        )
        common = {
            "port": port,
            "clients": args.clients,
            "mode": args.client_mode,
            "tokens": tokens,
            "catalog": catalog,
            "server_pid": server.pid,
            "probe": env["SGU_BENCH_PROBE_DIR"],
        }
        kinds = [args.only] if args.only else ["baseline", "cases"]
        # Both workers import the URLconf and open their database connection on their first
        # request; a first, unmeasured pass keeps that out of round 1.
        warm = {
            k: run_phase(k, warmup=0.0, duration=args.warmup, round_no=99, **common) for k in kinds
        }
        for kind, r in warm.items():
            refuse_errors(f"la pasada inicial ({kind})", r["seen"], {201}, r["sample_error"])
        for n in range(args.runs):
            result = {}
            order = kinds if n % 2 == 0 else kinds[::-1]
            for kind in order:
                for attempt in range(1, MAX_ATTEMPTS + 1):
                    if args.wait_idle:
                        wait_for_quiet(args.wait_idle)
                    r = run_phase(
                        kind, warmup=args.warmup, duration=args.duration, round_no=n, **common
                    )
                    refuse_errors(f"la ronda {n + 1} ({kind})", r["seen"], {201}, r["sample_error"])
                    extra.append(r["created"] if kind == "cases" else 0)
                    if not args.wait_idle or r["cpu_other"] <= NOISY or attempt == MAX_ATTEMPTS:
                        break
                    args.repeats += 1
                    print(
                        f"  ronda {n + 1} {kind:8}: otros procesos usaron {r['cpu_other']:.0%} "
                        f"de la CPU ({r['strangers']}); se repite"
                    )
                extra[-1] = 0  # the phase kept is counted in its round
                result[kind] = r
                print(
                    f"  ronda {n + 1} {kind:8}: {r['rate']:7.1f} req/s  p50 {r['p50']:6.1f}  "
                    f"p95 {r['p95']:6.1f}  p99 {r['p99']:6.1f} ms  errores {r['errors']}  "
                    f"CPU {r['cpu_busy']:.0%} = gunicorn {r['cpu_server']:.0%} + "
                    f"postgres {r['cpu_postgres']:.0%} + clientes {r['cpu_client']:.0%} + "
                    f"otros {r['cpu_other']:.0%}; CPU ms/solicitud {r['ms_server']:.2f} + "
                    f"{r['ms_postgres']:.2f} + {r['ms_client']:.2f}; "
                    f"{r.get('stmts', 0):.1f} sentencias/solicitud; bloqueo p50 "
                    f"{r.get('hold_p50', math.nan):.2f} p99 {r.get('hold_p99', math.nan):.2f} ms; "
                    f"carga {r['load']:.1f}"
                    + (f"\n    procesos ajenos: {r['strangers']}" if r["strangers"] else "")
                )
            rounds.append(result)
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        _pg_monitor.close()
        shutil.rmtree(var_dir, ignore_errors=True)

    counts = db_counts()
    created = sum(r["cases"]["created"] for r in [warm, *rounds] if "cases" in r) + sum(extra)
    # Every 201 (warm-up included) is one case, one email and one task in the database.
    delta = {k: counts[k] - before[k] for k in counts}
    consistent = delta["cases"] == created == delta["emails"] == delta["tasks"]
    print(
        f"· comprobación: {created} respuestas 201 de casos; en la base "
        f"+{delta['cases']} casos, +{delta['emails']} correos, +{delta['tasks']} tareas "
        f"→ {'coherente' if consistent else 'INCOHERENTE'}"
    )
    if not consistent:
        sys.exit("✗ sin cifras: la base no tiene un caso, un correo y una tarea por cada 201.")
    if args.only:
        return 0
    info = machine()
    info["subcategories"] = str(len(catalog["subcategories"]))
    info["load_before"] = load
    text = report(rounds, args, info, counts, setup)
    print()
    print(text)
    if args.write:
        write_doc(text)
        print(f"\n· escrito en {DOC.relative_to(PROJECT_DIR)}")
    print(f"· total {time.monotonic() - t_all:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
