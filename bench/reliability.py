"""Proof under faults (`make reliability`; method and figures in docs/reliability.md).

What it does, on this machine, with nothing shared with other runs:

1. Creates a throwaway PostgreSQL cluster (`initdb` / `pg_ctl` of PostgreSQL 15, as the
   `postgres` user when run as root) on a free port, and removes it at the end — also when
   the run fails or is interrupted.
2. Starts an SMTP sink (aiosmtpd, in this process) that counts the messages it receives and
   their `Message-ID`s.
3. Starts the platform the production way: `SGU_ENV=production` (every variable of
   .env.example set), gunicorn with `deploy/gunicorn.conf.py` as the systemd unit runs it,
   the task worker (`db_worker --interval 1`) and the scheduler (`run_scheduler`), under the
   same supervisor `make run` uses (`sgu.site.supervisor`, here doing what systemd's
   `Restart=always` does in production).
4. Sends N case registrations (`POST /api/v1/cases`, 3,000 by default) as verified citizens,
   each with its own `Idempotency-Key`, from C client threads; any answer but 201 or a timeout
   is retried with the same key and the same body, until a 201.
5. Meanwhile, as the load progresses, `kill -9`s gunicorn workers (several times), the
   gunicorn master (once), the task worker (twice), the scheduler (once), and restarts
   PostgreSQL once (`pg_ctl restart -m fast`); it measures how long each takes to come back.
6. Waits for the task queue to drain, then makes every open case overdue and runs two
   schedulers at once (`run_scheduler --once` ×2): each case must get exactly one expiry event
   and one email.
7. Prints requests, retries, 201s, cases in the database, duplicates (one key → two cases),
   lost (a 201's code missing from the database), emails recorded vs delivered (distinct
   Message-IDs at the sink), 5xx by code and the recovery times; exits 1 unless lost = 0,
   duplicates = 0, every email delivered, no 500 and the overdue check holds.

Usage: `make reliability` or `.venv/bin/python bench/reliability.py --help`.
"""

from __future__ import annotations

import argparse
import bisect
import collections
import contextlib
import email
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SRC_DIR = PROJECT_DIR / "src"
PG_BIN = Path(os.environ.get("SGU_PG_BIN", "/usr/lib/postgresql/15/bin"))
HOST = "sgu.reliab.test"  # ALLOWED_HOSTS and SITE_URL of the production profile
WEB_WORKERS = 3
OPEN_STATES_SQL = "('FORWARDED', 'IN_PROGRESS')"

# Python puts this script's folder first on sys.path; bench/public.py would then hide the
# installed `public` package that aiosmtpd imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(SRC_DIR))


def _load_intake():
    """bench/intake.py (citizens with tokens, free ports), loaded by its path."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("intake", BENCH_DIR / "intake.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["intake"] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


intake = _load_intake()


def log(message: str) -> None:
    stamp = time.strftime("%H:%M:%S", time.gmtime())
    print(f"[{stamp}] {message}", flush=True)


# --- the throwaway PostgreSQL cluster -----------------------------------------------------------


class Cluster:
    """A PostgreSQL cluster of its own in a temporary directory, on a port of its own."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="sgu-reliab-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"
        self.port = intake.free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses root

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess:
        cmd = [str(PG_BIN / argv[0]), *argv[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True)

    def create(self) -> None:
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-w",
            "-o",
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200",
            "start",
        )

    def restart(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.start()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        if self.data.exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)


# --- the SMTP sink ------------------------------------------------------------------------------


class Sink:
    """Counts every message received and its Message-ID."""

    def __init__(self) -> None:
        self.messages = 0
        self.ids: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            self.messages += 1
            self.ids[(message.get("Message-ID") or "").strip()] += 1
        return "250 OK"


# --- the platform, supervised -------------------------------------------------------------------


def supervised_children(port: int, log_dir: Path):
    from sgu.site.supervisor import Child

    class LoggedChild(Child):
        """A supervised child whose output goes to a file (not this terminal)."""

        def start(self) -> None:
            out = open(log_dir / f"{self.name}.log", "ab")  # noqa: SIM115 (the child keeps it)
            self.process = subprocess.Popen(
                self.argv, process_group=0, stdout=out, stderr=subprocess.STDOUT, cwd=PROJECT_DIR
            )
            out.close()
            self.started_at = time.monotonic()
            self.history.append(self.process.pid)

    manage = [sys.executable, str(PROJECT_DIR / "manage.py")]
    return {
        "web": LoggedChild(
            "gunicorn", [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
        ),
        # As deploy/systemd/sgu-worker.service and sgu-scheduler.service run them (a shorter
        # scheduler interval, so that its death is noticed within the run).
        "worker": LoggedChild("worker", [*manage, "db_worker", "--interval", "1"]),
        "scheduler": LoggedChild("scheduler", [*manage, "run_scheduler", "--interval", "5"]),
    }


class Platform:
    def __init__(self, port: int, log_dir: Path) -> None:
        from sgu.site.supervisor import Supervisor

        self.port = port
        self.children = supervised_children(port, log_dir)
        self.restarts_said: list[str] = []
        self.supervisor = Supervisor(
            list(self.children.values()), write=lambda m: self.restarts_said.append(m)
        )
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.is_set():
            self.supervisor.check()
            time.sleep(0.2)

    def start(self) -> None:
        self.supervisor.start()
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.supervisor.stop()

    def pid(self, name: str) -> int | None:
        child = self.children[name]
        return child.process.pid if child.process is not None else None

    def web_workers(self) -> list[int]:
        master = self.pid("web")
        if master is None:
            return []
        try:
            text = Path(f"/proc/{master}/task/{master}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in text.split()]

    def retire(self, name: str) -> None:
        """Stop one child for good (the supervisor no longer restarts it)."""
        child = self.children[name]
        self.supervisor.children.remove(child)
        child.signal_group(signal.SIGTERM)
        if child.process is not None:
            child.process.wait(timeout=30)


def request(port: int, method: str, path: str, body: bytes | None = None, headers=None, timeout=15):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(
            method,
            path,
            body=body,
            headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})},
        )
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def wait_http_ok(port: int, path: str, limit: float) -> float | None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit:
        with contextlib.suppress(OSError, http.client.HTTPException):
            if request(port, "GET", path, timeout=3)[0] == 200:
                return time.monotonic() - t0
        time.sleep(0.1)
    return None


# --- the load -----------------------------------------------------------------------------------


class Load:
    def __init__(self, port: int, tokens: list[str], catalog: dict, total: int, seed: int):
        self.port = port
        self.tokens = tokens
        self.catalog = catalog
        self.total = total
        self.rng = random.Random(seed)
        self.next = 0  # the next registration's number
        self.faults_done = threading.Event()  # until then, more than `total` if need be
        self.lock = threading.Lock()
        self.requests = 0
        self.statuses: collections.Counter[int] = collections.Counter()
        self.failures: collections.Counter[str] = collections.Counter()  # no HTTP answer
        self.acknowledged: dict[str, str] = {}  # key → code of its 201
        self.times_201: list[float] = []  # monotonic, in order
        self.samples: dict[int, str] = {}
        self.gave_up: list[str] = []

    @property
    def done(self) -> int:
        return len(self.acknowledged)

    def body(self, i: int, key: str) -> bytes:
        with self.lock:
            data = intake.case_body(self.catalog, self.rng)
        # The key in the description: a case written twice for one key is found in the database.
        data["description"] = f"{data['description']} (ref. {key})"
        return json.dumps(data).encode()

    def client(self, stop: threading.Event) -> None:
        while not stop.is_set():
            with self.lock:
                if self.next >= self.total and self.faults_done.is_set():
                    return
                i = self.next
                self.next += 1
            key = str(uuid.uuid4())
            body = self.body(i, key)
            headers = {
                "Content-Type": "application/json",
                "Authorization": f"Bearer {self.tokens[i % len(self.tokens)]}",
                "Idempotency-Key": key,
            }
            pause = 0.2
            for _attempt in range(400):
                try:
                    status, data = request(self.port, "POST", "/api/v1/cases", body, headers)
                except (OSError, http.client.HTTPException) as exc:
                    status, data = 0, repr(exc).encode()
                with self.lock:
                    self.requests += 1
                    if status:
                        self.statuses[status] += 1
                    else:
                        self.failures[type_of(data)] += 1
                    if status != 201 and status not in self.samples:
                        self.samples[status] = data[:300].decode(errors="replace")
                if status == 201:
                    code = json.loads(data)["code"]
                    with self.lock:
                        self.acknowledged[key] = code
                        self.times_201.append(time.monotonic())
                    break
                if 400 <= status < 500 and status not in (408, 409, 429):
                    with self.lock:
                        self.gave_up.append(f"{status} {data[:200].decode(errors='replace')}")
                    break
                time.sleep(pause)
                pause = min(pause * 1.5, 2.0)


def type_of(data: bytes) -> str:
    text = data.decode(errors="replace")
    return text.split("(", 1)[0] or "error"


# --- faults and recovery ------------------------------------------------------------------------


class Faults:
    """Each fault when the load reaches its share of the cases; recovery measured after it."""

    PLAN = [
        (0.06, "web-worker"),
        (0.14, "task-worker"),
        (0.22, "web-worker"),
        (0.30, "scheduler"),
        (0.38, "web-worker"),
        (0.48, "web-master"),
        (0.60, "postgres"),
        (0.72, "web-worker"),
        (0.82, "task-worker"),
        (0.90, "web-worker"),
    ]

    def __init__(self, platform_: Platform, cluster: Cluster, load: Load, db_url: str):
        self.platform = platform_
        self.cluster = cluster
        self.load = load
        self.db_url = db_url
        self.rows: list[dict] = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        try:
            for share, fault in self.PLAN:
                while self.load.done < share * self.load.total:
                    time.sleep(0.1)
                at = self.load.done
                try:
                    row = getattr(self, fault.replace("-", "_"))()
                except subprocess.CalledProcessError as exc:
                    row = {"error": f"{exc.cmd}: {exc.stderr}"}
                except Exception as exc:  # the report says what went wrong
                    row = {"error": repr(exc)}
                load_avg = round(os.getloadavg()[0], 1)
                row = {"fault": fault, "at_cases": at, "load_avg": load_avg, **row}
                self.rows.append(row)
                log(f"falla {fault}: {row}")
        finally:
            # The load goes on (past its count if need be) until every fault has been measured.
            self.load.faults_done.set()

    def _next_201(self, t0: float, limit: float = 300) -> float | None:
        """Seconds from the fault to the first 201 answered after it."""
        while time.monotonic() - t0 < limit:
            with self.load.lock:
                i = bisect.bisect_right(self.load.times_201, t0)
                if i < len(self.load.times_201):
                    return self.load.times_201[i] - t0
            time.sleep(0.05)
        return None

    def web_worker(self) -> dict:
        workers = self.platform.web_workers()
        victim = random.choice(workers)
        t0 = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        back = None
        while time.monotonic() - t0 < 60:
            now = self.platform.web_workers()
            if victim not in now and len(now) >= WEB_WORKERS:
                back = time.monotonic() - t0
                break
            time.sleep(0.05)
        return {"pid": victim, "process_back_s": back, "next_201_s": self._next_201(t0)}

    def web_master(self) -> dict:
        master = self.platform.pid("web")
        t0 = time.monotonic()
        os.kill(master, signal.SIGKILL)
        back = None
        while time.monotonic() - t0 < 300:
            pid = self.platform.pid("web")
            if (
                pid not in (None, master)
                and len(self.platform.web_workers()) >= WEB_WORKERS
                and wait_http_ok(self.platform.port, "/healthz", 1) is not None
            ):
                back = time.monotonic() - t0
                break
            time.sleep(0.05)
        return {"pid": master, "process_back_s": back, "next_201_s": self._next_201(t0)}

    def _background(self, name: str, kind: str) -> dict:
        import psycopg

        old = self.platform.pid(name)
        t0 = time.monotonic()
        os.kill(old, signal.SIGKILL)
        back = None
        while time.monotonic() - t0 < 300:
            pid = self.platform.pid(name)
            if pid not in (None, old):
                with (
                    contextlib.suppress(psycopg.Error),
                    psycopg.connect(
                        self.db_url.replace("postgres://", "postgresql://"), connect_timeout=3
                    ) as conn,
                ):
                    row = conn.execute(
                        "SELECT 1 FROM core_processheartbeat WHERE kind = %s AND pid = %s",
                        (kind, pid),
                    ).fetchone()
                    if row:
                        back = time.monotonic() - t0
                        break
            time.sleep(0.1)
        return {"pid": old, "process_back_s": back, "next_201_s": self._next_201(t0)}

    def task_worker(self) -> dict:
        return self._background("worker", "worker")

    def scheduler(self) -> dict:
        return self._background("scheduler", "scheduler")

    def postgres(self) -> dict:
        t0 = time.monotonic()
        self.cluster.restart()
        up = time.monotonic()
        # From the restart's start to the first 201 after the database is back (a request
        # answered while it was stopping proves nothing).
        first = self._next_201(up)
        return {
            "database_down_s": up - t0,
            "next_201_s": None if first is None else up - t0 + first,
        }


# --- the database, read directly (psycopg) -------------------------------------------------------


def query(db_url: str, sql: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(db_url.replace("postgres://", "postgresql://")) as conn:
        return conn.execute(sql, params).fetchall()


def queue_state(db_url: str) -> dict:
    tasks = dict(
        query(
            db_url,
            "SELECT status, count(*) FROM django_tasks_database_dbtaskresult GROUP BY status",
        )
    )
    unsent = query(db_url, "SELECT count(*) FROM notifications_outboundemail WHERE sent_at IS NULL")
    return {"tasks": tasks, "unsent_emails": unsent[0][0]}


def wait_for_drain(db_url: str, limit: float) -> tuple[bool, float, dict]:
    t0 = time.monotonic()
    state: dict = {}
    while time.monotonic() - t0 < limit:
        with contextlib.suppress(Exception):
            state = queue_state(db_url)
            pending = state["tasks"].get("READY", 0) + state["tasks"].get("RUNNING", 0)
            if not pending and not state["unsent_emails"]:
                return True, time.monotonic() - t0, state
        time.sleep(1)
    return False, time.monotonic() - t0, state


def emails_recorded(db_url: str, domain: str) -> dict[int, str]:
    """Message-ID of every recorded email (as notifications.models.OutboundEmail says it)."""
    rows = query(
        db_url,
        "SELECT id, floor(extract(epoch FROM created_at))::bigint FROM notifications_outboundemail",
    )
    return {pk: f"<sgu.{pk}.{ts}@{domain}>" for pk, ts in rows}


# --- two schedulers at once ---------------------------------------------------------------------


def two_schedulers(db_url: str, env: dict) -> dict:
    """Every open case overdue, then two schedulers at once: one event and one email each."""
    ids = [
        r[0]
        for r in query(
            db_url,
            f"UPDATE cases_case SET due_at = now() - interval '1 day' "
            f"WHERE state IN {OPEN_STATES_SQL} RETURNING id",
        )
    ]
    codes = dict(query(db_url, "SELECT id, code FROM cases_case WHERE id = ANY(%s)", (ids,)))
    manage = [sys.executable, str(PROJECT_DIR / "manage.py"), "run_scheduler", "--once"]
    t0 = time.monotonic()
    procs = [
        subprocess.Popen(manage, env=env, cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        said = [p.communicate(timeout=600)[0].strip() for p in procs]
    finally:
        for p in procs:  # interrupted: no scheduler outlives the run
            if p.poll() is None:
                p.kill()
    took = time.monotonic() - t0
    events = dict(
        query(
            db_url,
            "SELECT case_id, count(*) FROM cases_caseevent "
            "WHERE kind = 'EXPIRE' AND case_id = ANY(%s) GROUP BY case_id",
            (ids,),
        )
    )
    mails = dict(
        query(
            db_url,
            "SELECT case_code, count(*) FROM notifications_outboundemail "
            "WHERE template = 'case_overdue' GROUP BY case_code",
        )
    )
    wrong_events = sum(1 for i in ids if events.get(i, 0) != 1)
    wrong_mails = sum(1 for i in ids if mails.get(codes[i], 0) != 1)
    return {
        "cases": len(ids),
        "seconds": took,
        "said": said,
        "cases_without_exactly_one_event": wrong_events,
        "cases_without_exactly_one_email": wrong_mails,
        "ok": bool(ids) and wrong_events == 0 and wrong_mails == 0,
    }


# --- report -------------------------------------------------------------------------------------


def machine() -> str:
    cpu = ""
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as fh:
        mem = int(fh.readline().split()[1]) / 1024 / 1024
    return (
        f"{os.cpu_count()} núcleos ({cpu}), {mem:.1f} GiB, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )


def fmt(value) -> str:
    return "—" if value is None else f"{value:.1f} s"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3000, help="registros a enviar (3000)")
    parser.add_argument("--clients", type=int, default=6, help="clientes concurrentes (6)")
    parser.add_argument("--citizens", type=int, default=300, help="ciudadanos con token (300)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep-logs", action="store_true", help="no borrar los registros")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = datetime.now(UTC)
    cluster = Cluster()
    work = Path(tempfile.mkdtemp(prefix="sgu-reliab-"))
    platform_: Platform | None = None
    controller = None
    try:
        log(f"PostgreSQL 15 de la corrida en 127.0.0.1:{cluster.port} ({cluster.root})")
        cluster.create()
        db_url = cluster.url("sgu_reliab")
        query(cluster.url("postgres"), "SELECT 1")
        import psycopg

        with psycopg.connect(
            cluster.url("postgres").replace("postgres://", "postgresql://"), autocommit=True
        ) as conn:
            conn.execute("CREATE DATABASE sgu_reliab")

        from aiosmtpd.controller import Controller

        sink = Sink()
        smtp_port = intake.free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        log(f"SMTP de la corrida en 127.0.0.1:{smtp_port}")

        port = intake.free_port()
        domain = "sgu.reliab.test"
        env = {
            **os.environ,
            # The production profile, every variable of .env.example that it checks.
            "SGU_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "false",
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"https://{HOST}",
            "DATABASE_URL": db_url,
            "DATABASE_POOL_MAX_SIZE": "2",
            "DATABASE_POOL_MIN_SIZE": "1",
            "DATABASE_POOL_TIMEOUT": "10",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            "EMAIL_USE_TLS": "false",
            "DEFAULT_FROM_EMAIL": f"SGU <no-responder@{domain}>",
            "SGU_VAR_DIR": str(work / "var"),
            "MEDIA_ROOT": str(work / "var" / "media"),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": "",
            "DJANGO_SETTINGS_MODULE": "sgu.settings",
            "PYTHONPATH": str(SRC_DIR),
            "WEB_CONCURRENCY": str(WEB_WORKERS),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            **intake.rate_limit_env(),
        }
        env.pop("EMAIL_BACKEND", None)
        os.environ.clear()
        os.environ.update(env)

        log(f"migrando y creando {args.citizens} ciudadanos con token…")
        tokens, _ = intake.prepare_data(args.citizens)

        platform_ = Platform(port, work)
        platform_.start()
        if wait_http_ok(port, "/api/v1/catalog/operators", 600) is None:
            raise SystemExit("la plataforma no respondió en 10 min")
        catalog = {
            "operators": [
                o["code"] for o in json.loads(request(port, "GET", "/api/v1/catalog/operators")[1])
            ],
            "subcategories": json.loads(
                request(port, "GET", "/api/v1/catalog/subcategories?service=MOVIL")[1]
            ),
        }
        log(
            f"plataforma en 127.0.0.1:{port}: gunicorn {platform_.pid('web')} con "
            f"{len(platform_.web_workers())} workers, worker {platform_.pid('worker')}, "
            f"planificador {platform_.pid('scheduler')}"
        )

        load = Load(port, tokens, catalog, args.cases, args.seed)
        faults = Faults(platform_, cluster, load, db_url)
        stop = threading.Event()
        clients = [
            threading.Thread(target=load.client, args=(stop,), daemon=True)
            for _ in range(args.clients)
        ]
        t_load = time.monotonic()
        for c in clients:
            c.start()
        faults.thread.start()
        while any(c.is_alive() for c in clients):
            time.sleep(5)
            log(f"{load.done}/{args.cases} casos confirmados, {load.requests} solicitudes")
        load_s = time.monotonic() - t_load
        faults.thread.join(timeout=180)
        log(f"carga terminada en {load_s:.0f} s; esperando que la cola se vacíe…")

        drained, drain_s, state = wait_for_drain(db_url, 1800)
        log(f"cola vacía: {drained} en {drain_s:.0f} s ({state})")

        # Two schedulers at once, without the supervised one (the two are the only ones).
        platform_.retire("scheduler")
        overdue = two_schedulers(db_url, env)
        log(f"dos planificadores: {overdue}")
        drained2, drain2_s, state2 = wait_for_drain(db_url, 1800)
        time.sleep(2)  # the last SMTP transaction's DATA reaches the sink's handler

        # --- the figures ---
        cases_db = query(db_url, "SELECT code, description FROM cases_case")
        codes_db = {c for c, _ in cases_db}
        per_key: collections.Counter[str] = collections.Counter()
        for _, description in cases_db:
            if "(ref. " in description:
                per_key[description.rsplit("(ref. ", 1)[1].rstrip(")")] += 1
        duplicates = sum(n - 1 for n in per_key.values() if n > 1)
        lost = sorted(code for code in load.acknowledged.values() if code not in codes_db)
        recorded = emails_recorded(db_url, domain)
        delivered = set(sink.ids)
        undelivered = sorted(pk for pk, mid in recorded.items() if mid not in delivered)
        redelivered = sum(n - 1 for n in sink.ids.values() if n > 1)
        fivexx = {s: n for s, n in sorted(load.statuses.items()) if s >= 500}
        figures = {
            "fecha": started.strftime("%Y-%m-%d %H:%M UTC"),
            "máquina": machine(),
            "comando": "make reliability"
            + (f" ({' '.join(argv or sys.argv[1:])})" if (argv or sys.argv[1:]) else ""),
            "casos pedidos (mínimo)": args.cases,
            "registros enviados (una clave cada uno)": load.next,
            "clientes": args.clients,
            "duración de la carga": f"{load_s:.0f} s",
            "solicitudes": load.requests,
            "reintentos": load.requests - len(load.acknowledged) - len(load.gave_up),
            "201": load.statuses.get(201, 0),
            "claves confirmadas": len(load.acknowledged),
            "abandonadas (4xx)": len(load.gave_up),
            "casos en la base": len(codes_db),
            "duplicados": duplicates,
            "perdidos": len(lost),
            "correos registrados": len(recorded),
            "correos entregados (Message-ID distintos)": len(delivered & set(recorded.values())),
            "correos sin entregar": len(undelivered),
            "entregas repetidas (mismo Message-ID)": redelivered,
            "respuestas por código": dict(sorted(load.statuses.items())),
            "5xx por código": fivexx,
            "sin respuesta HTTP": dict(load.failures),
            "cola vacía tras la carga": f"{drained} en {drain_s:.0f} s",
            "cola vacía tras los planificadores": f"{drained2} en {drain2_s:.0f} s ({state2})",
            "reinicios del supervisor": platform_.restarts_said,
            "dos planificadores": overdue,
        }
        print("\n=== Resultado ===")
        for k, v in figures.items():
            print(f"{k}: {v}")
        print("\nfallas y recuperación:")
        print("| falla | en el caso | carga de la máquina | proceso de vuelta | siguiente 201 |")
        print("|---|---:|---:|---:|---:|")
        for row in faults.rows:
            back = row.get("process_back_s", row.get("database_down_s"))
            print(
                f"| {row['fault']} | {row.get('at_cases')} | {row.get('load_avg')} | {fmt(back)} | "
                f"{fmt(row.get('next_201_s'))} |" + (f" {row['error']}" if "error" in row else "")
            )
        for status, sample in sorted(load.samples.items()):
            print(f"ejemplo {status}: {sample}")
        for line in load.gave_up[:5]:
            print(f"abandonada: {line}")
        if args.keep_logs:
            print(f"registros: {work}")
        (work / "result.json").write_text(
            json.dumps({"figures": figures, "faults": faults.rows}, default=str, indent=1)
        )
        problems = []
        if lost:
            problems.append(
                f"{len(lost)} casos confirmados con 201 no están en la base: {lost[:5]}"
            )
        if duplicates:
            problems.append(f"{duplicates} duplicados")
        if undelivered:
            problems.append(f"{len(undelivered)} correos sin entregar")
        if load.statuses.get(500):
            problems.append(f"{load.statuses[500]} respuestas 500")
        if len(load.acknowledged) < max(args.cases, load.next) or load.gave_up:
            problems.append(f"solo {len(load.acknowledged)} de {load.next} registros confirmados")
        if not overdue["ok"]:
            problems.append("dos planificadores: no exactamente un evento y un correo por caso")
        if len(faults.rows) < len(Faults.PLAN) or any(
            "error" in r or r.get("next_201_s") is None for r in faults.rows
        ):
            problems.append("una falla no se aplicó o la plataforma no se recuperó")
        if not drained or not drained2:
            problems.append("la cola no se vació")
        print()
        for p in problems:
            print(f"✗ {p}")
        if not problems:
            print("✓ ningún caso perdido ni duplicado, todos los correos entregados, ningún 500")
        return 1 if problems else 0
    finally:
        if platform_ is not None:
            platform_.stop()
        if controller is not None:
            with contextlib.suppress(Exception):
                controller.stop()
        cluster.remove()
        if not args.keep_logs:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
