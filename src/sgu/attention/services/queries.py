"""Consultas: registered, answered by the 1st level, reviewed when legal."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from sgu.accounts.models import Role, User
from sgu.accounts.selectors import citizen_by_document
from sgu.attention import selectors
from sgu.attention.models import (
    Query,
    QueryChannel,
    QuerySequence,
    QueryState,
    Region,
)
from sgu.attention.services._common import (
    MAX_TEXT,
    _active_top_hop,
    _close_sent_back,
    _config,
    _event,
    _first_response,
    _text,
    query_deadline,
)
from sgu.attention.services.surveys import offer_survey
from sgu.attention.services.tickets import _query_ticket
from sgu.attention.workflow import (
    REVIEW_APPROVE,
    REVIEW_RETURN,
    HopState,
    can_review_query,
    is_legal_motive,
    query_has_plazo,
    query_in_review,
    query_needs_review,
)
from sgu.core.calendar import LIMA
from sgu.core.errors import Conflict, ErrorCollector, Forbidden
from sgu.core.identity import InvalidValue, normalize_document
from sgu.core.sequences import next_number
from sgu.notifications.services import queue_email

# --- consultas -----------------------------------------------------------------------------


def next_query_code(*, year: int) -> str:
    """The next consulta code of the year, e.g. CON-2026-0000123 (core/sequences.py, as the
    case codes): no duplicates under concurrency."""
    number = next_number(QuerySequence, year)
    return f"{_config().get('QUERY_CODE_PREFIX', 'CON')}-{year}-{number:07d}"


@transaction.atomic
def register_query(
    *,
    agent: User,
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
    region: str = "",
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
    region = (region or "").strip().upper()
    if region and region not in Region.values:
        errors.add("region", "Elija la región (departamento) de la lista.")
    errors.raise_if_any()
    citizen = None
    if document_number:
        citizen = citizen_by_document(document_type, document_number)
    query = Query(
        code=next_query_code(year=now.astimezone(LIMA).year),
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
        region=region,
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


@transaction.atomic
def answer_query(*, query: Query, agent: User, answer: str, now: datetime | None = None) -> Query:
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
    supervisor: User,
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


def _finish_query(
    query: Query, *, by: User | None, answer: str, level: int | None, now: datetime, send: bool
) -> None:
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
