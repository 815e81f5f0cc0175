import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from sgu.notifications.models import OutboundEmail
from sgu.notifications.tasks import send_email, send_emails

# Each line carries the request id of the request that enqueued it (core/logging.py), so a
# request's log leads to its emails and their tasks.
logger = logging.getLogger("sgu.notifications")


@dataclass(frozen=True)
class EmailSpec:
    """One email to send: templates notifications/email/<template>.subject.txt and .txt."""

    to: str
    template: str
    context: dict[str, Any]
    case_code: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)


def _render(spec: EmailSpec) -> OutboundEmail:
    ctx = {"site_url": settings.SITE_URL, **spec.context}
    subject = " ".join(
        render_to_string(f"notifications/email/{spec.template}.subject.txt", ctx).split()
    )
    return OutboundEmail(
        to=spec.to,
        subject=subject[:200],
        body_text=render_to_string(f"notifications/email/{spec.template}.txt", ctx),
        template=spec.template,
        case_code=spec.case_code,
        attachments=spec.attachments,
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
    email = _render(EmailSpec(to, template, context, case_code, attachments or []))
    email.save()
    task = send_email.enqueue(email.pk)
    logger.info(
        "correo %s encolado (%s), tarea %s",
        email.pk,
        template,
        task.id,
        extra={"email_id": email.pk, "task_id": str(task.id)},
    )
    return email


def replace_case_code(*, email: OutboundEmail, provisional: str, code: str) -> None:
    """An email queued in this transaction for a case numbered after it (`cases.services.
    register_case` numbers a case as its last write): its provisional code becomes the real one
    in the subject, the body and `case_code`, in one UPDATE."""
    email.subject = email.subject.replace(provisional, code)
    email.body_text = email.body_text.replace(provisional, code)
    email.case_code = code
    OutboundEmail.objects.filter(pk=email.pk).update(
        subject=email.subject, body_text=email.body_text, case_code=code
    )


def queue_emails(*, specs: list[EmailSpec]) -> list[OutboundEmail]:
    """Many emails in one go (the scheduler's batches): one INSERT, one task."""
    if not specs:
        return []
    emails = OutboundEmail.objects.bulk_create([_render(s) for s in specs])
    ids = [e.pk for e in emails]
    task = send_emails.enqueue(ids)
    logger.info(
        "%s correos encolados, tarea %s",
        len(ids),
        task.id,
        extra={"email_ids": ids[:50], "task_id": str(task.id)},
    )
    return emails
