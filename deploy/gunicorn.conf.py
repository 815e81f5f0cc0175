"""gunicorn for the SGU web processes (deploy/systemd/sgu-web.service runs it as is):

    gunicorn -c deploy/gunicorn.conf.py

Behind nginx (deploy/nginx/sgu.conf) on 127.0.0.1:8000. Every knob from the environment so the
same file serves every host; sizing in docs/operations.md, «Procesos y tamaños»."""

import multiprocessing
import os
import shutil

# The application: src/sgu/wsgi.py.
wsgi_app = "sgu.wsgi:application"
pythonpath = "src"
chdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request holds one process (and one database connection) while it runs.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request slower than this is killed (its transaction rolls back); nginx answers 502/504.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then (bounded memory); the jitter keeps them from restarting at once.
max_requests = 2000
max_requests_jitter = 200
# Heartbeat files in memory, not on a slow disk (a blocked disk would kill the workers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Only nginx on this host may say the request came over HTTPS (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Load the application before forking: a broken setting (the production profile's refusal)
# stops the master at once, with its message, instead of a crash loop of workers.
preload_app = True

# Logs on stdout/stderr (the journal). The access log is one JSON object per line, with the
# request id the application answered in X-Request-ID (the same one its own log lines carry).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", '
    '"duration_ms": %(M)s, "remote": "%({x-forwarded-for}i)s"}'
)
proc_name = "sgu-web"

# /metrics (sgu/core/metrics.py) adds up every worker's request counters: prometheus-client's
# multiprocess mode keeps them in files of this folder. Set before the application is loaded
# (preload_app) so that prometheus-client sees it; emptied when the master starts (counters of
# a previous run would be added up too). Its own folder per gunicorn: never shared.
PROMETHEUS_MULTIPROC_DIR = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR",
    os.path.join(os.environ.get("SGU_VAR_DIR") or os.path.join(chdir, "var"), "prometheus-web"),
)


def on_starting(server):
    shutil.rmtree(PROMETHEUS_MULTIPROC_DIR, ignore_errors=True)
    os.makedirs(PROMETHEUS_MULTIPROC_DIR, mode=0o700, exist_ok=True)


def child_exit(server, worker):
    # A worker that ended (recycled by max_requests, killed): its live gauges stop counting.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
