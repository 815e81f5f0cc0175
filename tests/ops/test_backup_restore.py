"""deploy/backup.sh then deploy/restore.sh into an empty database: the same data and files come
back and `manage.py check_integrity` passes on them. Needs PostgreSQL (pg_dump / pg_restore): the
test makes its own source and target databases on the same server and drops them after."""

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from ops.helpers import ROOT, manage, production_env

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)"),
]


def server_url(dbname: str) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{dbname}"


@pytest.fixture
def databases():
    """Two fresh databases of this test's own: the source and the (empty) restore target."""
    names = [f"sgu_prod_backup_src_{os.getpid()}", f"sgu_prod_backup_dst_{os.getpid()}"]
    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    yield [server_url(n) for n in names]
    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Cases in several states through the services (with their events, emails, webhooks, an
# attachment and a claim form PDF in the file store), in the source database.
SEED = """
import sys
sys.path.insert(0, "tests")
from datetime import timedelta
from django.utils import timezone
from factories import (
    acknowledge, answer, citizen_principal, make_case, make_citizen, pdf_bytes, rate, upload
)
from sgu.cases import services
from sgu.cases.workflow import Actor
from sgu.catalog.demo import load_reference_data
from sgu.core.principal import Principal

load_reference_data()
citizen = make_citizen()
make_case(citizen)
case = acknowledge(make_case(citizen))
services.add_attachments(
    case=case, files=[upload("recibo.pdf", pdf_bytes())], by=citizen_principal(citizen)
)
rate(answer(acknowledge(make_case(citizen))))
old = make_case(citizen, now=timezone.now() - timedelta(days=40), operator="CLARO")
services.expire_overdue_cases()
claim = services.request_claim(case=old, reason="Sin respuesta de la operadora en el plazo.",
                               by=citizen_principal(citizen))
services.assign_claim_code(claim=claim, claim_code="R-2026-000001",
                           by=Principal(actor_role=Actor.OPERATOR, operator=claim.operator))
"""


def env_for(database_url: str, media: Path, **extra) -> dict:
    env = production_env(SGU_ENV=None, DATABASE_URL=database_url, **extra)
    env["MEDIA_ROOT"] = str(media)
    env["SGU_VAR_DIR"] = str(media.parent / "var")
    return env


def counts(database_url: str) -> dict[str, int]:
    tables = ["cases_case", "cases_caseevent", "cases_claim", "notifications_outboundemail"]
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def files_under(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_backup_restores_into_an_empty_database_and_passes_check_integrity(databases, tmp_path):
    source, target = databases
    src_env = env_for(source, tmp_path / "src" / "media")
    for step in (
        ("migrate", "--no-input", "-v", "0"),
        ("shell", "-v", "0", "-c", SEED),
    ):
        result = manage(*step, env=src_env, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
    stored = files_under(tmp_path / "src" / "media")
    assert any(n.startswith("attachments/") for n in stored), stored.keys()
    assert any(n.startswith("claims/") for n in stored), stored.keys()

    backup_dir = tmp_path / "backups"
    made = subprocess.run(
        ["bash", str(ROOT / "deploy" / "backup.sh")],
        env={**src_env, "BACKUP_DIR": str(backup_dir), "BACKUP_KEEP": "2"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert sorted(p.name for p in backup.iterdir()) == [
        "MANIFEST",
        "SHA256SUMS",
        "db.dump",
        "files.kind",
        "files.tar.gz",
    ]

    dst_env = env_for(target, tmp_path / "dst" / "media")
    restored = subprocess.run(
        ["bash", str(ROOT / "deploy" / "restore.sh"), str(backup)],
        env=dst_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "integridad: todo en orden" in restored.stdout

    assert counts(target) == counts(source)
    assert counts(target)["cases_case"] == 4
    assert files_under(tmp_path / "dst" / "media") == files_under(tmp_path / "src" / "media")
    again = manage("check_integrity", env=dst_env)
    assert again.returncode == 0, again.stdout

    # Never over existing data: a second restore into the now full database is refused.
    refused = subprocess.run(
        ["bash", str(ROOT / "deploy" / "restore.sh"), str(backup)],
        env=dst_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 2
    assert "no está vacía" in refused.stderr


def bucket_files(client, bucket: str) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listing
    }


def test_with_the_object_store_the_backup_takes_the_buckets_files_and_restores_them(
    databases, tmp_path, s3_server
):
    import boto3

    from ops.helpers import S3_ENV

    source, target = databases
    bucket = f"sgu-backup-{os.getpid()}"
    s3 = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id=S3_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_ENV["AWS_SECRET_ACCESS_KEY"],
    )
    s3.create_bucket(Bucket=bucket)
    store = {**S3_ENV, "AWS_STORAGE_BUCKET_NAME": bucket, "AWS_S3_ENDPOINT_URL": s3_server}
    src_env = env_for(source, tmp_path / "src" / "media", **store)
    for step in (("migrate", "--no-input", "-v", "0"), ("shell", "-v", "0", "-c", SEED)):
        result = manage(*step, env=src_env, timeout=300)
        assert result.returncode == 0, result.stderr[-2000:]
    stored = bucket_files(s3, bucket)
    assert any(k.startswith("attachments/") for k in stored), stored.keys()
    assert any(k.startswith("claims/") for k in stored), stored.keys()
    assert files_under(tmp_path / "src" / "media") == {}  # nothing on the local disk

    made = subprocess.run(
        ["bash", str(ROOT / "deploy" / "backup.sh")],
        env={**src_env, "BACKUP_DIR": str(tmp_path / "backups")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stderr
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert (backup / "files.kind").read_text().strip() == "s3"

    # The bucket is lost: every object deleted.
    for key in stored:
        s3.delete_object(Bucket=bucket, Key=key)
    assert bucket_files(s3, bucket) == {}

    restored = subprocess.run(
        ["bash", str(ROOT / "deploy" / "restore.sh"), str(backup)],
        env=env_for(target, tmp_path / "dst" / "media", **store),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "integridad: todo en orden" in restored.stdout
    assert bucket_files(s3, bucket) == stored  # every file back, byte for byte
    assert counts(target) == counts(source)
