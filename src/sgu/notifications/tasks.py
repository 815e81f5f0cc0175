import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

from sgu.core.worker import through_restarts
from sgu.notifications.models import OutboundEmail
from sgu.notifications.services import outbox

logger = logging.getLogger(__name__)


@task()
def send_emails(email_ids: list[int]) -> None:
    """A batch queued together (e.g. by the scheduler); each email keeps its own retries."""
    for email_id in email_ids:
        deliver(email_id)


@task()
def send_email(email_id: int) -> None:
    deliver(email_id)


def deliver(email_id: int) -> None:
    """Claim the email, commit, send, then record the outcome: no SMTP conversation inside a
    transaction. A worker killed between the send and the record leaves the claim, which
    expires; the next attempt sends again (at least once) with the same Message-ID.
    Every write is a service of services/outbox.py; this only puts them in order."""
    email = outbox.claim_email(email_id=email_id, task=send_email)
    if email is None:
        return
    try:
        if email.context is not None:
            # Rendered and stored before the first sending: every attempt sends the same text.
            # A rendering that fails is an attempt that failed, retried like a refused send.
            outbox.render_stored(email=email)
        message = EmailMessage(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to],
            headers={"Message-ID": email.message_id},
        )
        for a in email.attachments:
            with default_storage.open(a["path"], "rb") as fh:
                message.attach(a["filename"], fh.read(), a["content_type"])
        message.send(fail_silently=False)
    except Exception as exc:  # the mail server is down or refused: keep it and retry
        error = exc
        through_restarts(lambda: _failed(email, error))
        return
    # Marked sent the moment the server took it (through a database restart if need be).
    sent_at = timezone.now()
    through_restarts(lambda: outbox.record_email_sent(email=email, sent_at=sent_at))


def _failed(email: OutboundEmail, exc: Exception) -> None:
    logger.warning("correo %s no enviado (intento %s): %s", email.pk, email.attempts, exc)
    outbox.record_email_failure(email=email, error=exc, task=send_email)
