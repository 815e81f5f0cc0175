"""The case life cycle as one table (DOMAIN §6).

Services ask `transition(action, state, role)` before changing a case's state; templates and
API serialisers ask `allowed_actions(state, role)` which buttons to show. Nothing else
decides whether a case may move.
"""

from dataclasses import dataclass

from django.db import models

from sgu.core.principal import Actor  # re-exported: the table below is keyed by it


class State(models.TextChoices):
    REGISTERED = "REGISTERED", "Registrado"
    FORWARDED = "FORWARDED", "Trasladado a la operadora"
    IN_PROGRESS = "IN_PROGRESS", "En atención"
    ANSWERED = "ANSWERED", "Atendido"
    RATED = "RATED", "Calificado"
    OVERDUE = "OVERDUE", "Vencido"
    RETURNED = "RETURNED", "Devuelto por la operadora"
    CLAIM_REQUESTED = "CLAIM_REQUESTED", "Reclamo solicitado"
    CLAIM_CODED = "CLAIM_CODED", "Reclamo con código"
    CLOSED = "CLOSED", "Cerrado"


class Action(models.TextChoices):
    REGISTER = "REGISTER", "Registrar"
    FORWARD = "FORWARD", "Trasladar a la operadora"
    ACKNOWLEDGE = "ACKNOWLEDGE", "Tomar en atención"
    ANSWER = "ANSWER", "Registrar solución"
    RATE = "RATE", "Calificar la respuesta"
    EXPIRE = "EXPIRE", "Vencer el plazo"
    RETURN = "RETURN", "Devolver (no corresponde a la operadora)"
    REASSIGN = "REASSIGN", "Reasignar a otra operadora"
    REQUEST_CLAIM = "REQUEST_CLAIM", "Generar reclamo"
    ASSIGN_CLAIM_CODE = "ASSIGN_CLAIM_CODE", "Asignar código de reclamo"
    CLOSE = "CLOSE", "Cerrar"
    # A contingency window extended the plazo of an OVERDUE case past now: it is owed again.
    REOPEN = "REOPEN", "Reabrir (plazo ampliado por contingencia)"
    RESUME = "RESUME", "Retomar la atención (plazo ampliado por contingencia)"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]


S, A, R = State, Action, Actor
OPEN_STATES = frozenset({S.FORWARDED, S.IN_PROGRESS})

TRANSITIONS: tuple[Transition, ...] = (
    # Registered but the citizen's email is not confirmed yet: waits, then forwarded.
    Transition(A.FORWARD, frozenset({S.REGISTERED}), S.FORWARDED, frozenset({R.SYSTEM})),
    Transition(A.ACKNOWLEDGE, frozenset({S.FORWARDED}), S.IN_PROGRESS, frozenset({R.OPERATOR})),
    # A late answer is still an answer (counted as late): the operator may answer an
    # overdue case until the citizen turns it into a reclamo.
    Transition(
        A.ANSWER,
        frozenset({S.FORWARDED, S.IN_PROGRESS, S.OVERDUE}),
        S.ANSWERED,
        frozenset({R.OPERATOR}),
    ),
    Transition(A.RATE, frozenset({S.ANSWERED}), S.RATED, frozenset({R.CITIZEN})),
    Transition(A.EXPIRE, OPEN_STATES, S.OVERDUE, frozenset({R.SYSTEM})),
    Transition(A.RETURN, OPEN_STATES, S.RETURNED, frozenset({R.OPERATOR})),
    Transition(A.REASSIGN, frozenset({S.RETURNED}), S.FORWARDED, frozenset({R.REGULATOR})),
    # "No estoy conforme": from an overdue case, or after an answer whatever the rating (an
    # ANSWERED case is rated "not resolved" first, in the same step; a case the rating window
    # closed may still be claimed). Whether the matter is claimable, does not imply the
    # suspension of payments and had an answer to object to is `policies.claim_refusal`.
    Transition(
        A.REQUEST_CLAIM,
        frozenset({S.OVERDUE, S.RATED, S.CLOSED}),
        S.CLAIM_REQUESTED,
        frozenset({R.CITIZEN}),
    ),
    Transition(
        A.ASSIGN_CLAIM_CODE, frozenset({S.CLAIM_REQUESTED}), S.CLAIM_CODED, frozenset({R.OPERATOR})
    ),
    Transition(
        A.CLOSE,
        frozenset({S.ANSWERED, S.RATED, S.RETURNED, S.CLAIM_CODED}),
        S.CLOSED,
        frozenset({R.SYSTEM, R.REGULATOR}),
    ),
    # A contingency window the regulator registered gave back the time it took: an OVERDUE
    # case whose new due date has not passed goes back to where it was (not yet taken in
    # attention: FORWARDED; taken: IN_PROGRESS). The system applies it, as a consequence of
    # the window; no person chooses it, so no button offers it.
    Transition(A.REOPEN, frozenset({S.OVERDUE}), S.FORWARDED, frozenset({R.SYSTEM})),
    Transition(A.RESUME, frozenset({S.OVERDUE}), S.IN_PROGRESS, frozenset({R.SYSTEM})),
)

_BY_ACTION = {t.action: t for t in TRANSITIONS}


class TransitionNotAllowed(Exception):
    def __init__(self, action: str, state: str, actor: str, message: str):
        super().__init__(message)
        self.action, self.state, self.actor, self.message = action, state, actor, message


# What a person is told when they try something the state does not allow.
_REFUSALS = {
    A.ACKNOWLEDGE: "Solo se puede tomar en atención un caso trasladado y aún no atendido.",
    A.ANSWER: "Este caso ya no admite una solución (estado: {state}).",
    A.RATE: "Solo se puede calificar un caso atendido que aún no ha sido calificado "
    "(estado: {state}).",
    A.EXPIRE: "Solo vence un caso abierto.",
    A.RETURN: "Solo se puede devolver un caso abierto (estado: {state}).",
    A.REASSIGN: "Solo se puede reasignar un caso devuelto.",
    A.REQUEST_CLAIM: "No se puede generar un reclamo en el estado actual ({state}).",
    A.ASSIGN_CLAIM_CODE: "Este reclamo no está esperando código.",
    A.CLOSE: "Este caso no se puede cerrar en su estado actual ({state}).",
    A.FORWARD: "El caso ya fue trasladado.",
    A.REOPEN: "Solo se reabre un caso vencido.",
    A.RESUME: "Solo se reabre un caso vencido.",
}


def transition(action: str, state: str, actor: str) -> Transition:
    """The transition `actor` may make with `action` from `state`, or TransitionNotAllowed."""
    t = _BY_ACTION.get(action)
    if t is None or actor not in t.actors:
        raise TransitionNotAllowed(action, state, actor, "No tiene permiso para esta acción.")
    if state not in t.sources:
        label = State(state).label if state in State.values else state
        message = _REFUSALS.get(action, "Acción no permitida en el estado {state}.")
        raise TransitionNotAllowed(action, state, actor, message.format(state=label.lower()))
    return t


def allowed_actions(state: str, actor: str) -> list[str]:
    """Actions `actor` may take on a case in `state` (drives buttons)."""
    return [t.action for t in TRANSITIONS if state in t.sources and actor in t.actors]
