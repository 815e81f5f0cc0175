"""Reads on cases, already scoped to who is asking. Tenant isolation lives here and only here:
views and endpoints never build a Case queryset of their own."""

from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Case as DbCase
from django.db.models import Count, IntegerField, Model, Prefetch, Q, QuerySet, Value, When

from sgu.accounts import selectors as accounts
from sgu.accounts.models import Role, User
from sgu.cases import document_links
from sgu.cases.models import Case, CaseEvent, Claim, ClaimState, SavedTrayView
from sgu.cases.policies import claim_code_late_q
from sgu.cases.workflow import Action, State
from sgu.catalog.models import Office, Operator, Subcategory
from sgu.core.calendar import LIMA, iso
from sgu.core.errors import NotFound
from sgu.core.principal import Actor, Principal

NOT_FOUND = "No existe un caso con ese código entre los suyos."

_DETAIL_RELATED = ("operator", "subcategory__category__service", "citizen", "office")


def _with_details(qs: QuerySet[Case], include_internal: bool) -> QuerySet[Case]:
    events = CaseEvent.objects.order_by("at", "id")
    if not include_internal:
        events = events.filter(internal=False)
    return qs.select_related(*_DETAIL_RELATED, "solution", "rating", "claim").prefetch_related(
        "attachments", Prefetch("events", queryset=events, to_attr="timeline")
    )


# --- citizen ---------------------------------------------------------------------------------


def citizen_cases(citizen: User) -> QuerySet[Case]:
    return (
        Case.objects.filter(citizen=citizen)
        .select_related("operator", "subcategory__category", "solution", "rating", "office")
        .order_by("-registered_at", "-id")
    )


def citizen_case(citizen: User, code: str) -> Case:
    case = _with_details(Case.objects.filter(citizen=citizen, code=code), False).first()
    if case is None:
        raise NotFound(NOT_FOUND)
    return case


# --- operator ----------------------------------------------------------------------------------

# An operator sees a case from the moment it is forwarded to it.
VISIBLE_TO_OPERATOR = [s for s in State.values if s != State.REGISTERED]


# The operator's pending work, in the order the web tray shows it by default: claims waiting
# for their code first of all, then the cases owing an answer (by due date: overdue first),
# then everything else (answered, returned, closed).
PENDING_WORK = [State.CLAIM_REQUESTED, State.OVERDUE, State.FORWARDED, State.IN_PROGRESS]
PENDING_RANK = DbCase(
    When(state=State.CLAIM_REQUESTED, then=Value(0)),
    When(state__in=[State.OVERDUE, State.FORWARDED, State.IN_PROGRESS], then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def operator_tray(
    operator: Operator,
    *,
    pending_only: bool = False,
    state: str | None = None,
    subcategory: str | None = None,
    overdue: bool | None = None,
    updated_since: datetime | None = None,
    q: str | None = None,
    now: datetime | None = None,
) -> QuerySet[Case]:
    """An operator's own cases; `q` finds one by its code, line or the citizen's document;
    `pending_only`: just the work still owed (PENDING_WORK). Each case carries its
    `pending_rank` (0 claim waiting for its code, 1 owing an answer, 2 the rest) to order by."""
    qs: QuerySet[Case] = (
        Case.objects.filter(operator=operator, state__in=VISIBLE_TO_OPERATOR)
        .select_related("subcategory__category", "citizen", "solution")
        .annotate(pending_rank=PENDING_RANK)
    )
    if pending_only:
        qs = qs.filter(state__in=PENDING_WORK)
    if q and q.strip():
        qs = _search(qs, q)
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


def operator_case(operator: Operator, code: str) -> Case:
    case = _with_details(
        Case.objects.filter(operator=operator, code=code, state__in=VISIBLE_TO_OPERATOR), True
    ).first()
    if case is None:
        raise NotFound("No existe un caso con ese código en su bandeja.")
    return case


def operator_tray_counts(operator: Operator, *, now: datetime) -> dict[str, int]:
    """What the top of an operator's tray shows: cases still owing an answer, and how many of
    them are past their plazo (whether or not the scheduler has marked them yet). One query."""
    running = [State.FORWARDED, State.IN_PROGRESS, State.OVERDUE]
    late = Q(state=State.OVERDUE) | Q(
        state__in=[State.FORWARDED, State.IN_PROGRESS], due_at__lt=now
    )
    return Case.objects.filter(operator=operator, state__in=running).aggregate(
        open=Count("id"), overdue=Count("id", filter=late)
    )


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


# --- claims ------------------------------------------------------------------------------------


def operator_claims(operator: Operator, *, state: str | None = None) -> QuerySet[Claim]:
    qs = Claim.objects.filter(operator=operator).select_related("case__subcategory")
    if state:
        qs = qs.filter(state=state)
    return qs


def operator_claim(operator: Operator, claim_id: int) -> Claim:
    claim = operator_claims(operator).select_related("case__citizen").filter(pk=claim_id).first()
    if claim is None:
        raise NotFound("No existe ese reclamo entre los de su empresa.")
    return claim


def operator_claim_counts(operator: Operator, *, now: datetime) -> dict[str, int]:
    """Claims still waiting for the operator's code, and how many of them are past the time
    to give it. One query (the header shows it on every page of the operator's portal)."""
    return Claim.objects.filter(operator=operator, state=ClaimState.PENDING_CODE).aggregate(
        pending=Count("id"), late=Count("id", filter=Q(code_due_at__lt=now))
    )


def claim_form_of(principal: Principal, code: str) -> Claim:
    """The coded claim of a case the principal may see (for the PDF download)."""
    case = case_for(principal, code)
    claim: Claim | None = getattr(case, "claim", None) if hasattr(case, "claim") else None
    if claim is None or claim.state != ClaimState.CODED or not claim.form_pdf:
        raise NotFound("Este caso no tiene un reclamo con código todavía.")
    return claim


# --- regulator ----------------------------------------------------------------------------------


def returned_cases() -> QuerySet[Case]:
    """The regulator's review tray: cases operators returned as not theirs. Each carries its
    RETURN events, latest first, in `return_events` (the operator's reason)."""
    returns = CaseEvent.objects.filter(kind=Action.RETURN).order_by("-at", "-id")
    return (
        Case.objects.filter(state=State.RETURNED)
        .select_related("operator", "subcategory__category", "citizen")
        .prefetch_related(Prefetch("events", queryset=returns, to_attr="return_events"))
        .order_by("updated_at", "id")
    )


def regulator_case(user: User | None, code: str) -> Case:
    if user is None or not user.is_regulator_staff:
        raise NotFound("No existe un caso con ese código.")
    return case_for(Principal(actor_role=Actor.REGULATOR, user=user), code)


def overdue_counts_by_operator(now: datetime) -> dict[str, int]:
    """Cases overdue right now, per operator code (marked OVERDUE or past due but unmoved)."""
    rows = (
        Case.objects.filter(
            Q(state=State.OVERDUE)
            | Q(state__in=[State.FORWARDED, State.IN_PROGRESS], due_at__lt=now)
        )
        .values("operator__code")
        .annotate(n=Count("id"))
    )
    return {r["operator__code"]: r["n"] for r in rows}


# --- the regulator's tracking tray ----------------------------------------------------------

RUNNING = [State.FORWARDED, State.IN_PROGRESS, State.OVERDUE]


def regulator_tray(
    *,
    operator: str | None = None,
    service: str | None = None,
    category: str | None = None,
    subcategory: str | None = None,
    state: str | None = None,
    overdue: bool | None = None,
    claim_code_late: bool | None = None,
    channel: str | None = None,
    office: str | None = None,
    registered_from: date | None = None,
    registered_to: date | None = None,
    q: str | None = None,
    now: datetime,
) -> QuerySet[Case]:
    """Every operator's cases, for regulator staff. Dates are Lima dates (inclusive); `q` is
    an exact match on the case code, the line or the citizen's document (index lookups, never
    a LIKE '%…%' over the whole table)."""

    # Codes become ids first (tiny catalog lookups): `operator_id = 3` is a range of the
    # (operator, -registered_at, -id) index read in order, where a join on the operator's code
    # made PostgreSQL sort all of that operator's cases to find the newest 25 (see
    # docs/benchmarks.md, "Bandeja a 10 millones").
    qs = Case.objects.select_related("operator", "subcategory__category", "office")
    if operator:
        qs = qs.filter(operator_id__in=_ids(Operator.objects.filter(code=operator)))
    if service:
        qs = qs.filter(service=service)
    if category:
        qs = qs.filter(subcategory_id__in=_ids(Subcategory.objects.filter(category__code=category)))
    if subcategory:
        qs = qs.filter(subcategory_id__in=_ids(Subcategory.objects.filter(code=subcategory)))
    if state:
        qs = qs.filter(state=state)
    if overdue is True:
        qs = qs.filter(Q(state=State.OVERDUE) | Q(state__in=RUNNING[:2], due_at__lt=now))
    elif overdue is False:
        qs = qs.exclude(state=State.OVERDUE).exclude(state__in=RUNNING[:2], due_at__lt=now)
    if claim_code_late is True:
        # The operator gave the claim code late, or still owes it past its plazo.
        qs = qs.filter(claim_code_late_q(now, "claim__"))
    elif claim_code_late is False:
        qs = qs.filter(claim__isnull=False).exclude(claim_code_late_q(now, "claim__"))
    if channel:
        qs = qs.filter(channel=channel)
    if office:
        qs = qs.filter(office_id__in=_ids(Office.objects.filter(code=office)))
    if registered_from:
        start = datetime.combine(registered_from, datetime.min.time(), tzinfo=LIMA)
        qs = qs.filter(registered_at__gte=start)
    if registered_to:
        end = datetime.combine(registered_to, datetime.min.time(), tzinfo=LIMA) + timedelta(1)
        qs = qs.filter(registered_at__lt=end)
    if q:
        qs = _search(qs, q)
    return qs


def _search(qs: QuerySet[Case], q: str) -> QuerySet[Case]:
    """An exact match on the case code, the line or the citizen's document (index lookups,
    never a LIKE '%…%' over the whole table)."""
    text = q.strip()
    # The document: one index lookup per document type (the citizens' unique index).
    # The ids as values, not a subquery: inside the OR a subquery is a filter evaluated on
    # every row of the table; three values are three index lookups (a BitmapOr).
    citizens = _ids(
        User.objects.filter(
            role=Role.CITIZEN,
            document_type__in=["DNI", "CE", "RUC", "PASAPORTE"],
            document_number=text.upper(),
        )
    )
    return qs.filter(Q(code=text.upper()) | Q(service_number=text) | Q(citizen_id__in=citizens))


# What a row of a web tray shows (staff/tray.html, operators/tray.html): a case row also
# carries its description, extra fields and citizen, read and built 26 times a page for
# nothing (docs/benchmarks.md, "Bandeja a 10 millones").
TRAY_ROW_FIELDS = (
    "code",
    "state",
    "service_number",
    "channel",
    "registered_at",
    "due_at",
    "answered_at",
    "updated_at",
    "operator__name",
    "subcategory__name",
    "office__name",
)


def tray_rows(qs: QuerySet[Case]) -> QuerySet[Case]:
    """`qs` (a tray) reading only what a tray row shows."""
    return (
        qs.select_related(None)
        .select_related("operator", "subcategory", "office")
        .only(*TRAY_ROW_FIELDS)
    )


def _ids(qs: QuerySet[Model]) -> list[int]:
    return list(qs.values_list("id", flat=True))


def saved_tray_views(user: User) -> QuerySet[SavedTrayView]:

    return SavedTrayView.objects.filter(user=user)


def personal_data(user: User) -> dict[str, Any]:
    """Everything the platform keeps about a citizen, for them to download (Ley 29733):
    profile, consent, cases with their timeline (never the internal notes), answers,
    ratings, claims and the attachments' metadata. Only this person's rows."""
    account = accounts.personal_data(user)
    cases = (
        citizen_cases(user)
        .select_related("claim", "subcategory__category__service")
        .prefetch_related("attachments", "events")
    )
    out_cases = []
    for case in cases:
        solution = getattr(case, "solution", None)
        rating = getattr(case, "rating", None)
        claim = getattr(case, "claim", None)
        out_cases.append(
            {
                "code": case.code,
                "operator": case.operator.name,
                "service": case.service,
                "category": case.subcategory.category.name,
                "subcategory": case.subcategory.name,
                "channel": case.channel,
                "service_number": case.service_number,
                "description": case.description,
                "fields": case.fields,
                "state": case.state,
                "registered_at": iso(case.registered_at),
                "forwarded_at": iso(case.forwarded_at),
                "due_at": iso(case.due_at),
                "answered_at": iso(case.answered_at),
                "closed_at": iso(case.closed_at),
                "timeline": [
                    {
                        "at": iso(event.at),
                        "event": event.kind,
                        "by": event.actor_role,
                        "from_state": event.from_state,
                        "to_state": event.to_state,
                        "note": event.note,
                    }
                    for event in case.events.all()
                    if not event.internal
                ],
                "solution": None
                if solution is None
                else {
                    "outcome": solution.outcome,
                    "detail": solution.detail,
                    "actions": solution.actions,
                    "executed_at": iso(solution.executed_at),
                    "responsible": solution.responsible,
                    "recorded_at": iso(solution.recorded_at),
                    "on_time": solution.on_time,
                },
                "rating": None
                if rating is None
                else {
                    "resolved": rating.resolved,
                    "score": rating.score,
                    "comment": rating.comment,
                    "rated_at": iso(rating.rated_at),
                },
                "claim": None
                if claim is None
                else {
                    "state": claim.state,
                    "claim_code": claim.claim_code,
                    "holder_name": claim.holder_name,
                    "holder_document_type": claim.holder_document_type,
                    "holder_document_number": claim.holder_document_number,
                    "service_number": claim.service_number,
                    "reason": claim.reason,
                    "request": claim.request,
                    "amount": str(claim.amount) if claim.amount is not None else None,
                    "notify_email": claim.notify_email,
                    "requested_at": iso(claim.requested_at),
                    "coded_at": iso(claim.coded_at),
                    "resolution_due_at": iso(claim.resolution_due_at),
                },
                "attachments": [
                    {
                        "name": a.name,
                        "content_type": a.content_type,
                        "size": a.size,
                        "uploaded_at": iso(a.uploaded_at),
                    }
                    for a in case.attachments.all()
                ],
            }
        )
    return {
        "generated_at": account["generated_at"],
        "profile": account["profile"],
        "consent": account["consent"],
        "cases": out_cases,
        "correction_requests": account["correction_requests"],
    }


LINK_EXPIRED = (
    "Este enlace venció. Descargue el documento desde la página de su caso, en «Documentos»."
)
LINK_NOT_YOURS = "Este enlace no es válido para su cuenta."


def claim_document(principal: Principal, code: str, token: str) -> tuple[Case, int]:
    """The case and attachment a claim email's link names, when the link is still valid and
    the one who opens it is the citizen it was sent to (the link alone opens nothing)."""
    try:
        link = document_links.read(token)
    except document_links.LinkExpired:
        raise NotFound(LINK_EXPIRED) from None
    except document_links.LinkInvalid:
        raise NotFound(LINK_NOT_YOURS) from None
    user = principal.user
    if user is None or link.user_id != user.pk or link.case_code != code:
        raise NotFound(LINK_NOT_YOURS)
    case = citizen_case(user, code)
    return case, link.attachment_id
