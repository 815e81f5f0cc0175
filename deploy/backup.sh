#!/usr/bin/env bash
# SGU backup: the PostgreSQL database (pg_dump, custom format) and the stored files (MEDIA_ROOT
# or the S3 bucket), into one dated folder with checksums; then keeps only the newest
# $BACKUP_KEEP backups. Runbook: docs/operations.md, «Respaldos».
#
#   deploy/backup.sh                 # into $BACKUP_DIR (default /var/backups/sgu)
#   BACKUP_DIR=/mnt/respaldos deploy/backup.sh
#
# Reads the same variables as the platform (/etc/sgu/sgu.env): DATABASE_URL, MEDIA_ROOT or
# AWS_STORAGE_BUCKET_NAME (+ AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID…). Prints the backup's path.
# Safe while the platform runs: pg_dump reads one consistent snapshot; a file written during the
# copy either is in it or is newer than the dump (check_integrity after a restore says so).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python="${SGU_PYTHON:-$root/.venv/bin/python}"

: "${DATABASE_URL:?DATABASE_URL falta (postgres://…)}"
case "$DATABASE_URL" in
  postgres://*|postgresql://*) ;;
  *) echo "backup.sh: DATABASE_URL no es PostgreSQL" >&2; exit 2 ;;
esac
backup_dir="${BACKUP_DIR:-/var/backups/sgu}"
keep="${BACKUP_KEEP:-14}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
dest="$backup_dir/sgu-$stamp"
partial="$dest.partial"

mkdir -p "$partial"
trap 'rm -rf "$partial"' EXIT
umask 077

# 1. The database: custom format (compressed, restorable table by table, parallel restore).
pg_dump --format=custom --compress=6 --no-owner --no-acl --file="$partial/db.dump" "$DATABASE_URL"
pg_restore --list "$partial/db.dump" > /dev/null  # readable, not truncated

# 2. The files: the bucket's objects, or MEDIA_ROOT as a tarball.
if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
  "$python" "$here/objects.py" download "$partial/objects"
  tar -C "$partial" -czf "$partial/files.tar.gz" objects
  rm -rf "$partial/objects"
  echo "s3" > "$partial/files.kind"
else
  media="${MEDIA_ROOT:-${SGU_VAR_DIR:-$root/var}/media}"
  mkdir -p "$media"
  tar -C "$media" -czf "$partial/files.tar.gz" .
  echo "media" > "$partial/files.kind"
fi

# 3. What was taken, and checksums to verify before a restore.
{
  echo "created=$stamp"
  echo "host=$(hostname)"
  echo "pg_dump=$(pg_dump --version)"
  echo "migrations=$("$python" "$root/manage.py" showmigrations --plan 2>/dev/null | grep -c '\[X\]' || true)"
} > "$partial/MANIFEST"
(cd "$partial" && sha256sum db.dump files.tar.gz files.kind MANIFEST > SHA256SUMS)

mv "$partial" "$dest"
trap - EXIT

# 4. Retention: the newest $keep backups stay (default 14: two weeks of daily backups).
ls -1d "$backup_dir"/sgu-*Z 2>/dev/null | sort | head -n -"$keep" | while read -r old; do
  rm -rf -- "$old"
done

echo "$dest"
