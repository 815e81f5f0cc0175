"""The scheduler makes deadlines act: open cases past their plazo become OVERDUE (once, with
an email to the citizen); answered cases whose rating window ended are closed unrated."""

import signal
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from factories import (
    acknowledge,
    answer,
    citizen_api,
    citizen_principal,
    lima,
    make_case,
    make_citizen,
    operator_principal,
)
from sgu.cases import services
from sgu.cases.models import Case, CaseEvent, Rating
from sgu.cases.workflow import Action, Actor, State
from sgu.catalog.models import Operator
from sgu.core.errors import Conflict
from sgu.notifications.models import OutboundEmail

OVERDUE_SUBJECT = "no respondió a tiempo"

# Registered Monday 2 March 2026 10:00 with 1 business day: received that day, due Tuesday
# 3 March 23:59:59 Lima (no holiday in between).
MON_2_MAR = lima(2026, 3, 2, 10)
DUE_TUE_3_MAR = lima(2026, 3, 3, 23, 59, 59)
WED_4_MAR = lima(2026, 3, 4, 12)

SIN_CODIGO = {"subcategory": "sin-codigo", "fields": {"canal_atencion": "Tienda"}}


def events(case: Case, kind: str) -> list[CaseEvent]:
    return list(CaseEvent.objects.filter(case=case, kind=kind))


def overdue_emails(case: Case) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(case_code=case.code, template="case_overdue"))


@pytest.fixture
def board(catalog):
    """One case in every situation the scheduler must tell apart."""
    forwarded = make_case(now=MON_2_MAR)
    in_progress = acknowledge(make_case(now=MON_2_MAR), now=lima(2026, 3, 3, 9))
    not_claimable = make_case(now=MON_2_MAR, **SIN_CODIGO)
    # Registered Wednesday 4 March 10:00: due Thursday 5 March, still running on the 4th.
    running = make_case(now=lima(2026, 3, 4, 10))
    answered = answer(make_case(now=MON_2_MAR), now=lima(2026, 3, 3, 16))
    returned = services.return_case(
        case=make_case(now=MON_2_MAR),
        reason="La línea no pertenece a nuestra red, es de otra operadora.",
        by=operator_principal(Operator.objects.get(code="CLARO")),
        now=lima(2026, 3, 3, 11),
    )
    registered = make_case(make_citizen(verified=False), now=MON_2_MAR)  # email not confirmed
    for c in (forwarded, in_progress, not_claimable):
        assert c.due_at == DUE_TUE_3_MAR
    assert in_progress.state == State.IN_PROGRESS
    assert answered.state == State.ANSWERED
    assert returned.state == State.RETURNED
    assert registered.state == State.REGISTERED and registered.due_at is None
    return {
        "forwarded": forwarded,
        "in_progress": in_progress,
        "not_claimable": not_claimable,
        "running": running,
        "answered": answered,
        "returned": returned,
        "registered": registered,
    }


def _assert_expired_once(board: dict) -> None:
    states = {name: Case.objects.get(pk=c.pk).state for name, c in board.items()}
    assert states == {
        "forwarded": State.OVERDUE,
        "in_progress": State.OVERDUE,
        "not_claimable": State.OVERDUE,
        "running": State.FORWARDED,
        "answered": State.ANSWERED,
        "returned": State.RETURNED,
        "registered": State.REGISTERED,
    }
    for name in ("forwarded", "in_progress", "not_claimable"):
        case = board[name]
        (event,) = events(case, Action.EXPIRE)
        assert event.actor_role == Actor.SYSTEM
        assert event.to_state == State.OVERDUE
        assert event.from_state == (State.IN_PROGRESS if name == "in_progress" else State.FORWARDED)
        assert len(overdue_emails(case)) == 1
    for name in ("running", "answered", "returned", "registered"):
        assert events(board[name], Action.EXPIRE) == []
        assert overdue_emails(board[name]) == []


def test_expire_moves_only_open_cases_past_their_plazo_once(board, mailbox, tasks):
    # The due instant itself is still in time.
    assert services.expire_overdue_cases(now=DUE_TUE_3_MAR) == 0
    assert Case.objects.filter(state=State.OVERDUE).count() == 0

    assert services.expire_overdue_cases(now=WED_4_MAR) == 3
    _assert_expired_once(board)
    event = events(board["forwarded"], Action.EXPIRE)[0]
    assert event.at == WED_4_MAR
    assert event.data == {"due_at": DUE_TUE_3_MAR.astimezone(UTC).isoformat()}

    # A second pass (even later) finds nothing more to do.
    assert services.expire_overdue_cases(now=lima(2026, 3, 4, 18)) == 0
    _assert_expired_once(board)

    # The emails really go out over SMTP.
    tasks()
    claimable = board["forwarded"]
    msg = mailbox.wait_for(claimable.citizen.email, OVERDUE_SUBJECT)
    assert claimable.code in str(msg["Subject"])
    body = mailbox.text(msg)
    assert "Claro" in body or claimable.operator.name in body
    assert "reclamo formal con un clic" in body
    assert f"/casos/{claimable.code}/" in body
    assert "martes 3 de marzo de 2026, 23:59" in body

    msg = mailbox.wait_for(board["in_progress"].citizen.email, OVERDUE_SUBJECT)
    assert "reclamo formal con un clic" in mailbox.text(msg)

    not_claimable = board["not_claimable"]
    msg = mailbox.wait_for(not_claimable.citizen.email, OVERDUE_SUBJECT)
    body = mailbox.text(msg)
    # (The matter's own name mentions "reclamo": look for the offer itself.)
    assert "reclamo formal" not in body and "clic" not in body
    assert f"/casos/{not_claimable.code}/" in body

    overdue_to = [m["To"] for m in mailbox.messages if OVERDUE_SUBJECT in str(m["Subject"])]
    assert len(overdue_to) == 3, overdue_to
    assert all(e.sent_at is not None for e in OutboundEmail.objects.filter(template="case_overdue"))


def test_expire_in_small_batches_moves_everything(board):
    assert services.expire_overdue_cases(now=WED_4_MAR, batch=1) == 3
    _assert_expired_once(board)


@pytest.mark.django_db(transaction=True)
def test_run_scheduler_once_does_the_same(catalog, capsys):
    # The command uses the real clock: plazos that passed in March 2026 are past now.
    assert timezone.now() > WED_4_MAR
    overdue = make_case(now=MON_2_MAR)
    not_claimable = make_case(now=MON_2_MAR, **SIN_CODIGO)
    running = make_case()  # registered now: its plazo has not passed
    answered = answer(make_case(now=lima(2026, 3, 9, 10)), now=lima(2026, 3, 9, 12))

    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    call_command("run_scheduler", "--once")
    # In-process, the command leaves the caller's signal handlers as they were.
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers

    assert Case.objects.get(pk=overdue.pk).state == State.OVERDUE
    assert Case.objects.get(pk=not_claimable.pk).state == State.OVERDUE
    assert Case.objects.get(pk=running.pk).state == State.FORWARDED
    # Answered 9 March 2026: its rating window closed long ago.
    assert Case.objects.get(pk=answered.pk).state == State.CLOSED
    assert len(events(overdue, Action.EXPIRE)) == 1
    assert len(overdue_emails(overdue)) == 1
    assert len(overdue_emails(not_claimable)) == 1
    assert "vencidos: 2, cerrados sin calificación: 1" in capsys.readouterr().out

    call_command("run_scheduler", "--once")  # nothing left
    assert CaseEvent.objects.filter(kind=Action.EXPIRE).count() == 2
    assert OutboundEmail.objects.filter(template="case_overdue").count() == 2
    assert CaseEvent.objects.filter(kind=Action.CLOSE).count() == 1


# --- the rating window -----------------------------------------------------------------------

# Answered Wednesday 25 March 2026 10:00 (before the cut-off: received that day). Ten
# business days from the next day: Thu 26 (1), Fri 27 (2), Mon 30 (3), Tue 31 (4), Wed 1
# April (5), [Thu 2 and Fri 3 April: Holy Thursday and Good Friday], Mon 6 (6), Tue 7 (7),
# Wed 8 (8), Thu 9 (9), Fri 10 April (10) → window ends Friday 10 April 2026 23:59:59 Lima.
ANSWERED_AT = lima(2026, 3, 25, 10)
RATING_DUE = lima(2026, 4, 10, 23, 59, 59)


def test_record_solution_sets_a_ten_business_day_rating_window(catalog):
    case = answer(make_case(now=lima(2026, 3, 24, 9)), now=ANSWERED_AT)
    assert case.rating_due_at == RATING_DUE
    assert Case.objects.get(pk=case.pk).rating_due_at == RATING_DUE


def test_no_rating_after_the_window_even_before_the_scheduler_closes_it(catalog):
    in_time = answer(make_case(now=lima(2026, 3, 24, 9)), now=ANSWERED_AT)
    too_late = answer(make_case(now=lima(2026, 3, 24, 9)), now=ANSWERED_AT)

    def rate(case, now):
        return services.rate_case(
            case=case, resolved=False, score=1, by=citizen_principal(case.citizen), now=now
        )

    assert rate(in_time, RATING_DUE).state == State.RATED
    with pytest.raises(Conflict) as refused:
        rate(too_late, RATING_DUE + timedelta(seconds=1))
    assert "El plazo para calificar la respuesta venció el 10/04/2026 23:59" in str(refused.value)
    assert Case.objects.get(pk=too_late.pk).state == State.ANSWERED
    assert not Rating.objects.filter(case=too_late).exists()

    # Through the API (the real clock is months later) it is a 409 in Spanish.
    r = citizen_api(too_late.citizen).post(
        f"/api/v1/cases/{too_late.code}/rating", {"resolved": True, "score": 5}
    )
    assert r.status_code == 409
    assert "venció" in r.json()["detail"]


def test_close_unrated_cases_after_the_window(catalog):
    unrated = answer(make_case(now=lima(2026, 3, 24, 9)), now=ANSWERED_AT)
    later = answer(make_case(now=lima(2026, 3, 24, 9)), now=lima(2026, 3, 26, 10))
    assert later.rating_due_at == lima(2026, 4, 13, 23, 59, 59)
    rated = answer(make_case(now=lima(2026, 3, 24, 9)), now=ANSWERED_AT)
    services.rate_case(
        case=rated,
        resolved=True,
        score=4,
        by=citizen_principal(rated.citizen),
        now=lima(2026, 3, 27, 10),
    )

    assert services.close_unrated_cases(now=RATING_DUE) == 0
    assert services.close_unrated_cases(now=lima(2026, 4, 11, 0, 0, 0)) == 1

    unrated.refresh_from_db()
    assert unrated.state == State.CLOSED
    assert unrated.closed_at == lima(2026, 4, 11)
    (event,) = events(unrated, Action.CLOSE)
    assert (event.from_state, event.to_state, event.actor_role) == (
        State.ANSWERED,
        State.CLOSED,
        Actor.SYSTEM,
    )
    assert event.data == {"rated": False}
    assert "sin calificación" in event.note
    # Closed as not rated: never a rating, let alone a satisfied one.
    assert not Rating.objects.filter(case=unrated).exists()
    assert Rating.objects.count() == 1  # only the one the citizen gave

    assert Case.objects.get(pk=later.pk).state == State.ANSWERED
    assert Case.objects.get(pk=rated.pk).state == State.RATED
    assert services.close_unrated_cases(now=lima(2026, 4, 11, 0, 0, 0)) == 0  # once
    assert services.close_unrated_cases(now=lima(2026, 4, 14)) == 1
    assert Case.objects.get(pk=later.pk).state == State.CLOSED
    assert Case.objects.get(pk=rated.pk).state == State.RATED
    assert Rating.objects.count() == 1


def test_times_are_lima_wall_clock():
    # Guard for the literals above: Lima is UTC−5 all year.
    assert datetime(2026, 3, 4, 4, 59, 59, tzinfo=UTC) == DUE_TUE_3_MAR
