"""Public indicators, open data and the case status lookup, timed over a database that
`bench/generate.py` built (e.g. `--cases 840000 --months 2`: ~420 000 cases a month, the
density of 10 million cases in 24 months).

In process, through Django's test client (no network; the rate limits on, set explicitly high
as for every benchmark, `intake.rate_limit_env`): the indicators JSON
and page for one month (median of R runs), the month's open-data CSV streamed to the end
(time, rows, bytes, the process's peak memory before and after), and the status lookup with
the right document and a wrong one (median of N).

Usage: `DATABASE_URL=postgres://…/sgu_pub_bench .venv/bin/python bench/public.py
[--month 2026-10] [--runs 3]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR / "src"))
sys.path.insert(0, str(PROJECT_DIR / "bench"))

import intake  # noqa: E402 - the benchmarks' rate limits and their refusal of errors


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--month", default="")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--lookups", type=int, default=50)
    args = p.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sgu.settings")
    # Every lookup comes from one address: the limits are on (their counters are written on
    # each request) and set explicitly high, before the settings are read.
    os.environ.update(intake.rate_limit_env())
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from sgu.cases.models import Case
    from sgu.reporting import public

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="sgu-bench-public-")
    settings.ALLOWED_HOSTS = ["*"]
    month = public.parse_period(args.month) if args.month else public.last_closed_period()
    client = Client()
    cases = public.selectors.cases_in(public.selectors.month_filters(month.key)).count()
    print(f"mes {month.key}: {cases:,} casos; total {Case.objects.count():,}", flush=True)

    def timed(path: str) -> float:
        t = time.monotonic()
        r = client.get(path)
        body = b"".join(r.streaming_content) if r.streaming else r.content
        intake.refuse_errors(path, {r.status_code: 1}, {200}, repr(body[:300]))
        return time.monotonic() - t

    rows = []
    for label, path in (
        ("GET /api/v1/public/indicators", f"/api/v1/public/indicators?period={month.key}"),
        ("GET /indicadores/", f"/indicadores/?periodo={month.key}"),
    ):
        times = [timed(path) for _ in range(args.runs)]
        rows.append((label, statistics.median(times), max(times), ""))
        print(rows[-1], flush=True)

    before = _rss_mb()
    cpu = time.process_time()
    t = time.monotonic()
    r = client.get(f"/api/v1/public/open-data/cases.csv?period={month.key}")
    intake.refuse_errors("los datos abiertos", {r.status_code: 1}, {200})
    size = lines = 0
    for chunk in r.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    dt = time.monotonic() - t
    cpu = time.process_time() - cpu
    extra = (
        f"{lines - 1:,} filas, {size / 1e6:.1f} MB, {(lines - 1) / dt:,.0f} filas/s; CPU de "
        f"Python {cpu:.1f} s; memoria máxima del proceso {before:.0f} → {_rss_mb():.0f} MB; "
        f"carga de la máquina {os.getloadavg()[0]:.1f}"
    )
    rows.append(("GET /api/v1/public/open-data/cases.csv (se escribe)", dt, dt, extra))
    print(rows[-1], flush=True)
    times = [timed(f"/api/v1/public/open-data/cases.csv?period={month.key}") for _ in range(3)]
    rows.append(
        (
            "ídem, siguientes descargas (archivo guardado)",
            statistics.median(times),
            max(times),
            "3 descargas",
        )
    )
    print(rows[-1], flush=True)

    sample = list(
        Case.objects.order_by("?").values_list("code", "citizen__document_number")[: args.lookups]
    )
    for label, wrong in (("consulta de estado (acierta)", False), ("ídem, documento errado", True)):
        times = []
        for code, doc in sample:
            doc = "00000000" if wrong else doc
            t = time.monotonic()
            resp = client.get(f"/api/v1/public/cases/{code}/status?document_number={doc}")
            times.append(time.monotonic() - t)
            expected = 404 if wrong else 200
            intake.refuse_errors(label, {resp.status_code: 1}, {expected}, repr(resp.content[:200]))
        rows.append((label, statistics.median(times), max(times), f"{len(times)} consultas"))
        print(rows[-1], flush=True)

    print("\n| petición | mediana (s) | máximo (s) | notas |\n|---|---|---|---|")
    for label, med, top, note in rows:
        print(f"| {label} | {med:.3f} | {top:.3f} | {note} |")


if __name__ == "__main__":
    main()
