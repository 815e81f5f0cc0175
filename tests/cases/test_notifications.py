"""Emails survive a mail server outage: kept, retried later, sent when it is back."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from factories import case_payload, free_port, make_case
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp_down(mailbox, settings):
    """Nothing listens on the configured SMTP port (connection refused at once)."""
    real_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = 2

    def back_up():
        settings.EMAIL_PORT = real_port

    return back_up


def about(mailbox, citizen, case) -> list:
    return [m for m in mailbox.to(citizen.email) if case.code in str(m["Subject"])]


def retries_for(email_id: int):
    return DBTaskResult.objects.filter(
        task_path__endswith="send_email", status="READY", args_kwargs__args=[email_id]
    )


def test_given_the_smtp_server_down_when_a_case_is_registered_then_the_api_still_answers_201(
    api, smtp_down, tasks
):
    response = api.post("/api/v1/cases", case_payload())

    assert response.status_code == 201
    tasks()  # the worker tries now, fails, and does not raise


def test_given_the_smtp_server_down_when_sending_then_the_email_is_kept_with_its_error_and_retried(
    citizen, smtp_down, tasks
):
    make_case(citizen)
    email = OutboundEmail.objects.get(to=citizen.email, template="case_registered")
    started = timezone.now()

    tasks()

    email.refresh_from_db()
    assert email.sent_at is None
    assert email.attempts == 1
    assert "ConnectionRefusedError" in email.last_error
    # The attempt itself ended cleanly (no exception leaked out of the task)…
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
    # …and a retry is queued about a minute later.
    [retry] = retries_for(email.pk)
    assert (
        started + timedelta(seconds=55) <= retry.run_after <= timezone.now() + timedelta(seconds=65)
    )


def test_given_a_failed_email_when_the_server_is_back_and_the_retry_is_due_then_it_is_sent_once(
    citizen, mailbox, smtp_down, tasks
):
    case = make_case(citizen)
    email = OutboundEmail.objects.get(to=citizen.email, template="case_registered")
    tasks()
    assert about(mailbox, citizen, case) == []

    smtp_down()  # the server is back…
    tasks()  # …but the retry is not due yet: nothing happens
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1

    retries_for(email.pk).update(run_after=timezone.now() - timedelta(seconds=1))  # a minute later
    tasks()

    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 2
    assert email.last_error == ""
    mail = mailbox.wait_for(citizen.email, f"Caso {case.code} registrado")
    assert case.code in mail.get_content()
    tasks()
    assert len(about(mailbox, citizen, case)) == 1  # no second delivery
    assert not retries_for(email.pk).exists()


def test_given_a_sent_email_when_its_task_runs_again_then_it_is_not_sent_twice(
    citizen, mailbox, tasks
):
    from sgu.notifications.tasks import send_email

    case = make_case(citizen)
    email = OutboundEmail.objects.get(to=citizen.email, template="case_registered")
    tasks()
    mailbox.wait_for(citizen.email, case.code)

    send_email.enqueue(email.pk)
    tasks()

    assert len(about(mailbox, citizen, case)) == 1
    email.refresh_from_db()
    assert email.attempts == 1
