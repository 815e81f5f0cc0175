"""The task backend: django_tasks_db's, with the id of the request that enqueued a task kept
beside its arguments (`args_kwargs["request_id"]`, which the library never reads). The worker
(core/worker.py) makes it the current request id while it runs the task, so the task's own log
lines — an email sent or failed, a webhook answered — carry the request that caused them, and
so does any task it enqueues in turn (an email's retry)."""

import json
from typing import TYPE_CHECKING, Any

from django.db import connections, router
from django.db.models import Model
from django_tasks_db.backend import DatabaseBackend as _LibraryBackend
from django_tasks_db.compat import BaseTaskResult as TaskResult
from django_tasks_db.compat import Task, normalize_json, task_enqueued

if TYPE_CHECKING:  # the model is imported when used: backends load before the app registry
    from django_tasks_db.models import DBTaskResult

from sgu.core import requestid, rows

KEY = "request_id"


def _args_kwargs(args: Any, kwargs: Any) -> dict[str, Any]:
    stored: dict[str, Any] = normalize_json({"args": args, "kwargs": kwargs})
    current = requestid.current()
    if current:
        stored[KEY] = current
    return stored


def request_id_of(db_task: "DBTaskResult[Any, Any]") -> str:
    """The id of the request that enqueued the task ('' if none, e.g. the scheduler)."""
    stored = db_task.args_kwargs
    return str(stored.get(KEY) or "") if isinstance(stored, dict) else ""


class DatabaseBackend(_LibraryBackend):
    def _db_task(self, task: Task[Any, Any], args: Any, kwargs: Any) -> "DBTaskResult[Any, Any]":
        """The task's row, not yet written: what the library's create() would write."""
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult(
            id=self._get_id(),
            args_kwargs=_args_kwargs(args, kwargs),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )

    def _task_to_db_task(
        self, task: Task[Any, Any], args: Any, kwargs: Any
    ) -> "DBTaskResult[Any, Any]":
        # Every registration enqueues its email: the row is written as create() would write
        # it, without compiling the INSERT (core.rows).
        [row] = rows.insert([self._db_task(task, args, kwargs)])
        return row

    async def _atask_to_db_task(
        self, task: Task[Any, Any], args: Any, kwargs: Any
    ) -> "DBTaskResult[Any, Any]":
        row = self._db_task(task, args, kwargs)
        await row.asave(force_insert=True)  # what the library's acreate() does
        return row


def enqueue_with(task: Task[[int], Any], obj: Model) -> TaskResult[Any, Any]:
    """Write the new row `obj` and enqueue `task(obj.pk)`, in the caller's transaction: the
    outbox's pattern, a row and the task that handles it. On PostgreSQL both go in one
    statement (core.rows.Before), the task's argument taken from the row's new key; elsewhere
    the row is written, then the task enqueued as `task.enqueue` does. The task's row is the
    one `task.enqueue(obj.pk)` writes, and the library's `task_enqueued` is sent as it sends
    it."""
    alias = router.db_for_write(type(obj), instance=obj)
    if not writes_along(task, alias):
        # Another backend too (the demo's history queues with the dummy one).
        rows.insert([obj], alias)
        return task.enqueue(obj.pk)
    queued = Queued(task, obj, alias)
    rows.insert(
        [queued.row],
        alias,
        before=[queued.written],
        computed=queued.args_kwargs,
    )
    return queued.enqueued()


def writes_along(task: Task[[int], Any], alias: str) -> bool:
    """Whether a row and its task can be written by one statement (Queued): PostgreSQL, and
    this module's backend."""
    backend = task.get_backend()
    return isinstance(backend, DatabaseBackend) and connections[alias].vendor == "postgresql"


class Queued:
    """`task(obj.pk)` for a row `obj` not written yet, both to be written by one statement on
    PostgreSQL (writes_along): the task's row, with its argument taken from the row's new key,
    and what to write before it. Once written, `enqueued()` says so as the library does."""

    def __init__(
        self,
        task: Task[[int], Any],
        obj: Model,
        alias: str,
        computed: "dict[str, rows.Computed] | None" = None,
        name: str = "written",
    ) -> None:
        backend = task.get_backend()
        assert isinstance(backend, DatabaseBackend)
        backend.validate_task(task)
        self.backend = backend
        self.row = backend._db_task(task, [None], {})
        self.written = rows.Before(obj, name, computed or {})
        pk = connections[alias].ops.quote_name(type(obj)._meta.pk.column)
        # The row's key, given by the database, as the task's only argument.
        self.args_kwargs: dict[str, rows.Computed] = {
            "args_kwargs": (
                f"jsonb_set(CAST(%s AS jsonb), '{{args,0}}', to_jsonb((SELECT {pk} FROM {name})))",
                [json.dumps(self.row.args_kwargs)],
            )
        }

    def before(self, name: str = "queued") -> list[rows.Before]:
        """Both rows, to be written before another statement's own (rows.insert(before=…))."""
        return [self.written, rows.Before(self.row, name, self.args_kwargs)]

    def enqueued(self) -> TaskResult[Any, Any]:
        """After the statement: the task's argument is the row's key, now known; the task's
        result as `enqueue` returns it."""
        self.row.args_kwargs = {**self.row.args_kwargs, "args": [self.written.obj.pk]}
        result: TaskResult[Any, Any] = self.row.task_result
        task_enqueued.send(type(self.backend), task_result=result)
        return result
