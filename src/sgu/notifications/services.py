from django.conf import settings
from django.template.loader import render_to_string

from sgu.notifications.models import OutboundEmail
from sgu.notifications.tasks import send_email


def queue_email(
    *,
    to: str,
    template: str,
    context: dict,
    case_code: str = "",
    attachments: list[dict] | None = None,
) -> OutboundEmail:
    """Render now, store, and enqueue the sending — all inside the caller's transaction.

    Templates: notifications/email/<template>.subject.txt and <template>.txt.
    """
    ctx = {"site_url": settings.SITE_URL, **context}
    subject = " ".join(
        render_to_string(f"notifications/email/{template}.subject.txt", ctx).split()
    )
    body = render_to_string(f"notifications/email/{template}.txt", ctx)
    email = OutboundEmail.objects.create(
        to=to,
        subject=subject[:200],
        body_text=body,
        template=template,
        case_code=case_code,
        attachments=attachments or [],
    )
    send_email.enqueue(email.pk)
    return email
