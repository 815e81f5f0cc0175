"""What every case write shares: moving a case through its workflow, its timeline events,
its code and its plazo."""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import connection

from sgu.cases.models import (
    Case,
    CaseEvent,
    CaseSequence,
)
from sgu.cases.workflow import TransitionNotAllowed, transition
from sgu.catalog.models import DeadlineUnit, Subcategory
from sgu.core import rows
from sgu.core.calendar import Deadline, load_calendar
from sgu.core.errors import (
    Conflict,
)
from sgu.core.principal import Actor, Principal
from sgu.core.sequences import next_number
from sgu.notifications.services import EmailAlong

SYSTEM = Principal(actor_role=Actor.SYSTEM)
MAX_DESCRIPTION = 4000


# --- helpers -------------------------------------------------------------------------------


def _move(
    case: Case,
    action: str,
    by: Principal,
    now: datetime,
    *,
    note: str = "",
    internal: bool = False,
    data: dict[str, object] | None = None,
) -> None:
    """Apply a workflow transition and record it on the timeline (caller saves the case)."""
    _transition(case, action, by, now, note=note, internal=internal, data=data).save(
        force_insert=True
    )


def _transition(
    case: Case,
    action: str,
    by: Principal,
    now: datetime,
    *,
    note: str = "",
    internal: bool = False,
    data: dict[str, object] | None = None,
) -> CaseEvent:
    """Apply a workflow transition to the case in memory; return its timeline event unsaved."""
    try:
        t = transition(action, case.state, by.actor_role)
    except TransitionNotAllowed as exc:
        raise Conflict(exc.message) from None
    previous = case.state
    case.state = t.target
    return _event(
        case,
        kind=action,
        by=by,
        now=now,
        from_state=previous,
        to_state=t.target,
        note=note,
        internal=internal,
        data=data,
    )


def record_event(
    *,
    case: Case,
    kind: str,
    by: Principal,
    now: datetime,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    internal: bool = False,
    data: dict[str, object] | None = None,
) -> CaseEvent:
    event = _event(
        case,
        kind=kind,
        by=by,
        now=now,
        from_state=from_state,
        to_state=to_state,
        note=note,
        internal=internal,
        data=data,
    )
    event.save(force_insert=True)
    return event


def _event(
    case: Case,
    *,
    kind: str,
    by: Principal,
    now: datetime,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    internal: bool = False,
    data: dict[str, object] | None = None,
) -> CaseEvent:
    return CaseEvent(
        case=case,
        at=now,
        kind=kind,
        actor=by.user,
        actor_role=by.actor_role,
        from_state=from_state,
        to_state=to_state,
        note=note,
        internal=internal,
        data=data or {},
    )


def next_case_code(*, year: int) -> str:
    """The next correlative code of the year, e.g. SGU-2026-0000123 (core/sequences.py)."""
    number = next_number(CaseSequence, year)
    return f"{settings.SGU['CASE_CODE_PREFIX']}-{year}-{number:07d}"


# Not a digit: a provisional code never equals a correlative one.
PROVISIONAL_MARK = "~"


def _provisional_code(year: int) -> str:
    """A case's code until it is numbered, last, in the same transaction: never committed,
    never seen by another transaction (READ COMMITTED), unique among those in flight (the
    column is UNIQUE: two equal ones would make the second wait for the first)."""
    return f"{settings.SGU['CASE_CODE_PREFIX']}-{year}-{PROVISIONAL_MARK}{secrets.token_hex(4)}"


# The key of the case being registered, taken from its table's identity sequence (PostgreSQL),
# and that key as the rest of the statement reads it.
_CASE_KEY = "WITH k AS (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS id)"
_CASE_KEY_VALUE = "(SELECT id FROM k)"


def _write_before_number(case: Case, events: list[CaseEvent], email: EmailAlong) -> None:
    """What a registration writes before the case is numbered: its events, its email with the
    task that sends it and, on SQLite, the case's row under its provisional code. On PostgreSQL
    the case's row is written once, last, with its number (_number_case): only its key is taken
    now, in the one statement that writes its events and its email, and what points to it
    (events, email, attachments) is checked at COMMIT (Django creates foreign keys DEFERRABLE
    INITIALLY DEFERRED). Writing the row first and its code afterwards wrote it twice, each time
    in every index of the table."""
    if connection.vendor != "postgresql":
        rows.insert([case])
        rows.insert(events)
        email.queue()
        return
    rows.insert(
        events,
        with_=(_CASE_KEY, [Case._meta.db_table]),
        computed={"case_id": _CASE_KEY_VALUE},
        returning=["case_id"],
        before=email.before({"case": _CASE_KEY_VALUE}, connection.alias),
    )
    case.pk = events[0].case_id
    email.queue()


# The year's number taken (its row created on the first case of the year, as core.sequences
# does) and given as the code, in the statement that writes the case (PostgreSQL). The format
# is next_case_code's: at least 7 digits, more if the year ever needs them.
_NUMBERED = (
    "WITH n AS (INSERT INTO cases_casesequence (year, last_number) VALUES (%s, 1) "
    "ON CONFLICT (year) DO UPDATE SET last_number = cases_casesequence.last_number + 1 "
    "RETURNING %s::text || lpad(last_number::text, greatest(7, length(last_number::text)), '0') "
    "AS code)"
)


def _number_case(case: Case, year: int) -> None:
    """Give the case its correlative code, as the registration's last write but the provisional
    code's replacement in the webhook's body (the email is rendered later by the worker; the
    idempotent answer keeps the provisional code as a placeholder): the year's sequence row is
    locked from here to COMMIT, and every concurrent registration queues on it."""
    if connection.vendor != "postgresql":
        # SQLite: the whole database is locked from the first write to COMMIT anyway.
        case.code = next_case_code(year=year)
        Case.objects.filter(pk=case.pk).update(code=case.code)
        return
    # PostgreSQL: the bump and the case's row, with its code, in one statement (one round trip
    # under the lock).
    prefix = f"{settings.SGU['CASE_CODE_PREFIX']}-{year}-"
    rows.insert(
        [case],
        with_=(_NUMBERED, [year, prefix]),
        computed={"code": "(SELECT code FROM n)"},
        returning=["code"],
    )


def compute_deadline(subcategory: Subcategory, start: datetime) -> Deadline:
    calendar = load_calendar()
    if subcategory.deadline_unit == DeadlineUnit.BUSINESS_HOURS:
        return calendar.add_business_hours(start, subcategory.deadline_amount)
    return calendar.add_business_days(start, subcategory.deadline_amount)


def _locked(case: Case) -> Case:
    """Re-read the case under a row lock: two agents acting at once cannot both win."""
    return (
        # Lock the case row only, not the joined operator/citizen rows every case shares.
        Case.objects.select_for_update(of=("self",))
        .select_related("subcategory", "operator", "citizen")
        .get(pk=case.pk)
    )
