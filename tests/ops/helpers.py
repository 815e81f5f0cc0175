"""Helpers of the production-path tests: a production environment for a subprocess, running
manage.py in it, and whether the local Redis answers."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Redis database reserved for these tests (others on this machine use 0).
REDIS_URL = os.environ.get("SGU_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")


def redis_reachable(url: str) -> str | None:
    """None when Redis answers PING at `url`, otherwise why not."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def production_env(**overrides) -> dict:
    """A complete, safe production environment (what .env.example asks for)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SGU_", "AWS_"))}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process
    env.update(
        {
            "SGU_ENV": "production",
            "SECRET_KEY": "k7Qx-9vLw2_Rb4Tn8Zp1Hs6Yc3Jm5Fd0Ge7Ua2Ki9Oq4Wl1Xe8Vr3Bt6Nh5Mj0Pz",
            "ALLOWED_HOSTS": "sgu.example.gob.pe",
            "DATABASE_URL": "postgres://sgu@127.0.0.1:5432/sgu_prod_check",
            "SITE_URL": "https://sgu.example.gob.pe",
            "EMAIL_HOST": "smtp.example.gob.pe",
            "SGU_VAR_DIR": env.get("SGU_VAR_DIR", str(ROOT / "var")),
        }
    )
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def manage(*args: str, env: dict, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


S3_ENV = {
    "AWS_ACCESS_KEY_ID": "sgu-test",
    "AWS_SECRET_ACCESS_KEY": "sgu-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}
