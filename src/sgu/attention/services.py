"""Every write of the regulator's attention levels: consultas, escalations up and answers
down, telling the citizen, and the survey of the regulator's own service. One function per
use case, one transaction each; every step is an `AttentionEvent` (never updated, never
deleted) and every email is queued in the same transaction."""

import hashlib
import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from sgu.accounts.models import Role
from sgu.accounts.selectors import citizen_by_document
from sgu.attention import selectors
from sgu.attention.models import (
    Area,
    AttentionEvent,
    Complexity,
    Criticality,
    Escalation,
    Priority,
    Query,
    QueryChannel,
    QuerySequence,
    QueryState,
    Survey,
)
from sgu.attention.workflow import (
    REVIEW_APPROVE,
    REVIEW_RETURN,
    HopAction,
    HopActor,
    HopState,
    TransitionNotAllowed,
    can_extend,
    can_review_query,
    can_take,
    is_legal_motive,
    query_has_plazo,
    query_in_review,
    query_needs_review,
    transition,
)
from sgu.cases import services as cases
from sgu.cases.models import Case
from sgu.core.calendar import LIMA, Deadline, format_day, load_calendar
from sgu.core.errors import Conflict, ErrorCollector, Forbidden, NotFound, ValidationFailed
from sgu.core.identity import InvalidValue, normalize_document
from sgu.core.sequences import next_number
from sgu.notifications.services import queue_email

MAX_TEXT = 4000

DEFAULT_CRITICALITY_DAYS = {"ALTO": 5, "MEDIO": 4, "BAJO": 2}


def _config() -> dict:
    return settings.SGU.get("ATTENTION", {})


def criticality_days() -> dict[str, int]:
    return {**DEFAULT_CRITICALITY_DAYS, **_config().get("CRITICALITY_BUSINESS_DAYS", {})}


def query_deadline(at: datetime) -> Deadline:
    """A virtual consulta's clock (attention manual 7.4.1.1): answered within 24 hours;
    what arrives on a non-business day or after the attention's own cut-off (16:30, not the
    SGU's 17:00) counts as received the next business day."""
    config = _config()
    cutoff = time.fromisoformat(str(config.get("QUERY_CUTOFF", "16:30")))
    return (
        load_calendar()
        .with_cutoff(cutoff)
        .add_hours_of_business_days(at, config.get("VIRTUAL_QUERY_HOURS", 24))
    )


def _first_response(query: Query, now: datetime) -> None:
    """The first answer or escalation stops a consulta's clock (saved by the caller)."""
    if query.first_response_at is None:
        query.first_response_at = now
        if query.due_at is not None:
            query.on_time = now <= query.due_at


DEFAULT_SOLUTION_DAYS = {
    "ALTO": {"BAJA": 3, "MEDIA": 4, "ALTA": 5, "MUY_ALTA": 5, "INDEFINIDA": 5},
    "MEDIO": {"BAJA": 2, "MEDIA": 3, "ALTA": 4, "MUY_ALTA": 5, "INDEFINIDA": 5},
    "BAJO": {"BAJA": 2, "MEDIA": 2, "ALTA": 3, "MUY_ALTA": 4, "INDEFINIDA": 5},
}


def solution_days(criticality: str, complexity: str) -> int:
    """The 3rd level's solution plazo in business days (manual 9.3.4: 2 to 5)."""
    matrix = _config().get("SOLUTION_BUSINESS_DAYS") or DEFAULT_SOLUTION_DAYS
    return int(
        matrix.get(criticality, {}).get(complexity, DEFAULT_SOLUTION_DAYS[criticality][complexity])
    )


def escalation_deadline(criticality: str, at: datetime) -> Deadline:
    """The level's clock: the criticality's maximum response in business days, counted from
    the day the hop is received (the same rules as a plazo: DOMAIN §5)."""
    return load_calendar().add_business_days(at, criticality_days()[criticality])


# --- helpers -------------------------------------------------------------------------------


def _event(
    *,
    kind: str,
    by,
    now: datetime,
    escalation: Escalation | None = None,
    query: Query | None = None,
    case=None,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    data: dict | None = None,
) -> AttentionEvent:
    if escalation is not None:
        case = case or escalation.case
        query = query or escalation.query
    event = AttentionEvent(
        escalation=escalation,
        query=query,
        case=case,
        at=now,
        kind=kind,
        actor=by,
        from_state=from_state,
        to_state=to_state,
        note=note,
        data=data or {},
    )
    event.save(force_insert=True)
    return event


def _move(hop: Escalation, action: str, actor: str, by, now: datetime, **kw) -> None:
    try:
        t = transition(action, hop.state, actor, hop.level)
    except TransitionNotAllowed as exc:
        raise Conflict(exc.message) from None
    previous = hop.state
    hop.state = t.target
    hop.save()
    _event(
        kind=action, by=by, now=now, escalation=hop, from_state=previous, to_state=t.target, **kw
    )


def _require(user, escalation: Escalation, actor: str) -> None:
    if actor not in selectors.actors_for(user, escalation):
        if actor == HopActor.AREA:
            raise Forbidden(f"Solo los integrantes de {escalation.area.name} pueden hacer esto.")
        raise Forbidden("Solo el 1.er nivel puede hacer esto.")


def _text(errors: ErrorCollector, field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors.add(field, message)
    elif len(value) > MAX_TEXT:
        errors.add(field, f"Escriba como máximo {MAX_TEXT} caracteres.")
    return value


def _locked(hop: Escalation) -> Escalation:
    return (
        Escalation.objects.select_for_update(of=("self",))
        .select_related("area", "case", "case__citizen", "query", "parent")
        .get(pk=hop.pk)
    )


# --- consultas -----------------------------------------------------------------------------


def next_query_code(year: int) -> str:
    """The next consulta code of the year, e.g. CON-2026-0000123 (core/sequences.py, as the
    case codes): no duplicates under concurrency."""
    number = next_number(QuerySequence, year)
    return f"{_config().get('QUERY_CODE_PREFIX', 'CON')}-{year}-{number:07d}"


@transaction.atomic
def register_query(
    *,
    agent,
    channel: str,
    question: str,
    name: str = "",
    motive: str = "",
    topic: str = "",
    anonymous: bool = False,
    document_type: str = "",
    document_number: str = "",
    email: str = "",
    phone: str = "",
    now: datetime | None = None,
) -> Query:
    """A 1st-level agent registers a citizen's consulta, from any channel. `anonymous`: the
    person declined to give their data; the consulta is recorded as such and keeps none (no
    consent asked, no ticket or survey sent)."""
    now = now or timezone.now()
    if not selectors.seat_of(agent).first_level:
        raise Forbidden("Solo el 1.er nivel registra consultas.")
    errors = ErrorCollector()
    if channel not in QueryChannel.values:
        errors.add("channel", "Elija el canal por el que llegó la consulta.")
    typified = selectors.query_motive((motive or "").strip())
    if typified is None:
        errors.add("motive", "Elija el motivo de la consulta (tipificación).")
    topic = (topic or "").strip()
    if len(topic) > 200:
        errors.add("topic", "El asunto tiene como máximo 200 caracteres.")
    question = _text(errors, "question", question, "Escriba la consulta del ciudadano.")
    name = (name or "").strip()
    if anonymous:
        given = {
            "name": name,
            "document_number": (document_number or "").strip(),
            "email": (email or "").strip(),
            "phone": (phone or "").strip(),
        }
        for field, value in given.items():
            if value:
                errors.add(field, "Una consulta anónima no guarda datos personales: déjelo vacío.")
        name = document_type = document_number = email = phone = ""
    if not name and not anonymous:
        errors.add(
            "name", "Indique el nombre de quien consulta, o márquela como anónima si no lo da."
        )
    elif len(name) > 200:
        errors.add("name", "El nombre tiene como máximo 200 caracteres.")
    document_number = (document_number or "").strip()
    if document_number or document_type:
        try:
            doc = normalize_document(document_type, document_number)
            document_type, document_number = doc.type, doc.number
        except InvalidValue as exc:
            errors.add("document_number", str(exc))
    email = (email or "").strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", "Ingrese un correo válido, por ejemplo nombre@dominio.pe.")
    phone = (phone or "").strip()
    if len(phone) > 15:
        errors.add("phone", "El teléfono tiene como máximo 15 caracteres.")
    errors.raise_if_any()
    citizen = None
    if document_number:
        citizen = citizen_by_document(document_type, document_number)
    query = Query(
        code=next_query_code(now.astimezone(LIMA).year),
        anonymous=bool(anonymous),
        channel=channel,
        topic=topic or str(typified)[:200],
        motive=typified,
        question=question,
        name=name,
        document_type=document_type if document_number else "",
        document_number=document_number,
        email=email or (citizen.email if citizen else ""),
        phone=phone,
        citizen=citizen,
        office=getattr(agent, "office", None),
        registered_by=agent,
        registered_at=now,
    )
    if query_has_plazo(channel):
        deadline = query_deadline(now)
        query.received_at = deadline.counted_from
        query.due_at = deadline.due_at
        query.due_explanation = deadline.explanation()
    query.save(force_insert=True)
    _event(kind="REGISTER", by=agent, now=now, query=query, to_state=QueryState.OPEN)
    _query_ticket(query, by=agent, now=now)
    return query


# --- the citizen's ticket (attention manual: the 1st level tells the citizen, the same day, what
# happens next and the average response time) ----------------------------------------------------


def _duration_label(value: timedelta) -> str:
    minutes = max(1, round(value.total_seconds() / 60))
    if minutes < 60:
        return "1 minuto" if minutes == 1 else f"{minutes} minutos"
    hours = round(minutes / 60)
    if hours < 48:
        return "1 hora" if hours == 1 else f"{hours} horas"
    return f"{round(hours / 24)} días"


def _days_label(value: float) -> str:
    text = f"{value:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} día hábil" if text == "1" else f"{text} días hábiles"


def _due_label(due: datetime) -> str:
    local = due.astimezone(LIMA)
    return f"{format_day(local.date())} a las {local:%H:%M}"


def query_expectation(query: Query, now: datetime) -> str:
    """What the citizen is told to expect for a consulta: the average first response of the
    same kind (motive and channel class) over the last 30 days, else the plazo."""
    virtual = query.due_at is not None
    average, n = selectors.average_query_response(
        motive_id=query.motive_id, virtual=virtual, now=now
    )
    kind = f"consultas de «{query.motive.name}»" if query.motive_id else "consultas"
    if virtual:
        kind += " por el canal virtual"
    if average is not None:
        text = (
            f"Tiempo de respuesta esperado: unas {_duration_label(average)} (promedio de las "
            f"{kind} respondidas en los últimos 30 días: {n})."
        )
    else:
        text = "Tiempo de respuesta esperado: sin respuestas de este tipo en los últimos 30 días."
    if virtual:
        text += f" Plazo máximo: 24 horas de días hábiles, vence el {_due_label(query.due_at)}."
    return text


def escalation_expectation(hop: Escalation, now: datetime) -> str:
    """What the citizen is told to expect for an escalation: the average answer of the
    2nd-level escalations of the same criticality over the last 30 days, and the plazo."""
    average, n = selectors.average_escalation_response(criticality=hop.criticality, now=now)
    label = Criticality(hop.criticality).label.lower()
    if average is not None:
        text = (
            f"Tiempo de respuesta esperado: unos {_days_label(average)} (promedio de los "
            f"escalamientos de criticidad {label} respondidos en los últimos 30 días: {n})."
        )
    else:
        text = "Tiempo de respuesta esperado: sin respuestas de este tipo en los últimos 30 días."
    return (
        f"{text} Plazo máximo: {_days_label(hop.max_business_days)}, vence el "
        f"{_due_label(hop.due_at)}."
    )


def _ticket(
    *, to: str, code: str, name: str, subject: str, steps: list[str], expected: str, **where
) -> dict:
    data: dict = {}
    if to:
        email = queue_email(
            to=to,
            template="attention_ticket",
            context={
                "code": code,
                "name": name,
                "subject": subject,
                "steps": steps,
                "expected": expected,
            },
            case_code=code,
        )
        data = {"email_id": email.pk, "email_to": to}
    else:
        data = {"medium": "sin correo: el 1.er nivel se lo informa en la atención"}
    return data


def _query_ticket(query: Query, *, by, now: datetime) -> None:
    expected = query_expectation(query, now)
    steps = [
        "Un orientador revisa su consulta y le responde"
        + (" a este correo." if query.email else "."),
        "Si necesita la opinión de un área especializada, se la enviamos y le avisamos.",
    ]
    if is_legal_motive(query.motive):
        steps.append(
            "Por ser una consulta legal, la respuesta pasa por una revisión de calidad antes "
            "de enviarse."
        )
    data = _ticket(
        to=query.email,
        code=query.code,
        name=query.display_name,
        subject="Registramos su consulta",
        steps=steps,
        expected=expected,
    )
    _event(kind="TICKET", by=by, now=now, query=query, note=expected, data=data)


def _escalation_ticket(hop: Escalation, *, by, now: datetime) -> None:
    expected = escalation_expectation(hop, now)
    item = "consulta" if hop.query_id else "caso"
    if hop.query_id:
        to, name = hop.query.email, hop.query.display_name
    else:
        to, name = hop.case.citizen.email, hop.case.citizen.get_full_name()
    steps = [
        f"Su {item} pasó a un área especializada del regulador ({hop.area.name}).",
        "Cuando el área responda, le informamos la respuesta el mismo día.",
    ]
    data = _ticket(
        to=to,
        code=hop.item_code,
        name=name,
        subject=f"Su {item} pasó al área especializada",
        steps=steps,
        expected=expected,
    )
    _event(kind="TICKET", by=by, now=now, escalation=hop, note=expected, data=data)


def _close_sent_back(query_or_case_hops: list[Escalation], by, now: datetime, note: str) -> None:
    for hop in query_or_case_hops:
        if hop.state == HopState.SENT_BACK:
            _move(_locked(hop), HopAction.CLOSE, HopActor.FIRST_LEVEL, by, now, note=note)


def _active_top_hop(*, case=None, query=None) -> Escalation | None:
    qs = Escalation.objects.filter(parent__isnull=True).exclude(
        state__in=[HopState.INFORMED, HopState.CLOSED]
    )
    qs = qs.filter(case=case) if case is not None else qs.filter(query=query)
    return qs.order_by("-escalated_at", "-id").first()


@transaction.atomic
def answer_query(*, query: Query, agent, answer: str, now: datetime | None = None) -> Query:
    """The 1st level answers a consulta itself (never escalated, or sent back to it): the
    answer is emailed to the citizen when there is an email, and the survey offered."""
    now = now or timezone.now()
    if not selectors.seat_of(agent).first_level:
        raise Forbidden("Solo el 1.er nivel responde las consultas.")
    errors = ErrorCollector()
    answer = _text(errors, "answer", answer, "Escriba la respuesta para el ciudadano.")
    errors.raise_if_any()
    query = (
        Query.objects.select_for_update(of=("self",))
        .select_related("motive__parent")
        .get(pk=query.pk)
    )
    if query.state == QueryState.ANSWERED:
        raise Conflict("Esta consulta ya fue respondida.")
    if query_in_review(query):
        raise Conflict("Esta consulta espera la revisión de calidad de su respuesta.")
    active = _active_top_hop(query=query)
    if active is not None and active.state != HopState.SENT_BACK:
        raise Conflict(
            "Esta consulta está escalada: espere la respuesta del área o informe la respuesta "
            "recibida."
        )
    if active is not None:
        _close_sent_back([active], agent, now, "Respondida por el 1.er nivel.")
    supervisor = agent.role == Role.REGULATOR_SUPERVISOR
    if query_needs_review(query, by_supervisor=supervisor):
        # A legal consulta: the draft goes to the quality supervisor; nothing leaves and the
        # clock keeps running.
        previous = query.state
        query.state = QueryState.REVIEW
        query.draft_answer = answer
        query.draft_by = agent
        query.draft_at = now
        query.save()
        _event(
            kind="REVIEW_REQUESTED",
            by=agent,
            now=now,
            query=query,
            from_state=previous,
            to_state=QueryState.REVIEW,
            note=answer,
        )
        return query
    if supervisor and is_legal_motive(query.motive):
        query.reviewed_by, query.reviewed_at = agent, now
    _finish_query(query, by=agent, answer=answer, level=1, now=now, send=True)
    return query


@transaction.atomic
def review_query(
    *,
    query: Query,
    supervisor,
    decision: str,
    observations: str = "",
    now: datetime | None = None,
) -> Query:
    """The quality supervisor approves a legal consulta's draft (it leaves to the citizen,
    by email when there is one) or returns it with observations to the assistant. Who and
    when are kept on the consulta and its timeline; the 24-hour clock never stops for it."""
    now = now or timezone.now()
    if supervisor.role != Role.REGULATOR_SUPERVISOR:
        raise Forbidden("Solo el supervisor de calidad revisa las respuestas legales.")
    errors = ErrorCollector()
    if decision not in (REVIEW_APPROVE, REVIEW_RETURN):
        errors.add("decision", "Elija si da conformidad a la respuesta o la observa.")
    observations = (observations or "").strip()
    if decision == REVIEW_RETURN and not observations:
        errors.add("observations", "Escriba las observaciones para quien proyectó la respuesta.")
    elif len(observations) > MAX_TEXT:
        errors.add("observations", f"Escriba como máximo {MAX_TEXT} caracteres.")
    errors.raise_if_any()
    query = (
        Query.objects.select_for_update(of=("self",))
        .select_related("motive__parent")
        .get(pk=query.pk)
    )
    if not can_review_query(query, is_supervisor=True):
        raise Conflict("Esta consulta no tiene una respuesta en revisión.")
    query.reviewed_by, query.reviewed_at = supervisor, now
    if decision == REVIEW_RETURN:
        query.state = QueryState.OPEN
        query.review_observations = observations
        query.save()
        _event(
            kind="REVIEW_RETURNED",
            by=supervisor,
            now=now,
            query=query,
            from_state=QueryState.REVIEW,
            to_state=QueryState.OPEN,
            note=observations,
        )
        return query
    if observations:  # a return's observations stay on record unless new ones are written
        query.review_observations = observations
    _event(
        kind="REVIEW_APPROVED",
        by=supervisor,
        now=now,
        query=query,
        from_state=QueryState.REVIEW,
        to_state=QueryState.ANSWERED,
        note=observations,
    )
    _finish_query(query, by=query.draft_by, answer=query.draft_answer, level=1, now=now, send=True)
    return query


def _finish_query(query: Query, *, by, answer: str, level: int, now: datetime, send: bool) -> None:
    previous = query.state
    query.state = QueryState.ANSWERED
    query.answer = answer
    query.answered_at = now
    query.answered_by = by
    query.resolved_level = level
    _first_response(query, now)
    query.save()
    data = {"level": level}
    if send and query.email:
        email = queue_email(
            to=query.email,
            template="attention_query_answered",
            context={"query": query, "answer": answer},
            case_code=query.code,
        )
        data["email_id"] = email.pk
    _event(
        kind="ANSWER",
        by=by,
        now=now,
        query=query,
        from_state=previous,
        to_state=QueryState.ANSWERED,
        note=answer,
        data=data,
    )
    offer_survey(query=query, agent=query.registered_by, now=now)


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
    case,
    query,
    parent,
    area: Area,
    criticality: str,
    complexity: str,
    reason: str,
    by,
    now: datetime,
    priority: str = Priority.MEDIA,
) -> Escalation:
    deadline = escalation_deadline(criticality, now)
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
    agent,
    area_code: str,
    criticality: str,
    complexity: str,
    reason: str,
    case=None,
    query: Query | None = None,
    priority: str = Priority.MEDIA,
    now: datetime | None = None,
) -> Escalation:
    """The 1st level sends a case or a consulta to a 2nd-level area. A hop sent back before
    is closed by this re-routing."""
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
    errors.raise_if_any()
    if query is not None:
        query = Query.objects.select_for_update().get(pk=query.pk)
        if query.state == QueryState.ANSWERED:
            raise Conflict("Esta consulta ya fue respondida.")
        if query_in_review(query):
            raise Conflict("Esta consulta espera la revisión de calidad de su respuesta.")
    else:
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    active = _active_top_hop(case=case, query=query)
    if active is not None and active.state != HopState.SENT_BACK:
        raise Conflict(
            f"Ya está escalado a {active.area.name} ({HopState(active.state).label.lower()})."
        )
    if active is not None:
        _close_sent_back([active], agent, now, f"Derivado de nuevo a {area.name}.")
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
    user,
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
    *, escalation: Escalation, user, days, reason: str, now: datetime | None = None
) -> Escalation:
    """The area extends its plazo by business days, with a reason: recorded on the timeline
    and emailed to the citizen (manual 9.3.7: «precisando la ampliación de los tiempos»). At
    level 3 the plazo extended is the solution clock's."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    errors = ErrorCollector()
    try:
        days = int(str(days).strip())
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        errors.add("days", f"Indique de 1 a {MAX_EXTENSION_DAYS} días hábiles de ampliación.")
    reason = _text(errors, "reason", reason, "Explique por qué se amplía el plazo.")
    errors.raise_if_any()
    hop = _locked(escalation)
    if not can_extend(hop, {HopActor.AREA}):
        raise Conflict("Solo se amplía el plazo de un escalamiento que el área aún atiende.")
    field = "solution_due_at" if hop.solution_due_at is not None else "due_at"
    previous = getattr(hop, field)
    start = datetime.combine(previous.astimezone(LIMA).date(), time(0, 0), tzinfo=LIMA)
    extended = load_calendar().add_business_days(start, days).due_at
    setattr(hop, field, extended)
    hop.save()
    item = "consulta" if hop.query_id else "caso"
    to = hop.query.email if hop.query_id else hop.case.citizen.email
    data = {"field": field, "from": previous.isoformat(), "to": extended.isoformat(), "days": days}
    if to:
        email = queue_email(
            to=to,
            template="attention_extended",
            context={
                "code": hop.item_code,
                "item": item,
                "name": hop.query.display_name
                if hop.query_id
                else hop.case.citizen.get_full_name(),
                "days": days,
                "reason": reason,
                "due": _due_label(extended),
            },
            case_code=hop.item_code,
        )
        data["email_id"] = email.pk
    _event(kind="EXTEND", by=user, now=now, escalation=hop, note=reason, data=data)
    return hop


@transaction.atomic
def take_escalation(*, escalation: Escalation, user, now: datetime | None = None) -> Escalation:
    """A specialist of the area takes the hop («atiende la incidencia»): the explicit end of
    the incident's response clock (manual 9.3.4). Taken at level 3 it is the 3rd level's
    contact, which also ends the response clock of the level-2 hop if nobody took it."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    hop = _locked(escalation)
    if not can_take(hop, {HopActor.AREA}):
        raise Conflict("Este escalamiento ya fue tomado o no está pendiente.")
    for target in [hop] + ([_locked(hop.parent)] if hop.parent_id else []):
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
    *, escalation: Escalation, user, answer: str, now: datetime | None = None
) -> Escalation:
    """An area answers: the answer goes down one level (a level-3 answer to the level-2
    area, a level-2 answer to the 1st level). The hop's response time is fixed now."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    errors = ErrorCollector()
    answer = _text(errors, "answer", answer, "Escriba la respuesta.")
    errors.raise_if_any()
    hop = _locked(escalation)
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
        data={"on_time": hop.on_time, "business_days": hop.response_business_days},
    )
    if hop.parent_id:
        _receive(hop.parent, child=hop, now=now)
    return hop


@transaction.atomic
def send_back(
    *, escalation: Escalation, user, reason: str, now: datetime | None = None
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
    if hop.parent_id:
        _receive(hop.parent, child=hop, now=now)
    return hop


def validation_deadline(at: datetime) -> Deadline:
    """Level 2 validates a 3rd-level answer within 1 business day (manual 9.3.7.2)."""
    days = int(_config().get("VALIDATION_BUSINESS_DAYS", 1))
    return load_calendar().add_business_days(at, days)


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
    *, escalation: Escalation, user, message: str, now: datetime | None = None
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
    if hop.query_id:
        to = hop.query.email
    else:
        to = hop.case.citizen.email
    data: dict = {"answer_level": hop.answer_level}
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
    *, escalation: Escalation, user, note: str, now: datetime | None = None
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


# --- the survey of the regulator's own service -------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def register_assisted_case(
    *,
    agent,
    citizen: cases.CitizenInput,
    channel: str,
    data: cases.CaseInput,
    office_code: str | None = None,
    now: datetime | None = None,
):
    """The flow «assisted case → survey offered»: an orientador registers a case for a citizen
    at an office or by phone (cases), and the citizen is offered the survey on the regulator's
    own attention, in the same transaction."""
    now = now or timezone.now()
    case = cases.register_assisted_case(
        agent=agent,
        citizen=citizen,
        channel=channel,
        data=data,
        office_code=office_code,
        now=now,
    )
    offer_survey(case=case, agent=agent, now=now)
    return case


def offer_survey(*, agent, case=None, query: Query | None = None, now: datetime | None = None):
    """After an assisted attention: a single-use link emailed to the citizen (and the survey
    shown in their account, if they have one). Nothing when there is no email to send it to
    and no account, or when it was offered already."""
    now = now or timezone.now()
    if case is not None:
        if Survey.objects.filter(case=case).exists():
            return None
        citizen, email, office = case.citizen, case.citizen.email, case.office
    else:
        if Survey.objects.filter(query=query).exists():
            return None
        citizen, email, office = query.citizen, query.email, query.office
    if not email and citizen is None:
        return None
    raw = secrets.token_urlsafe(32)
    survey = Survey(
        case=case,
        query=query,
        office=office,
        agent=agent,
        citizen=citizen,
        email=email,
        token_hash=_token_hash(raw),
        offered_at=now,
        expires_at=now + timedelta(days=int(_config().get("SURVEY_LINK_DAYS", 30))),
    )
    survey.save(force_insert=True)
    if email:
        queue_email(
            to=email,
            template="attention_survey",
            context={"code": survey.item_code, "token": raw, "expires_at": survey.expires_at},
            case_code=survey.item_code,
        )
    survey.raw_token = raw  # for the caller's tests/logs only; never stored
    return survey


def survey_for_token(raw: str, *, now: datetime | None = None) -> Survey:
    now = now or timezone.now()
    survey = (
        Survey.objects.select_related("case", "query", "office", "agent")
        .filter(token_hash=_token_hash(raw or ""))
        .first()
    )
    if survey is None:
        raise NotFound("El enlace de la encuesta no es válido.")
    return survey


def _check_answer(survey: Survey, score, comment: str, now: datetime) -> tuple[int, str]:
    if survey.answered_at is not None:
        raise Conflict("Esta encuesta ya fue respondida. Gracias.")
    if now > survey.expires_at:
        raise Conflict("El plazo para responder esta encuesta venció.")
    errors = ErrorCollector()
    try:
        value = int(str(score).strip())
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        errors.add("score", "Elija una calificación de 1 a 5.")
    comment = (comment or "").strip()
    if len(comment) > 1000:
        errors.add("comment", "El comentario tiene como máximo 1000 caracteres.")
    errors.raise_if_any()
    return value, comment


@transaction.atomic
def answer_survey(
    *, survey: Survey, score, comment: str = "", via: str, now: datetime | None = None
) -> Survey:
    """Record the rating once (`via` LINK or ACCOUNT); a second answer is refused."""
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    value, comment = _check_answer(survey, score, comment, now)
    survey.score = value
    survey.comment = comment
    survey.answered_at = now
    survey.answered_via = via
    survey.save()
    return survey
