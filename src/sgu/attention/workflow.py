"""The life of one escalation hop as one table (issue 8, DOMAIN §1).

A hop is a case or a consulta sent by level n to an area of level n+1. Services ask
`transition(action, state, actor)` before changing a hop; templates ask `allowed_actions`
which buttons to show. Nothing else decides whether a hop may move.

    PENDING ──ANSWER──▶ ANSWERED ──INFORM (top hop, 1st level)──▶ INFORMED
       │  └─SEND_BACK─▶ SENT_BACK ──CLOSE (top hop, 1st level)──▶ CLOSED
       └─ESCALATE_UP─▶ AT_HIGHER_LEVEL ──RECEIVE (level-3 hop answered or sent back)──▶ PENDING

A new hop starts PENDING (ESCALATE). A level-3 hop ends ANSWERED or SENT_BACK: its answer or
its return travels down to the level-2 hop, which is back in its area's queue.
"""

from dataclasses import dataclass

from django.db import models


class HopState(models.TextChoices):
    PENDING = "PENDING", "Pendiente en el área"
    AT_HIGHER_LEVEL = "AT_HIGHER_LEVEL", "Escalado al nivel superior"
    ANSWERED = "ANSWERED", "Respondido"
    SENT_BACK = "SENT_BACK", "Devuelto (mal derivado)"
    INFORMED = "INFORMED", "Informado al ciudadano"
    CLOSED = "CLOSED", "Cerrado tras la devolución"


class HopAction(models.TextChoices):
    ESCALATE = "ESCALATE", "Escalar"
    ESCALATE_UP = "ESCALATE_UP", "Escalar al 3.er nivel"
    ANSWER = "ANSWER", "Responder al nivel anterior"
    SEND_BACK = "SEND_BACK", "Devolver (no corresponde al área)"
    RECEIVE = "RECEIVE", "Recibir la respuesta del nivel superior"
    INFORM = "INFORM", "Informar al ciudadano"
    CLOSE = "CLOSE", "Cerrar la devolución"


class HopActor(models.TextChoices):
    FIRST_LEVEL = "FIRST_LEVEL", "1.er nivel"
    AREA = "AREA", "Integrante del área"
    SYSTEM = "SYSTEM", "Sistema"


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    # Only on a hop of this level (None: any).
    level: int | None = None


S, A, R = HopState, HopAction, HopActor

TRANSITIONS: tuple[Transition, ...] = (
    Transition(A.ANSWER, frozenset({S.PENDING}), S.ANSWERED, frozenset({R.AREA})),
    Transition(A.SEND_BACK, frozenset({S.PENDING}), S.SENT_BACK, frozenset({R.AREA})),
    # Only level 2 has a level above it.
    Transition(
        A.ESCALATE_UP, frozenset({S.PENDING}), S.AT_HIGHER_LEVEL, frozenset({R.AREA}), level=2
    ),
    # The level-3 hop answered or sent back: the level-2 hop is back in its area's queue.
    Transition(
        A.RECEIVE, frozenset({S.AT_HIGHER_LEVEL}), S.PENDING, frozenset({R.SYSTEM}), level=2
    ),
    # The answer reached the 1st level, who tells the citizen.
    Transition(A.INFORM, frozenset({S.ANSWERED}), S.INFORMED, frozenset({R.FIRST_LEVEL}), level=2),
    # A hop sent back as wrongly routed: the 1st level closes it (and re-routes the case or
    # consulta, or answers it itself).
    Transition(A.CLOSE, frozenset({S.SENT_BACK}), S.CLOSED, frozenset({R.FIRST_LEVEL}), level=2),
)

# Hops the 1st level still has to act on, or that are still being worked on above.
ACTIVE_STATES = frozenset({S.PENDING, S.AT_HIGHER_LEVEL, S.ANSWERED, S.SENT_BACK})
# Hops whose routing is decided: answered (correctly routed) or sent back (not).
DECIDED_STATES = frozenset({S.ANSWERED, S.INFORMED, S.SENT_BACK, S.CLOSED})

_BY_ACTION = {t.action: t for t in TRANSITIONS}

_REFUSALS = {
    A.ANSWER: "Solo se responde un escalamiento pendiente en el área (estado: {state}).",
    A.SEND_BACK: "Solo se devuelve un escalamiento pendiente en el área (estado: {state}).",
    A.ESCALATE_UP: "Solo se escala al 3.er nivel un escalamiento pendiente del 2.º nivel "
    "(estado: {state}).",
    A.RECEIVE: "Este escalamiento no espera respuesta del nivel superior.",
    A.INFORM: "Solo se informa al ciudadano una respuesta recibida y aún no informada "
    "(estado: {state}).",
    A.CLOSE: "Solo se cierra un escalamiento devuelto (estado: {state}).",
}


class TransitionNotAllowed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def transition(action: str, state: str, actor: str, level: int) -> Transition:
    """The transition `actor` may make with `action` on a hop of `level` in `state`."""
    t = _BY_ACTION.get(action)
    if t is None or actor not in t.actors:
        raise TransitionNotAllowed("No tiene permiso para esta acción.")
    if t.level is not None and level != t.level:
        raise TransitionNotAllowed(
            _REFUSALS[action].format(state=HopState(state).label.lower())
            if state not in t.sources
            else "Esta acción no corresponde a un escalamiento de este nivel."
        )
    if state not in t.sources:
        label = HopState(state).label if state in HopState.values else state
        raise TransitionNotAllowed(_REFUSALS[action].format(state=label.lower()))
    return t


def allowed_actions(state: str, actors: set[str], level: int) -> list[str]:
    """Actions the person (acting as any of `actors`) may take on a hop (drives buttons)."""
    return [
        t.action
        for t in TRANSITIONS
        if state in t.sources
        and t.actors & actors
        and (t.level is None or t.level == level)
        and R.SYSTEM not in t.actors
    ]


# --- consultas: the virtual channel's plazo (attention manual, 7.4.1.1) ------------------------

# The virtual channel: a written question that waits for a written answer. In person and by
# telephone the citizen is answered in the same interaction: those have no plazo.
VIRTUAL_QUERY_CHANNELS = frozenset({"WEB", "EMAIL", "APP"})


def query_has_plazo(channel: str) -> bool:
    """Does a consulta that arrived by `channel` run the virtual channel's 24-hour clock?"""
    return channel in VIRTUAL_QUERY_CHANNELS


def query_late(query, now) -> bool:
    """Is the consulta late: not first answered (answer or escalation) by its due time?

    The clock stops at the first response; the due instant itself is still on time."""
    if query.due_at is None:
        return False
    if query.first_response_at is not None:
        return query.first_response_at > query.due_at
    return now > query.due_at


def is_legal_motive(motive) -> bool:
    """A legal consulta (its family is marked legal): reviewed by the quality supervisor
    before the answer leaves (attention manual, 7.4.1.1)."""
    if motive is None:
        return False
    return bool(motive.legal or (motive.parent_id and motive.parent.legal))


# --- consultas: the quality review of legal answers (attention manual, 7.4.1.1) ----------------

REVIEW_APPROVE = "APPROVE"
REVIEW_RETURN = "RETURN"


def query_needs_review(query, *, by_supervisor: bool) -> bool:
    """Does this 1st-level answer wait for the quality supervisor? A legal consulta's answer
    does, unless the supervisor writes it (the reviewer answering needs no second look)."""
    return is_legal_motive(query.motive) and not by_supervisor


def query_in_review(query) -> bool:
    return query.state == "REVIEW"


def can_review_query(query, *, is_supervisor: bool) -> bool:
    """May this person approve or return the draft now? The quality supervisor, while the
    consulta is in review."""
    return is_supervisor and query_in_review(query)


def query_open_for_answer(query) -> bool:
    """May the 1st level still answer or escalate it (not answered, not waiting review)?"""
    return query.state in ("OPEN", "ESCALATED")


# --- incidents: the response clock stops when the area takes the hop (manual 9.3.4) -------------


def can_take(hop, actors: set[str]) -> bool:
    """May the person take this hop («atender», the explicit stop of the response clock)?
    A member of its area, while it is pending and nobody took it yet."""
    return HopActor.AREA in actors and hop.state == HopState.PENDING and hop.taken_at is None


def validation_late(hop, now) -> bool:
    """Is level 2 late validating the 3rd level's answer (1 business day, manual 9.3.7.2)?"""
    if hop.validation_due_at is None:
        return False
    if hop.validation_on_time is not None:
        return not hop.validation_on_time
    return now > hop.validation_due_at


def can_extend(hop, actors: set[str]) -> bool:
    """May the person extend this hop's plazo (with a reason, told to the citizen)? A member
    of its area while the hop is still open at that area."""
    return HopActor.AREA in actors and hop.state in (HopState.PENDING, HopState.AT_HIGHER_LEVEL)


# --- incidents: waiting on a provider or an external entity (manual 9.3.6–9.3.7.3) ---------------


def can_pause(hop, actors: set[str]) -> bool:
    """May the person pause this hop's solution clock? A member of its (3rd-level) area while
    it is pending there and running."""
    return (
        HopActor.AREA in actors
        and hop.state == HopState.PENDING
        and hop.solution_due_at is not None
        and hop.paused_at is None
    )


def can_resume(hop, actors: set[str]) -> bool:
    return HopActor.AREA in actors and hop.state == HopState.PENDING and hop.paused_at is not None


def solution_late(hop, now) -> bool:
    """Is the 3rd level late with the solution? Never while paused (the clock is stopped)."""
    if hop.solution_due_at is None or hop.paused_at is not None:
        return False
    if hop.solution_on_time is not None:
        return not hop.solution_on_time
    return hop.answered_at is None and now > hop.solution_due_at


def can_record_requirement(hop) -> bool:
    """A hop the area may close as a functional requirement (not a defect): a case's or a
    consulta's incident at level 2 or 3 (answered like any other)."""
    return hop.state == HopState.PENDING


def incident_solved(hop) -> bool:
    """Has the answer of this incident come back down to the 1st level (told or to tell)?"""
    return hop.parent_id is None and hop.state in (HopState.ANSWERED, HopState.INFORMED)
