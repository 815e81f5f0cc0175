"""Writes of the notifications app: queueing emails (here) and the outbox's own writes, made by
the worker that sends them (outbox.py)."""

import json
import logging
from typing import TYPE_CHECKING, Any

from sgu.core import rows
from sgu.core.tasks import Queued, enqueue_with, writes_along

# The module, not its names: tasks.py imports services.outbox, which runs this package first;
# its tasks are looked up when an email is queued, by then tasks.py is whole whichever of the
# two was imported first.
from sgu.notifications import rendering, tasks
from sgu.notifications.models import OutboundEmail
from sgu.notifications.rendering import CASE_CODE_OF, EmailSpec
from sgu.notifications.services.outbox import (
    claim_email,
    record_email_failure,
    record_email_sent,
    render_stored,
)

if TYPE_CHECKING:
    from django_tasks_db.compat import BaseTaskResult as TaskResult

__all__ = [
    "EmailAlong",
    "EmailSpec",
    "claim_email",
    "queue_email",
    "queue_email_rendered_later",
    "queue_emails",
    "record_email_failure",
    "record_email_sent",
    "render_stored",
    "render_waiting",
]

# Each line carries the request id of the request that enqueued it (core/logging.py), so a
# request's log leads to its emails and their tasks.
logger = logging.getLogger("sgu.notifications")


def _rendered(spec: EmailSpec) -> OutboundEmail:
    text = rendering.render(spec)
    return OutboundEmail(
        to=spec.to,
        subject=text.subject,
        body_text=text.body_text,
        template=spec.template,
        case_code=spec.case_code,
        attachments=spec.attachments,
    )


def _queue(email: OutboundEmail) -> None:
    """Store the email and enqueue its sending (one statement on PostgreSQL)."""
    _logged(email, enqueue_with(tasks.send_email, email))


def _logged(email: OutboundEmail, task: "TaskResult[Any, Any]") -> None:
    logger.info(
        "correo %s encolado (%s), tarea %s",
        email.pk,
        email.template,
        task.id,
        extra={"email_id": email.pk, "task_id": str(task.id)},
    )


def queue_email(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    case_code: str = "",
    attachments: list[dict[str, Any]] | None = None,
) -> OutboundEmail:
    """Render now, store, and enqueue the sending — all inside the caller's transaction."""
    email = _rendered(EmailSpec(to, template, context, case_code, attachments or []))
    _queue(email)
    return email


def queue_email_rendered_later(
    *, to: str, template: str, context: dict[str, Any], case_code_of: str = ""
) -> OutboundEmail:
    """Store and enqueue, inside the caller's transaction, an email the worker renders just
    before sending it (services.outbox.render_stored), once: the request does not pay for the
    templates. Model instances in `context` are read again by primary key when rendered, so
    whatever the email must show as it is now goes in as plain values (`rendering.freeze`).
    `case_code_of`: the context key whose object's code the email gets as case_code when
    rendered — for a case numbered after its email is written (cases.services.register_case)."""
    email = OutboundEmail(to=to, template=template, context=_stored(context, case_code_of))
    _queue(email)
    return email


def _stored(context: dict[str, Any], case_code_of: str) -> dict[str, Any]:
    stored = rendering.freeze(context)
    if case_code_of:
        stored[CASE_CODE_OF] = case_code_of
    return stored


class EmailAlong:
    """The email `queue_email_rendered_later` queues, for a context naming rows that are not
    written yet (a case and its registration email, cases.services.register_case). On
    PostgreSQL the email and its task are written by the statement that writes those rows
    (`before`), each row's new key put into the stored context there (`keys`: context key →
    SQL expression of the row's key); elsewhere the email is queued once the rows are
    written. Either way `queue()` ends it, after that statement."""

    def __init__(
        self, *, to: str, template: str, context: dict[str, Any], case_code_of: str = ""
    ) -> None:
        self.to, self.template, self.context = to, template, context
        self.case_code_of = case_code_of
        self.along: Queued | None = None

    def before(self, keys: dict[str, str], alias: str) -> list[rows.Before]:
        """The email's and its task's rows for that statement (none where they cannot go in
        it: then `queue()` writes them)."""
        if not writes_along(tasks.send_email, alias):
            return []
        stored = _stored(self.context, self.case_code_of)
        expression = "CAST(%s AS jsonb)"
        for key, sql in keys.items():
            assert stored[key]["pk"] is None, key  # a row not written yet
            expression = f"jsonb_set({expression}, '{{{key},pk}}', to_jsonb({sql}))"
        email = OutboundEmail(to=self.to, template=self.template, context=stored)
        self.along = Queued(
            tasks.send_email,
            email,
            alias,
            computed={"context": (expression, [json.dumps(stored)])},
            name="email",
        )
        return self.along.before()

    def queue(self) -> OutboundEmail:
        if self.along is None:
            return queue_email_rendered_later(
                to=self.to,
                template=self.template,
                context=self.context,
                case_code_of=self.case_code_of,
            )
        task = self.along.enqueued()
        email = self.along.written.obj
        assert isinstance(email, OutboundEmail)
        # As the statement stored it: the rows in the context have their keys by now.
        email.context = _stored(self.context, self.case_code_of)
        _logged(email, task)
        return email


def queue_emails(*, specs: list[EmailSpec]) -> list[OutboundEmail]:
    """Many emails in one go (the scheduler's batches): one INSERT, one task."""
    if not specs:
        return []
    emails = OutboundEmail.objects.bulk_create([_rendered(s) for s in specs])
    ids = [e.pk for e in emails]
    task = tasks.send_emails.enqueue(ids)
    logger.info(
        "%s correos encolados, tarea %s",
        len(ids),
        task.id,
        extra={"email_ids": ids[:50], "task_id": str(task.id)},
    )
    return emails


def render_waiting(*, after_id: int = 0) -> int:
    """Render now the emails still waiting for the worker to render them (demo history,
    written as already sent); how many."""
    waiting = list(OutboundEmail.objects.filter(pk__gt=after_id, context__isnull=False))
    for email in waiting:
        render_stored(email=email)
    return len(waiting)
