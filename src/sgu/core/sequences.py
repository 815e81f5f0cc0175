"""Correlative numbers per year (case, consulta and suggestion codes), one row per year in a
table of (year, last_number).

One UPDATE … RETURNING on the year's row: the row lock serialises concurrent callers on
PostgreSQL, the database lock on SQLite. No gaps are promised (a rolled back transaction gives
its number back), no duplicates ever. The first number of a year creates its row; two
transactions creating it at once meet in ON CONFLICT and both go on to the UPDATE."""

from django.db import connection
from django.db.models import Model


def next_number(sequence: type[Model], year: int) -> int:
    table = connection.ops.quote_name(sequence._meta.db_table)
    bump = f"UPDATE {table} SET last_number = last_number + 1 WHERE year = %s RETURNING last_number"
    with connection.cursor() as cur:
        cur.execute(bump, [year])
        row = cur.fetchone()
        if row is None:
            cur.execute(
                f"INSERT INTO {table} (year, last_number) VALUES (%s, 0) "
                "ON CONFLICT (year) DO NOTHING",
                [year],
            )
            cur.execute(bump, [year])
            row = cur.fetchone()
    return int(row[0])
