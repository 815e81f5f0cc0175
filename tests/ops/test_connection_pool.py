"""DATABASE_POOL_MAX_SIZE opens PostgreSQL connections through Django's psycopg pool."""

import subprocess
import sys

import pytest

from ops.helpers import ROOT, production_env

CODE = """
from django.db import connection
from django.conf import settings
with connection.cursor() as cur:
    cur.execute("SELECT 1")
    print(cur.fetchone()[0])
pool = connection.pool
age = settings.DATABASES["default"]["CONN_MAX_AGE"]
print(type(pool).__name__, pool.min_size, pool.max_size, age)
# core.rows' statements, prepared on a pooled connection, keep working as the connection goes
# back to the pool and comes out again between requests.
from sgu.core import rows
prepared = set()
for n in range(8):
    with rows.cursor_for("default") as cur:
        cur.execute("SELECT %s::int + 1", [n])
        assert cur.fetchone()[0] == n + 1
    with connection.cursor() as cur:  # Django's: binds on the client, never prepared
        cur.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
        prepared.update(row[0] for row in cur.fetchall())
    connection.close()
print(" | ".join(sorted(prepared)))
"""


def _postgres_reachable() -> bool:
    import psycopg

    try:
        psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=2).close()
    except psycopg.Error:
        return False
    return True


def test_with_a_pool_size_connections_come_from_a_psycopg_pool():
    if not _postgres_reachable():
        pytest.skip("PostgreSQL no responde en 127.0.0.1:5432")
    env = production_env(
        SGU_ENV=None,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres",
        DATABASE_POOL_MAX_SIZE="3",
        DATABASE_POOL_MIN_SIZE="1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", CODE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["1"]
    assert lines[1].split() == ["ConnectionPool", "1", "3", "0"]
    assert lines[2] == "SELECT $1::int + 1"
