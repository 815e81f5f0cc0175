"""Where an intake request's CPU goes: `POST /api/v1/cases` in one process, profiled.

The same requests as `bench/intake.py` (valid registrations, 20 % with an Idempotency-Key),
sent through Django's test client (the full middleware stack, no network) to a database
prepared as the benchmark prepares it. It prints the CPU per request, the SQL statements per
request, and the functions that took the most CPU (cProfile on the process CPU clock).

    SGU_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/sgu_profile_bench \\
      .venv/bin/python bench/profile_intake.py --cases 300 [--redis redis://127.0.0.1:6379/7]

Use it to find what to change; judge a change with `bench/intake.py` (several processes,
real HTTP), not with this.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

import intake


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--idempotent", type=float, default=0.2)
    parser.add_argument("--history", type=int, default=intake.HISTORY)
    parser.add_argument("--redis", default="", help="REDIS_URL for the rate-limit counters")
    parser.add_argument("--top", type=int, default=45)
    parser.add_argument("--sort", default="tottime", choices=["tottime", "cumulative"])
    parser.add_argument(
        "--plain", action="store_true", help="no profiler: only the CPU and statements per case"
    )
    parser.add_argument("--save", default="", help="also write the profile here (pstats)")
    parser.add_argument(
        "--sql", action="store_true", help="also print the statements of the last request"
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "SGU_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sgu_profile_bench"
        ),
    )
    args = parser.parse_args(argv)

    intake.recreate_database(args.database_url)
    var_dir = tempfile.mkdtemp(prefix="sgu-profile-")
    env = intake.server_env(args.database_url, var_dir, redis_url=args.redis)
    env.pop("SGU_BENCH_PROBE_DIR")
    env["DJANGO_SETTINGS_MODULE"] = "sgu.settings"
    os.environ.update(env)
    sys.path[:0] = [str(intake.SRC_DIR)]
    tokens, _ = intake.prepare_data(args.warmup + args.cases, args.history)

    from django.db import connection
    from django.test import Client

    client = Client()
    catalog = {
        "operators": [o["code"] for o in client.get("/api/v1/catalog/operators").json()],
        "subcategories": client.get("/api/v1/catalog/subcategories?service=MOVIL").json(),
    }
    rng = random.Random(7)
    statements = 0
    last: list[str] = []

    def counting(execute, sql, params, many, context):
        nonlocal statements
        statements += 1
        last.append(sql)
        return execute(sql, params, many, context)

    def send(token: str) -> None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if rng.random() < args.idempotent:
            headers["HTTP_IDEMPOTENCY_KEY"] = str(uuid.uuid4())
        body = json.dumps(intake.case_body(catalog, rng))
        response = client.post(intake.CASES_PATH, body, content_type="application/json", **headers)
        if response.status_code != 201:
            sys.exit(f"{response.status_code}: {response.content[:300]!r}")

    for token in tokens[: args.warmup]:
        send(token)
    backend = _backend(connection)
    profiler = cProfile.Profile(time.process_time)
    measured = tokens[args.warmup : args.warmup + args.cases]
    with connection.execute_wrapper(counting):
        cpu = time.process_time()
        if not args.plain:
            profiler.enable()
        for token in measured:
            last.clear()
            send(token)
        profiler.disable()
        cpu = time.process_time() - cpu
    n = len(measured)
    print(
        f"{n} altas: {cpu / n * 1000:.2f} ms de CPU por alta "
        f"({'sin perfil' if args.plain else 'con cProfile'}), "
        f"{statements / n:.1f} sentencias por alta (sin BEGIN/COMMIT)"
    )
    if backend is not None:
        pid, before = backend
        after = _backend(connection)
        if after is not None and after[0] == pid:
            pg_ms = (after[1] - before) / n * 1000
            print(f"  PostgreSQL (el proceso de esta conexión): {pg_ms:.2f} ms de CPU por alta")
    if args.sql:
        print("\n".join(f"  {sql[:160]}" for sql in last))
    if args.plain:
        return 0
    if args.save:
        profiler.dump_stats(args.save)
    pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.top)
    return 0


def _backend(connection) -> tuple[int, float] | None:
    """The PostgreSQL backend serving this connection and its CPU seconds so far, when it
    runs on this machine (it has a /proc entry here), else None."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    if not Path(f"/proc/{pid}").exists():
        return None
    return pid, intake._proc_cpu(pid)


if __name__ == "__main__":
    raise SystemExit(main())
