"""Writes of the email outbox, for the worker that sends (notifications/tasks.py): claim an
email, store the text rendered just before its first sending, record it sent or failed.
Each is a short transaction of its own; the SMTP conversation happens between them, in the
task, outside any transaction.

This module imports no task (tasks.py imports it): the task that looks at an email again
comes in as an argument."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task

from sgu.notifications import rendering
from sgu.notifications.models import OutboundEmail

# Backoff between attempts when the mail server refuses or is down (about 2 days in all).
RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600]


def sending_lease() -> timedelta:
    """How long a worker holds an email it is sending: well above one SMTP conversation."""
    return timedelta(seconds=max(60, 3 * (getattr(settings, "EMAIL_TIMEOUT", None) or 20)))


def claim_email(*, email_id: int, task: Task[[int], None]) -> OutboundEmail | None:
    """The email, counted as one more attempt and held by this worker until the lease ends,
    committed before anything is sent; None if it was sent already or another worker holds
    it (then `task` looks again, in the same transaction, when that hold ends)."""
    now = timezone.now()
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at is not None:
            return None
        if email.sending_until is not None and email.sending_until > now:
            task.using(run_after=email.sending_until).enqueue(email_id)
            return None
        email.attempts += 1
        email.sending_until = now + sending_lease()
        email.save(update_fields=["attempts", "sending_until"])
    return email


def render_stored(*, email: OutboundEmail) -> None:
    """Render an email queued with its context (services.queue_email_rendered_later) and store
    its subject, body and case code, in one UPDATE; from then on it is like any other."""
    assert email.context is not None
    context = rendering.thaw(email.context)
    code_of = email.context.get(rendering.CASE_CODE_OF)
    text = rendering.render(rendering.EmailSpec(email.to, email.template, context))
    email.subject, email.body_text = text.subject, text.body_text
    if code_of:
        email.case_code = context[code_of].code
    email.context = None
    OutboundEmail.objects.filter(pk=email.pk).update(
        subject=email.subject, body_text=email.body_text, case_code=email.case_code, context=None
    )


def record_email_sent(*, email: OutboundEmail, sent_at: datetime) -> None:
    """The mail server took it: sent, the hold released. `sent_at` is when the server took
    it, not when this write got through (the task may wait out a database restart)."""
    OutboundEmail.objects.filter(pk=email.pk).update(
        sent_at=sent_at, last_error="", sending_until=None
    )


def record_email_failure(
    *, email: OutboundEmail, error: Exception, task: Task[[int], None]
) -> None:
    """The send (or the rendering) failed: keep the error, release the hold and, while the
    attempts last, let `task` try again after the next delay — in one transaction, so the
    retry exists exactly when the failure is recorded."""
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(
            last_error=f"{type(error).__name__}: {error}"[:1000], sending_until=None
        )
        if email.attempts <= len(RETRY_DELAYS):
            delay = RETRY_DELAYS[email.attempts - 1]
            task.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(email.pk)
