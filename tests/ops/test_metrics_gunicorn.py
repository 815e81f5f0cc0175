"""deploy/gunicorn.conf.py as it is, with several workers: /metrics adds up the requests every
worker served (prometheus-client's multiprocess mode, PROMETHEUS_MULTIPROC_DIR), also those of
a worker that has ended, and the folder is emptied when gunicorn starts."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from ops.helpers import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
    return found


def _wait(condition, timeout: float = 60.0, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"no ocurrió a tiempo: {what}")


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except OSError:
        return 0, ""


def healthz_count(text: str) -> float:
    return sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "sgu_http_requests_total" and s.labels.get("route") == "healthz"
    )


def test_metrics_add_up_every_gunicorn_worker_even_one_that_ended(tmp_path):
    var = tmp_path / "var"
    stale = var / "prometheus-web" / "counter_999999.db"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"de una corrida anterior")
    port = _free_port()
    # The development profile on SQLite; the multiprocess folder is the config's default,
    # $SGU_VAR_DIR/prometheus-web.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SGU_", "AWS_", "PROMETHEUS_", "DATABASE_", "DJANGO_ALLOW"))
    }
    env.update(SGU_VAR_DIR=str(var), GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    master = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "gunicorn.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(
            lambda: _get(f"{base}/healthz")[0] == 200 or master.poll() is not None,
            what="gunicorn arranca",
        )
        assert master.poll() is None, (tmp_path / "gunicorn.log").read_text()[-3000:]
        assert not stale.exists()  # emptied on start
        first = _children(master.pid)
        assert len(first) == 1
        for _ in range(9):
            assert _get(f"{base}/healthz")[0] == 200
        # A second worker, then the first one ends: only the new one answers from now on.
        os.kill(master.pid, signal.SIGTTIN)
        _wait(lambda: len(_children(master.pid)) == 2, what="el segundo worker")
        os.kill(master.pid, signal.SIGTTOU)  # gunicorn stops the oldest
        _wait(lambda: _children(master.pid).isdisjoint(first), what="el primer worker termina")
        _, text = _wait(lambda: (r := _get(f"{base}/metrics"))[0] == 200 and r, what="/metrics")
        assert healthz_count(text) == 10, (tmp_path / "gunicorn.log").read_text()[
            -3000:
        ]  # every one, though the worker that served them ended
    finally:
        master.terminate()
        try:
            master.wait(timeout=30)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()
