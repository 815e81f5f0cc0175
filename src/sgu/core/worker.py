"""Background processes that outlive their database and their own death.

django-tasks' `db_worker` marks a task RUNNING when it takes it, and nothing else looks at it
again; it also exits on the first lost database connection (a PostgreSQL restart: the claim
query or `set_successful` raises, `set_failed` raises again, the process ends). Here:

- **Heartbeats.** Every worker and scheduler rewrites its `ProcessHeartbeat` row every few
  seconds; a worker's row names the task it is running. /readyz reads them.
- **A lease, not a timeout.** A task RUNNING for longer than `lease()` whose worker's heartbeat
  is stale (or no longer names it) was left by a dead worker: `requeue_abandoned_tasks` puts it
  back in the queue. Idle workers call it every few seconds and the scheduler on every tick, so
  such a task is taken again within a minute; a live worker keeps a long task for as long as it
  runs. Its attempts are the claims in `worker_ids`.
- **A lost connection is waited out.** `Worker` (the `db_worker` command, core/management)
  closes the broken connection and tries again with a growing pause, while idle, while taking
  a task, and while recording a task's outcome; a task that failed only because the database
  went away goes back to the queue instead of being marked failed.

Every task of the SGU may run twice: emails and webhook deliveries claim their row, commit,
send, then record (notifications/tasks.py, operators/tasks.py; their writes in each app's
services/outbox.py); a bajas report is taken again only by a redelivery of its own task
(service_requests.ingest.process_batch).
"""

from __future__ import annotations  # DBTaskResult[...] is for the type checker only

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, close_old_connections, connection
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.compat import TaskContext, task_finished, task_started
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from sgu.core import requestid, tasks
from sgu.core.models import ProcessHeartbeat

logger = logging.getLogger("sgu.worker")
T = TypeVar("T")

# Longest pause between two attempts to reach a database that is down.
MAX_BACKOFF = 10.0
# A task put back because the database went away under it waits this long.
LOST_CONNECTION_RETRY = timedelta(seconds=5)


def lease() -> timedelta:
    """How long a task may stay RUNNING under a worker that stopped beating before another
    worker takes it. Heartbeats come every third of it."""
    return timedelta(seconds=cast(float, settings.SGU.get("TASK_LEASE_SECONDS", 30)))


def heartbeat_every() -> float:
    return lease().total_seconds() / 3


# --- heartbeats -------------------------------------------------------------------------------


def beat(name: str, kind: str, *, every: float, task_id: str = "") -> None:
    """Say that process `name` is alive now (and which task it runs)."""
    now = timezone.now()
    updated = ProcessHeartbeat.objects.filter(name=name).update(
        seen_at=now, task_id=task_id, every=every
    )
    if not updated:
        ProcessHeartbeat.objects.create(
            name=name,
            kind=kind,
            host=socket.gethostname()[:255],
            pid=os.getpid(),
            started_at=now,
            seen_at=now,
            every=every,
            task_id=task_id,
        )


def stop_beating(name: str) -> None:
    """A process that stops cleanly removes its row: its tasks are free at once."""
    ProcessHeartbeat.objects.filter(name=name).delete()


def stale_after(every: float) -> timedelta:
    """A heartbeat older than this is a dead (or stuck) process."""
    return timedelta(seconds=3 * every + 30)


def freshest(kind: str, *, now: datetime | None = None) -> dict[str, Any]:
    """What /readyz reports for one kind of process."""
    now = now or timezone.now()
    rows = list(ProcessHeartbeat.objects.filter(kind=kind).order_by("-seen_at"))
    alive = [r for r in rows if now - r.seen_at <= stale_after(r.every)]
    latest = rows[0] if rows else None
    return {
        "ok": bool(alive),
        "alive": len(alive),
        "last_seen_seconds": round((now - latest.seen_at).total_seconds(), 1) if latest else None,
    }


# --- the lease --------------------------------------------------------------------------------


def requeue_abandoned_tasks(*, now: datetime | None = None) -> int:
    """Put back in the queue every task RUNNING for longer than the lease whose worker is no
    longer beating for it. Returns how many."""
    now = now or timezone.now()
    cutoff = now - lease()
    running = list(
        DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING, started_at__lt=cutoff
        ).values_list("id", "worker_ids")
    )
    if not running:
        return 0
    holding = dict(
        ProcessHeartbeat.objects.filter(
            kind=ProcessHeartbeat.WORKER, seen_at__gte=cutoff
        ).values_list("name", "task_id")
    )
    abandoned = [
        task_id
        for task_id, workers in running
        if not workers or holding.get(workers[-1]) != str(task_id)
    ]
    if not abandoned:
        return 0
    # The status and start again in the UPDATE: a task that finished meanwhile stays finished,
    # one another worker took meanwhile stays with it.
    count = DBTaskResult.objects.filter(
        id__in=abandoned, status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).update(status=TaskResultStatus.READY, started_at=None, run_after=now)
    if count:
        logger.warning("%s tareas abandonadas por un worker caído vuelven a la cola", count)
    # Rows of processes gone for a day tell nothing any more.
    ProcessHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    return count


def put_back(task_id: Any, *, after: timedelta) -> None:
    DBTaskResult.objects.filter(id=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.READY, started_at=None, run_after=timezone.now() + after
    )


# --- lost connections -------------------------------------------------------------------------


# SQLSTATEs that say the connection is gone: class 08 (connection exception), and the server
# shutting down or starting up (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
# connect now).
GONE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def connection_lost(exc: BaseException) -> bool:
    """Whether `exc` came from a database connection that no longer works (a restart, a
    network cut), as opposed to an error of the query itself."""
    if not isinstance(exc, DatabaseError):
        return False
    if driver_says_gone(exc):
        return True
    try:
        return connection.connection is None or not connection.is_usable()
    except Exception:
        return True


def driver_says_gone(exc: BaseException) -> bool:
    """Whether psycopg's own error (the Django error's cause) says the connection died. The
    connection's state cannot always tell: through a pool (DATABASE_POOL_MAX_SIZE) the thread
    may already hold a fresh connection when the error is looked at, and the task that died
    with the restart was marked FAILED (found by bench/reliability.py)."""
    cause = exc.__cause__
    if cause is None or not type(cause).__module__.startswith("psycopg"):
        return False
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is None:  # raised by the client: "server closed the connection unexpectedly"
        return type(cause).__name__ in {"OperationalError", "InterfaceError"}
    return str(sqlstate).startswith(GONE_SQLSTATES)


def reset_connection() -> None:
    """Drop this thread's broken connection; the next query opens a new one."""
    try:
        connection.close()
    except Exception:  # already broken: nothing to close cleanly
        logger.debug("cierre de una conexión rota", exc_info=True)
        connection.connection = None


def through_restarts(record: Callable[[], T], *, patience: float = 60.0) -> T:
    """Run `record` — a short write of something that already happened outside (an email
    sent, a webhook answered) — again on a fresh connection if the database went away, for up
    to `patience` seconds: the fact must not be forgotten because PostgreSQL restarted."""
    deadline = time.monotonic() + patience
    pause = 0.5
    while True:
        try:
            return record()
        except DatabaseError as exc:
            if not connection_lost(exc) or time.monotonic() > deadline:
                raise
            logger.warning("sin base de datos al registrar un resultado; reintento: %s", exc)
            reset_connection()
            time.sleep(pause)
            pause = min(pause * 2, 5.0)


class Worker(db_worker.Worker):
    """django-tasks' worker, kept alive through database restarts and beating for its tasks."""

    backoff_start = 1.0

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.current_task = ""
        self._backoff = 0.0
        self._last_requeue = float("-inf")
        self._stop = threading.Event()

    # heartbeats

    def beat(self) -> None:
        beat(
            self.worker_id,
            ProcessHeartbeat.WORKER,
            every=heartbeat_every(),
            task_id=self.current_task,
        )

    def _beat_forever(self) -> None:
        """A thread of its own, so that a long task keeps its lease."""
        while not self._stop.wait(heartbeat_every()):
            try:
                self.beat()
            except Exception:
                logger.debug("latido fallido", exc_info=True)
                reset_connection()
        reset_connection()

    # the database going away

    def wait_for_database(self, exc: BaseException) -> None:
        """Close the broken connection and pause before the next try (1 s, 2 s… 10 s)."""
        self._backoff = min(MAX_BACKOFF, self._backoff * 2 or self.backoff_start)
        logger.warning(
            "sin base de datos (%s: %s); nuevo intento en %.0f s",
            type(exc).__name__,
            str(exc).strip()[:200],
            self._backoff,
        )
        reset_connection()
        deadline = time.monotonic() + self._backoff
        while self.running and time.monotonic() < deadline:
            time.sleep(min(0.2, self._backoff))

    def database_back(self) -> None:
        if self._backoff:
            logger.warning("base de datos de vuelta; el worker sigue")
            self._backoff = 0.0

    # the loop

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        if self.startup_delay and self.interval:
            time.sleep(random.random())  # no thundering herd
        beating = None
        if not self.batch:
            beating = threading.Thread(target=self._beat_forever, daemon=True)
            beating.start()
        try:
            while self.running:
                if self._step() == "stop":
                    return
        finally:
            self._stop.set()
            if beating is not None:
                beating.join(timeout=5)
            try:
                stop_beating(self.worker_id)
            except Exception:
                logger.debug("no se borró el latido", exc_info=True)

    def _step(self) -> str:
        try:
            close_old_connections()
            if time.monotonic() - self._last_requeue >= heartbeat_every():
                self.beat()
                requeue_abandoned_tasks()
                self._last_requeue = time.monotonic()
            task_result, retrieved = self.take()
        except DatabaseError as exc:
            if not connection_lost(exc):
                raise
            self.wait_for_database(exc)
            return "again"
        self.database_back()
        if task_result is not None:
            self.run_task(task_result)
        elif self.batch and retrieved:
            logger.info("No more tasks to run for worker_id=%s - exiting.", self.worker_id)
            return "stop"
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return "stop"
        if self.running and task_result is None:
            time.sleep(self.interval)
        return "again"

    def take(self) -> tuple[DBTaskResult[Any, Any] | None, bool]:
        """Claim the next ready task (the library's own query and claim)."""
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):  # SQLite busy: try again later
                return None, False
            raise
        return task_result, True

    def run_task(self, db_task_result: DBTaskResult[Any, Any]) -> None:
        self.running_task = True
        self.current_task = str(db_task_result.id)
        # The task's log lines (and the tasks it enqueues) carry the request that enqueued it.
        token = requestid.use(tasks.request_id_of(db_task_result))
        try:
            try:
                self.beat()  # this worker holds the task from now on
            except DatabaseError:
                reset_connection()  # the task's own queries will tell
            failure: BaseException | None = None
            value = None
            try:
                task = db_task_result.task
                task_result = db_task_result.task_result
                task_started.send(sender=type(task.get_backend()), task_result=task_result)
                if task.takes_context:
                    value = task.call(
                        TaskContext(task_result=task_result),
                        *task_result.args,
                        **task_result.kwargs,
                    )
                else:
                    value = task.call(*task_result.args, **task_result.kwargs)
            except (KeyboardInterrupt, SystemExit):
                # Stopped by force in the middle: the task is not done, another run does it.
                try:
                    put_back(db_task_result.id, after=timedelta(0))
                except Exception:
                    logger.debug("tarea interrumpida, queda para el arrendamiento", exc_info=True)
                raise
            except Exception as exc:
                failure = exc
            self.record(db_task_result, value, failure)
        finally:
            requestid.reset(token)
            self.current_task = ""
            self.running_task = False
            self._run_tasks += 1

    def record(
        self, db_task_result: DBTaskResult[Any, Any], value: object, failure: BaseException | None
    ) -> None:
        """Write the task's outcome, waiting for the database if it went away. A task that
        failed only because the database went away goes back to the queue."""
        lost = failure is not None and connection_lost(failure)
        if lost:
            logger.warning(
                "tarea %s interrumpida por la base de datos; vuelve a la cola", db_task_result.id
            )
            reset_connection()
        while True:
            try:
                if lost:
                    put_back(db_task_result.id, after=LOST_CONNECTION_RETRY)
                    return
                if failure is None:
                    try:
                        db_task_result.set_successful(value)
                    except DatabaseError as exc:
                        if connection_lost(exc):
                            raise
                        failure = exc  # e.g. a return value JSON cannot hold
                        continue
                else:
                    db_task_result.set_failed(failure)
                break
            except DatabaseError as exc:
                if not connection_lost(exc):
                    raise
                if not self.running:
                    logger.warning(
                        "tarea %s sin registrar al detenerse; otro worker la retomará",
                        db_task_result.id,
                    )
                    return
                self.wait_for_database(exc)
        self.database_back()
        try:
            sender = type(db_task_result.task.get_backend())
            task_finished.send(sender=sender, task_result=db_task_result.task_result)
        except (ImportError, SuspiciousOperation):
            logger.exception("Task id=%s failed unexpectedly", db_task_result.id)
