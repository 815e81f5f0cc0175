"""The scheduler's registry: each app declares its periodic jobs in its own `jobs.py`; the
`run_scheduler` command (sgu.site) runs them in turn on every pass.

The registry lives on the ground floor so that no app imports another to be scheduled, and
the scheduler imports none of them: `CoreConfig.ready()` loads every installed app's `jobs`
module, the way Django's admin finds `admin.py`.
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

logger = logging.getLogger("sgu.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[datetime], object]  # takes the pass's `now`
    every: timedelta | None = None  # None: every pass; else at most once per `every`
    label: str = ""  # a positive count returned is reported as "<label>: <n>"


_JOBS: list[Job] = []


def job(
    name: str, *, every: timedelta | None = None, label: str = ""
) -> Callable[[Callable[[datetime], object]], Callable[[datetime], object]]:
    """Register the decorated function (taking `now`) as a periodic job."""

    def register(fn: Callable[[datetime], object]) -> Callable[[datetime], object]:
        if any(j.name == name for j in _JOBS):
            raise ValueError(f"job registered twice: {name}")
        _JOBS.append(Job(name=name, run=fn, every=every, label=label))
        return fn

    return register


def jobs() -> tuple[Job, ...]:
    return tuple(_JOBS)


class Pass:
    """One scheduler process: remembers when each spaced job last ran (monotonic clock)."""

    def __init__(self) -> None:
        self._last: dict[str, float] = {}

    def run(self, now: datetime | None = None) -> list[str]:
        """Run every due job once; one failing job is logged and the others still run.
        Returns the "<label>: <n>" lines of the jobs that did something worth saying."""
        now = now or timezone.now()
        said: list[str] = []
        for j in jobs():
            if j.every is not None:
                last = self._last.get(j.name)
                if last is not None and time.monotonic() - last < j.every.total_seconds():
                    continue
            try:
                result = j.run(now)
            except Exception:  # keep the scheduler alive; the next pass retries this job
                logger.exception("tarea periódica fallida: %s", j.name)
                continue
            if j.every is not None:
                self._last[j.name] = time.monotonic()
            if j.label and isinstance(result, int) and not isinstance(result, bool) and result:
                said.append(f"{j.label}: {result}")
        return said
