"""A small process supervisor for `make run` (`manage.py serve`): the web server, the task
worker and the scheduler side by side.

- A child that dies is started again (after 1 s, 2 s, 4 s… up to 30 s while it keeps dying
  young); the others are left alone, so a dead worker or scheduler never takes the web server
  down.
- Each child runs in its own process group, and the whole group is killed when its leader
  dies or on shutdown: gunicorn workers orphaned by a killed master never keep the port.
- Ctrl+C (or SIGTERM) stops every child: SIGTERM to each group, SIGKILL to what is left
  after the grace period. On Linux a child also gets SIGTERM if the supervisor itself dies.

Production runs the same three programs under systemd, which does the same job.
"""

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

logger = logging.getLogger("sgu.serve")

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts: int = 0
    young_deaths: int = 0
    next_start: float = 0.0
    history: list[int] = field(default_factory=list)  # pids, oldest first

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.argv, process_group=0, preexec_fn=_die_with_parent, close_fds=True
        )
        self.started_at = time.monotonic()
        self.history.append(self.process.pid)

    def signal_group(self, sig: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, sig)


class Supervisor:
    grace = 10.0  # seconds a child has to stop after SIGTERM
    max_backoff = 30.0
    young = 60.0  # a child that dies before this many seconds died young

    def __init__(self, children: list[Child], *, write=None):
        self.children = children
        self.write = write or (lambda message: logger.warning(message))
        self.stopping = False

    def start(self) -> None:
        for child in self.children:
            child.start()

    def check(self) -> None:
        """Restart whatever died (called every half second)."""
        now = time.monotonic()
        for child in self.children:
            if child.process is not None:
                code = child.process.poll()
                if code is None:
                    continue
                # Whatever the dead leader left in its group (orphaned gunicorn workers) goes too.
                child.signal_group(signal.SIGKILL)
                lived = now - child.started_at
                child.young_deaths = child.young_deaths + 1 if lived < self.young else 0
                delay = min(self.max_backoff, 2 ** max(child.young_deaths - 1, 0))
                child.process = None
                child.next_start = now + delay
                self.write(
                    f"{child.name} terminó (código {code}) tras {lived:.0f} s; "
                    f"se reinicia en {delay:.0f} s"
                )
            if child.process is None and now >= child.next_start and not self.stopping:
                child.start()
                child.restarts += 1

    def run(self, *, poll: float = 0.5) -> None:
        """Supervise until KeyboardInterrupt (Ctrl+C, or SIGTERM turned into it), then stop."""
        try:
            while True:
                self.check()
                time.sleep(poll)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        self.stopping = True
        for child in self.children:
            child.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for child in self.children:
            if child.process is None:
                continue
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        for child in self.children:
            child.signal_group(signal.SIGKILL)  # anything left, leader or not
            if child.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.process.wait(timeout=5)
