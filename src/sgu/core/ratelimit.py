"""Rate limits for public and API endpoints: a fixed-window counter that every web process
shares — in Redis when one is configured (settings.RATE_LIMIT_CACHE: an atomic INCR with the
window's expiry), in the database otherwise (no cache server needed) — answered with 429
problem+json."""

import logging
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone

from sgu.core.errors import DomainError
from sgu.core.models import RateCounter

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
    now = now or timezone.now()
    epoch = int(now.timestamp())
    start = datetime.fromtimestamp(epoch - epoch % window, tz=UTC)
    if _cache() is not None:
        count = _cache_hit(key, start, window)
    else:
        count = _db_hit(key, start)
    if count > limit:
        retry = int((start + timedelta(seconds=window) - now).total_seconds()) + 1
        raise RateLimited(f"Demasiadas solicitudes. Intente nuevamente en {retry} segundos.", retry)


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


def prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Forget old windows (the scheduler calls it)."""

    deleted, _ = RateCounter.objects.filter(window_start__lt=timezone.now() - older_than).delete()
    return deleted


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
