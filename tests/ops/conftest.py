"""Fixtures of the production paths: a Redis database of its own, an S3-protocol server on
loopback (moto), a subprocess environment for the production profile."""

import os
import socket
from pathlib import Path

import pytest

from ops.helpers import REDIS_URL, S3_ENV, redis_reachable


@pytest.fixture
def redis_url():
    import redis

    why = redis_reachable(REDIS_URL)
    if why:
        pytest.skip(
            f"Redis no responde en {REDIS_URL} ({why}); la prueba de la caché compartida se omite"
        )
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture
def redis_cache(settings, redis_url):
    """The platform configured as with REDIS_URL: Django's Redis cache, rate limits in it."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "sgu-test",
        }
    }
    settings.RATE_LIMIT_CACHE = "default"
    return redis_url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """moto in server mode on loopback: a real S3 protocol over HTTP, for the whole run."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_server, monkeypatch, request):
    """The platform configured as with AWS_STORAGE_BUCKET_NAME: a fresh bucket per test."""
    import boto3

    for key, value in S3_ENV.items():
        monkeypatch.setenv(key, value)
    bucket = f"sgu-{request.node.name.lower().replace('_', '-')[:40].strip('-[]')}-{os.getpid()}"
    bucket = "".join(c if c.isalnum() or c == "-" else "-" for c in bucket)[:60].strip("-")
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": s3_server,
                "region_name": "us-east-1",
                "default_acl": None,
                "file_overwrite": False,
            },
        },
    }
    yield client, bucket


@pytest.fixture(params=["filesystem", "s3"])
def storage_backend(request):
    """Runs a test once on the file system (the default) and once on the S3 object store."""
    if request.param == "s3":
        client, bucket = request.getfixturevalue("s3_storage")

        def names() -> list[str]:
            listing = client.list_objects_v2(Bucket=bucket)
            return sorted(o["Key"] for o in listing.get("Contents", []))

    else:
        media = Path(request.getfixturevalue("media_root"))

        def names() -> list[str]:
            return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())

    return request.param, names
