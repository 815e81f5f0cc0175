"""Rate limits for public and API endpoints: a fixed-window counter that every web process
shares — in Redis when one is configured (settings.RATE_LIMIT_CACHE: an atomic INCR with the
window's expiry), in the database otherwise (no cache server needed) — answered with 429
problem+json."""

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from sgu.core.errors import DomainError

logger = logging.getLogger("sgu.ratelimit")


class RateLimited(DomainError):
    status = 429
    title = "Demasiadas solicitudes"

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after


def client_ip(request: HttpRequest) -> str:
    """The caller's address; behind a trusted proxy, the first X-Forwarded-For hop."""
    if settings.SGU.get("TRUST_X_FORWARDED_FOR"):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[0].strip()[:64]
    return str(request.META.get("REMOTE_ADDR") or "desconocida")[:64]


def hit(key: str, *, limit: int, window: int, now: datetime | None = None) -> None:
    """Count one request for `key`; raise RateLimited once `limit` is passed in the window."""
    hit_all([(key, limit, window)], now=now)


# One counter: (key, limit, window in seconds).
Check = tuple[str, int, int]


def hit_all(checks: Sequence[Check], *, now: datetime | None = None) -> None:
    """Count one request on every key of `checks` (a request counts per address and per
    credential); raise RateLimited for the first whose limit is passed. With Redis, all the
    counters go in one round trip."""
    now = now or timezone.now()
    epoch = int(now.timestamp())
    starts = [datetime.fromtimestamp(epoch - epoch % window, tz=UTC) for _, _, window in checks]
    cache = _cache()
    if isinstance(cache, RedisCache):
        counts = _redis_hits(cache, checks, starts)
    elif cache is not None:
        counts = [
            _cache_hit(key, start, window)
            for (key, _, window), start in zip(checks, starts, strict=True)
        ]
    else:
        counts = [_db_hit(key, start) for (key, _, _), start in zip(checks, starts, strict=True)]
    for (_, limit, window), start, count in zip(checks, starts, counts, strict=True):
        if count > limit:
            retry = int((start + timedelta(seconds=window) - now).total_seconds()) + 1
            raise RateLimited(
                f"Demasiadas solicitudes. Intente nuevamente en {retry} segundos.", retry
            )


def _cache() -> BaseCache | None:
    alias = getattr(settings, "RATE_LIMIT_CACHE", None)
    return caches[alias] if alias else None


def _cache_key(key: str, start: datetime) -> str:
    return f"rl:{key[:200]}:{int(start.timestamp())}"


def _cache_hit(key: str, start: datetime, window: int) -> int:
    cache, name = _cache(), _cache_key(key, start)
    assert cache is not None
    # add() creates the window's counter once (with its expiry); incr() is Redis's INCR,
    # atomic across every process. If the counter expired in between, start it again.
    try:
        for _ in range(3):
            cache.add(name, 0, timeout=window + 60)
            try:
                return int(cache.incr(name))
            except ValueError:
                continue
    except Exception as exc:  # Redis unreachable: serve (logged) rather than refuse everyone
        logger.warning("límite de frecuencia sin contar (caché no disponible): %s", exc)
        return 0
    return 1


# Each counter created with its window's expiry if new (SET NX EX) and incremented (INCR), in
# one script: atomic across every process, one command for all the request's counters (MULTI,
# two commands per counter and EXEC cost the web process more to pack and parse).
_HITS_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  redis.call('SET', key, 0, 'EX', ARGV[i], 'NX')
  counts[i] = redis.call('INCR', key)
end
return counts
"""
_script: Any = None  # redis-py's Script: the text and its SHA1, for any client


def _redis_hits(cache: RedisCache, checks: Sequence[Check], starts: list[datetime]) -> list[int]:
    try:
        # Django's own client and connection pool, with the cache's key prefix and version.
        backend: RedisCacheClient = cache._cache  # type: ignore[attr-defined]  # not in the stubs
        client = backend.get_client(write=True)
        global _script
        if _script is None:
            _script = client.register_script(_HITS_SCRIPT)
        names = [
            cache.make_and_validate_key(_cache_key(key, start))
            for (key, _, _), start in zip(checks, starts, strict=True)
        ]
        # EVALSHA; EVAL once when the server does not know the script yet (or restarted).
        replies = _script(keys=names, args=[window + 60 for _, _, window in checks], client=client)
    except Exception as exc:  # Redis unreachable: serve (logged) rather than refuse everyone
        logger.warning("límite de frecuencia sin contar (caché no disponible): %s", exc)
        return [0] * len(checks)
    return [int(n) for n in replies]


def _db_hit(key: str, start: datetime) -> int:
    with connection.cursor() as cur:
        # One statement, atomic on PostgreSQL and SQLite alike.
        cur.execute(
            "INSERT INTO core_ratecounter (key, window_start, count) VALUES (%s, %s, 1) "
            "ON CONFLICT (key, window_start) DO UPDATE SET count = core_ratecounter.count + 1 "
            "RETURNING count",
            [key[:200], start],
        )
        return int(cur.fetchone()[0])


def limit_by_ip(request: HttpRequest, scope: str, *, limit: int, window: int = 60) -> None:
    hit(f"{scope}:ip:{client_ip(request)}", limit=limit, window=window)


def current(key: str, *, window: int, now: datetime | None = None) -> tuple[int, int]:
    """(count so far in this window, seconds until it ends) — without counting a request."""
    now = now or timezone.now()
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % window, tz=UTC)
    retry = int((start + timedelta(seconds=window) - now).total_seconds()) + 1
    cache = _cache()
    if cache is not None:
        return int(cache.get(_cache_key(key, start)) or 0), retry
    with connection.cursor() as cur:
        # Raw SQL as in hit(): the window is compared exactly as it was written.
        cur.execute(
            "SELECT count FROM core_ratecounter WHERE key = %s AND window_start = %s",
            [key[:200], start],
        )
        row = cur.fetchone()
    return (row[0] if row else 0), retry
