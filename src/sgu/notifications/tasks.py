import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from sgu.notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

# Backoff between attempts when the mail server refuses or is down (about 2 days in all).
RETRY_DELAYS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 24 * 3600]


@task()
def send_emails(email_ids: list[int]) -> None:
    """A batch queued together (e.g. by the scheduler); each email keeps its own retries."""
    for email_id in email_ids:
        deliver(email_id)


@task()
def send_email(email_id: int) -> None:
    deliver(email_id)


def deliver(email_id: int) -> None:

    with transaction.atomic():
        # The row lock keeps two workers from sending the same email twice.
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at is not None:
            return
        message = EmailMessage(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
        )
        for a in email.attachments:
            with default_storage.open(a["path"], "rb") as fh:
                message.attach(a["filename"], fh.read(), a["content_type"])
        email.attempts += 1
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # the mail server is down or refused: keep it and retry
            email.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            email.save(update_fields=["attempts", "last_error"])
            logger.warning("correo %s no enviado (intento %s): %s", email_id, email.attempts, exc)
            if email.attempts <= len(RETRY_DELAYS):
                delay = RETRY_DELAYS[email.attempts - 1]
                send_email.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                    email_id
                )
            return
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "sent_at"])
