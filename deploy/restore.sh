#!/usr/bin/env bash
# SGU restore: a backup made by deploy/backup.sh into an EMPTY PostgreSQL database and the file
# store, then `manage.py check_integrity`. Runbook: docs/operations.md, «Restaurar».
#
#   DATABASE_URL=postgres://sgu@host/sgu_nueva deploy/restore.sh /var/backups/sgu/sgu-20261206T030000Z
#
# Refuses a database that already has tables (it never overwrites data). With the platform's
# variables: DATABASE_URL, MEDIA_ROOT or AWS_STORAGE_BUCKET_NAME (+ credentials).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
python="${SGU_PYTHON:-$root/.venv/bin/python}"

backup="${1:?uso: restore.sh CARPETA_DEL_RESPALDO}"
: "${DATABASE_URL:?DATABASE_URL falta (postgres://…, una base vacía)}"

# 1. The backup is whole.
(cd "$backup" && sha256sum --quiet --check SHA256SUMS)

# 2. Never over existing data.
tables="$(psql "$DATABASE_URL" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: la base de destino no está vacía ($tables tablas); use una base nueva" >&2
  exit 2
fi

# 3. The database (one transaction: all or nothing).
pg_restore --no-owner --no-acl --exit-on-error --single-transaction \
  --dbname="$DATABASE_URL" "$backup/db.dump"

# 4. The files, to where the platform now keeps them.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$backup/files.tar.gz"
source_dir="$work"
[ "$(cat "$backup/files.kind")" = "s3" ] && source_dir="$work/objects"
if [ -n "${AWS_STORAGE_BUCKET_NAME:-}" ]; then
  "$python" "$here/objects.py" upload "$source_dir"
else
  media="${MEDIA_ROOT:-${SGU_VAR_DIR:-$root/var}/media}"
  mkdir -p "$media"
  cp -a "$source_dir"/. "$media"/
fi

# 5. Migrations of this code version, then what must always hold.
"$python" "$root/manage.py" migrate --no-input -v 0
"$python" "$root/manage.py" check_integrity
