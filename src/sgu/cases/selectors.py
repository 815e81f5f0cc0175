"""Reads on cases, already scoped to who is asking. Tenant isolation lives here and only here:
views and endpoints never build a Case queryset of their own."""

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet

from sgu.cases.models import Case, CaseEvent
from sgu.cases.workflow import State
from sgu.core.errors import NotFound
from sgu.core.principal import Principal

NOT_FOUND = "No existe un caso con ese código entre los suyos."

_DETAIL_RELATED = ("operator", "subcategory__category__service", "citizen", "office")


def _with_details(qs: QuerySet[Case], include_internal: bool) -> QuerySet[Case]:
    events = CaseEvent.objects.order_by("at", "id")
    if not include_internal:
        events = events.filter(internal=False)
    return qs.select_related(*_DETAIL_RELATED, "solution", "rating").prefetch_related(
        "attachments", Prefetch("events", queryset=events, to_attr="timeline")
    )


# --- citizen ---------------------------------------------------------------------------------


def citizen_cases(citizen) -> QuerySet[Case]:
    return (
        Case.objects.filter(citizen=citizen)
        .select_related("operator", "subcategory__category", "solution", "rating", "office")
        .order_by("-registered_at", "-id")
    )


def citizen_case(citizen, code: str) -> Case:
    case = _with_details(Case.objects.filter(citizen=citizen, code=code), False).first()
    if case is None:
        raise NotFound(NOT_FOUND)
    return case


# --- operator ----------------------------------------------------------------------------------

# An operator sees a case from the moment it is forwarded to it.
VISIBLE_TO_OPERATOR = [s for s in State.values if s != State.REGISTERED]


def operator_tray(
    operator,
    *,
    state: str | None = None,
    subcategory: str | None = None,
    overdue: bool | None = None,
    updated_since: datetime | None = None,
    now: datetime | None = None,
) -> QuerySet[Case]:
    qs = Case.objects.filter(operator=operator, state__in=VISIBLE_TO_OPERATOR).select_related(
        "subcategory__category", "citizen", "solution"
    )
    if state:
        qs = qs.filter(state=state)
    if subcategory:
        qs = qs.filter(subcategory__code=subcategory)
    if overdue is True:
        # Overdue = no answer and the plazo has passed (whether or not the scheduler has
        # already moved it to OVERDUE).
        qs = qs.filter(state__in=[State.FORWARDED, State.IN_PROGRESS, State.OVERDUE])
        if now is not None:
            qs = qs.filter(Q(state=State.OVERDUE) | Q(due_at__lt=now))
    elif overdue is False and now is not None:
        qs = qs.exclude(state=State.OVERDUE).exclude(
            state__in=[State.FORWARDED, State.IN_PROGRESS], due_at__lt=now
        )
    if updated_since:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs


def operator_case(operator, code: str) -> Case:
    case = _with_details(
        Case.objects.filter(operator=operator, code=code, state__in=VISIBLE_TO_OPERATOR), True
    ).first()
    if case is None:
        raise NotFound("No existe un caso con ese código en su bandeja.")
    return case


# --- whoever is asking -----------------------------------------------------------------------


def case_for(principal: Principal, code: str) -> Case:
    """The case as `principal` may see it, or NotFound (never 'forbidden': no leak)."""
    if principal.operator is not None:
        return operator_case(principal.operator, code)
    user = principal.user
    if user is not None and user.is_regulator_staff:
        case = _with_details(Case.objects.filter(code=code), True).first()
        if case is None:
            raise NotFound("No existe un caso con ese código.")
        return case
    if user is not None and user.is_citizen:
        return citizen_case(user, code)
    raise NotFound(NOT_FOUND)
