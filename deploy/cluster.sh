#!/usr/bin/env bash
# The SGU as a platform on one machine, on loopback: haproxy (deploy/haproxy.cfg) in front of two
# web processes (each its own gunicorn with deploy/gunicorn.conf.py), two task workers, two
# schedulers, a PostgreSQL primary and its streaming replica, Redis, an S3-protocol store
# (moto) and an SMTP sink (aiosmtpd) — every one on its own port, every file in one state
# folder. Runbook: docs/operations.md, «Clúster de prueba en una máquina».
#
#   deploy/cluster.sh up       # start what is not running (twice is fine)
#   deploy/cluster.sh check    # the core flow through the balancer, replica reads, a web
#                              # process restarted under load with zero failed requests
#   deploy/cluster.sh status   # what runs
#   deploy/cluster.sh down     # stop everything and remove the state (also after a failed up)
#
# SGU_CLUSTER_DIR (default /tmp/sgu-cluster) is the state folder. The system PostgreSQL (5432)
# is never touched: the clusters are created here with initdb / pg_basebackup.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
venv="$root/.venv"
python="$venv/bin/python"
state="${SGU_CLUSTER_DIR:-/tmp/sgu-cluster}"
export SGU_CLUSTER_DIR="$state"

# Ports (deploy/haproxy.cfg names the balancer's and the web processes'; tests/ops checks it).
LB_PORT=58443
WEB_PORTS=(58001 58002)
PG_PRIMARY_PORT=55432
PG_REPLICA_PORT=55433
REDIS_PORT=56379
S3_PORT=55500
SMTP_PORT=55025
WORKERS=2
SCHEDULERS=2

say() { printf '[cluster %s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$dir" ] || die "no hay PostgreSQL en /usr/lib/postgresql/*/bin (apt-get install postgresql)"
  echo "$dir"
}

# PostgreSQL refuses to run as root: its clusters belong to the postgres user then.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

alive() {  # alive NAME: its pid file names a running process
  local file="$state/run/$1.pid"
  [ -f "$file" ] && kill -0 "$(cat "$file")" 2>/dev/null
}

# start NAME COMMAND…: in its own session (its own process group: stopped whole by down),
# output in log/NAME.log, pid in run/NAME.pid; nothing if it already runs.
start() {
  local name="$1"; shift
  if alive "$name"; then say "$name ya corre (pid $(cat "$state/run/$name.pid"))"; return; fi
  setsid "$@" >> "$state/log/$name.log" 2>&1 < /dev/null &
  echo $! > "$state/run/$name.pid"
  say "$name iniciado (pid $!)"
}

wait_for() {  # wait_for SECONDS WHAT COMMAND…
  local seconds="$1" what="$2"; shift 2
  local i
  for ((i = 0; i < seconds * 5; i++)); do
    if "$@" > /dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  die "$what no responde tras ${seconds} s (registros en $state/log/)"
}

port_open() { (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; }

load_env() { set -a; . "$state/sgu.env"; set +a; }

ensure_haproxy() {
  command -v haproxy > /dev/null && return
  say "haproxy no está instalado: apt-get install haproxy"
  [ "$(id -u)" = 0 ] || die "instale haproxy (apt-get install haproxy) o corra como root"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy > "$state/log/apt.log" 2>&1 || {
    apt-get update -q >> "$state/log/apt.log" 2>&1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy >> "$state/log/apt.log" 2>&1
  } || die "no se pudo instalar haproxy (ver $state/log/apt.log)"
}

ensure_venv() {
  [ -x "$venv/bin/gunicorn" ] && [ -x "$venv/bin/moto_server" ] && return
  say "sin .venv con las dependencias de desarrollo: make install"
  make -C "$root" install > "$state/log/install.log" 2>&1 || die "make install falló ($state/log/install.log)"
}

write_env() {
  [ -f "$state/sgu.env" ] && return
  local secret
  secret="$("$python" -c 'import secrets; print(secrets.token_urlsafe(48))')"
  cat > "$state/sgu.env" << EOF
# The loopback cluster's variables (deploy/cluster.sh): the production profile, as on a host.
SGU_ENV=production
SECRET_KEY=$secret
ALLOWED_HOSTS=127.0.0.1
SITE_URL=https://127.0.0.1:$LB_PORT
SGU_VAR_DIR=$state/var
DATABASE_URL=postgres://sgu@127.0.0.1:$PG_PRIMARY_PORT/sgu
DATABASE_REPLICA_URL=postgres://sgu@127.0.0.1:$PG_REPLICA_PORT/sgu
SGU_REPLICA_LAG_CHECK=1
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
AWS_STORAGE_BUCKET_NAME=sgu-cluster
AWS_S3_ENDPOINT_URL=http://127.0.0.1:$S3_PORT
AWS_S3_REGION_NAME=us-east-1
AWS_ACCESS_KEY_ID=sgu-cluster
AWS_SECRET_ACCESS_KEY=sgu-cluster-secret
EMAIL_HOST=127.0.0.1
EMAIL_PORT=$SMTP_PORT
SGU_TRUST_X_FORWARDED_FOR=true
# Every request of check comes from one address: the per-IP limits would count them all.
SGU_RATE_API_IP=100000
SGU_RATE_API_KEY=100000
SGU_RATE_AUTH=1000
SGU_RATE_PUBLIC=10000
WEB_CONCURRENCY=2
LOG_LEVEL=INFO
EOF
}

ensure_tls() {
  [ -f "$state/tls/haproxy.pem" ] && return
  mkdir -p "$state/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" \
    -keyout "$state/tls/key.pem" -out "$state/tls/cert.pem" > "$state/log/openssl.log" 2>&1
  cat "$state/tls/cert.pem" "$state/tls/key.pem" > "$state/tls/haproxy.pem"
  chmod 600 "$state/tls/key.pem" "$state/tls/haproxy.pem"
}

pg_running() { [ -f "$1/postmaster.pid" ] && as_pg "$(pg_bin)/pg_ctl" -D "$1" status > /dev/null 2>&1; }

ensure_postgres() {
  local bin primary="$state/pg/primary" replica="$state/pg/replica"
  bin="$(pg_bin)"
  mkdir -p "$state/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$state/pg"; fi
  if [ ! -f "$primary/PG_VERSION" ]; then
    as_pg "$bin/initdb" -D "$primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      > "$state/log/initdb.log" 2>&1 || die "initdb falló ($state/log/initdb.log)"
    cat >> "$primary/postgresql.conf" << EOF
# deploy/cluster.sh: loopback only, on a port of its own, sockets in the state folder.
port = $PG_PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$state/pg'
wal_level = replica
max_wal_senders = 5
hot_standby = on
EOF
  fi
  if ! pg_running "$primary"; then
    as_pg "$bin/pg_ctl" -D "$primary" -l "$state/pg/primary.log" -w -t 60 start > /dev/null \
      || die "el primario no arrancó ($state/pg/primary.log)"
    say "PostgreSQL primario en $PG_PRIMARY_PORT"
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$PG_PRIMARY_PORT" -U postgres -X -q -v ON_ERROR_STOP=1)
  if [ "$("${psql[@]}" -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'sgu'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE sgu LOGIN"
    "${psql[@]}" -c "CREATE DATABASE sgu OWNER sgu"
  fi
  if [ ! -f "$replica/PG_VERSION" ]; then
    # -R writes standby.signal and primary_conninfo: a streaming replica of the primary.
    as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$PG_PRIMARY_PORT" -U postgres -D "$replica" \
      -R -X stream -c fast > "$state/log/basebackup.log" 2>&1 \
      || die "pg_basebackup falló ($state/log/basebackup.log)"
    cat >> "$replica/postgresql.auto.conf" << EOF
port = $PG_REPLICA_PORT
# Every statement the replica runs is in its log: check proves the statistics read here.
log_statement = 'all'
log_line_prefix = '%m [%p] %d '
EOF
  fi
  if ! pg_running "$replica"; then
    as_pg "$bin/pg_ctl" -D "$replica" -l "$state/pg/replica.log" -w -t 60 start > /dev/null \
      || die "la réplica no arrancó ($state/pg/replica.log)"
    say "PostgreSQL réplica (streaming) en $PG_REPLICA_PORT"
  fi
}

manage() { (cd "$root" && "$python" manage.py "$@"); }

# Before the first up: every port free (something else on one would answer for us).
ports_free() {
  local port
  for port in "$LB_PORT" "${WEB_PORTS[@]}" "$PG_PRIMARY_PORT" "$PG_REPLICA_PORT" "$REDIS_PORT" \
    "$S3_PORT" "$SMTP_PORT"; do
    if port_open "$port"; then die "el puerto $port ya está en uso (¿otro clúster? deploy/cluster.sh down)"; fi
  done
}

cmd_up() {
  [ -d "$state/run" ] || ports_free
  mkdir -p "$state/run" "$state/log" "$state/var"
  ensure_venv
  ensure_haproxy
  write_env
  ensure_tls
  ensure_postgres

  start redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$state"
  start s3 "$venv/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT"
  # The SMTP sink keeps every message as a file (a Maildir): check reads the links in them.
  start smtp "$python" -m aiosmtpd -n -l "127.0.0.1:$SMTP_PORT" -c aiosmtpd.handlers.Mailbox \
    "$state/mail"
  wait_for 20 "Redis" port_open "$REDIS_PORT"
  wait_for 30 "el almacén S3 (moto)" port_open "$S3_PORT"
  wait_for 20 "el SMTP de prueba" port_open "$SMTP_PORT"

  load_env
  "$python" - << 'EOF'
import os, boto3
s3 = boto3.client("s3", endpoint_url=os.environ["AWS_S3_ENDPOINT_URL"], region_name="us-east-1")
names = [b["Name"] for b in s3.list_buckets().get("Buckets", [])]
if os.environ["AWS_STORAGE_BUCKET_NAME"] not in names:
    s3.create_bucket(Bucket=os.environ["AWS_STORAGE_BUCKET_NAME"])
EOF
  # As on a host (docs/operations.md): migrations first, static files, the deploy check.
  manage migrate --no-input > "$state/log/migrate.log" 2>&1 || die "migrate falló ($state/log/migrate.log)"
  manage collectstatic --no-input > "$state/log/collectstatic.log" 2>&1 \
    || die "collectstatic falló ($state/log/collectstatic.log)"
  manage check --deploy --fail-level WARNING > "$state/log/check-deploy.log" 2>&1 \
    || die "check --deploy falló ($state/log/check-deploy.log)"
  # Operators, catalog and accounts (no history); an API key for CLARO, shown once: kept here.
  if [ ! -f "$state/claro.key" ]; then
    manage load_demo --months 0 --quiet > "$state/log/load_demo.log" 2>&1 \
      || die "load_demo falló ($state/log/load_demo.log)"
    manage create_operator_key CLARO --name "cluster.sh check" 2> "$state/log/operator_key.log" \
      | tail -n 1 > "$state/claro.key.partial"
    mv "$state/claro.key.partial" "$state/claro.key"
  fi

  local i
  # gunicorn ≥ 27 opens a control socket, by default in $HOME: one per process here.
  for i in 1 2; do
    start "web$i" env GUNICORN_BIND="127.0.0.1:${WEB_PORTS[$((i - 1))]}" \
      PROMETHEUS_MULTIPROC_DIR="$state/var/prometheus-web$i" \
      "$venv/bin/gunicorn" -c "$root/deploy/gunicorn.conf.py" \
      --control-socket "$state/run/web$i.ctl"
  done
  for ((i = 1; i <= WORKERS; i++)); do
    start "worker$i" "$python" "$root/manage.py" db_worker --interval 1
  done
  for ((i = 1; i <= SCHEDULERS; i++)); do
    start "scheduler$i" "$python" "$root/manage.py" run_scheduler --interval 60
  done
  for i in 1 2; do
    wait_for 60 "web$i" curl -fsS "http://127.0.0.1:${WEB_PORTS[$((i - 1))]}/healthz"
  done
  start haproxy haproxy -db -f "$root/deploy/haproxy.cfg"
  wait_for 20 "haproxy" curl -fsS --cacert "$state/tls/cert.pem" "https://127.0.0.1:$LB_PORT/healthz"
  wait_for 60 "la plataforma (/readyz)" curl -fsS --cacert "$state/tls/cert.pem" \
    "https://127.0.0.1:$LB_PORT/readyz"
  say "listo: https://127.0.0.1:$LB_PORT (certificado $state/tls/cert.pem)"
}

# haproxy's admin socket, without socat: one command, its answer on stdout.
lb() {
  "$python" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall((sys.argv[2] + "\n").encode())
out = b""
while chunk := s.recv(65536):
    out += chunk
sys.stdout.write(out.decode())
' "$state/haproxy.sock" "$1"
}

server_field() {  # server_field SERVER FIELD: from «show stat» of backend web
  lb "show stat" | awk -F, -v s="$1" -v f="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == "web" && $2 == s { print $(col[f]) }'
}

server_is() {  # server_is SERVER STATUS (UP, DOWN, DRAIN, MAINT…)
  [ "$(server_field "$1" status)" = "$2" ]
}

no_sessions() { [ "$(server_field "$1" scur)" = 0 ]; }

# Stop and start one web process without a failed request: drained in haproxy (no new
# requests; the ones under way finish), stopped gracefully (SIGTERM: gunicorn lets its workers
# finish), started again, back in rotation once its health checks pass.
cmd_restart_web() {
  local n="${1:?restart-web 1|2}" server="web$1"
  local port="${WEB_PORTS[$((n - 1))]}" pid
  load_env
  lb "set server web/$server state drain" > /dev/null
  say "$server drenado en haproxy"
  wait_for 30 "el drenado de $server" no_sessions "$server"
  pid="$(cat "$state/run/$server.pid")"
  kill -TERM "$pid"
  local i
  for ((i = 0; i < 200; i++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
  kill -0 "$pid" 2> /dev/null && die "$server no terminó con SIGTERM"
  say "$server detenido (pid $pid)"
  start "$server" env GUNICORN_BIND="127.0.0.1:$port" \
    PROMETHEUS_MULTIPROC_DIR="$state/var/prometheus-$server" \
    "$venv/bin/gunicorn" -c "$root/deploy/gunicorn.conf.py" --control-socket "$state/run/$server.ctl"
  wait_for 60 "$server" curl -fsS "http://127.0.0.1:$port/healthz"
  lb "set server web/$server state ready" > /dev/null
  wait_for 20 "$server en haproxy" server_is "$server" UP
  say "$server de vuelta en haproxy (UP)"
}

cmd_check() {
  [ -f "$state/sgu.env" ] && alive haproxy || die "el clúster no corre: deploy/cluster.sh up"
  load_env
  "$python" "$here/cluster_check.py" \
    --base "https://127.0.0.1:$LB_PORT" --cafile "$state/tls/cert.pem" \
    --state "$state" --operator-key-file "$state/claro.key" \
    --replica-log "$state/pg/replica.log" \
    --psql "$(pg_bin)/psql" --primary-port "$PG_PRIMARY_PORT" --replica-port "$PG_REPLICA_PORT" \
    --restart "$here/cluster.sh restart-web 1"
}

cmd_status() {
  local name
  for file in "$state"/run/*.pid; do
    [ -f "$file" ] || continue
    name="$(basename "$file" .pid)"
    if alive "$name"; then echo "$name: corre (pid $(cat "$file"))"; else echo "$name: detenido"; fi
  done
  for db in primary replica; do
    if [ -d "$state/pg/$db" ] && pg_running "$state/pg/$db"; then echo "postgres-$db: corre"; fi
  done
  if alive haproxy; then lb "show stat" | cut -d, -f1,2,18 | grep '^web,web'; fi
}

cmd_down() {
  local file pid name
  # The balancer first, then the processes that use the databases, then the rest.
  for name in haproxy web1 web2 worker1 worker2 scheduler1 scheduler2 smtp s3 redis; do
    file="$state/run/$name.pid"
    [ -f "$file" ] || continue
    pid="$(cat "$file")"
    if kill -0 "$pid" 2> /dev/null; then
      kill -TERM -- "-$pid" 2> /dev/null || kill -TERM "$pid" 2> /dev/null || true
    fi
  done
  for file in "$state"/run/*.pid; do
    [ -f "$file" ] || continue
    pid="$(cat "$file")"
    for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2> /dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2> /dev/null; then kill -KILL -- "-$pid" 2> /dev/null || true; fi
    rm -f "$file"
  done
  local db
  for db in replica primary; do
    if [ -f "$state/pg/$db/postmaster.pid" ]; then
      as_pg "$(pg_bin)/pg_ctl" -D "$state/pg/$db" -m fast -w -t 60 stop > /dev/null 2>&1 || true
    fi
  done
  case "$state" in
    /|"") die "SGU_CLUSTER_DIR vacío o /" ;;
  esac
  rm -rf "$state"
  say "detenido; $state borrado"
}

case "${1:-}" in
  up) cmd_up ;;
  check) cmd_check ;;
  down) cmd_down ;;
  status) cmd_status ;;
  restart-web) cmd_restart_web "${2:-1}" ;;
  *) echo "uso: $0 up|check|status|down (y restart-web N)" >&2; exit 2 ;;
esac
