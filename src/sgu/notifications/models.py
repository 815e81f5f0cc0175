from email.utils import parseaddr

from django.conf import settings
from django.db import models


class OutboundEmail(models.Model):
    """An email the platform owes someone. Written in the same transaction as the change
    that caused it and sent by the worker, so an acknowledged notification is never lost."""

    to = models.EmailField("para")
    subject = models.CharField("asunto", max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # [{"filename": "...", "content_type": "...", "path": "<default storage path>"}]
    attachments = models.JSONField(default=list, blank=True)
    template = models.CharField(max_length=80)
    # Not rendered yet (services.queue_email_rendered_later): what the worker renders it from,
    # just before its first sending (rendering.freeze); None once subject and body are set.
    context = models.JSONField(null=True, blank=True)
    case_code = models.CharField(max_length=20, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Claimed by a worker that is sending it now (services.outbox.claim_email): nobody else sends
    # it before this instant.
    sending_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "correo saliente"
        verbose_name_plural = "correos salientes"

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    @property
    def message_id(self) -> str:
        """The same on every attempt, so that a rare second delivery is recognisable."""
        domain = self._sender_domain()
        return f"<sgu.{self.pk}.{int(self.created_at.timestamp())}@{domain}>"

    @staticmethod
    def _sender_domain() -> str:
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        return address.rpartition("@")[2] or "sgu.invalid"
