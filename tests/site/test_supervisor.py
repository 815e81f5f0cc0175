"""`make run` supervises its processes: a dead worker or scheduler is started again and the
web server stays up; a web master that dies takes its orphaned workers with it (they would
hold the port); Ctrl+C leaves nothing running."""

import os
import signal
import subprocess
import sys
import time

import pytest

from sgu.site.supervisor import Child, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def web_with_a_worker(pidfile) -> list[str]:
    """Like gunicorn: a master that forks a worker, which would outlive a killed master."""
    code = (
        "import subprocess, sys, time\n"
        "w = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(pidfile)!r}, 'a').write(f'{{w.pid}}\\n')\n"
        "time.sleep(120)\n"
    )
    return [sys.executable, "-c", code]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (dead, not yet reaped by its parent) is not running.
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True)
    return state.stdout.strip()[:1] not in ("", "Z")


def wait_until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def pids(pidfile) -> list[int]:
    return [int(line) for line in pidfile.read_text().split()] if pidfile.exists() else []


@pytest.fixture
def supervised(tmp_path):
    pidfile = tmp_path / "web-workers"
    web = Child("web", web_with_a_worker(pidfile))
    worker = Child("worker", SLEEPER)
    scheduler = Child("planificador", SLEEPER)
    messages: list[str] = []
    supervisor = Supervisor([web, worker, scheduler], write=messages.append)
    supervisor.grace = 3
    supervisor.start()
    wait_until(lambda: len(pids(pidfile)) == 1)
    yield supervisor, web, worker, scheduler, pidfile, messages
    supervisor.stop()


def restarted(supervisor, child) -> bool:
    supervisor.check()
    return len(child.history) == 2 and child.process is not None


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_a_killed_worker_is_restarted_and_the_web_server_stays_up(supervised):
    supervisor, web, worker, scheduler, pidfile, messages = supervised
    web_pid, first_worker = web.process.pid, worker.process.pid

    os.kill(first_worker, signal.SIGKILL)
    wait_until(lambda: restarted(supervisor, worker))

    assert worker.process.pid != first_worker and alive(worker.process.pid)
    assert web.process.pid == web_pid and alive(web_pid) and alive(pids(pidfile)[0])
    assert len(scheduler.history) == 1
    assert any("worker terminó (código -9)" in m for m in messages)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_a_killed_web_master_takes_its_orphaned_workers_with_it(supervised):
    supervisor, web, worker, _scheduler, pidfile, _messages = supervised
    orphan = pids(pidfile)[0]

    os.kill(web.process.pid, signal.SIGKILL)
    wait_until(lambda: restarted(supervisor, web))

    wait_until(lambda: not alive(orphan))
    wait_until(lambda: len(pids(pidfile)) == 2)
    assert alive(pids(pidfile)[1])
    assert len(worker.history) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")
def test_stopping_leaves_nothing_running(supervised):
    supervisor, web, worker, scheduler, pidfile, _messages = supervised
    everyone = [web.process.pid, worker.process.pid, scheduler.process.pid, *pids(pidfile)]

    supervisor.stop()

    assert not any(alive(pid) for pid in everyone)
