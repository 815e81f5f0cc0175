"""manage.py check_integrity: data made by the services passes; each broken invariant is caught,
named in the report, and the command exits non-zero."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from factories import acknowledge, answer, make_case, rate
from sgu.cases.models import CaseEvent, CaseSequence
from sgu.notifications.models import OutboundEmail
from sgu.operators.models import WebhookDelivery

pytestmark = pytest.mark.django_db


def check(capsys) -> tuple[bool, str]:
    try:
        call_command("check_integrity")
    except CommandError as exc:
        return False, capsys.readouterr().out + str(exc)
    return True, capsys.readouterr().out


@pytest.fixture
def cases(citizen):
    """Cases in several states, written by the services (with their emails and webhooks)."""
    return [
        make_case(citizen),
        acknowledge(make_case(citizen)),
        answer(acknowledge(make_case(citizen))),
        rate(answer(acknowledge(make_case(citizen)))),
    ]


def test_data_written_by_the_services_passes(cases, capsys):
    ok, report = check(capsys)
    assert ok, report
    assert "integridad: todo en orden" in report
    assert OutboundEmail.objects.exists()  # the emails were checked, not absent


def test_a_case_whose_register_event_is_gone_is_reported(cases, capsys):
    CaseEvent.objects.filter(case=cases[1], kind="REGISTER").delete()
    ok, report = check(capsys)
    assert not ok
    assert "FALLA  la línea de tiempo empieza por REGISTER" in report
    assert cases[1].code in report
    assert "1 invariante(s) rota(s)" in report or "invariante(s) rota(s)" in report


def test_a_case_without_any_event_is_reported(cases, capsys):
    CaseEvent.objects.filter(case=cases[0]).delete()
    ok, report = check(capsys)
    assert not ok
    assert f"casos sin línea de tiempo: 1 — {cases[0].code}" in report


def test_an_event_written_with_an_earlier_instant_is_reported(cases, capsys):
    last = CaseEvent.objects.filter(case=cases[2]).order_by("id").last()
    CaseEvent.objects.filter(pk=last.pk).update(at=last.at - timedelta(days=400))
    ok, report = check(capsys)
    assert not ok
    assert "líneas de tiempo fuera de orden" in report and cases[2].code in report


def test_a_case_state_that_is_not_its_last_events_is_reported(cases, capsys):
    type(cases[3]).objects.filter(pk=cases[3].pk).update(state="REGISTERED")
    ok, report = check(capsys)
    assert not ok
    assert "casos cuyo estado no es el del último evento" in report
    assert cases[3].code in report


def test_a_counter_behind_the_highest_code_is_reported(cases, capsys):
    year = int(cases[0].code.split("-")[1])
    CaseSequence.objects.filter(year=year).update(last_number=1)
    ok, report = check(capsys)
    assert not ok
    assert f"casos: contador del año por debajo del mayor código: 1 — {year}: contador 1 < 4" in (
        report
    )


def test_an_email_or_webhook_of_a_case_that_does_not_exist_is_reported(cases, claro, capsys):
    OutboundEmail.objects.create(
        to="x@example.com",
        subject="s",
        body_text="b",
        template="case_answered",
        case_code="SGU-2026-9999999",
    )
    OutboundEmail.objects.create(
        to="y@example.com", subject="s", body_text="b", template="case_overdue"
    )
    WebhookDelivery.objects.create(
        operator=claro,
        event="case.forwarded",
        url="https://x.example",
        body="{}",
        case_code="SGU-2026-8888888",
    )
    ok, report = check(capsys)
    assert not ok
    assert "correos de un caso o consulta que no existe: 1" in report
    assert "(SGU-2026-9999999)" in report
    assert "correos de un caso sin código de caso: 1" in report
    assert "webhooks de un caso que no existe: 1" in report
