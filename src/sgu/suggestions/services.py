"""Every write on the suggestions box: receiving one (web or API, anyone), routing it to an
area, answering the sender (by email), recording the actions taken. One transaction each;
emails are queued in it (sent by the worker)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sgu.accounts.models import REGULATOR_ROLES, Role, User
from sgu.attention.models import Area
from sgu.core.calendar import LIMA
from sgu.core.config import section as config_section
from sgu.core.errors import Conflict, ErrorCollector, FieldError, Forbidden, ValidationFailed
from sgu.core.principal import Principal
from sgu.core.ratelimit import limit_by_ip
from sgu.core.sequences import next_number
from sgu.notifications.services import queue_email
from sgu.suggestions import selectors
from sgu.suggestions.models import (
    STAFF_CHANNELS,
    AreaAnnualReport,
    EventKind,
    RedirectedAs,
    Suggestion,
    SuggestionChannel,
    SuggestionEvent,
    SuggestionSequence,
    SuggestionState,
    SuggestionTopic,
)

MAX_TEXT = 4000
MAX_ANSWER = 4000


def config() -> dict[str, Any]:
    """The defaults, overridden by settings.SGU["SUGGESTIONS"] (values as the settings give
    them: callers convert)."""
    defaults: dict[str, Any] = {"CODE_PREFIX": "SUG", "RATE_LIMIT": 5, "RATE_WINDOW_SECONDS": 600}
    return {**defaults, **config_section("SUGGESTIONS")}


def rate_limit(request: HttpRequest) -> None:
    """Per IP, shared by the web form and the API (core/ratelimit.py)."""
    cfg = config()
    limit_by_ip(
        request, "suggestions", limit=int(cfg["RATE_LIMIT"]), window=int(cfg["RATE_WINDOW_SECONDS"])
    )


@dataclass(frozen=True)
class SuggestionInput:
    email: str
    text: str
    name: str = ""
    topic: str = ""


def next_code(*, year: int) -> str:
    """SUG-2026-000123 (core/sequences.py): no duplicates under concurrency."""
    return f"{config()['CODE_PREFIX']}-{year}-{next_number(SuggestionSequence, year):06d}"


def _clean(data: SuggestionInput) -> tuple[dict[str, str], SuggestionTopic | None]:
    errors = ErrorCollector()
    name = " ".join((data.name or "").split())
    if len(name) > 120:
        errors.add("name", "El nombre admite hasta 120 caracteres.")
    email = (data.email or "").strip().lower()
    if not email:
        errors.add("email", "Escriba su correo electrónico: le enviaremos ahí la respuesta.")
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", "El correo electrónico no es válido (p. ej. nombre@correo.pe).")
        if len(email) > 254:
            errors.add("email", "El correo electrónico es demasiado largo.")
    text = (data.text or "").strip().replace("\r\n", "\n")
    if len(text) < 10:
        errors.add("text", "Escriba su sugerencia (al menos 10 caracteres).")
    elif len(text) > MAX_TEXT:
        errors.add("text", f"La sugerencia admite hasta {MAX_TEXT} caracteres.")
    topic = None
    code = (data.topic or "").strip()
    if code:
        topic = selectors.active_topics().filter(code=code).select_related("area").first()
        if topic is None:
            errors.add("topic", "Elija un tema de la lista.")
    errors.raise_if_any()
    return {"name": name, "email": email, "text": text}, topic


def _event(
    suggestion: Suggestion,
    kind: str,
    *,
    at: datetime,
    by: User | None = None,
    area: Area | None = None,
    note: str = "",
) -> SuggestionEvent:
    return SuggestionEvent.objects.create(
        suggestion=suggestion, kind=kind, at=at, by=by, area=area, note=note
    )


@transaction.atomic
def submit_suggestion(
    *,
    data: SuggestionInput,
    channel: str = SuggestionChannel.WEB,
    citizen: User | None = None,
    now: datetime | None = None,
) -> Suggestion:
    """Receive a suggestion: its code, the acknowledgement email, and — when its topic has
    a responsible area — its routing to that area."""
    values, topic = _clean(data)
    now = now or timezone.now()
    if citizen is not None and getattr(citizen, "role", None) != Role.CITIZEN:
        citizen = None
    suggestion = Suggestion.objects.create(
        code=next_code(year=timezone.localtime(now, LIMA).year),
        received_at=now,
        channel=channel,
        topic=topic,
        citizen=citizen,
        **values,
    )
    _event(suggestion, EventKind.RECEIVED, at=now, by=citizen)
    if topic is not None and topic.area is not None and topic.area.active:
        area = topic.area
        suggestion.area = area
        suggestion.state = SuggestionState.ROUTED
        suggestion.routed_at = now
        suggestion.save(update_fields=["area", "state", "routed_at"])
        _event(suggestion, EventKind.ROUTED, at=now, area=area, note=f"Por su tema: {topic.name}.")
    queue_email(
        to=suggestion.email,
        template="suggestion_received",
        context={"suggestion": suggestion},
    )
    return suggestion


REDIRECTED_REFUSAL = (
    "{code} no es una sugerencia: se atendió como consulta o reclamo y no se deriva ni se "
    "responde aquí."
)


def _decide(suggestion: Suggestion, user: User, now: datetime, *, note: str = "") -> None:
    suggestion.is_suggestion = True
    suggestion.triaged_at = now
    suggestion.triaged_by = user
    suggestion.save(update_fields=["is_suggestion", "triaged_at", "triaged_by"])
    _event(suggestion, EventKind.TRIAGED, at=now, by=user, note=note)


def _staff(by: Principal) -> User:
    user: User | None = by.user
    if user is None or not user.is_active or user.role not in REGULATOR_ROLES:
        raise Forbidden("Las sugerencias las atiende el personal del regulador.")
    return user


def _locked(suggestion: Suggestion) -> Suggestion:
    return Suggestion.objects.select_for_update().get(pk=suggestion.pk)


@transaction.atomic
def route_suggestion(
    *,
    suggestion: Suggestion,
    area_code: str,
    by: Principal,
    note: str = "",
    now: datetime | None = None,
) -> Suggestion:
    """Send (or send again) a suggestion to the area that must answer it."""
    user = _staff(by)
    locked = _locked(suggestion)
    if locked.state == SuggestionState.REDIRECTED:
        raise Conflict(REDIRECTED_REFUSAL.format(code=locked.code))
    if not selectors.can_route(user, locked):
        raise Forbidden("No puede derivar esta sugerencia.")
    if locked.state == SuggestionState.ANSWERED:
        raise Conflict(f"La sugerencia {locked.code} ya fue respondida; no se deriva.")
    area = Area.objects.filter(code=(area_code or "").strip(), active=True).first()
    if area is None:
        raise ValidationFailed.of([FieldError("area", "Elija el área responsable.")])
    if area.pk == locked.area_id:
        raise ValidationFailed.of(
            [FieldError("area", f"La sugerencia ya está en el área {area.name}.")]
        )
    note = " ".join((note or "").split())
    if len(note) > 500:
        raise ValidationFailed.of([FieldError("note", "La nota admite hasta 500 caracteres.")])
    now = now or timezone.now()
    if locked.is_suggestion is None:  # routing it is deciding that it is one
        _decide(locked, user, now, note="Al derivarla.")
    locked.area = area
    locked.state = SuggestionState.ROUTED
    locked.routed_at = now
    locked.save(update_fields=["area", "state", "routed_at"])
    _event(locked, EventKind.ROUTED, at=now, by=user, area=area, note=note)
    return locked


def _clean_actions(actions: str) -> str:
    actions = (actions or "").strip().replace("\r\n", "\n")
    if len(actions) > MAX_ANSWER:
        raise ValidationFailed.of(
            [FieldError("actions", f"Las acciones admiten hasta {MAX_ANSWER} caracteres.")]
        )
    return actions


@transaction.atomic
def answer_suggestion(
    *,
    suggestion: Suggestion,
    answer: str,
    by: Principal,
    actions: str = "",
    now: datetime | None = None,
) -> Suggestion:
    """The area's answer: stored, emailed to the sender; the actions taken (if any) are
    recorded with it."""
    user = _staff(by)
    errors = ErrorCollector()
    answer = (answer or "").strip().replace("\r\n", "\n")
    if len(answer) < 10:
        errors.add("answer", "Escriba la respuesta al remitente (al menos 10 caracteres).")
    elif len(answer) > MAX_ANSWER:
        errors.add("answer", f"La respuesta admite hasta {MAX_ANSWER} caracteres.")
    try:
        actions = _clean_actions(actions)
    except ValidationFailed as exc:
        errors.errors.extend(exc.errors)
    errors.raise_if_any()
    locked = _locked(suggestion)
    if locked.state == SuggestionState.REDIRECTED:
        raise Conflict(REDIRECTED_REFUSAL.format(code=locked.code))
    if locked.state == SuggestionState.RECEIVED:
        raise Conflict("Primero derive la sugerencia al área responsable.")
    if locked.state == SuggestionState.ANSWERED:
        raise Conflict(f"La sugerencia {locked.code} ya fue respondida.")
    if not selectors.can_answer(user, locked):
        raise Forbidden("Solo el área responsable o un supervisor responde esta sugerencia.")
    now = now or timezone.now()
    locked.state = SuggestionState.ANSWERED
    locked.answer = answer
    locked.answered_at = now
    locked.answered_by = user
    locked.save(update_fields=["state", "answer", "answered_at", "answered_by"])
    _event(locked, EventKind.ANSWERED, at=now, by=user, area=locked.area, note=answer)
    if actions:
        _event(locked, EventKind.ACTION, at=now, by=user, area=locked.area, note=actions)
    if locked.email:
        queue_email(
            to=locked.email,
            template="suggestion_answered",
            context={"suggestion": locked, "actions": actions},
        )
    return locked


@transaction.atomic
def record_action(
    *, suggestion: Suggestion, note: str, by: Principal, now: datetime | None = None
) -> SuggestionEvent:
    """An action taken because of the suggestion (before or after answering)."""
    user = _staff(by)
    note = _clean_actions(note)
    if len(note) < 5:
        raise ValidationFailed.of(
            [FieldError("note", "Describa la acción adoptada (al menos 5 caracteres).")]
        )
    locked = _locked(suggestion)
    if locked.state == SuggestionState.REDIRECTED:
        raise Conflict(REDIRECTED_REFUSAL.format(code=locked.code))
    if locked.state == SuggestionState.RECEIVED:
        raise Conflict("Primero derive la sugerencia al área responsable.")
    if not selectors.can_answer(user, locked):
        raise Forbidden("Solo el área responsable o un supervisor registra sus acciones.")
    return _event(
        locked, EventKind.ACTION, at=now or timezone.now(), by=user, area=locked.area, note=note
    )


# --- triage and other channels (attention manual 9.1) ---------------------------------------------


@transaction.atomic
def triage_suggestion(
    *,
    suggestion: Suggestion,
    by: Principal,
    is_suggestion: bool,
    redirected_as: str = "",
    answer: str = "",
    reference: str = "",
    now: datetime | None = None,
) -> Suggestion:
    """The responsible first decides whether a submission is a suggestion. If it is, it is
    marked so (then routed). If not, it is answered — what the sender is told, emailed — and
    recorded as handled as a consulta or a complaint (with its code there, if any)."""
    user = _staff(by)
    errors = ErrorCollector()
    answer = (answer or "").strip().replace("\r\n", "\n")
    reference = " ".join((reference or "").split())
    if not is_suggestion:
        if redirected_as not in RedirectedAs.values:
            errors.add("redirected_as", "Indique si se atiende como consulta o como reclamo.")
        if len(answer) < 10:
            errors.add(
                "answer", "Escriba qué se le responde al remitente (al menos 10 caracteres)."
            )
        elif len(answer) > MAX_ANSWER:
            errors.add("answer", f"La respuesta admite hasta {MAX_ANSWER} caracteres.")
        if len(reference) > 40:
            errors.add("reference", "La referencia admite hasta 40 caracteres.")
    errors.raise_if_any()
    locked = _locked(suggestion)
    if locked.is_suggestion is not None or locked.state in (
        SuggestionState.ANSWERED,
        SuggestionState.REDIRECTED,
    ):
        raise Conflict(f"{locked.code} ya fue calificada.")
    if not selectors.can_route(user, locked):
        raise Forbidden("No puede calificar esta sugerencia.")
    now = now or timezone.now()
    if is_suggestion:
        _decide(locked, user, now)
        return locked
    locked.is_suggestion = False
    locked.triaged_at, locked.triaged_by = now, user
    locked.state = SuggestionState.REDIRECTED
    locked.area = None
    locked.redirected_as = redirected_as
    locked.redirect_reference = reference
    locked.answer, locked.answered_at, locked.answered_by = answer, now, user
    locked.save()
    label = RedirectedAs(redirected_as).label.lower()
    _event(
        locked,
        EventKind.REDIRECTED,
        at=now,
        by=user,
        note=f"Se atiende como {label}{f' ({reference})' if reference else ''}. {answer}",
    )
    if locked.email:
        queue_email(to=locked.email, template="suggestion_answered", context={"suggestion": locked})
    return locked


@dataclass(frozen=True)
class StaffEntry:
    channel: str
    text: str
    name: str = ""
    email: str = ""
    topic: str = ""


@transaction.atomic
def enter_suggestion(*, data: StaffEntry, by: Principal, now: datetime | None = None) -> Suggestion:
    """A suggestion received by phone, letter, social media or in person, entered by the
    staff member who received it, with its channel (attention manual 9.1: they are channelled
    to the responsible like the others). The email is optional here."""
    user = _staff(by)
    errors = ErrorCollector()
    if data.channel not in STAFF_CHANNELS:
        errors.add("channel", "Elija por qué medio llegó la sugerencia.")
    try:
        values, topic = _clean(
            SuggestionInput(
                email=data.email or "sin-correo@invalid.example",
                text=data.text,
                name=data.name,
                topic=data.topic,
            )
        )
    except ValidationFailed as exc:
        errors.errors.extend(exc.errors)
        values, topic = {}, None
    errors.raise_if_any()
    if not (data.email or "").strip():
        values["email"] = ""
    now = now or timezone.now()
    suggestion = Suggestion.objects.create(
        code=next_code(year=timezone.localtime(now, LIMA).year),
        received_at=now,
        channel=data.channel,
        topic=topic,
        entered_by=user,
        **values,
    )
    channel = SuggestionChannel(data.channel).label.lower()
    _event(suggestion, EventKind.RECEIVED, at=now, by=user, note=f"Recibida por {channel}.")
    if topic is not None and topic.area is not None and topic.area.active:
        area = topic.area
        suggestion.area = area
        suggestion.state = SuggestionState.ROUTED
        suggestion.routed_at = now
        suggestion.save(update_fields=["area", "state", "routed_at"])
        _event(suggestion, EventKind.ROUTED, at=now, area=area, note=f"Por su tema: {topic.name}.")
    if suggestion.email:
        queue_email(
            to=suggestion.email, template="suggestion_received", context={"suggestion": suggestion}
        )
    return suggestion


# --- each area's annual report (attention manual 9.1) ---------------------------------------------


@transaction.atomic
def submit_annual_report(
    *, year: int, area_code: str, summary: str, by: Principal, now: datetime | None = None
) -> AreaAnnualReport:
    """An area hands in its annual report: the suggestions it received and the actions
    implemented. On time if handed in by the end (Lima) of its due day."""
    user = _staff(by)
    errors = ErrorCollector()
    summary = (summary or "").strip().replace("\r\n", "\n")
    if len(summary) < 20:
        errors.add("summary", "Resuma las sugerencias recibidas y las acciones implementadas.")
    elif len(summary) > 20_000:
        errors.add("summary", "El informe admite hasta 20 000 caracteres.")
    area = Area.objects.filter(code=(area_code or "").strip(), active=True).first()
    if area is None:
        errors.add("area", "Elija el área que presenta el informe.")
    errors.raise_if_any()
    assert area is not None  # refused just above, with the other errors
    if not selectors.can_report_for(user, area):
        raise Forbidden(f"Solo {area.name} o un supervisor presenta este informe.")
    now = now or timezone.now()
    if timezone.localtime(now, LIMA).year <= year:
        raise Conflict(f"El informe de {year} se presenta desde el 1 de enero de {year + 1}.")
    report, _ = AreaAnnualReport.objects.select_for_update().get_or_create(
        year=year, area=area, defaults={"due_on": selectors.annual_report_due(year)}
    )
    if report.submitted_at is not None:
        raise Conflict(f"{area.name} ya presentó su informe de {year}.")
    report.summary = summary
    report.submitted_at, report.submitted_by = now, user
    report.on_time = timezone.localtime(now, LIMA).date() <= report.due_on
    report.save()
    return report
