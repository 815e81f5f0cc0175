"""Contingency windows extend running plazos (the rule lives in sgu.outages.contingency)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sgu.cases.models import (
    Case,
    CaseEvent,
    Solution,
)
from sgu.cases.workflow import Action, State, transition
from sgu.core import config
from sgu.core.principal import Actor, Principal

# --- contingency windows (the rule lives in sgu.outages.contingency) -------------------------

CONTINGENCY_EXTENSION = "CONTINGENCY_EXTENSION"


@dataclass(frozen=True)
class RunningPlazo:
    """What the contingency rule reads about a case, taken under the case's row lock."""

    case_id: int
    code: str
    state: str
    unit: str  # the subcategory's deadline unit
    forwarded_at: datetime
    received_on: date | None
    due_at: datetime
    answered_at: datetime | None


@dataclass(frozen=True)
class DueExtension:
    case_id: int
    new_due_at: datetime
    note: str  # Spanish: why and by how much (timeline and due-date explanation)
    data: dict[str, object]


@dataclass(frozen=True)
class AppliedExtension:
    case_id: int
    previous_due_at: datetime
    new_due_at: datetime
    reopened: bool


def _running(case: Case) -> RunningPlazo:
    # A candidate was forwarded and has its due date (`match`): said here for the types.
    assert case.forwarded_at is not None and case.due_at is not None
    return RunningPlazo(
        case_id=case.pk,
        code=case.code,
        state=case.state,
        unit=case.subcategory.deadline_unit,
        forwarded_at=case.forwarded_at,
        received_on=case.received_on,
        due_at=case.due_at,
        answered_at=case.answered_at,
    )


def extend_plazos_for_contingency(
    *,
    starts_at: datetime,
    ends_at: datetime,
    operator_id: int | None,
    plan: Callable[[list[RunningPlazo]], list[DueExtension]],
    record: Callable[[list[AppliedExtension]], None],
    by: Principal,
    now: datetime | None = None,
    batch: int | None = None,
) -> dict[str, int]:
    """Extend the plazo of every case that was running during [starts_at, ends_at].

    Candidates: forwarded before the window ended, due after it started, and either still
    owed (FORWARDED, IN_PROGRESS, OVERDUE) or answered after it started (their on-time flag
    is recomputed). Reclamos already generated from an overdue case are left alone.

    Works in batches of `batch` cases, one transaction each, every case row locked. Inside
    each batch's transaction ``plan(list[RunningPlazo]) -> list[DueExtension]`` decides the
    new due dates (and leaves out cases it already extended), then this function writes them
    with one bulk update, records a CONTINGENCY_EXTENSION event on each timeline, puts back
    to FORWARDED / IN_PROGRESS (REOPEN / RESUME) an OVERDUE case whose new due date has not
    passed, and calls ``record(list[AppliedExtension])`` so the caller's bookkeeping commits
    with it. `updated_at` is set to the wall clock, so operators syncing with
    `updated_since` see the change.
    """

    now = now or timezone.now()
    batch = batch or config.integer("SCHEDULER_BATCH")
    owed = [State.FORWARDED, State.IN_PROGRESS, State.OVERDUE]
    match = Q(forwarded_at__lt=ends_at, due_at__gt=starts_at) & (
        Q(state__in=owed) | Q(answered_at__gt=starts_at)
    )
    if operator_id is not None:
        match &= Q(operator_id=operator_id)
    ids = list(Case.objects.filter(match).order_by("id").values_list("id", flat=True))
    summary = {"candidates": len(ids), "extended": 0, "reopened": 0, "now_on_time": 0}
    for i in range(0, len(ids), batch):
        with transaction.atomic():
            cases = {
                c.pk: c
                for c in Case.objects.select_for_update(of=("self",))
                .select_related("subcategory")
                .filter(match, pk__in=ids[i : i + batch])
                .order_by("id")
            }
            extensions = plan([_running(c) for c in cases.values()])
            changed, events, applied, on_time = [], [], [], []
            stamp = timezone.now()
            for ext in extensions:
                case = cases[ext.case_id]
                previous_due, previous_state = case.due_at, case.state
                assert previous_due is not None  # a candidate has its due date (`match`)
                case.due_at = ext.new_due_at
                case.due_explanation = (
                    f"{case.due_explanation}\nAmpliación por contingencia: {ext.note}".strip()
                )
                # Wall-clock time, per batch: operators' `updated_since` sync compares it with
                # what they have already seen (a batch commits a moment after this stamp).
                case.updated_at = stamp
                reopen = previous_state == State.OVERDUE and ext.new_due_at > now
                data: dict[str, object] = {
                    **ext.data,
                    "previous_due_at": previous_due.isoformat(),
                    "new_due_at": ext.new_due_at.isoformat(),
                    "reopened": reopen,
                }
                note = ext.note
                if case.answered_at is not None:
                    # A later due date can only turn a late answer into one in time.
                    in_time = case.answered_at <= ext.new_due_at
                    data["answered_on_time"] = in_time
                    if in_time and case.answered_at > previous_due:
                        on_time.append(case.pk)
                        note += (
                            " Con la ampliación, la respuesta de la operadora queda dentro "
                            "del plazo."
                        )
                events.append(
                    CaseEvent(
                        case=case,
                        at=now,
                        kind=CONTINGENCY_EXTENSION,
                        actor=by.user,
                        actor_role=by.actor_role,
                        from_state=previous_state,
                        to_state=previous_state,
                        note=note,
                        data=data,
                    )
                )
                if reopen:
                    action = Action.REOPEN if case.acknowledged_at is None else Action.RESUME
                    t = transition(action, previous_state, Actor.SYSTEM)
                    case.state = t.target
                    events.append(
                        CaseEvent(
                            case=case,
                            at=now,
                            kind=action,
                            actor_role=Actor.SYSTEM,
                            from_state=previous_state,
                            to_state=t.target,
                            note="El plazo se amplió por contingencia y aún no vence: "
                            "la operadora debe responder.",
                            data={"due_at": ext.new_due_at.isoformat()},
                        )
                    )
                changed.append(case)
                applied.append(
                    AppliedExtension(case.pk, previous_due, ext.new_due_at, reopened=reopen)
                )
            Case.objects.bulk_update(changed, ["due_at", "due_explanation", "state", "updated_at"])
            CaseEvent.objects.bulk_create(events)
            if on_time:
                summary["now_on_time"] += Solution.objects.filter(case_id__in=on_time).update(
                    on_time=True
                )
            record(applied)
            summary["extended"] += len(applied)
            summary["reopened"] += sum(1 for a in applied if a.reopened)
    return summary
