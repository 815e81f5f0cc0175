"""Case services: refused transitions change nothing; plazos follow the business calendar
(`now=` freezes the clock); waiting cases are forwarded when the email is confirmed."""

import re
from datetime import date, datetime

import pytest

from factories import (
    LIMA,
    NothingWritten,
    acknowledge,
    answer,
    citizen_principal,
    lima,
    make_case,
    make_citizen,
    operator_principal,
    pdf_bytes,
    rate,
    solution_input,
    upload,
)
from sgu.accounts import services as accounts
from sgu.cases import services
from sgu.cases.models import CaseEvent
from sgu.core.errors import Conflict
from sgu.core.models import CalendarDay
from sgu.notifications.models import OutboundEmail

pytestmark = pytest.mark.django_db


def end_of_day(y, m, d) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=LIMA)


# --- refused transitions write nothing -------------------------------------------------------


def refused(action, case, message):
    state, events = case.state, CaseEvent.objects.filter(case=case).count()
    with NothingWritten(), pytest.raises(Conflict) as exc:
        action(case)
    case.refresh_from_db()
    assert case.state == state
    assert CaseEvent.objects.filter(case=case).count() == events
    assert exc.value.status == 409
    assert exc.value.detail == message


def test_given_a_case_in_progress_when_acknowledged_again_then_conflict_and_nothing_written(
    catalog,
):
    refused(
        acknowledge,
        acknowledge(make_case()),
        "Solo se puede tomar en atención un caso trasladado y aún no atendido.",
    )


def test_given_a_case_waiting_for_email_confirmation_when_acknowledged_then_conflict(catalog):
    refused(
        acknowledge,
        make_case(make_citizen(verified=False)),
        "Solo se puede tomar en atención un caso trasladado y aún no atendido.",
    )


def test_given_a_rated_case_when_answered_then_conflict_and_nothing_written(catalog):
    refused(
        answer,
        rate(answer(make_case())),
        "Este caso ya no admite una solución (estado: calificado).",
    )


def test_given_a_forwarded_case_when_rated_then_conflict_and_nothing_written(catalog):
    refused(
        rate,
        make_case(),
        "Solo se puede calificar un caso atendido que aún no ha sido calificado "
        "(estado: trasladado a la operadora).",
    )


def test_given_an_answered_case_when_the_operator_tries_to_rate_it_then_conflict(catalog):
    case = answer(make_case())

    def operator_rates(c):
        services.rate_case(case=c, resolved=True, score=5, by=operator_principal(c.operator))

    refused(operator_rates, case, "No tiene permiso para esta acción.")


def test_given_a_forwarded_case_when_the_citizen_tries_to_acknowledge_it_then_conflict(catalog):
    case = make_case()

    def citizen_acks(c):
        services.acknowledge_case(case=c, by=citizen_principal(c.citizen))

    refused(citizen_acks, case, "No tiene permiso para esta acción.")


def test_given_a_forwarded_case_when_the_citizen_tries_to_answer_it_then_conflict(catalog):
    case = make_case()

    def citizen_answers(c):
        services.record_solution(
            case=c, data=solution_input(executed_at=date.today()), by=citizen_principal(c.citizen)
        )

    refused(citizen_answers, case, "No tiene permiso para esta acción.")


def test_given_an_answered_case_when_returned_then_conflict_and_nothing_written(catalog):
    def operator_returns(c):
        services.return_case(
            case=c, reason="No es cliente de esta operadora.", by=operator_principal(c.operator)
        )

    refused(
        operator_returns,
        answer(make_case()),
        "Solo se puede devolver un caso abierto (estado: atendido).",
    )


def test_given_an_answered_case_when_evidence_is_added_then_conflict_and_no_file(
    catalog, media_root
):
    case = answer(make_case())

    def adds(c):
        services.add_attachments(
            case=c, files=[upload("r.pdf", pdf_bytes())], by=citizen_principal(c.citizen)
        )

    refused(adds, case, "Ya no se pueden adjuntar archivos: el caso fue atendido o cerrado.")
    assert not (media_root / "attachments").exists()


# --- the received day and the plazo (DOMAIN §5) ----------------------------------------------
# March 2026 has no holidays in Peru; 13 March 2026 is a Friday.


@pytest.mark.parametrize(
    ("registered", "received", "due"),
    [
        # Friday before the 17:00 cut-off: received Friday, 1 business day → Monday.
        (lima(2026, 3, 13, 16, 59, 59), date(2026, 3, 13), end_of_day(2026, 3, 16)),
        # Friday at or after the cut-off: received the next Monday, due Tuesday.
        (lima(2026, 3, 13, 17, 0, 0), date(2026, 3, 16), end_of_day(2026, 3, 17)),
        (lima(2026, 3, 13, 17, 30), date(2026, 3, 16), end_of_day(2026, 3, 17)),
        (lima(2026, 3, 13, 23, 59), date(2026, 3, 16), end_of_day(2026, 3, 17)),
        # Saturday and Sunday: received Monday.
        (lima(2026, 3, 14, 10, 0), date(2026, 3, 16), end_of_day(2026, 3, 17)),
        (lima(2026, 3, 15, 8, 0), date(2026, 3, 16), end_of_day(2026, 3, 17)),
        # DOMAIN §5 example: Wednesday 1 April 2026 10:00, Holy Thursday and Good Friday
        # skipped → Monday 6 April.
        (lima(2026, 4, 1, 10, 0), date(2026, 4, 1), end_of_day(2026, 4, 6)),
        # Wednesday 1 April after the cut-off: received Monday 6, due Tuesday 7.
        (lima(2026, 4, 1, 18, 0), date(2026, 4, 6), end_of_day(2026, 4, 7)),
    ],
)
def test_given_the_registration_instant_when_registered_then_received_day_and_due_follow_domain(
    catalog, registered, received, due
):
    case = make_case(now=registered)  # recarga-no-acreditada: 1 business day

    assert case.registered_at == registered
    assert case.forwarded_at == registered
    assert case.received_on == received
    assert case.due_at == due


def test_given_a_friday_evening_case_when_registered_then_its_explanation_names_the_weekend(
    catalog,
):
    case = make_case(now=lima(2026, 3, 13, 17, 30))

    assert "viernes 13/03/2026" in case.due_explanation
    assert "sábado" in case.due_explanation and "domingo" in case.due_explanation


def test_given_a_two_day_plazo_over_holy_week_when_registered_then_both_holidays_are_skipped(
    catalog,
):
    case = make_case(
        now=lima(2026, 3, 31, 18, 0),  # Tuesday after the cut-off → received Wednesday 1 April
        subcategory="baja-no-ejecutada",
        fields={"codigo_pedido": "PED-123", "fecha_solicitud": "2026-03-20"},
    )

    assert case.received_on == date(2026, 4, 1)
    assert case.due_at == end_of_day(2026, 4, 7)  # Monday 6 = day 1, Tuesday 7 = day 2


def test_given_a_decreed_non_working_monday_when_registered_friday_evening_then_it_is_skipped(
    catalog,
):
    CalendarDay.objects.create(
        date=date(2026, 3, 16), is_working=False, reason="Decreto Supremo 001-2026-PCM"
    )

    case = make_case(now=lima(2026, 3, 13, 17, 30))

    assert case.received_on == date(2026, 3, 17)
    assert case.due_at == end_of_day(2026, 3, 18)
    assert "Decreto Supremo 001-2026-PCM" in case.due_explanation


@pytest.mark.parametrize(
    ("registered", "code_year"),
    [
        (lima(2026, 12, 31, 23, 59), 2026),  # already 2027 in UTC
        (lima(2027, 1, 1, 0, 0, 1), 2027),
    ],
)
def test_given_new_years_eve_in_lima_when_registered_then_the_code_year_is_limas(
    catalog, registered, code_year
):
    case = make_case(now=registered)

    assert re.fullmatch(rf"SGU-{code_year}-\d{{7}}", case.code)


def test_given_a_new_year_when_the_first_case_is_registered_then_numbering_restarts(catalog):
    last_of_2026 = [make_case(now=lima(2026, 12, 30, 10, 0)).code for _ in range(2)]

    first_of_2027 = make_case(now=lima(2027, 1, 4, 10, 0)).code

    assert last_of_2026[1][-7:] == f"{int(last_of_2026[0][-7:]) + 1:07d}"
    assert first_of_2027 == "SGU-2027-0000001"


# --- waiting for the email: the plazo starts when the operator can see the case --------------


def test_given_a_case_registered_before_confirming_when_confirmed_then_plazo_runs_from_then(
    catalog,
):
    citizen = make_citizen(verified=False)
    case = make_case(citizen, now=lima(2026, 3, 13, 20, 0))  # Friday evening
    assert (case.state, case.due_at, case.received_on) == ("REGISTERED", None, None)
    mail = OutboundEmail.objects.get(to=citizen.email, template="confirm_email")
    token = re.search(r"/cuenta/confirmar/([^/\s]+)/", mail.body_text).group(1)

    services.confirm_email(token=token, now=lima(2026, 3, 17, 9, 0))  # Tuesday morning

    case.refresh_from_db()
    assert case.state == "FORWARDED"
    assert case.forwarded_at == lima(2026, 3, 17, 9, 0)
    assert case.received_on == date(2026, 3, 17)
    assert case.due_at == end_of_day(2026, 3, 18)  # not Tuesday 17, as from Friday
    events = list(case.events.values_list("kind", "actor_role", "from_state", "to_state", "at"))
    assert events == [
        ("REGISTER", "CITIZEN", "", "REGISTERED", lima(2026, 3, 13, 20, 0)),
        ("FORWARD", "SYSTEM", "REGISTERED", "FORWARDED", lima(2026, 3, 17, 9, 0)),
    ]
    forwarded = OutboundEmail.objects.get(template="case_forwarded")
    assert forwarded.to == citizen.email and forwarded.case_code == case.code
    assert "miércoles 18 de marzo de 2026, 23:59" in forwarded.body_text


def test_given_two_waiting_cases_when_the_email_is_confirmed_then_both_are_forwarded(catalog):
    citizen = make_citizen(verified=False)
    cases = [make_case(citizen) for _ in range(2)]
    token = re.search(
        r"/cuenta/confirmar/([^/\s]+)/",
        OutboundEmail.objects.get(template="confirm_email").body_text,
    ).group(1)

    services.confirm_email(token=token)

    for case in cases:
        case.refresh_from_db()
        assert case.state == "FORWARDED" and case.due_at is not None
    assert OutboundEmail.objects.filter(template="case_forwarded").count() == 2


def test_given_an_already_confirmed_citizen_when_a_second_token_is_used_then_nothing_moves_again(
    catalog,
):
    citizen = make_citizen(verified=False)
    accounts.send_confirmation_email(user=citizen)
    tokens = re.findall(
        r"/cuenta/confirmar/([^/\s]+)/",
        "".join(
            OutboundEmail.objects.filter(template="confirm_email").values_list(
                "body_text", flat=True
            )
        ),
    )
    assert len(tokens) == 2
    case = make_case(citizen)
    services.confirm_email(token=tokens[0])
    case.refresh_from_db()
    forwarded_at = case.forwarded_at

    with NothingWritten():
        services.confirm_email(token=tokens[1])

    case.refresh_from_db()
    assert case.forwarded_at == forwarded_at
