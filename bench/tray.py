"""Tray benchmark: the regulator's tracking tray (and the operator's) over the 10-million-case
database that `bench/generate.py` builds.

What it does (see docs/benchmarks.md, "Bandeja a 10 millones"):

1. Against an existing database (`sgu_bench10m` by default; it is never recreated), creates
   20 regulator agents and one agent per operator if missing, and a signed-in, second-factor
   verified web session for each (setup, not timed). Reads a sample of real codes, lines,
   documents, subcategories, offices and dates to build the filters from.
2. Starts gunicorn (2 workers, gthread) on a free localhost port with the real SGU
   application.
3. With U concurrent users (threads, each with its own keep-alive HTTP connection and its
   own session), each user loops: picks a realistic filter mix (none, operator, state,
   overdue, subcategory, date range, code/line/document, channel and office, combinations,
   "vence primero"), requests it, and with some probability follows the "Ver más casos"
   keyset cursor of the answer; then thinks (exponential, mean --think seconds; 0 = no
   pause, the saturation throughput). Phases: the HTMX fragment (`HX-Request: true`, what
   the page fetches when filtering or paging), the full page `/regulador/bandeja/`, and the
   operator tray fragment `/operadora/bandeja/`. Anything but 200 is an error.
4. Prints p50/p95/p99, throughput, errors and the slowest filter kinds per phase, the load
   average before and after, CPU shares; `--write` puts it into docs/benchmarks.md.

Usage: `.venv/bin/python bench/tray.py [--users 20] [--think 1.0] [--duration 30]`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import intake  # noqa: E402 - the same gunicorn, CPU accounting and percentiles

DOC = intake.DOC
BEGIN, END = "<!-- tray10m:begin -->", "<!-- tray10m:end -->"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sgu_bench10m"
TARGETS = {"fragment": 50.0, "page": 100.0, "operator": 50.0}
STATES = ["FORWARDED", "IN_PROGRESS", "OVERDUE", "ANSWERED", "RETURNED", "CLAIM_REQUESTED"]
CURSOR_RE = re.compile(
    r'hx-get="[^"]*[?&]amp;cursor=([A-Za-z0-9_\-]+)|[?&]cursor=([A-Za-z0-9_\-]+)'
)


# --- setup ----------------------------------------------------------------------------------------


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "sgu.settings"
    os.environ.setdefault("EMAIL_HOST", "")
    sys.path.insert(0, str(intake.SRC_DIR))
    import django

    django.setup()


def session_for(user) -> str:
    """A signed-in web session of `user`, second factor verified (as after the TOTP page)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from sgu.accounts.middleware import SESSION_KEY as SECOND_FACTOR
    from sgu.accounts.middleware import VERIFIED

    s = import_module(settings.SESSION_ENGINE).SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s[SECOND_FACTOR] = VERIFIED
    s["sgu_seen"] = int(time.time())
    s.create()
    return s.session_key


def bench_user(email: str, role: str, **extra):
    from sgu.accounts.models import User

    user, _ = User.objects.get_or_create(
        email=email, defaults={"username": email, "role": role, "password": "!", **extra}
    )
    return user


def sessions(n_regulator: int) -> tuple[list[str], dict[str, list[str]]]:
    """Session keys of n regulator agents and of one agent per operator (created if missing)."""
    from sgu.accounts.models import Role
    from sgu.catalog.models import Operator

    regulators = [
        session_for(
            bench_user(
                f"bandeja.{i}@bench.sgu.pe",
                Role.REGULATOR_AGENT,
                first_name="Orientador",
                last_name=f"Bandeja {i}",
            )
        )
        for i in range(n_regulator)
    ]
    operators: dict[str, list[str]] = {}
    for op in Operator.objects.filter(active=True):
        user = bench_user(f"bandeja.{op.code.lower()}@bench.sgu.pe", Role.OPERATOR_AGENT,
                          operator=op, first_name="Agente", last_name=op.code)  # fmt: skip
        operators[op.code] = [session_for(user) for _ in range(5)]
    return regulators, operators


def sample(seed: int) -> dict:
    """Real values to filter by: codes, lines, documents, dates, catalog codes."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT max(id) FROM cases_case")
        top = cur.fetchone()[0]
        rng = random.Random(seed)
        ids = [rng.randint(1, top) for _ in range(400)]
        cur.execute(
            "SELECT c.code, c.service_number, u.document_number FROM cases_case c "
            "JOIN accounts_user u ON u.id = c.citizen_id WHERE c.id = ANY(%s)",
            [ids],
        )
        rows = cur.fetchall()
        cur.execute("SELECT min(registered_at), max(registered_at) FROM cases_case")
        first, last = cur.fetchone()
        cur.execute("SELECT code FROM catalog_operator WHERE active")
        operators = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT code FROM catalog_subcategory")
        subcategories = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT code FROM catalog_office")
        offices = [r[0] for r in cur.fetchall()]
    connection.close()
    return {
        "codes": [r[0] for r in rows],
        "lines": [r[1] for r in rows],
        "documents": [r[2] for r in rows],
        "first": first.date(),
        "last": last.date(),
        "operators": operators,
        "subcategories": subcategories,
        "offices": offices,
    }


# --- the filter mix -------------------------------------------------------------------------------


def regulator_filters(rng: random.Random, s: dict) -> tuple[str, dict]:
    """(kind, GET parameters) as regulator staff use the tray."""
    x = rng.random()
    op = rng.choice(s["operators"])
    if x < 0.15:
        return "sin filtro", {}
    if x < 0.28:
        return "operadora", {"operator": op}
    if x < 0.38:
        return "estado", {"state": rng.choice(STATES)}
    if x < 0.48:
        p = {"overdue": "si"}
        if rng.random() < 0.5:
            p["operator"] = op
        return "vencidos", p
    if x < 0.58:
        p = {"subcategory": rng.choice(s["subcategories"])}
        if rng.random() < 0.5:
            p["operator"] = op
        return "subcategoría", p
    if x < 0.68:
        span = (s["last"] - s["first"]).days
        start = s["first"] + timedelta(days=rng.randint(0, span - 31))
        p = {
            "registered_from": start.isoformat(),
            "registered_to": (start + timedelta(days=rng.choice([1, 7, 30]))).isoformat(),
        }
        if rng.random() < 0.5:
            p["operator"] = op
        return "rango de fechas", p
    if x < 0.80:
        which = rng.random()
        key = "codes" if which < 0.4 else ("lines" if which < 0.7 else "documents")
        return "texto (código/línea/documento)", {"q": rng.choice(s[key])}
    if x < 0.86:
        return "canal y oficina", {
            "channel": rng.choice(["PRESENCIAL", "TELEFONICO"]),
            "office": rng.choice(s["offices"]),
        }
    if x < 0.94:
        return "operadora+estado+subcategoría", {
            "operator": op,
            "state": rng.choice(["OVERDUE", "CLOSED", "RATED", "IN_PROGRESS"]),
            "subcategory": rng.choice(s["subcategories"]),
        }
    p = {"sort": "vence"}
    if rng.random() < 0.5:
        p["operator"] = op
    return "vencen primero", p


def operator_filters(rng: random.Random, s: dict) -> tuple[str, dict]:
    x = rng.random()
    if x < 0.35:
        return "sin filtro", {}
    if x < 0.55:
        return "estado", {"state": rng.choice(["FORWARDED", "IN_PROGRESS", "OVERDUE", "ANSWERED"])}
    if x < 0.75:
        return "vencidos", {"overdue": "si"}
    return "subcategoría", {"subcategory": rng.choice(s["subcategories"])}


# --- query plans ---------------------------------------------------------------------------------


def explain(s: dict, seed: int) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the tray's page query for one example of each filter kind
    (the same queryset the view pages with keyset_page)."""
    from django.db import connection

    from sgu.cases import staff_tray
    from sgu.core.pagination import keyset_page

    rng = random.Random(seed)
    seen: dict[str, dict] = {}
    while len(seen) < 10:
        kind, params = regulator_filters(rng, s)
        seen.setdefault(kind, params)
    for kind, params in seen.items():
        filters, ordering, _ = staff_tray.parse(params)
        qs = staff_tray.tray(filters, ordering)
        _, cursor = keyset_page(qs, ordering, None, 25)
        for label, cur in (("primera página", None), ("página siguiente", cursor)):
            if label == "página siguiente" and not cursor:
                continue
            with connection.execute_wrapper(_capture):
                _CAPTURED.clear()
                t = time.perf_counter()
                keyset_page(staff_tray.tray(filters, ordering), ordering, cur, 25)
                dt = (time.perf_counter() - t) * 1000
            print(f"\n=== {kind} · {label} · {params} · {dt:.1f} ms, {len(_CAPTURED)} consultas")
            sql, sql_params = _CAPTURED[-1]
            with connection.cursor() as c:
                c.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, sql_params)
                for (line,) in c.fetchall():
                    print("   ", line)


_CAPTURED: list = []


def _capture(execute, sql, params, many, context):
    _CAPTURED.append((sql, params))
    return execute(sql, params, many, context)


# --- load -----------------------------------------------------------------------------------------


def run_user(port, path, cookie, htmx, pick, s, seed, think, start, end, out, follow=0.35):
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Cookie": f"sessionid={cookie}"}
    if htmx:
        headers["HX-Request"] = "true"
    next_cursor = None
    kind, params = pick(rng, s)
    while time.monotonic() < end:
        if next_cursor and rng.random() < follow:
            query = {**params, "cursor": next_cursor}
            label = kind + " · página siguiente"
        else:
            kind, params = pick(rng, s)
            query, label = params, kind
        url = path + ("?" + urlencode(query) if query else "")
        for _attempt in (1, 2):
            t0 = time.monotonic()
            try:
                conn.request("GET", url, headers=headers)
                resp = conn.getresponse()
                body = resp.read()
                status = resp.status
                break
            except (OSError, http.client.HTTPException):
                # gunicorn closes a keep-alive connection idle for more than 2 s (a user who
                # thought longer): open a new one and ask again, as a browser does.
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                body, status = b"", 599
        t1 = time.monotonic()
        # Warm-up answers too (measured=False): a phase with an error anywhere gives no figure.
        out.append((label, t1 - t0, status, url, t0 >= start))
        m = CURSOR_RE.search(body.decode("utf-8", "replace")) if status == 200 else None
        next_cursor = (m.group(1) or m.group(2)) if m else None
        if think:
            time.sleep(min(rng.expovariate(1 / think), 10 * think))
    conn.close()


def run_phase(name, port, server_pid, cookies, args, s) -> dict:
    path = "/operadora/bandeja/" if name == "operator" else "/regulador/bandeja/"
    pick = operator_filters if name == "operator" else regulator_filters
    htmx = name != "page"
    out: list = []
    now = time.monotonic()
    start, end = now + args.warmup, now + args.warmup + args.duration
    threads = [
        threading.Thread(
            target=run_user,
            args=(
                port,
                path,
                cookies[i % len(cookies)],
                htmx,
                pick,
                s,
                args.seed + i,
                args.think,
                start,
                end,
                out,
            ),
        )
        for i in range(args.users)
    ]
    load_before = os.getloadavg()
    for t in threads:
        t.start()
    time.sleep(max(0.0, start - time.monotonic()))
    a = intake.cpu_snapshot(server_pid)
    b = intake.watch_until(end, server_pid)
    for t in threads:
        t.join()
    window = b["total"] - a["total"]
    ours = {*b["server"], *b["postgres"], os.getpid()}
    statuses: dict[int, int] = {}
    for x in out:
        statuses[x[2]] = statuses.get(x[2], 0) + 1
    errors = [x for x in out if x[2] != 200]
    out = [x for x in out if x[4]]  # the measured window
    lat = sorted(x[1] for x in out)
    by_kind: dict[str, list[float]] = {}
    for label, dt, _status, _url, _measured in out:
        by_kind.setdefault(label, []).append(dt)
    return {
        "statuses": statuses,
        "phase": name,
        "n": len(out),
        "rate": len(out) / args.duration,
        "p50": intake.pct(lat, 50),
        "p95": intake.pct(lat, 95),
        "p99": intake.pct(lat, 99),
        "max": lat[-1] * 1000 if lat else float("nan"),
        "errors": len(errors),
        "error_sample": [(e[2], e[3]) for e in errors[:3]],
        "kinds": {
            k: (len(v), intake.pct(sorted(v), 50), intake.pct(sorted(v), 95))
            for k, v in sorted(by_kind.items())
        },
        "cpu_busy": (b["busy"] - a["busy"]) / window if window else 0.0,
        "cpu_server": intake.cpu_delta(a, b, "server") / window if window else 0.0,
        "cpu_postgres": intake.cpu_delta(a, b, "postgres") / window if window else 0.0,
        # CPU time per request: what a request costs, whatever else runs on the machine.
        "ms_server": 1000 * intake.cpu_delta(a, b, "server") / max(1, len(out)),
        "ms_postgres": 1000 * intake.cpu_delta(a, b, "postgres") / max(1, len(out)),
        "strangers": intake.strangers(a, b, ours),
        "load_before": load_before,
        "load_after": os.getloadavg(),
    }


# --- report ---------------------------------------------------------------------------------------

LABEL = {
    "fragment": "Fragmento HTMX de la bandeja del regulador",
    "page": "Página completa `/regulador/bandeja/`",
    "operator": "Fragmento HTMX de la bandeja de la operadora",
}


def _ms(v: float) -> str:
    return f"{v:,.0f}".replace(",", " ") if v >= 100 else f"{v:.1f}"


def report(results: list[dict], args, info: dict, data: dict, started: str) -> str:
    w = "sin pausa (saturación)" if not args.think else f"pausa media {args.think:g} s"
    lines = [
        f"Medido el {started} UTC con `.venv/bin/python bench/tray.py --users {args.users} "
        f"--think {args.think:g} --duration {args.duration:g}` sobre `{args.db_name}` "
        f"({data.get('cases', 0):,} casos, {data.get('size', '?')}).".replace(",", " "),
        "",
        f"- {args.users} usuarios concurrentes ({w} entre solicitudes), cada uno con su sesión "
        "iniciada y verificada; gunicorn 2 workers gthread × "
        f"{args.threads} hilos; la mezcla de filtros y la página siguiente (cursor) como se "
        "describe arriba.",
        f"- Máquina: {info['cpu']}, {info['ram']} de RAM; clientes, gunicorn y PostgreSQL en la "
        f"misma máquina. PostgreSQL {info['postgres']}, Django {info['django']}, "
        f"Python {info['python']}.",
        "",
        "| fase | objetivo p95 | solicitudes | req/s | p50 ms | p95 ms | p99 ms | máx ms | "
        "errores | CPU de la máquina | CPU gunicorn / PostgreSQL | CPU ms por solicitud "
        "(gunicorn + PostgreSQL) | carga (1 min) antes → después |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        ok = "✅" if r["p95"] <= TARGETS[r["phase"]] else "❌"
        lines.append(
            f"| {LABEL[r['phase']]} | ≤ {TARGETS[r['phase']]:.0f} ms {ok} | {r['n']} | "
            f"{r['rate']:.1f} | {_ms(r['p50'])} | {_ms(r['p95'])} | {_ms(r['p99'])} | "
            f"{_ms(r['max'])} | {r['errors']} | {r['cpu_busy']:.0%} | {r['cpu_server']:.0%} / "
            f"{r['cpu_postgres']:.0%} | {r['ms_server']:.1f} + {r['ms_postgres']:.1f} | "
            f"{r['load_before'][0]:.2f} → {r['load_after'][0]:.2f} |"
        )
    for r in results:
        lines += [
            "",
            f"{LABEL[r['phase']]}, por tipo de filtro (n · p50 ms · p95 ms):",
            "",
            "| filtro | n | p50 ms | p95 ms |",
            "|---|---:|---:|---:|",
        ]
        for k, (n, p50, p95) in sorted(r["kinds"].items(), key=lambda kv: -kv[1][2]):
            lines.append(f"| {k} | {n} | {_ms(p50)} | {_ms(p95)} |")
        if r["strangers"]:
            lines.append(f"\nProcesos ajenos durante la fase: {r['strangers']}.")
    return "\n".join(lines)


def write_doc(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc and END in doc:
        doc = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, doc, flags=re.S)
    else:
        doc += ("\n" if doc else "") + block + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--database-url", default=os.environ.get("SGU_TRAY_DATABASE_URL", DEFAULT_DB))
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--think", type=float, default=1.0, help="pausa media entre solicitudes (s)")
    p.add_argument("--duration", type=float, default=30.0, help="segundos medidos por fase")
    p.add_argument("--warmup", type=float, default=3.0)
    p.add_argument("--threads", type=int, default=4, help="hilos por worker de gunicorn")
    p.add_argument("--phases", default="fragment,page,operator")
    p.add_argument("--port", type=int, default=0, help="puerto de gunicorn (0: uno libre)")
    p.add_argument(
        "--wait-idle", type=float, default=0, help="esperar hasta N s a que baje la carga"
    )
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--write", action="store_true", help="escribir en docs/benchmarks.md")
    p.add_argument("--explain", action="store_true", help="solo los planes de las consultas")
    args = p.parse_args(argv)
    args.db_name = args.database_url.rsplit("/", 1)[1]
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    django_setup(args.database_url)
    import psycopg

    if args.explain:
        explain(sample(args.seed), args.seed)
        return 0
    regulators, operators = sessions(args.users)
    s = sample(args.seed)
    info = intake.machine()
    data: dict = {}
    pg = intake.urlunsplit(intake.urlsplit(args.database_url)._replace(scheme="postgresql"))
    intake._pg_monitor = psycopg.connect(pg, autocommit=True)
    row = intake._pg_monitor.execute(
        "SELECT value FROM bench_generation WHERE key = 'run'"
    ).fetchone()
    if row:
        data = row[0] if isinstance(row[0], dict) else json.loads(row[0])
    var_dir = tempfile.mkdtemp(prefix="sgu-tray-")
    # Rate limits on, set explicitly high: the 20 users all come from 127.0.0.1.
    env = intake.server_env(args.database_url, var_dir)
    port = port_from(args)
    server = start_gunicorn(port, env, args.threads)
    results = []
    try:
        for phase in args.phases.split(","):
            cookies = (
                regulators if phase != "operator" else [c for cs in operators.values() for c in cs]
            )
            if args.wait_idle:
                intake.wait_for_quiet(args.wait_idle)
            print(f"· fase {phase}: {args.users} usuarios, {args.duration:g} s…", flush=True)
            r = run_phase(phase, port, server.pid, cookies, args, s)
            where = "; ".join(f"{st} {url}" for st, url in r["error_sample"])
            intake.refuse_errors(f"la fase {phase}", r["statuses"], {200}, where)
            print(
                f"  {r['n']} solicitudes, {r['rate']:.1f}/s, p50 {r['p50']:.1f} ms, "
                f"p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms, errores {r['errors']} "
                f"{r['error_sample']}; CPU {r['cpu_busy']:.0%} (gunicorn {r['cpu_server']:.0%}, "
                f"PostgreSQL {r['cpu_postgres']:.0%}; por solicitud {r['ms_server']:.1f} + "
                f"{r['ms_postgres']:.1f} ms de CPU); carga {r['load_before'][0]:.2f} → "
                f"{r['load_after'][0]:.2f}",
                flush=True,
            )
            for k, (n, p50, p95) in sorted(r["kinds"].items(), key=lambda kv: -kv[1][2])[:6]:
                print(f"    {k}: n={n} p50={p50:.1f} p95={p95:.1f}")
            results.append(r)
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = report(results, args, info, data, started)
    print(text)
    if args.write:
        write_doc(text)
    return 0


def start_gunicorn(port: int, env: dict, threads: int, worker_class: str = "gthread"):
    """gunicorn with the real SGU (2 workers); waits until a worker answers (up to 2 min: on a
    busy machine a worker takes seconds to import Django)."""
    import subprocess

    cmd = [
        sys.executable, "-m", "gunicorn", "sgu.wsgi:application",
        "--pythonpath", f"{intake.SRC_DIR},{BENCH_DIR}", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--worker-class", worker_class, "--threads", str(threads),
        "--timeout", "900", "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=intake.PROJECT_DIR)
    deadline = time.monotonic() + 120
    ok = 0
    while time.monotonic() < deadline and ok < 4:  # both workers up, most likely
        if proc.poll() is not None:
            sys.exit("gunicorn terminó al arrancar")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            conn.request("GET", "/api/v1/catalog/operators")
            ok += conn.getresponse().status == 200
        except OSError:
            time.sleep(0.5)
    if not ok:
        proc.terminate()
        sys.exit("gunicorn no respondió en 2 minutos")
    return proc


def port_from(args) -> int:
    return args.port or intake.free_port()


if __name__ == "__main__":
    sys.exit(main())
