"""Deadlines that act, run by the scheduler: overdue cases and unrated answers closed."""

from datetime import datetime

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sgu.cases.models import (
    Case,
    CaseEvent,
)
from sgu.cases.workflow import OPEN_STATES, Action, State
from sgu.core import config
from sgu.core.calendar import iso
from sgu.core.principal import Actor
from sgu.notifications.services import EmailSpec, queue_emails

# --- deadlines that act (run by the scheduler) -----------------------------------------------


def _lock_batch(qs: QuerySet[Case], batch: int) -> list[int]:
    """Ids of up to `batch` rows, locked for this transaction.

    On PostgreSQL, SKIP LOCKED lets two schedulers share the work: each takes rows the other
    has not locked, and a row moved by one no longer matches the other's filter. On SQLite
    the IMMEDIATE transaction already holds the database's only write lock.
    """
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True)
    return list(qs.values_list("id", flat=True)[:batch])


def expire_overdue_cases(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Move every open case whose plazo passed to OVERDUE, once, and tell its citizen."""
    now = now or timezone.now()
    batch = batch or config.integer("SCHEDULER_BATCH")
    moved = 0
    while True:
        with transaction.atomic():
            ids = _lock_batch(
                Case.objects.filter(state__in=OPEN_STATES, due_at__lt=now).order_by("due_at", "id"),
                batch,
            )
            if not ids:
                return moved
            cases = list(
                Case.objects.filter(pk__in=ids)
                .select_related("citizen", "operator", "subcategory__category")
                .order_by("id")
            )
            Case.objects.filter(pk__in=ids).update(state=State.OVERDUE, updated_at=now)
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case=c,
                    at=now,
                    kind=Action.EXPIRE,
                    actor_role=Actor.SYSTEM,
                    from_state=c.state,
                    to_state=State.OVERDUE,
                    note="Venció el plazo sin respuesta de la operadora.",
                    data={"due_at": iso(c.due_at)},  # (due: the filter)
                )
                for c in cases
            )
            queue_emails(
                specs=[
                    EmailSpec(
                        to=c.citizen.email,
                        template="case_overdue",
                        context={"case": c, "citizen": c.citizen},
                        case_code=c.code,
                    )
                    for c in cases
                ]
            )
            moved += len(cases)


def close_unrated_cases(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Close answered cases whose rating window ended: counted as not rated, never satisfied."""
    now = now or timezone.now()
    batch = batch or config.integer("SCHEDULER_BATCH")
    closed = 0
    while True:
        with transaction.atomic():
            ids = _lock_batch(
                Case.objects.filter(state=State.ANSWERED, rating_due_at__lt=now).order_by(
                    "rating_due_at", "id"
                ),
                batch,
            )
            if not ids:
                return closed
            Case.objects.filter(pk__in=ids).update(
                state=State.CLOSED, closed_at=now, updated_at=now
            )
            CaseEvent.objects.bulk_create(
                CaseEvent(
                    case_id=pk,
                    at=now,
                    kind=Action.CLOSE,
                    actor_role=Actor.SYSTEM,
                    from_state=State.ANSWERED,
                    to_state=State.CLOSED,
                    note="Cerrado sin calificación: venció el plazo para calificar.",
                    data={"rated": False},
                )
                for pk in ids
            )
            closed += len(ids)
