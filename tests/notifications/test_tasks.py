"""Sending an email: claim the row, commit, send, record. No SMTP conversation inside a
database transaction; a worker killed between the send and the record leaves an attempt
counted, and the redelivery carries the same Message-ID, so it is recognisable."""

from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from factories import register_case
from sgu.notifications import tasks
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """The worker process dying (SIGKILL, OOM) right after the mail server took the email."""


@pytest.fixture
def email(citizen, mailbox):
    register_case(citizen)
    DBTaskResult.objects.all().delete()  # this test drives delivery by hand
    return OutboundEmail.objects.filter(sent_at=None).order_by("pk").first()


def test_no_smtp_conversation_inside_a_transaction(email, mailbox, monkeypatch):
    depth = len(connection.atomic_blocks)  # the test's own transaction
    real_send = EmailMessage.send
    seen = []

    def send(self, *args, **kwargs):
        seen.append(len(connection.atomic_blocks) - depth)
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", send)
    tasks.deliver(email.pk)

    assert seen == [0]
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1 and email.sending_until is None


def test_killed_after_sending_counts_the_attempt_and_resends_with_the_same_message_id(
    email, mailbox, monkeypatch
):
    real_send = EmailMessage.send

    def send_then_die(self, *args, **kwargs):
        real_send(self, *args, **kwargs)
        raise Killed

    monkeypatch.setattr(EmailMessage, "send", send_then_die)
    with pytest.raises(Killed):
        tasks.deliver(email.pk)
    email.refresh_from_db()
    assert email.attempts == 1 and email.sent_at is None  # it was claimed and committed

    # Another worker takes the task again; the dead one's hold has not ended yet.
    monkeypatch.setattr(EmailMessage, "send", real_send)
    tasks.deliver(email.pk)
    assert len(mailbox.messages) == 1
    later = DBTaskResult.objects.get()  # it looks again when the hold ends
    assert later.run_after == email.sending_until

    OutboundEmail.objects.filter(pk=email.pk).update(
        sending_until=timezone.now() - timedelta(seconds=1)
    )
    tasks.deliver(email.pk)
    email.refresh_from_db()
    assert email.attempts == 2 and email.sent_at is not None
    first, second = mailbox.messages
    assert first["Message-ID"] == second["Message-ID"] == email.message_id
    assert email.message_id.endswith("@sgu.gob.pe>")


def test_a_sent_email_is_not_sent_again(email, mailbox):
    tasks.deliver(email.pk)
    tasks.deliver(email.pk)
    email.refresh_from_db()
    assert len(mailbox.messages) == 1 and email.attempts == 1
