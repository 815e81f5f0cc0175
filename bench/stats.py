"""Statistics benchmark: the supervisors' dashboard and its downloads over the 10-million-case
database that `bench/generate.py` builds.

What it does (see docs/benchmarks.md, "Estadísticas a 10 millones"):

1. Against an existing database (`sgu_bench10m` by default), creates a supervisor with a
   signed-in, verified web session, and starts gunicorn (2 workers) with the real SGU.
2. Phase "desde los casos": no rollups (RollupState removed), so every figure is a GROUP BY
   over the cases. Times the dashboard for one month and two of its downloads (one request
   at a time, as a supervisor does; once each, they are slow).
3. Builds the rollups (`sgu.reporting.rollups.refresh(full=True)`, what the nightly task
   does) and times it; touches K cases spread over the last weeks (as a day of answers and
   ratings would) and times the incremental refresh the scheduler's task does every 5 minutes.
4. Phase "con rollups": the dashboard and the CSV and XLSX download of every breakdown (R
   times each; median and maximum), after touching K more cases without refreshing (they show
   at the next refresh; today and "overdue now" are always read from the cases).
5. Prints a Markdown table; `--write` puts it into docs/benchmarks.md.

Usage: `.venv/bin/python bench/stats.py [--month 2026-10] [--runs 3] [--skip-live]`.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import intake  # noqa: E402
import tray  # noqa: E402

BEGIN, END = "<!-- stats10m:begin -->", "<!-- stats10m:end -->"
DIMENSIONS = ["mes", "operadora", "categoria", "subcategoria", "canal", "oficina"]
TARGET_PAGE, TARGET_EXPORT = 2.0, 10.0
LIVE_SAMPLE = {"Panel, un mes", "Descarga operadora.csv", "Descarga mes.xlsx"}


def fetch(port: int, path: str, cookie: str) -> tuple[float, int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
    t = time.monotonic()
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}"})
    resp = conn.getresponse()
    body = resp.read()
    dt = time.monotonic() - t
    conn.close()
    # An answer other than 200 timed an error page, not the statistics: no figure.
    intake.refuse_errors(path, {resp.status: 1}, {200}, repr(body[:200]))
    return dt, resp.status, len(body)


def requests_for(month: str) -> list[tuple[str, str]]:
    from sgu.reporting.selectors import month_filters

    f = month_filters(month)
    q = f"desde={f.date_from}&hasta={f.date_to}"
    out = [("Panel, un mes", f"/regulador/estadisticas/?{q}")]
    for dim in DIMENSIONS:
        for fmt in ("csv", "xlsx"):
            out.append(
                (f"Descarga {dim}.{fmt}", f"/regulador/estadisticas/exportar/{dim}.{fmt}?{q}")
            )
    out.append(("Panel, últimos 12 meses (por omisión)", "/regulador/estadisticas/"))
    return out


def measure(port, cookie, reqs, runs) -> dict[str, tuple[float, float, int]]:
    out = {}
    for label, path in reqs:
        times, status = [], 200
        for _ in range(runs):
            dt, st, _size = fetch(port, path, cookie)
            times.append(dt)
            status = st if st != 200 else status
        out[label] = (statistics.median(times), max(times), status)
        print(f"  {label}: mediana {out[label][0]:.2f} s, máx {out[label][1]:.2f} s", flush=True)
    return out


def touch(conn, k: int, days: int = 21) -> None:
    """K cases registered over the last `days` days change now (an answer, a rating…)."""
    conn.execute(
        "UPDATE cases_case SET updated_at = now() WHERE id IN (SELECT id FROM cases_case "
        "WHERE registered_at > now() - %s * interval '1 day' ORDER BY random() LIMIT %s)",
        [days, k],
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--database-url", default=os.environ.get("SGU_TRAY_DATABASE_URL", tray.DEFAULT_DB)
    )
    p.add_argument("--month", default=None, help="AAAA-MM; por omisión, el mes anterior")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--touch", type=int, default=5000, help="casos cambiados entre refrescos")
    p.add_argument("--skip-live", action="store_true", help="sin la fase desde los casos")
    p.add_argument("--port", type=int, default=0, help="puerto de gunicorn (0: uno libre)")
    p.add_argument("--write", action="store_true")
    args = p.parse_args(argv)
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    tray.django_setup(args.database_url)
    import psycopg
    from django.utils import timezone

    from sgu.accounts.models import Role
    from sgu.reporting import rollups
    from sgu.reporting.models import RollupState

    if args.month is None:
        first = timezone.localdate().replace(day=1)
        prev = (first - __import__("datetime").timedelta(days=1)).replace(day=1)
        args.month = f"{prev:%Y-%m}"
    cookie = tray.session_for(
        tray.bench_user("estadisticas@bench.sgu.pe", Role.REGULATOR_SUPERVISOR,
                        first_name="Supervisora", last_name="Bench")
    )  # fmt: skip
    pg = intake.urlunsplit(intake.urlsplit(args.database_url)._replace(scheme="postgresql"))
    conn = psycopg.connect(pg, autocommit=True)
    n_cases = conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]
    month_cases = conn.execute(
        "SELECT count(*) FROM cases_case WHERE registered_at >= %s::date AT TIME ZONE "
        "'America/Lima' AND registered_at < (%s::date + interval '1 month') AT TIME ZONE "
        "'America/Lima'",
        [f"{args.month}-01", f"{args.month}-01"],
    ).fetchone()[0]
    info = intake.machine()
    # Rate limits on, set explicitly high (intake.rate_limit_env): the limiter's cost stays in
    # the path, its refusals do not.
    env = intake.server_env(args.database_url, tempfile.mkdtemp(prefix="sgu-stats-"))
    port = tray.port_from(args)
    server = tray.start_gunicorn(port, env, 1, "sync")
    reqs = requests_for(args.month)
    results: dict = {"load": [os.getloadavg()[0]]}
    try:
        # warm the cache a little (the first request of a cold server imports templates)
        fetch(port, "/regulador/estadisticas/diario/", cookie)
        if not args.skip_live:
            RollupState.objects.all().delete()
            print(f"· desde los casos ({args.month}, {month_cases:,} casos del mes)", flush=True)
            # One run each, and only the dashboard and two downloads: every download is one
            # breakdown query of the dashboard's seven.
            live = [r for r in reqs if r[0] in LIVE_SAMPLE]
            results["live"] = measure(port, cookie, live, 1)
            results["load"].append(os.getloadavg()[0])
        print("· reconstrucción completa de los rollups", flush=True)
        t = time.perf_counter()
        rollups.refresh(full=True)
        results["full_s"] = time.perf_counter() - t
        rows = conn.execute("SELECT count(*) FROM reporting_casedaystat").fetchone()[0]
        hist = conn.execute("SELECT count(*) FROM reporting_responsedaystat").fetchone()[0]
        results["rows"] = (rows, hist)
        print(f"  {results['full_s']:.1f} s, {rows:,} + {hist:,} filas", flush=True)
        touch(conn, args.touch)
        t = time.perf_counter()
        inc = rollups.refresh()
        results["inc_s"] = time.perf_counter() - t
        results["inc_days"] = inc["days"]
        print(f"· incremental: {results['inc_s']:.2f} s, {inc['days']} días", flush=True)
        touch(conn, args.touch)  # and these stay unrefreshed while reading
        print("· con rollups (y días sucios sin refrescar)", flush=True)
        results["rollup"] = measure(port, cookie, reqs, args.runs)
        results["load"].append(os.getloadavg()[0])
    finally:
        server.terminate()
        server.wait(timeout=30)
    text = report(results, args, info, n_cases, month_cases, started)
    print(text)
    if args.write:
        doc = intake.DOC.read_text(encoding="utf-8")
        block = f"{BEGIN}\n{text}\n{END}"
        if BEGIN in doc:
            doc = re.sub(
                re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, doc, flags=re.S
            )
        else:
            doc += "\n" + block + "\n"
        intake.DOC.write_text(doc, encoding="utf-8")
    return 0


def report(r: dict, args, info: dict, n_cases: int, month_cases: int, started: str) -> str:
    def n(v: int) -> str:
        return f"{v:,}".replace(",", " ")

    lines = [
        f"Medido el {started} UTC con `.venv/bin/python bench/stats.py --month {args.month} "
        f"--runs {args.runs} --touch {args.touch}` sobre {n(n_cases)} casos ({n(month_cases)} "
        f"en {args.month}); gunicorn 2 workers sync, una solicitud a la vez. {info['cpu']}; "
        f"PostgreSQL {info['postgres']}. Carga (1 min) durante las fases: "
        + " → ".join(f"{x:.2f}" for x in r["load"])
        + ".",
        "",
        f"- Reconstrucción completa de los rollups (tarea nocturna): {r['full_s']:.1f} s → "
        f"{n(r['rows'][0])} filas diarias + {n(r['rows'][1])} del histograma.",
        f"- Refresco incremental (tarea cada 5 min) tras cambiar {n(args.touch)} casos de las "
        f"últimas 3 semanas: {r['inc_s']:.2f} s ({r['inc_days']} días recalculados).",
        f"- Las lecturas «con rollups» se hicieron con otros {n(args.touch)} casos cambiados y sin "
        "refrescar (se verán en el próximo refresco); los días desde la última actualización (hoy) "
        "y «vencidos ahora» se leen siempre de los casos.",
        "",
        "| solicitud | objetivo | desde los casos | con rollups (mediana · máx) |",
        "|---|---:|---:|---:|",
    ]
    for label, (med, mx, status) in r["rollup"].items():
        target = TARGET_PAGE if label.startswith("Panel") else TARGET_EXPORT
        live = r.get("live", {}).get(label)
        live_s = f"{live[0]:.2f} s" if live else "—"
        ok = "✅" if mx <= target and status == 200 else "❌"
        lines.append(f"| {label} | ≤ {target:g} s | {live_s} | {med:.2f} s · {mx:.2f} s {ok} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
