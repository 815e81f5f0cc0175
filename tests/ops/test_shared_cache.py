"""With REDIS_URL the cache and the rate-limit counters live in Redis (Django's own Redis
backend), shared by every process: a limit holds across two processes counting at once. Without
it, nothing changes (counters in the database)."""

import subprocess
import sys
import textwrap

import pytest
from django.core.cache import cache

from ops.helpers import ROOT, production_env
from sgu.core.models import RateCounter
from sgu.core.ratelimit import RateLimited, current, hit, hit_all


def test_redis_url_selects_djangos_redis_cache_and_counts_rate_limits_there():
    code = (
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'],"
        " s.RATE_LIMIT_CACHE)"
    )
    env = production_env(REDIS_URL="redis://127.0.0.1:6379/5")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "redis://127.0.0.1:6379/5",
        "default",
    ], result.stderr


@pytest.mark.django_db
def test_with_redis_a_limit_is_counted_in_redis_and_not_in_the_database(redis_cache):
    for _ in range(3):
        hit("lookup:ip:1.2.3.4", limit=3, window=60)
    with pytest.raises(RateLimited) as refused:
        hit("lookup:ip:1.2.3.4", limit=3, window=60)
    assert refused.value.retry_after > 0
    assert current("lookup:ip:1.2.3.4", window=60)[0] == 4
    assert not RateCounter.objects.exists()
    cache.set("prueba", "compartida")
    assert cache.get("prueba") == "compartida"


@pytest.mark.django_db
def test_with_redis_a_requests_counters_are_counted_together_each_with_its_expiry(redis_cache):
    import redis

    checks = [("api:ip:1.2.3.4", 2, 60), ("api:key:abc", 5, 3600)]
    hit_all(checks)
    hit_all(checks)
    with pytest.raises(RateLimited):  # the address's third: refused, and still counted
        hit_all(checks)

    assert current("api:ip:1.2.3.4", window=60)[0] == 3
    assert current("api:key:abc", window=3600)[0] == 3
    client = redis.Redis.from_url(redis_cache)
    ttls = sorted(client.ttl(k) for k in client.keys("sgu-test:*rl:*"))
    assert len(ttls) == 2 and 60 < ttls[0] <= 120 and 3600 < ttls[1] <= 3660, ttls


@pytest.mark.django_db
def test_counting_goes_on_when_redis_has_forgotten_the_counting_script(redis_cache):
    """The counters are bumped by a server-side script (one command per request); a Redis that
    restarted or flushed its scripts is taught it again, and no request goes uncounted."""
    import redis

    hit("lookup:ip:5.6.7.8", limit=10, window=60)
    redis.Redis.from_url(redis_cache).script_flush()
    hit("lookup:ip:5.6.7.8", limit=10, window=60)
    assert current("lookup:ip:5.6.7.8", window=60)[0] == 2


WORKER = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "sgu.settings"
    import django
    django.setup()
    from sgu.core.ratelimit import RateLimited, hit
    go = sys.stdin.readline()  # both processes start counting together
    allowed = refused = 0
    for _ in range(int(sys.argv[1])):
        try:
            hit(sys.argv[2], limit=int(sys.argv[3]), window=3600)
            allowed += 1
        except RateLimited:
            refused += 1
    print(allowed, refused)
    """
)


def test_a_rate_limit_holds_across_two_processes_sharing_redis(redis_url, tmp_path):
    """Two web processes (separate interpreters, separate connections) hit the same key 30
    times each; with a limit of 25, exactly 25 requests pass in all."""
    env = production_env(SGU_ENV=None, REDIS_URL=redis_url, SGU_VAR_DIR=str(tmp_path))
    env["CACHE_KEY_PREFIX"] = "sgu-test-procs"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, "30", "api:ip:10.0.0.9", "25"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = []
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outputs.append([int(n) for n in out.split()])
    assert sum(o[0] for o in outputs) == 25
    assert sum(o[1] for o in outputs) == 35
    # Counted apart (a counter per process) they would have let 50 through.
    assert all(o[0] + o[1] == 30 for o in outputs), outputs


@pytest.mark.django_db
def test_the_api_answers_429_once_the_shared_counter_is_spent(client, redis_cache, settings):
    limits = {**settings.SGU["RATE_LIMITS"], "ENABLED": True, "api_ip": (3, 60)}
    settings.SGU = {**settings.SGU, "RATE_LIMITS": limits}
    statuses = [client.get("/api/v1/catalog/operators").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429], statuses
    assert not RateCounter.objects.exists()


@pytest.mark.django_db
def test_when_redis_is_unreachable_requests_are_served_and_the_miss_is_logged(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.RATE_LIMIT_CACHE = "default"
    hit("api:ip:1.1.1.1", limit=1, window=60)
    hit("api:ip:1.1.1.1", limit=1, window=60)  # not refused: nothing could be counted
    assert "caché no disponible" in caplog.text
