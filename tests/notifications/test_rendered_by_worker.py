"""The registration email is rendered by the worker, not in the request: the row written with
the case carries what to render it from, the worker renders it once before the first sending
(with the case's final code) and stores it. The person receives the email as it was when the
case was registered, and a rendering that fails is kept, visible and retried like a refused
sending: never lost."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from factories import lima, make_case, make_citizen
from sgu.cases import services
from sgu.notifications import rendering
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def retries_for(email_id: int):
    return DBTaskResult.objects.filter(
        task_path__endswith="send_email", status="READY", args_kwargs__args=[email_id]
    )


def about(mailbox, citizen, case) -> list:
    return [m for m in mailbox.to(citizen.email) if case.code in str(m["Subject"])]


def test_given_a_case_registered_then_its_email_is_written_unrendered_and_the_worker_renders_it(
    catalog, mailbox, tasks
):
    citizen = make_citizen(first_name="Ana")
    case = make_case(citizen, now=lima(2026, 3, 17, 9, 0))  # Tuesday morning
    email = OutboundEmail.objects.get(to=citizen.email, template="case_registered")
    assert (email.subject, email.body_text, email.case_code) == ("", "", "")
    assert email.context is not None

    tasks()

    email.refresh_from_db()
    assert email.context is None and email.sent_at is not None
    assert email.case_code == case.code
    subject = f"Caso {case.code} registrado — {case.operator.name}"
    assert email.subject == subject
    body = (
        "Hola, Ana:\n\nRegistramos su caso en el SGU.\n\n"
        f"  Código:        {case.code}\n"
        f"  Operadora:     {case.operator.name}\n"
        f"  Problema:      {case.subcategory.category.name} — {case.subcategory.name}\n"
        "  Línea/servicio: 987654321\n"
        "  Plazo:         la operadora debe responder hasta el miércoles 18 de marzo de 2026, "
        "23:59 (hora de Lima)\n\n"
        f"Puede seguir su caso en {settings.SITE_URL}/casos/{case.code}/\n\n"
        "Guarde este código: lo necesitará para cualquier consulta.\n\n"
    )
    assert email.body_text == body
    [mail] = about(mailbox, citizen, case)
    assert " ".join(str(mail["Subject"]).split()) == subject
    assert mail.get_content().replace("\r\n", "\n").rstrip() == body.rstrip()


def test_given_the_case_forwarded_before_the_worker_renders_then_the_email_is_as_registered(
    catalog, mailbox, tasks
):
    citizen = make_citizen(verified=False, first_name="Ana")
    case = make_case(citizen)
    token = re.search(
        r"/cuenta/confirmar/([^/\s]+)/",
        OutboundEmail.objects.get(template="confirm_email").body_text,
    ).group(1)
    # Before the worker runs: the email is confirmed (the case forwarded, its plazo set) and
    # the citizen changes their name.
    services.confirm_email(token=token)
    citizen.first_name = "Beatriz"
    citizen.save(update_fields=["first_name"])

    tasks()

    registered = OutboundEmail.objects.get(template="case_registered")
    assert registered.sent_at is not None and registered.case_code == case.code
    assert registered.body_text.startswith("Hola, Ana:")
    assert "Estado:        en espera." in registered.body_text
    assert "Plazo:" not in registered.body_text
    forwarded = OutboundEmail.objects.get(template="case_forwarded")
    assert "Plazo:" in forwarded.body_text


def test_given_rendering_fails_then_the_email_is_kept_with_its_error_and_retried_until_sent(
    citizen, mailbox, tasks, monkeypatch
):
    case = make_case(citizen)
    email = OutboundEmail.objects.get(to=citizen.email, template="case_registered")
    real_render = rendering.render

    def broken(spec):
        raise RuntimeError("plantilla rota")

    monkeypatch.setattr(rendering, "render", broken)
    started = timezone.now()
    tasks()

    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1
    assert email.last_error == "RuntimeError: plantilla rota"
    assert email.context is not None and email.body_text == ""  # still to render
    assert about(mailbox, citizen, case) == []
    assert not DBTaskResult.objects.filter(status="FAILED").exists()
    [retry] = retries_for(email.pk)
    assert retry.run_after >= started + timedelta(seconds=55)

    monkeypatch.setattr(rendering, "render", real_render)
    retry.run_after = timezone.now() - timedelta(seconds=1)  # a minute later
    retry.save(update_fields=["run_after"])
    tasks()

    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2 and email.last_error == ""
    assert email.context is None and case.code in email.subject
    assert len(about(mailbox, citizen, case)) == 1
