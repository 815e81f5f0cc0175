"""Escalations between levels: escalate, take, extend, answer, validate, send back, inform."""

from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from sgu.accounts.models import User
from sgu.attention import selectors
from sgu.attention.models import (
    Area,
    Complexity,
    Coordination,
    Criticality,
    Escalation,
    FunctionalRequirement,
    Outcome,
    Priority,
    Query,
    QueryState,
    Region,
    region_of_department,
)
from sgu.attention.services._common import (
    _active_top_hop,
    _citizen_of,
    _close_sent_back,
    _event,
    _first_response,
    _locked,
    _move,
    _require,
    _text,
    escalation_deadline,
    solution_days,
    validation_deadline,
)
from sgu.attention.services.pauses import _close_pause
from sgu.attention.services.queries import _finish_query
from sgu.attention.services.tickets import _due_label, _escalation_ticket
from sgu.attention.workflow import (
    HopAction,
    HopActor,
    HopState,
    can_extend,
    can_take,
    query_in_review,
)
from sgu.cases.models import Case
from sgu.core.calendar import LIMA, load_calendar
from sgu.core.errors import Conflict, ErrorCollector, Forbidden, ValidationFailed
from sgu.notifications.services import queue_email

# --- escalations ---------------------------------------------------------------------------


def _check_escalation(
    errors: ErrorCollector,
    *,
    area_code: str,
    level: int,
    criticality: str,
    complexity: str,
    priority: str = Priority.MEDIA,
) -> Area | None:
    if priority not in Priority.values:
        errors.add("priority", "Elija la prioridad: alta, media o baja.")
    area = Area.objects.filter(code=area_code, level=level, active=True).first()
    if area is None:
        errors.add("area", f"Elija un área del {'2.º' if level == 2 else '3.er'} nivel.")
    if criticality not in Criticality.values:
        errors.add("criticality", "Elija la criticidad: alta, media o baja.")
    if complexity not in Complexity.values:
        errors.add("complexity", "Elija la complejidad.")
    return area


def _new_hop(
    *,
    case: Case | None,
    query: Query | None,
    parent: Escalation | None,
    area: Area,
    criticality: str,
    complexity: str,
    reason: str,
    by: User,
    now: datetime,
    priority: str = Priority.MEDIA,
    region: str = "",
) -> Escalation:
    deadline = escalation_deadline(criticality, now)
    assert deadline.received_on is not None  # a plazo in days always has its received day
    hop = Escalation(
        case=case,
        query=query,
        parent=parent,
        area=area,
        level=area.level,
        state=HopState.PENDING,
        criticality=criticality,
        complexity=complexity,
        reason=reason,
        escalated_by=by,
        escalated_at=now,
        received_on=deadline.received_on,
        max_business_days=deadline.amount,
        due_at=deadline.due_at,
        due_explanation=deadline.explanation(),
        priority=priority,
        region=region,
    )
    if area.level == 3:
        days = solution_days(criticality, complexity)
        solution = load_calendar().add_business_days(now, days)
        hop.solution_business_days = days
        hop.solution_due_at = solution.due_at
        hop.solution_explanation = solution.explanation()
    hop.save(force_insert=True)
    _event(
        kind=HopAction.ESCALATE,
        by=by,
        now=now,
        escalation=hop,
        to_state=HopState.PENDING,
        note=reason,
        data={
            "area": area.code,
            "level": area.level,
            "criticality": criticality,
            "complexity": complexity,
            "priority": priority,
            "due_at": hop.due_at.isoformat(),
        },
    )
    return hop


@transaction.atomic
def escalate(
    *,
    agent: User,
    area_code: str,
    criticality: str,
    complexity: str,
    reason: str,
    case: Case | None = None,
    query: Query | None = None,
    priority: str = Priority.MEDIA,
    region: str = "",
    now: datetime | None = None,
) -> Escalation:
    """The 1st level sends a case or a consulta to a 2nd-level area. A hop sent back before
    is closed by this re-routing. The incident's region (Lima or another, for the monthly
    totals) is the one given, else the consulta's, else its office's department."""
    now = now or timezone.now()
    if not selectors.seat_of(agent).first_level:
        raise Forbidden("Solo el 1.er nivel escala casos y consultas al 2.º nivel.")
    if (case is None) == (query is None):
        raise ValidationFailed.of([])  # programming error: exactly one item
    errors = ErrorCollector()
    area = _check_escalation(
        errors,
        area_code=area_code,
        level=2,
        criticality=criticality,
        complexity=complexity,
        priority=priority,
    )
    reason = _text(errors, "reason", reason, "Explique qué necesita del área.")
    region = (region or "").strip().upper()
    if region and region not in Region.values:
        errors.add("region", "Elija la región (departamento) de la lista.")
    errors.raise_if_any()
    assert area is not None  # refused above with the other errors
    if query is not None:
        query = Query.objects.select_for_update().get(pk=query.pk)
        if query.state == QueryState.ANSWERED:
            raise Conflict("Esta consulta ya fue respondida.")
        if query_in_review(query):
            raise Conflict("Esta consulta espera la revisión de calidad de su respuesta.")
    else:
        assert case is not None  # exactly one of the two (checked above)
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    active = _active_top_hop(case=case, query=query)
    if active is not None and active.state != HopState.SENT_BACK:
        raise Conflict(
            f"Ya está escalado a {active.area.name} ({HopState(active.state).label.lower()})."
        )
    if active is not None:
        _close_sent_back([active], agent, now, f"Derivado de nuevo a {area.name}.")
    item = query if query is not None else case
    assert item is not None  # exactly one of the two (checked above)
    if not region:
        region = getattr(item, "region", "") or (
            region_of_department(item.office.department) if item.office is not None else ""
        )
    hop = _new_hop(
        case=case,
        query=query,
        parent=None,
        area=area,
        criticality=criticality,
        complexity=complexity,
        reason=reason,
        by=agent,
        now=now,
        priority=priority,
        region=region,
    )
    if query is not None and query.state != QueryState.ESCALATED:
        previous = query.state
        query.state = QueryState.ESCALATED
        _first_response(query, now)
        query.save()
        _event(
            kind="ESCALATE",
            by=agent,
            now=now,
            query=query,
            from_state=previous,
            to_state=QueryState.ESCALATED,
            data={"escalation": hop.pk},
        )
    _escalation_ticket(hop, by=agent, now=now)
    return hop


@transaction.atomic
def escalate_up(
    *,
    escalation: Escalation,
    user: User,
    area_code: str,
    criticality: str,
    complexity: str,
    reason: str,
    priority: str = Priority.MEDIA,
    now: datetime | None = None,
) -> Escalation:
    """A 2nd-level area sends what it holds on to a 3rd-level area; the level-3 hop runs the
    solution clock (criticality × complexity)."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    errors = ErrorCollector()
    area = _check_escalation(
        errors,
        area_code=area_code,
        level=3,
        criticality=criticality,
        complexity=complexity,
        priority=priority,
    )
    reason = _text(errors, "reason", reason, "Explique qué necesita del área.")
    errors.raise_if_any()
    assert area is not None  # refused above with the other errors
    hop = _locked(escalation)
    if hop.elevated_same_day is None:  # the first elevation is the one the manual times
        hop.elevated_same_day = (
            now.astimezone(LIMA).date() == hop.escalated_at.astimezone(LIMA).date()
        )
    _move(
        hop,
        HopAction.ESCALATE_UP,
        HopActor.AREA,
        user,
        now,
        note=reason,
        data={"to": area.code, "same_day": hop.elevated_same_day},
    )
    return _new_hop(
        region=hop.region,
        case=hop.case,
        query=hop.query,
        parent=hop,
        area=area,
        criticality=criticality,
        complexity=complexity,
        reason=reason,
        by=user,
        now=now,
        priority=priority,
    )


MAX_EXTENSION_DAYS = 10


@transaction.atomic
def extend_escalation(
    *,
    escalation: Escalation,
    user: User,
    days: int | str,
    reason: str,
    now: datetime | None = None,
) -> Escalation:
    """The area extends its plazo by business days, with a reason: recorded on the timeline
    and emailed to the citizen (manual 9.3.7: «precisando la ampliación de los tiempos»). At
    level 3 the plazo extended is the solution clock's."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    errors = ErrorCollector()
    try:
        n_days = int(str(days).strip())
    except ValueError:
        n_days = 0
    if not 1 <= n_days <= MAX_EXTENSION_DAYS:
        errors.add("days", f"Indique de 1 a {MAX_EXTENSION_DAYS} días hábiles de ampliación.")
    reason = _text(errors, "reason", reason, "Explique por qué se amplía el plazo.")
    errors.raise_if_any()
    hop = _locked(escalation)
    if not can_extend(hop, {HopActor.AREA}):
        raise Conflict("Solo se amplía el plazo de un escalamiento que el área aún atiende.")
    field = "solution_due_at" if hop.solution_due_at is not None else "due_at"
    previous = getattr(hop, field)
    start = datetime.combine(previous.astimezone(LIMA).date(), time(0, 0), tzinfo=LIMA)
    extended = load_calendar().add_business_days(start, n_days).due_at
    setattr(hop, field, extended)
    hop.save()
    item = "consulta" if hop.query_id else "caso"
    to, name = _citizen_of(hop)
    data: dict[str, object] = {
        "field": field,
        "from": previous.isoformat(),
        "to": extended.isoformat(),
        "days": n_days,
    }
    if to:
        email = queue_email(
            to=to,
            template="attention_extended",
            context={
                "code": hop.item_code,
                "item": item,
                "name": name,
                "days": n_days,
                "reason": reason,
                "due": _due_label(extended),
            },
            case_code=hop.item_code,
        )
        data["email_id"] = email.pk
    _event(kind="EXTEND", by=user, now=now, escalation=hop, note=reason, data=data)
    return hop


@transaction.atomic
def take_escalation(
    *, escalation: Escalation, user: User, now: datetime | None = None
) -> Escalation:
    """A specialist of the area takes the hop («atiende la incidencia»): the explicit end of
    the incident's response clock (manual 9.3.4). Taken at level 3 it is the 3rd level's
    contact, which also ends the response clock of the level-2 hop if nobody took it."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    hop = _locked(escalation)
    if not can_take(hop, {HopActor.AREA}):
        raise Conflict("Este escalamiento ya fue tomado o no está pendiente.")
    for target in [hop] + ([_locked(hop.parent)] if hop.parent is not None else []):
        if target.taken_at is not None:
            continue
        target.taken_at, target.taken_by = now, user
        target.taken_on_time = now <= target.due_at
        target.save()
        _event(
            kind="TAKE",
            by=user,
            now=now,
            escalation=target,
            note="" if target is hop else "Contacto del 3.er nivel.",
            data={"on_time": target.taken_on_time},
        )
    return hop


@transaction.atomic
def answer_escalation(
    *,
    escalation: Escalation,
    user: User,
    answer: str,
    outcome: str = Outcome.SOLVED,
    requirement_title: str = "",
    coordination: str = Coordination.NONE,
    coordination_with: str = "",
    now: datetime | None = None,
) -> Escalation:
    """An area answers: the answer goes down one level (a level-3 answer to the level-2
    area, a level-2 answer to the 1st level). The hop's response time is fixed now.

    The answer records whether it needed internal or external coordination, and with whom
    (manual 9.3.1); and its outcome: solved, or not a defect but a functional requirement,
    which goes to the requirements backlog of the user area (manual 9.3.7.3). An answer
    given while the solution clock is paused resumes it first."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    errors = ErrorCollector()
    answer = _text(errors, "answer", answer, "Escriba la respuesta.")
    outcome = outcome or Outcome.SOLVED
    # A level-3 answer that made it a requirement: level 2 passes the same outcome down.
    inherited = escalation.children.filter(
        state=HopState.ANSWERED, outcome=Outcome.REQUIREMENT
    ).exists()
    if inherited:
        outcome = Outcome.REQUIREMENT
    if outcome not in Outcome.values:
        errors.add("outcome", "Elija el resultado: solucionada o requerimiento funcional.")
    requirement_title = (requirement_title or "").strip()
    if outcome == Outcome.REQUIREMENT and not requirement_title and not inherited:
        errors.add("requirement_title", "Resuma el requerimiento funcional en una línea.")
    elif len(requirement_title) > 200:
        errors.add("requirement_title", "Escriba como máximo 200 caracteres.")
    coordination = coordination or Coordination.NONE
    coordination_with = (coordination_with or "").strip()
    if coordination not in Coordination.values:
        errors.add("coordination", "Indique si hubo coordinación interna, externa o ninguna.")
    elif coordination != Coordination.NONE and not coordination_with:
        errors.add("coordination_with", "Indique con quién se coordinó.")
    elif coordination == Coordination.NONE:
        coordination_with = ""
    if len(coordination_with) > 200:
        errors.add("coordination_with", "Escriba como máximo 200 caracteres.")
    errors.raise_if_any()
    hop = _locked(escalation)
    if hop.state != HopState.PENDING:
        raise Conflict(
            f"Solo se responde un escalamiento pendiente en el área "
            f"(estado: {HopState(hop.state).label.lower()})."
        )
    if hop.paused_at is not None:
        _close_pause(hop, user=user, now=now, note="Reanudado al responder.")
    hop.outcome = outcome
    hop.coordination = coordination
    hop.coordination_with = coordination_with
    answered_above = hop.children.filter(state=HopState.ANSWERED).exists()
    hop.answer = answer
    hop.answered_by = user
    hop.answered_at = now
    hop.answer_level = 3 if answered_above else hop.level
    hop.response_business_days = load_calendar().business_days_taken(hop.received_on, now)
    hop.on_time = now <= hop.due_at
    if hop.solution_due_at is not None:
        hop.solution_on_time = now <= hop.solution_due_at
    if hop.validation_due_at is not None:
        hop.validation_on_time = now <= hop.validation_due_at
    _move(
        hop,
        HopAction.ANSWER,
        HopActor.AREA,
        user,
        now,
        note=answer,
        data={
            "on_time": hop.on_time,
            "business_days": hop.response_business_days,
            "outcome": outcome,
            "outcome_label": Outcome(outcome).label,
            "coordination": coordination,
            "coordination_label": Coordination(coordination).label,
            "coordination_with": coordination_with,
        },
    )
    if outcome == Outcome.REQUIREMENT and not inherited:
        user_area = hop.parent.area if hop.parent is not None else hop.area
        requirement = FunctionalRequirement(
            escalation=hop,
            user_area=user_area,
            title=requirement_title,
            description=answer,
            created_at=now,
            created_by=user,
        )
        requirement.save(force_insert=True)
        _event(
            kind="REQUIREMENT",
            by=user,
            now=now,
            escalation=hop,
            note=requirement_title,
            data={"requirement": requirement.pk, "code": requirement.code, "area": user_area.code},
        )
    if hop.parent is not None:
        _receive(hop.parent, child=hop, now=now)
    return hop


@transaction.atomic
def send_back(
    *, escalation: Escalation, user: User, reason: str, now: datetime | None = None
) -> Escalation:
    """An area returns a hop as wrongly routed (not its matter): it goes back one level and
    counts against "correctly routed"."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    errors = ErrorCollector()
    reason = _text(errors, "reason", reason, "Explique por qué no corresponde al área.")
    errors.raise_if_any()
    hop = _locked(escalation)
    hop.sent_back_at = now
    hop.sent_back_reason = reason
    _move(hop, HopAction.SEND_BACK, HopActor.AREA, user, now, note=reason)
    if hop.parent is not None:
        _receive(hop.parent, child=hop, now=now)
    return hop


def _receive(parent: Escalation, *, child: Escalation, now: datetime) -> None:
    parent = _locked(parent)
    if child.state == HopState.ANSWERED:
        parent.validation_due_at = validation_deadline(now).due_at
        parent.validation_on_time = None
    _move(
        parent,
        HopAction.RECEIVE,
        HopActor.SYSTEM,
        None,
        now,
        note=child.answer or child.sent_back_reason,
        data={"from": child.pk, "outcome": child.state, "area": child.area.code},
    )


@transaction.atomic
def inform_citizen(
    *, escalation: Escalation, user: User, message: str, now: datetime | None = None
) -> Escalation:
    """The 1st level tells the citizen the answer that came down: by email when there is one
    (recorded with the email's id), else a note of how they were told. A consulta is then
    answered, resolved at the level that wrote the answer."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.FIRST_LEVEL)
    errors = ErrorCollector()
    message = _text(errors, "message", message, "Escriba lo que se informa al ciudadano.")
    errors.raise_if_any()
    hop = _locked(escalation)
    to, _name = _citizen_of(hop)
    data: dict[str, object] = {"answer_level": hop.answer_level}
    if hop.state == HopState.ANSWERED and to:
        email = queue_email(
            to=to,
            template="attention_informed",
            context={"code": hop.item_code, "message": message, "query": hop.query},
            case_code=hop.item_code,
        )
        data["email_id"] = email.pk
        data["email_to"] = to
    else:
        data["medium"] = "sin correo: informado por otro medio"
    hop.informed_at = now
    if hop.answered_at is not None:
        hop.informed_same_day = (
            now.astimezone(LIMA).date() == hop.answered_at.astimezone(LIMA).date()
        )
    _move(hop, HopAction.INFORM, HopActor.FIRST_LEVEL, user, now, note=message, data=data)
    if hop.query_id:
        query = Query.objects.select_for_update().get(pk=hop.query_id)
        _finish_query(query, by=user, answer=message, level=hop.answer_level, now=now, send=False)
    return hop


@transaction.atomic
def close_sent_back(
    *, escalation: Escalation, user: User, note: str, now: datetime | None = None
) -> Escalation:
    """The 1st level closes a hop sent back to it without re-routing it."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.FIRST_LEVEL)
    errors = ErrorCollector()
    note = _text(errors, "note", note, "Anote qué se hizo con la devolución.")
    errors.raise_if_any()
    hop = _locked(escalation)
    _move(hop, HopAction.CLOSE, HopActor.FIRST_LEVEL, user, now, note=note)
    return hop
