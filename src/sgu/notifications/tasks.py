import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from sgu.core.worker import through_restarts
from sgu.notifications import rendering
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


def sending_lease() -> timedelta:
    """How long a worker holds an email it is sending: well above one SMTP conversation."""
    return timedelta(seconds=max(60, 3 * (getattr(settings, "EMAIL_TIMEOUT", None) or 20)))


def deliver(email_id: int) -> None:
    """Claim the email, commit, send, then record the outcome: no SMTP conversation inside a
    transaction. A worker killed between the send and the record leaves the claim, which
    expires; the next attempt sends again (at least once) with the same Message-ID."""
    email = _claim(email_id)
    if email is None:
        return
    try:
        if email.context is not None:
            # Rendered and stored before the first sending: every attempt sends the same text.
            # A rendering that fails is an attempt that failed, retried like a refused send.
            render_stored(email)
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
    through_restarts(
        lambda: OutboundEmail.objects.filter(pk=email.pk).update(
            sent_at=sent_at, last_error="", sending_until=None
        )
    )


def render_stored(email: OutboundEmail) -> None:
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


def _claim(email_id: int) -> OutboundEmail | None:
    """The email, counted as one more attempt and held by this worker; None if it was sent
    already or another worker holds it (this task then looks again when that hold ends)."""
    now = timezone.now()
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at is not None:
            return None
        if email.sending_until is not None and email.sending_until > now:
            send_email.using(run_after=email.sending_until).enqueue(email_id)
            return None
        email.attempts += 1
        email.sending_until = now + sending_lease()
        email.save(update_fields=["attempts", "sending_until"])
    return email


def _failed(email: OutboundEmail, exc: Exception) -> None:
    logger.warning("correo %s no enviado (intento %s): %s", email.pk, email.attempts, exc)
    with transaction.atomic():
        OutboundEmail.objects.filter(pk=email.pk).update(
            last_error=f"{type(exc).__name__}: {exc}"[:1000], sending_until=None
        )
        if email.attempts <= len(RETRY_DELAYS):
            delay = RETRY_DELAYS[email.attempts - 1]
            send_email.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(email.pk)
