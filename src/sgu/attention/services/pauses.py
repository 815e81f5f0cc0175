"""Waiting on a provider or an external entity: the 3rd level pauses the incident's solution
clock and resumes it when the answer arrives (attention manual 9.3.6 «Indefinida», 9.3.7.3).
The due instant moves by the business time the pause lasted (`attention/clocks.py`)."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from sgu.accounts.models import User
from sgu.attention.clocks import add_business_seconds, business_seconds, duration_label
from sgu.attention.models import ClockPause, Complexity, Escalation, WaitingOn
from sgu.attention.services._common import _event, _locked, _require, _text
from sgu.attention.services.tickets import _due_label
from sgu.attention.workflow import HopActor, can_pause, can_resume
from sgu.core.calendar import load_calendar
from sgu.core.errors import Conflict, ErrorCollector

MAX_NAME = 200


@transaction.atomic
def pause_solution(
    *,
    escalation: Escalation,
    user: User,
    waiting_on: str,
    waiting_on_name: str,
    reason: str,
    now: datetime | None = None,
) -> ClockPause:
    """Stop the solution clock of a level-3 hop: what it waits on (a provider or an external
    entity, and which), and why. Its complexity becomes «Indefinida» (it depends on others)."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    errors = ErrorCollector()
    if waiting_on not in WaitingOn.values:
        errors.add("waiting_on", "Indique si espera a un proveedor o a una entidad externa.")
    waiting_on_name = (waiting_on_name or "").strip()
    if not waiting_on_name:
        errors.add("waiting_on_name", "Indique a quién se espera (proveedor o entidad).")
    elif len(waiting_on_name) > MAX_NAME:
        errors.add("waiting_on_name", f"Escriba como máximo {MAX_NAME} caracteres.")
    reason = _text(errors, "reason", reason, "Explique qué se espera y por qué.")
    errors.raise_if_any()
    hop = _locked(escalation)
    if not can_pause(hop, {HopActor.AREA}):
        raise Conflict(
            "Solo se pausa el plazo de solución de un escalamiento del 3.er nivel pendiente "
            "y que no esté ya en pausa."
        )
    assert hop.solution_due_at is not None  # a level-3 hop has its solution clock (can_pause)
    pause = ClockPause(
        escalation=hop,
        waiting_on=waiting_on,
        waiting_on_name=waiting_on_name,
        reason=reason,
        paused_at=now,
        paused_by=user,
        due_before=hop.solution_due_at,
    )
    pause.save(force_insert=True)
    previous = hop.complexity
    hop.paused_at = now
    hop.complexity = Complexity.INDEFINIDA
    hop.save()
    _event(
        kind="PAUSE",
        by=user,
        now=now,
        escalation=hop,
        note=reason,
        data={
            "waiting_on": waiting_on,
            "waiting_on_label": WaitingOn(waiting_on).label,
            "waiting_on_name": waiting_on_name,
            "complexity_from": previous,
            "pause": pause.pk,
        },
    )
    return pause


def _close_pause(hop: Escalation, *, user: User, now: datetime, note: str) -> ClockPause:
    """Close the open pause of a locked hop and move its solution due (saved here)."""
    pause = ClockPause.objects.select_for_update().get(escalation=hop, resumed_at__isnull=True)
    calendar = load_calendar()
    seconds = business_seconds(calendar, pause.paused_at, now)
    assert hop.solution_due_at is not None  # paused: a level-3 hop with its solution clock
    moved = add_business_seconds(calendar, hop.solution_due_at, seconds)
    pause.resumed_at, pause.resumed_by, pause.resume_note = now, user, note
    pause.business_seconds, pause.due_after = seconds, moved
    pause.save()
    hop.paused_at = None
    hop.paused_seconds += seconds
    hop.solution_due_at = moved
    hop.save()
    _event(
        kind="RESUME",
        by=user,
        now=now,
        escalation=hop,
        note=note,
        data={
            "pause": pause.pk,
            "business_seconds": seconds,
            "paused": duration_label(seconds),
            "from": pause.due_before.isoformat(),
            "to": moved.isoformat(),
            "due": _due_label(moved),
        },
    )
    return pause


@transaction.atomic
def resume_solution(
    *, escalation: Escalation, user: User, note: str = "", now: datetime | None = None
) -> ClockPause:
    """The provider or the entity answered: the solution clock runs again, its due instant
    moved by the business time it was paused."""
    now = now or timezone.now()
    _require(user, escalation, HopActor.AREA)
    errors = ErrorCollector()
    note = (note or "").strip()
    if len(note) > 4000:
        errors.add("note", "Escriba como máximo 4000 caracteres.")
    errors.raise_if_any()
    hop = _locked(escalation)
    if not can_resume(hop, {HopActor.AREA}):
        raise Conflict("El plazo de solución de este escalamiento no está en pausa.")
    return _close_pause(hop, user=user, now=now, note=note)
