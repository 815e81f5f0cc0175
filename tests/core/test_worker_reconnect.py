"""The task worker and the scheduler outlive a database restart: a connection that dies
under them (here its PostgreSQL backend is terminated from another connection, what a
restart does to every client) is closed and opened again, and no task is lost or marked
failed for it. Before, the worker exited: idle (`get_locked`) or after a task
(`set_successful` → OperationalError → `set_failed` fails → exit)."""

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from factories import register_case
from sgu.core import worker
from sgu.core.models import ProcessHeartbeat
from sgu.notifications.models import OutboundEmail
from sgu.site.management.commands.run_scheduler import Command as Scheduler

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]


def terminate_my_connection() -> None:
    """What a PostgreSQL restart does to this process's connection, done from another one."""
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@task()
def kill_my_connection_then_finish() -> str:
    terminate_my_connection()
    return "hecho"


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch):
    monkeypatch.setattr(worker.Worker, "backoff_start", 0.1)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def test_an_idle_worker_survives_a_lost_connection(citizen, mailbox):
    case = register_case(citizen)
    queued = DBTaskResult.objects.count()
    terminate_my_connection()  # while it waits for work (get_locked)

    run_worker()

    assert {t.status for t in DBTaskResult.objects.all()} == {"SUCCESSFUL"}
    assert len([m for m in mailbox.messages if case.code in str(m["Subject"])]) >= 1
    assert len(mailbox.messages) == queued


def test_a_task_whose_connection_died_before_it_was_recorded_is_recorded(db):
    result = kill_my_connection_then_finish.enqueue()

    run_worker()  # set_successful finds the connection closed

    row = DBTaskResult.objects.get(id=result.id)
    assert (row.status, row.return_value, len(row.worker_ids)) == ("SUCCESSFUL", "hecho", 1)


def test_an_email_sent_when_the_connection_dies_is_marked_sent_once(citizen, mailbox, monkeypatch):
    register_case(citizen)
    from django.core.mail import EmailMessage

    real_send = EmailMessage.send
    killed = []

    def send_then_lose_the_database(self, *args, **kwargs):
        sent = real_send(self, *args, **kwargs)
        if not killed:
            killed.append(True)
            terminate_my_connection()
        return sent

    monkeypatch.setattr(EmailMessage, "send", send_then_lose_the_database)
    run_worker()

    emails = list(OutboundEmail.objects.all())
    assert all(e.sent_at is not None and e.attempts == 1 for e in emails)
    assert len(mailbox.messages) == len(emails)  # none sent twice
    assert {t.status for t in DBTaskResult.objects.all()} == {"SUCCESSFUL"}


def test_a_task_that_failed_only_because_the_database_went_away_is_queued_again(citizen):
    from sgu.notifications import tasks as email_tasks

    register_case(citizen)
    calls = []

    def first_loses_the_database(email_id):
        calls.append(email_id)
        if len(calls) == 1:
            terminate_my_connection()
            OutboundEmail.objects.count()  # the task's own query meets the dead connection

    with pytest.MonkeyPatch.context() as m:
        m.setattr(email_tasks, "deliver", first_loses_the_database)
        call_command("db_worker", "--batch", "--no-startup-delay", "--max-tasks", "1")

    first = DBTaskResult.objects.get(args_kwargs__args=[calls[0]])
    assert first.status == "READY"  # back in the queue, not FAILED
    assert not DBTaskResult.objects.filter(status="FAILED").exists()


def test_the_scheduler_reconnects_on_its_next_tick(citizen):
    scheduler = Scheduler()
    scheduler.tick()
    terminate_my_connection()

    scheduler.tick()  # meets the dead connection: logged, connection dropped
    scheduler.tick()

    beat = ProcessHeartbeat.objects.get(kind=ProcessHeartbeat.SCHEDULER)
    assert beat.seen_at is not None
    assert connection.is_usable()
