"""The case life cycle table (cases/workflow.py) against DOMAIN §6, written out by hand.

Every State × Action × Actor combination is checked: exactly the ones below are allowed,
`transition()` and `allowed_actions()` agree, and a refusal says why in Spanish.
"""

import itertools

import pytest

from sgu.cases.workflow import (
    TRANSITIONS,
    Action,
    Actor,
    State,
    TransitionNotAllowed,
    allowed_actions,
    transition,
)

# (action, from state, actor) -> to state. Read from DOMAIN §6, not from the code.
ALLOWED = {
    ("FORWARD", "REGISTERED", "SYSTEM"): "FORWARDED",
    ("ACKNOWLEDGE", "FORWARDED", "OPERATOR"): "IN_PROGRESS",
    ("ANSWER", "FORWARDED", "OPERATOR"): "ANSWERED",
    ("ANSWER", "IN_PROGRESS", "OPERATOR"): "ANSWERED",
    ("ANSWER", "OVERDUE", "OPERATOR"): "ANSWERED",  # a late answer is still an answer
    ("RATE", "ANSWERED", "CITIZEN"): "RATED",
    ("EXPIRE", "FORWARDED", "SYSTEM"): "OVERDUE",
    ("EXPIRE", "IN_PROGRESS", "SYSTEM"): "OVERDUE",
    ("RETURN", "FORWARDED", "OPERATOR"): "RETURNED",
    ("RETURN", "IN_PROGRESS", "OPERATOR"): "RETURNED",
    ("REASSIGN", "RETURNED", "REGULATOR"): "FORWARDED",
    ("REQUEST_CLAIM", "OVERDUE", "CITIZEN"): "CLAIM_REQUESTED",
    ("REQUEST_CLAIM", "RATED", "CITIZEN"): "CLAIM_REQUESTED",
    # "No estoy conforme" after an answer has no time limit: a case the rating window closed
    # may still be claimed (whether it had an answer is policies.claim_refusal's question).
    ("REQUEST_CLAIM", "CLOSED", "CITIZEN"): "CLAIM_REQUESTED",
    ("ASSIGN_CLAIM_CODE", "CLAIM_REQUESTED", "OPERATOR"): "CLAIM_CODED",
    ("CLOSE", "ANSWERED", "SYSTEM"): "CLOSED",  # rating window passed without a rating
    ("CLOSE", "ANSWERED", "REGULATOR"): "CLOSED",
    ("CLOSE", "RATED", "SYSTEM"): "CLOSED",
    ("CLOSE", "RATED", "REGULATOR"): "CLOSED",
    ("CLOSE", "RETURNED", "SYSTEM"): "CLOSED",
    ("CLOSE", "RETURNED", "REGULATOR"): "CLOSED",
    ("CLOSE", "CLAIM_CODED", "SYSTEM"): "CLOSED",
    ("CLOSE", "CLAIM_CODED", "REGULATOR"): "CLOSED",
    # DOMAIN §5 contingency: a window that extends an overdue case's plazo past now gives it
    # back to the operator, where it was (not yet acknowledged / acknowledged).
    ("REOPEN", "OVERDUE", "SYSTEM"): "FORWARDED",
    ("RESUME", "OVERDUE", "SYSTEM"): "IN_PROGRESS",
}

EVERY = list(itertools.product(Action.values, State.values, Actor.values))


def test_given_the_published_contract_then_states_and_actors_are_its_enumerations():
    # docs/api.md, "Enumeraciones": clients switch on these strings.
    assert State.values == [
        "REGISTERED",
        "FORWARDED",
        "IN_PROGRESS",
        "ANSWERED",
        "RATED",
        "OVERDUE",
        "RETURNED",
        "CLAIM_REQUESTED",
        "CLAIM_CODED",
        "CLOSED",
    ]
    assert set(Actor.values) == {"CITIZEN", "OPERATOR", "REGULATOR", "SYSTEM"}


@pytest.mark.parametrize(("action", "state", "actor"), EVERY)
def test_given_any_state_action_and_actor_when_transitioning_then_allowed_only_per_domain(
    action, state, actor
):
    expected = ALLOWED.get((action, state, actor))
    if expected is None:
        with pytest.raises(TransitionNotAllowed) as exc:
            transition(action, state, actor)
        assert (exc.value.action, exc.value.state, exc.value.actor) == (action, state, actor)
        assert exc.value.message and exc.value.message == str(exc.value)
    else:
        assert transition(action, state, actor).target == expected


def test_given_the_code_table_when_expanded_then_it_is_exactly_the_domain_table():
    in_code = {
        (t.action, source, actor): t.target
        for t in TRANSITIONS
        for source in t.sources
        for actor in t.actors
    }
    assert in_code == ALLOWED


@pytest.mark.parametrize(("state", "actor"), list(itertools.product(State.values, Actor.values)))
def test_given_any_state_and_actor_when_asking_allowed_actions_then_it_agrees_with_transition(
    state, actor
):
    expected = sorted({a for (a, s, r) in ALLOWED if s == state and r == actor})
    assert sorted(allowed_actions(state, actor)) == expected
    for action in allowed_actions(state, actor):
        transition(action, state, actor)  # does not raise


def test_given_a_closed_case_when_anyone_asks_then_only_the_citizens_claim_is_left():
    for actor in Actor.values:
        expected = ["REQUEST_CLAIM"] if actor == "CITIZEN" else []
        assert allowed_actions("CLOSED", actor) == expected


def test_given_any_case_when_register_is_attempted_then_refused_nothing_goes_back_to_registered():
    assert not any(target == "REGISTERED" for target in ALLOWED.values())
    for state, actor in itertools.product(State.values, Actor.values):
        with pytest.raises(TransitionNotAllowed):
            transition("REGISTER", state, actor)


@pytest.mark.parametrize(
    ("action", "state", "actor", "message"),
    [
        ("RATE", "FORWARDED", "CITIZEN", "Solo se puede calificar un caso atendido que aún no "
         "ha sido calificado (estado: trasladado a la operadora)."),
        ("ACKNOWLEDGE", "IN_PROGRESS", "OPERATOR",
         "Solo se puede tomar en atención un caso trasladado y aún no atendido."),
        ("ANSWER", "CLOSED", "OPERATOR", "Este caso ya no admite una solución (estado: cerrado)."),
        ("REQUEST_CLAIM", "FORWARDED", "CITIZEN",
         "No se puede generar un reclamo en el estado actual (trasladado a la operadora)."),
        # The wrong actor is told it is not theirs, whatever the state.
        ("ANSWER", "FORWARDED", "CITIZEN", "No tiene permiso para esta acción."),
        ("RATE", "ANSWERED", "OPERATOR", "No tiene permiso para esta acción."),
        ("FORWARD", "REGISTERED", "CITIZEN", "No tiene permiso para esta acción."),
        ("NO_SUCH_ACTION", "FORWARDED", "SYSTEM", "No tiene permiso para esta acción."),
    ],
)  # fmt: skip
def test_given_a_refused_transition_when_raised_then_it_explains_itself_in_spanish(
    action, state, actor, message
):
    with pytest.raises(TransitionNotAllowed) as exc:
        transition(action, state, actor)
    assert exc.value.message == message
