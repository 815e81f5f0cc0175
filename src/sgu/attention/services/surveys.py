"""The survey of the regulator's own service, and the assisted case that offers it."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from sgu.accounts.models import User
from sgu.attention.models import (
    Query,
    Survey,
)
from sgu.attention.services._common import _config
from sgu.cases import services as cases
from sgu.cases.models import Case
from sgu.core.errors import Conflict, ErrorCollector, NotFound
from sgu.notifications.services import queue_email

# --- the survey of the regulator's own service -------------------------------------------------


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def register_assisted_case(
    *,
    agent: User,
    citizen: cases.CitizenInput,
    channel: str,
    data: cases.CaseInput,
    office_code: str | None = None,
    now: datetime | None = None,
) -> Case:
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


def offer_survey(
    *,
    agent: User | None,
    case: Case | None = None,
    query: Query | None = None,
    now: datetime | None = None,
) -> Survey | None:
    """After an assisted attention: a single-use link emailed to the citizen (and the survey
    shown in their account, if they have one). Nothing when there is no email to send it to
    and no account, or when it was offered already."""
    now = now or timezone.now()
    citizen: User | None
    if case is not None:
        if Survey.objects.filter(case=case).exists():
            return None
        citizen, email, office = case.citizen, case.citizen.email, case.office
    else:
        if Survey.objects.filter(query=query).exists():
            return None
        assert query is not None  # a case or a consulta
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


def _check_answer(
    survey: Survey, score: int | str | None, comment: str, now: datetime
) -> tuple[int, str]:
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
    *,
    survey: Survey,
    score: int | str | None,
    comment: str = "",
    via: str,
    now: datetime | None = None,
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
