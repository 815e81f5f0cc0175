"""Reads that may come from a PostgreSQL streaming replica (DATABASE_REPLICA_URL): statistics,
exports, public indicators and open data. Everything else — and above all what a person just
wrote (their case, their tray after an answer) — reads from the primary: the router sends a
read to the replica only inside `reads()` (or a view decorated with `@from_replica`), never by
default. Writes always go to the primary.

The replica's lag is measured (at most every SGU_REPLICA_LAG_CHECK seconds per process) and
shown on /readyz; past SGU_REPLICA_MAX_LAG seconds, or if the replica does not answer, those
reads go to the primary until it catches up."""

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import Model

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

ALIAS = "replica"
# 0 on a primary; on a standby, the age of the last transaction replayed — 0 as well when
# everything received has been replayed (an idle primary writes nothing new to replay).
LAG_SQL = (
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0 "
    "WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)

_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)
_checked: dict[str, float | None] = {"at": float("-inf"), "lag": None}


def _config() -> dict[str, float]:
    return cast(dict[str, float], settings.SGU["REPLICA"])


def configured() -> bool:
    return ALIAS in connections.settings


def measure_lag() -> float | None:
    """Seconds the replica is behind, or None if it does not answer."""
    try:
        connection = connections[ALIAS]
        with connection.cursor() as cur:
            cur.execute(LAG_SQL if connection.vendor == "postgresql" else "SELECT 0")
            return float(cur.fetchone()[0] or 0)
    except DatabaseError:
        return None


def lag() -> float | None:
    """The last measured lag, measured again when older than SGU_REPLICA_LAG_CHECK."""
    now = time.monotonic()
    checked_at = _checked["at"]
    if checked_at is None or now - checked_at >= _config()["LAG_CHECK_SECONDS"]:
        _checked["lag"] = measure_lag()
        _checked["at"] = now
    return _checked["lag"]


def usable() -> bool:
    if not configured():
        return False
    current = lag()
    return current is not None and current <= _config()["MAX_LAG_SECONDS"]


@contextmanager
def reads() -> Iterator[None]:
    """Reads inside go to the replica while it is usable; to the primary otherwise."""
    token = _reading.set(usable())
    try:
        yield
    finally:
        _reading.reset(token)


@contextmanager
def primary() -> Iterator[None]:
    """Reads inside go to the primary even within `reads()` (what is cached for every request
    must not come from a replica that is behind)."""
    token = _reading.set(False)
    try:
        yield
    finally:
        _reading.reset(token)


def from_replica(view: Callable[P, R]) -> Callable[P, R]:
    """A view (or API operation) that only reads aggregates: statistics, exports, indicators."""

    @functools.wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with reads():
            return view(*args, **kwargs)

    return wrapped


def streamed(chunks: Iterator[T]) -> Iterator[T]:
    """A streamed response's body, read (after the view returned) from the replica too."""
    with reads():
        yield from chunks


def status() -> dict[str, Any]:
    """For /readyz."""
    if not configured():
        return {"configured": False}
    current = lag()
    return {
        "configured": True,
        "lag_seconds": None if current is None else round(current, 3),
        "max_lag_seconds": _config()["MAX_LAG_SECONDS"],
        "used": usable(),
    }


class ReplicaRouter:
    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return ALIAS if _reading.get() else DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # the same data on both

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        return db != ALIAS  # the replica follows the primary's schema
