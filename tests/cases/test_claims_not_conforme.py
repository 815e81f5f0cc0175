"""«No estoy conforme» (DOMAIN §6; the operator's reclamo procedure, "Operativa para Generación
de Reclamos"): the user may file a reclamo when not conforme with the attention or when no
answer arrived in the plazo, if the matter is claimable and does not imply the suspension of
payments. One step; no time limit unless an administrator sets one, shown beforehand."""

from datetime import timedelta

import pytest
from django.utils import timezone

from factories import (
    NothingWritten,
    answer,
    field_errors,
    lima,
    make_case,
    make_regulator,
    problem_of,
    rate,
)
from sgu.cases import policies, services
from sgu.cases.models import Case, CaseEvent, Claim, Rating
from sgu.cases.workflow import Action, State

MON_2_MAR = lima(2026, 3, 2, 10)
REASON = "La respuesta no resolvió nada: la recarga sigue sin acreditarse."


def claim_url(case: Case) -> str:
    return f"/api/v1/cases/{case.code}/claim"


def moves(case: Case) -> list[tuple[str, str, str, str]]:
    return [
        (e.kind, e.actor_role, e.from_state, e.to_state)
        for e in CaseEvent.objects.filter(case=case).order_by("at", "id")
    ]


# --- after an answer, whatever the rating -------------------------------------------------------


def test_answered_and_unrated_rates_not_resolved_and_claims_in_one_step(citizen, api):
    case = answer(make_case(citizen, now=MON_2_MAR))  # answered now: the window is open
    assert api.get(f"/api/v1/cases/{case.code}").json()["claim_refusal"] is None

    r = api.post(claim_url(case), {"reason": REASON, "score": 2})

    assert r.status_code == 201, r.content
    rating = Rating.objects.get(case=case)
    assert (rating.resolved, rating.score) == (False, 2)
    assert moves(case)[-2:] == [
        ("RATE", "CITIZEN", "ANSWERED", "RATED"),
        ("REQUEST_CLAIM", "CITIZEN", "RATED", "CLAIM_REQUESTED"),
    ]
    event = CaseEvent.objects.get(case=case, kind=Action.REQUEST_CLAIM)
    assert event.data == {"not_conforme": True}


def test_answered_and_unrated_needs_the_score_and_nothing_is_written_without_it(citizen, api):
    case = answer(make_case(citizen, now=MON_2_MAR))
    for score in (None, 0, 6):
        with NothingWritten():
            body = problem_of(api.post(claim_url(case), {"reason": REASON, "score": score}), 422)
        assert field_errors(body)["score"] == (
            "Indique qué tan satisfecho está con la respuesta (de 1 a 5)."
        )
    assert Case.objects.get(pk=case.pk).state == State.ANSWERED


def test_rated_resolved_with_a_low_score_may_still_claim_and_the_rating_stays(citizen, api):
    case = rate(answer(make_case(citizen, now=MON_2_MAR)), resolved=True, score=1)

    r = api.post(claim_url(case), {"reason": REASON})

    assert r.status_code == 201, r.content
    rating = Rating.objects.get(case=case)
    assert (rating.resolved, rating.score) == (True, 1)  # the rating is never rewritten
    assert moves(case)[-1] == ("REQUEST_CLAIM", "CITIZEN", "RATED", "CLAIM_REQUESTED")


def test_after_the_rating_window_closed_the_claim_is_still_possible_without_a_rating(citizen, api):
    # Answered Tue 3 March 2026 12:00: the window to rate closed Tue 17 March 23:59:59 (10
    # business days: 4, 5, 6, 9, 10, 11, 12, 13, 16, 17). The scheduler has not closed it yet.
    case = answer(make_case(citizen, now=MON_2_MAR), now=lima(2026, 3, 3, 12))
    assert case.rating_due_at == lima(2026, 3, 17, 23, 59, 59)

    r = api.post(claim_url(case), {"reason": REASON})

    assert r.status_code == 201, r.content
    assert not Rating.objects.filter(case=case).exists()  # counted as not rated
    assert moves(case)[-2:] == [
        ("CLOSE", "SYSTEM", "ANSWERED", "CLOSED"),
        ("REQUEST_CLAIM", "CITIZEN", "CLOSED", "CLAIM_REQUESTED"),
    ]


def test_a_case_the_scheduler_closed_unrated_may_be_claimed(citizen, api):
    case = answer(make_case(citizen, now=MON_2_MAR), now=lima(2026, 3, 3, 12))
    assert services.close_unrated_cases(now=timezone.now()) == 1

    r = api.post(claim_url(case), {"reason": REASON})

    assert r.status_code == 201, r.content
    assert moves(case)[-1] == ("REQUEST_CLAIM", "CITIZEN", "CLOSED", "CLAIM_REQUESTED")


def test_a_returned_and_closed_case_has_no_answer_to_object_to(citizen, api, regulator_case):
    case = regulator_case
    assert case.state == State.CLOSED and case.answered_at is None
    with NothingWritten():
        body = problem_of(api.post(claim_url(case), {"reason": REASON}), 409)
    assert "se cerró sin una respuesta de la operadora" in body["detail"]


@pytest.fixture
def regulator_case(citizen):
    from factories import operator_principal
    from sgu.core.principal import Principal

    case = make_case(citizen)
    services.return_case(
        case=case,
        reason="La línea 987654321 no pertenece a nuestra empresa.",
        by=operator_principal(case.operator),
    )
    regulator = make_regulator("REGULATOR_SUPERVISOR")
    services.confirm_return(
        case=case,
        note="Confirmado: la línea es de otra operadora.",
        by=Principal(actor_role="REGULATOR", user=regulator),
    )
    case.refresh_from_db()
    return case


# --- payments ---------------------------------------------------------------------------------


def test_a_matter_implying_suspension_of_payments_is_withheld_with_where_to_file(citizen, api):
    case = answer(make_case(citizen, now=MON_2_MAR))
    sub = case.subcategory
    sub.suspends_payments = True
    sub.save()

    with NothingWritten():
        body = problem_of(api.post(claim_url(case), {"reason": REASON, "score": 1}), 409)

    assert body["detail"] == (
        "Este problema implica la suspensión de pagos, por eso su reclamo no se genera en el "
        "SGU. Presente su reclamo directamente ante Claro (América Móvil Perú): en sus centros "
        "de atención, por su línea telefónica gratuita o en su página web."
    )
    sub.claim_elsewhere = "Preséntelo por escrito en cualquier centro de atención de Claro."
    sub.save()
    shown = api.get(f"/api/v1/cases/{case.code}").json()
    assert shown["claim_refusal"].endswith(
        "Preséntelo por escrito en cualquier centro de atención de Claro."
    )
    assert not Claim.objects.filter(case=case).exists()


# --- an administrator's limit -----------------------------------------------------------------


def test_no_limit_unless_configured(citizen):
    case = answer(make_case(citizen, now=MON_2_MAR), now=lima(2026, 3, 3, 12))
    assert policies.claim_window_closes_at(case) is None
    assert policies.claim_refusal(case, lima(2030, 1, 2, 10)) is None


def test_a_configured_limit_is_counted_in_business_days_and_shown_beforehand(
    citizen, api, settings
):
    settings.SGU = {**settings.SGU, "CLAIM_WINDOW_BUSINESS_DAYS": 5}
    # Answered Tue 3 March 2026 12:00 (before the 17:00 cut-off: received that day): 5
    # business days are Wed 4, Thu 5, Fri 6, Mon 9, Tue 10 → until Tue 10 March 23:59:59.
    case = answer(make_case(citizen, now=MON_2_MAR), now=lima(2026, 3, 3, 12))
    until = lima(2026, 3, 10, 23, 59, 59)
    assert policies.claim_window_closes_at(case) == until
    case = Case.objects.select_related("subcategory", "operator").get(pk=case.pk)
    assert policies.claim_refusal(case, until) is None
    assert policies.claim_refusal(case, until + timedelta(seconds=1)) == (
        "El plazo para generar el reclamo venció el 10/03/2026 23:59."
    )
    shown = api.get(f"/api/v1/cases/{case.code}").json()
    assert shown["claim_until"] == "2026-03-11T04:59:59Z"  # Tue 10 March 23:59:59 Lima
    with NothingWritten():
        problem_of(api.post(claim_url(case), {"reason": REASON}), 409)
