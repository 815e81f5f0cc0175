"""Reads of the attention levels, already scoped to who asks.

Who is who: regulator staff only (operator staff and citizens never reach any of it). A
regulator user works at level 2 or 3 when they belong to an area of that level
(`AreaMember`); they see only their areas' queues. Everyone else of the regulator — the
orientadores with no area, members of a level-1 area, and supervisors — is 1st level.
Supervisors also read every queue (they act only in the areas they belong to)."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from sgu.accounts.models import REGULATOR_ROLES, Role, User
from sgu.attention.indicators import CRITICALITIES
from sgu.attention.models import (
    Area,
    AreaMember,
    AttentionEvent,
    ClockPause,
    Escalation,
    FunctionalRequirement,
    Query,
    QueryMotive,
    QueryState,
    Survey,
)
from sgu.attention.workflow import HopActor, HopState
from sgu.cases.models import Case
from sgu.core.calendar import LIMA
from sgu.core.errors import NotFound


@dataclass(frozen=True)
class Seat:
    """Where a regulator user sits in the levels."""

    first_level: bool
    supervisor: bool
    area_ids: frozenset[int]

    def can_read_area(self, area_id: int) -> bool:
        return self.supervisor or area_id in self.area_ids


NO_SEAT = Seat(first_level=False, supervisor=False, area_ids=frozenset())

# Whoever asks: a signed-in person, an anonymous visitor, or nobody (seat_of says where they sit).
Someone = User | AnonymousUser | None

# One row of a report (a month, an office, a motive…): its figures by name, for the page and
# the export alike.
ReportRow = dict[str, object]


def seat_of(user: Someone) -> Seat:
    if user is None or not user.is_authenticated or user.role not in REGULATOR_ROLES:
        return NO_SEAT
    if not user.is_active:
        return NO_SEAT
    rows = list(
        AreaMember.objects.filter(user=user, area__active=True).values_list(
            "area_id", "area__level"
        )
    )
    upper = frozenset(a for a, level in rows if level in (2, 3))
    supervisor = user.role == Role.REGULATOR_SUPERVISOR
    first = supervisor or not upper or any(level == 1 for _, level in rows)
    return Seat(first_level=first, supervisor=supervisor, area_ids=upper)


def is_attention_staff(user: Someone) -> bool:
    seat = seat_of(user)
    return seat.first_level or bool(seat.area_ids)


def areas_of(user: Someone) -> list[Area]:
    """The level-2/3 areas whose queues the user sees (all of them for a supervisor)."""
    seat = seat_of(user)
    qs = Area.objects.filter(level__in=[2, 3], active=True)
    if not seat.supervisor:
        qs = qs.filter(pk__in=seat.area_ids)
    return list(qs.order_by("level", "name"))


def escalation_targets(level: int) -> list[Area]:
    return list(Area.objects.filter(level=level, active=True).order_by("name"))


def area_for_queue(user: Someone, code: str) -> Area:
    seat = seat_of(user)
    area = Area.objects.filter(code=code, level__in=[2, 3]).first()
    if area is None or not seat.can_read_area(area.pk):
        raise NotFound("No existe esa área o no pertenece a ella.")
    return area


def actors_for(user: Someone, escalation: Escalation) -> set[str]:
    """As whom the user may act on this hop (drives the workflow table)."""
    seat = seat_of(user)
    actors: set[str] = set()
    if escalation.area_id in seat.area_ids:
        actors.add(HopActor.AREA)
    if seat.first_level and escalation.parent_id is None:
        actors.add(HopActor.FIRST_LEVEL)
    return actors


def _hop_qs() -> QuerySet[Escalation]:
    return Escalation.objects.select_related(
        "area", "case", "case__operator", "case__citizen", "query", "escalated_by", "answered_by"
    )


def escalation_for(user: Someone, pk: int) -> Escalation:
    """One hop, if the user may see it: the 1st level sees every hop (the whole chain of what
    it escalated); an area member sees the hops of their areas and the hops above them."""
    seat = seat_of(user)
    hop = _hop_qs().filter(pk=pk).first()
    if hop is None:
        raise NotFound("No existe ese escalamiento.")
    if seat.first_level:
        return hop
    allowed = seat.area_ids
    if hop.area_id in allowed or (hop.parent is not None and hop.parent.area_id in allowed):
        return hop
    raise NotFound("No existe ese escalamiento.")


def area_queue(area: Area, *, state: str = "open") -> QuerySet[Escalation]:
    """An area's queue: what waits for it (pending, due first), or what it already decided."""
    qs = _hop_qs().filter(area=area)
    if state == "open":
        return qs.filter(state__in=[HopState.PENDING, HopState.AT_HIGHER_LEVEL])
    return qs.exclude(state__in=[HopState.PENDING, HopState.AT_HIGHER_LEVEL])


def first_level_queue(*, mine_of: User | None = None) -> QuerySet[Escalation]:
    """What the 1st level must act on: answers to tell the citizen and hops sent back."""
    qs = _hop_qs().filter(parent__isnull=True, state__in=[HopState.ANSWERED, HopState.SENT_BACK])
    if mine_of is not None:
        qs = qs.filter(escalated_by=mine_of)
    return qs


def running_escalations() -> QuerySet[Escalation]:
    """Top hops still worked on above the 1st level."""
    return _hop_qs().filter(
        parent__isnull=True, state__in=[HopState.PENDING, HopState.AT_HIGHER_LEVEL]
    )


def chain(top: Escalation) -> list[Escalation]:
    """A top hop and its level-3 hops, in order."""
    return [top, *_hop_qs().filter(parent=top).order_by("escalated_at", "id")]


def hops_of(*, case: Case | None = None, query: Query | None = None) -> list[Escalation]:
    qs = _hop_qs().prefetch_related(
        Prefetch("children", queryset=_hop_qs().order_by("escalated_at", "id"))
    )
    qs = qs.filter(case=case) if case is not None else qs.filter(query=query)
    return list(qs.filter(parent__isnull=True).order_by("escalated_at", "id"))


def events_of(
    *, escalations: Sequence[Escalation] = (), query: Query | None = None
) -> list[AttentionEvent]:
    ids = [h.pk for h in escalations]
    for h in escalations:
        ids += [c.pk for c in getattr(h, "_prefetched_objects_cache", {}).get("children", [])]
    cond = Q(escalation_id__in=ids)
    if query is not None:
        cond |= Q(query=query)
    return list(
        AttentionEvent.objects.filter(cond)
        .select_related("actor", "escalation__area")
        .order_by("at", "id")
    )


# --- consultas -------------------------------------------------------------------------------


def queries(
    *,
    state: str = "",
    search: str = "",
    late: bool = False,
    motive: str = "",
    now: datetime | None = None,
) -> QuerySet[Query]:
    qs = Query.objects.select_related("registered_by", "office", "motive__parent")
    if motive:
        qs = qs.filter(Q(motive__code=motive) | Q(motive__parent__code=motive))
    if state in QueryState.values:
        qs = qs.filter(state=state)
    if late:
        # The SQL twin of workflow.query_late: first answered after the due time, or not
        # yet answered and past it.
        now = now or timezone.now()
        qs = qs.filter(Q(on_time=False) | Q(first_response_at__isnull=True, due_at__lt=now))
    if search:
        s = search.strip()
        qs = qs.filter(
            Q(code__iexact=s) | Q(document_number=s) | Q(email__iexact=s) | Q(name__icontains=s)
        )
    return qs


def query_motive(code: str) -> QueryMotive | None:
    """An active sub-motive of an active family, the only thing a consulta is typified with."""
    if not code:
        return None
    return (
        QueryMotive.objects.select_related("parent")
        .filter(code=code, active=True, parent__isnull=False, parent__active=True)
        .first()
    )


def motive_families() -> list[tuple[QueryMotive, list[QueryMotive]]]:
    """The active catalog, family by family (for the form's grouped choice and the filter)."""
    children = QueryMotive.objects.filter(active=True, parent__active=True).select_related("parent")
    grouped: dict[int, tuple[QueryMotive, list[QueryMotive]]] = {}
    for child in children.order_by("parent__order", "parent__name", "order", "name"):
        if child.parent is None:  # excluded by the filter (parent__active): for the types
            continue
        grouped.setdefault(child.parent.pk, (child.parent, []))[1].append(child)
    return list(grouped.values())


def query_for(user: Someone, code: str) -> Query:
    if not seat_of(user).first_level:
        raise NotFound("No existe una consulta con ese código.")
    query = Query.objects.select_related(
        "registered_by", "office", "answered_by", "motive__parent"
    ).filter(code=code)
    found = query.first()
    if found is None:
        raise NotFound("No existe una consulta con ese código.")
    return found


# --- surveys ----------------------------------------------------------------------------------


def citizen_surveys(user: Someone) -> QuerySet[Survey]:
    """A citizen's own surveys (never anyone else's)."""
    if not isinstance(user, User) or not user.is_authenticated or user.role != Role.CITIZEN:
        return Survey.objects.none()
    return Survey.objects.filter(citizen=user).select_related("case", "query", "office", "agent")


def citizen_survey(user: Someone, pk: int) -> Survey:
    found = citizen_surveys(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("No existe esa encuesta.")
    return found


# --- monthly indicators -------------------------------------------------------------------------


def _month_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    start = datetime.combine(first.replace(day=1), time.min, tzinfo=LIMA)
    nxt = (last.replace(day=1) + timedelta(days=32)).replace(day=1)
    return start, datetime.combine(nxt, time.min, tzinfo=LIMA)


def _month_key(value: date | datetime) -> date:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(LIMA)
        return value.date().replace(day=1)
    return value.replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    out: list[date] = []
    d = first.replace(day=1)
    while d <= last:
        out.append(d)
        d = (d + timedelta(days=32)).replace(day=1)
    return out


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def monthly_indicators(first: date, last: date) -> list[ReportRow]:
    """One row per month from `first` to `last` (Lima calendar months) with every indicator
    of `attention.indicators`. SQL aggregates only: one grouped query per figure family."""

    lo, hi = _month_bounds(first, last)
    months = months_between(first, last)
    rows: dict[date, Counter[str]] = {m: Counter() for m in months}
    resolved_by_level: dict[date, dict[int, int]] = {m: {1: 0, 2: 0, 3: 0} for m in months}

    def add(month_value: date | datetime, key: str, n: int | None) -> None:
        m = _month_key(month_value)
        if m in rows:
            rows[m][key] += n or 0

    # Consultas, and the level that answered them.
    for r in (
        Query.objects.filter(registered_at__gte=lo, registered_at__lt=hi)
        .annotate(m=TruncMonth("registered_at", tzinfo=LIMA))
        .values("m", "resolved_level")
        .annotate(n=Count("id"))
    ):
        add(r["m"], "queries", r["n"])
        if r["resolved_level"]:
            resolved_by_level[_month_key(r["m"])][r["resolved_level"]] += r["n"]

    # Cases, counted in the month of their first escalation; resolved by the level that wrote
    # the last answer the 1st level informed.
    top = Escalation.objects.filter(case__isnull=False, parent__isnull=True)
    first_hops = (
        top.filter(escalated_at__gte=lo, escalated_at__lt=hi)
        .exclude(
            Exists(top.filter(case=OuterRef("case"), escalated_at__lt=OuterRef("escalated_at")))
        )
        .annotate(
            m=TruncMonth("escalated_at", tzinfo=LIMA),
            solved=Subquery(
                top.filter(case=OuterRef("case"), state=HopState.INFORMED)
                .order_by("-informed_at", "-id")
                .values("answer_level")[:1]
            ),
        )
        .values("m", "solved")
        .annotate(n=Count("id"))
    )
    for r in first_hops:
        add(r["m"], "escalated_cases", r["n"])
        if r["solved"]:
            resolved_by_level[_month_key(r["m"])][r["solved"]] += r["n"]

    # Every hop of the month: per level, answered or sent back, and its clock per criticality.
    for r in (
        Escalation.objects.filter(escalated_at__gte=lo, escalated_at__lt=hi)
        .annotate(m=TruncMonth("escalated_at", tzinfo=LIMA))
        .values("m", "level", "criticality")
        .annotate(
            n=Count("id"),
            # (Not `answered`, `sent_back`: names of Escalation's own properties.)
            n_answered=Count("id", filter=Q(answered_at__isnull=False)),
            n_sent_back=Count("id", filter=Q(sent_back_at__isnull=False)),
            on_time=Count("id", filter=Q(answered_at__isnull=False, on_time=True)),
            days=Sum("response_business_days", filter=Q(answered_at__isnull=False)),
            informed=Count("id", filter=Q(informed_at__isnull=False)),
            same_day=Count("id", filter=Q(informed_same_day=True)),
        )
    ):
        add(r["m"], f"escalations_l{r['level']}", r["n"])
        add(r["m"], "_answered", r["n_answered"])
        add(r["m"], "_sent_back", r["n_sent_back"])
        add(r["m"], "_informed", r["informed"])
        add(r["m"], "_same_day", r["same_day"])
        c = r["criticality"]
        add(r["m"], f"_answered_{c}", r["n_answered"])
        add(r["m"], f"_on_time_{c}", r["on_time"])
        add(r["m"], f"_days_{c}", r["days"])

    out = []
    for m in months:
        row = rows[m]
        by_level = resolved_by_level[m]
        resolved = sum(by_level.values())
        result: ReportRow = {
            "month": m,
            "queries": row["queries"],
            "escalated_cases": row["escalated_cases"],
            "escalations_l2": row["escalations_l2"],
            "escalations_l3": row["escalations_l3"],
            "resolved": resolved,
        }
        result["attentions"] = row["queries"] + row["escalated_cases"]
        for n in (1, 2, 3):
            result[f"resolved_l{n}_pct"] = _pct(by_level[n], resolved)
        answered, sent_back = row["_answered"], row["_sent_back"]
        result["routed_ok_pct"] = _pct(answered, answered + sent_back)
        result["informed_same_day_pct"] = _pct(row["_same_day"], row["_informed"])
        for c in CRITICALITIES:
            done = row[f"_answered_{c}"]
            result[f"avg_days_{c}"] = round(row[f"_days_{c}"] / done, 2) if done else None
            result[f"within_pct_{c}"] = _pct(row[f"_on_time_{c}"], done)
        out.append(result)
    return out


# --- survey results ------------------------------------------------------------------------------


def survey_results(first: date, last: date, *, by: str) -> list[ReportRow]:
    """Surveys offered in the period, per office or per agent: offered, answered, response
    rate, average score and how many gave 4 or 5."""
    lo, hi = _day_bounds(first, last)
    key = {
        "office": ("office__name",),
        "agent": ("agent__email", "agent__first_name", "agent__last_name"),
    }[by]
    rows = (
        Survey.objects.filter(offered_at__gte=lo, offered_at__lt=hi)
        .values(*key)
        .annotate(
            offered=Count("id"),
            answered=Count("id", filter=Q(answered_at__isnull=False)),
            avg=Avg("score", filter=Q(answered_at__isnull=False)),
            good=Count("id", filter=Q(score__gte=4)),
        )
        .order_by(*(F(k).asc(nulls_last=True) for k in key))
    )
    out = []
    for r in rows:
        if by == "office":
            label = r["office__name"] or "Sin oficina (atención telefónica o web)"
        else:
            label = f"{r['agent__first_name']} {r['agent__last_name']}".strip() or r["agent__email"]
        out.append(
            {
                "label": label,
                "offered": r["offered"],
                "answered": r["answered"],
                "response_pct": _pct(r["answered"], r["offered"]),
                "avg": round(r["avg"], 2) if r["avg"] is not None else None,
                "good_pct": _pct(r["good"], r["answered"]),
            }
        )
    return out


def _day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        datetime.combine(first, time.min, tzinfo=LIMA),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=LIMA),
    )


def survey_comments(first: date, last: date, limit: int = 50) -> list[Survey]:
    lo, hi = _day_bounds(first, last)
    return list(
        Survey.objects.filter(offered_at__gte=lo, offered_at__lt=hi, answered_at__isnull=False)
        .exclude(comment="")
        .select_related("office", "agent", "case", "query")
        .order_by("-answered_at", "-id")[:limit]
    )


# --- consultas by motive (typification) ----------------------------------------------------------


def motive_report(first: date, last: date) -> list[ReportRow]:
    """Consultas registered in the period per sub-motive (the manual's «motivos de la
    consulta»): received, of the virtual channel, answered, escalated, first responses
    within the 24-hour plazo (÷ first responses of virtual consultas × 100), still open and
    late. One SQL aggregate; untypified consultas are one row of their own."""
    lo, hi = _day_bounds(first, last)
    now = timezone.now()
    rows = (
        Query.objects.filter(registered_at__gte=lo, registered_at__lt=hi)
        .values("motive__parent__name", "motive__parent__order", "motive__name", "motive__code")
        .annotate(
            received=Count("id", distinct=True),
            virtual=Count("id", filter=Q(due_at__isnull=False), distinct=True),
            n_answered=Count("id", filter=Q(state=QueryState.ANSWERED), distinct=True),
            escalated=Count("id", filter=Q(escalations__isnull=False), distinct=True),
            responded_virtual=Count("id", filter=Q(on_time__isnull=False), distinct=True),
            within=Count("id", filter=Q(on_time=True), distinct=True),
            late=Count(
                "id",
                filter=Q(on_time=False) | Q(first_response_at__isnull=True, due_at__lt=now),
                distinct=True,
            ),
        )
        .order_by("motive__parent__order", "motive__parent__name", "-received", "motive__name")
    )
    out = []
    for r in rows:
        out.append(
            {
                "family": r["motive__parent__name"] or "Sin tipificar",
                "motive": r["motive__name"] or "Sin tipificar",
                "code": r["motive__code"] or "",
                "received": r["received"],
                "virtual": r["virtual"],
                "answered": r["n_answered"],
                "escalated": r["escalated"],
                "within_pct": _pct(r["within"], r["responded_virtual"]),
                "late": r["late"],
            }
        )
    return out


# --- the citizen's ticket: the expected response time ---------------------------------------------

TICKET_WINDOW = timedelta(days=30)


def average_query_response(
    *, motive_id: int | None, virtual: bool, now: datetime
) -> tuple[timedelta | None, int]:
    """(average time to the first response, how many) of the consultas of the same kind (same
    motive, same channel class: virtual or not) first answered in the 30 days before `now`
    (attention manual: the 1st level tells the citizen the average response time).
    (None, 0) when there is none to average."""
    rows = Query.objects.filter(
        motive_id=motive_id,
        due_at__isnull=not virtual,
        first_response_at__gte=now - TICKET_WINDOW,
        first_response_at__lte=now,
    )
    agg = rows.aggregate(
        n=Count("id"),
        avg=Avg(
            ExpressionWrapper(
                F("first_response_at") - F("registered_at"), output_field=DurationField()
            )
        ),
    )
    if not agg["n"]:
        return None, 0
    return agg["avg"], agg["n"]


def average_escalation_response(*, criticality: str, now: datetime) -> tuple[float | None, int]:
    """(average business days to answer, how many) of the 2nd-level escalations of the same
    criticality answered in the 30 days before `now`; (None, 0) when there is none."""
    agg = Escalation.objects.filter(
        level=2,
        criticality=criticality,
        answered_at__gte=now - TICKET_WINDOW,
        answered_at__lte=now,
        response_business_days__isnull=False,
    ).aggregate(n=Count("id"), avg=Avg("response_business_days"))
    if not agg["n"]:
        return None, 0
    return float(agg["avg"]), agg["n"]


# --- each assistant's record and response times (attention manual 7.4.1.1, 7.4.2.1) --------------


def _duration(end: str, start: str) -> ExpressionWrapper[CombinedExpression]:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def first_level_staff() -> QuerySet[User]:
    """The regulator's people who may register consultas (for the supervisor's picker)."""

    return User.objects.filter(
        role__in=[Role.REGULATOR_AGENT, Role.REGULATOR_SUPERVISOR], is_active=True
    ).order_by("first_name", "last_name", "email")


def assistant_for(viewer: User, assistant_id: int | str | None) -> User:
    """Whose record `viewer` may read: their own; the supervisor, anyone's on the 1st level."""
    if assistant_id is None or assistant_id in ("", viewer.pk) or not seat_of(viewer).supervisor:
        return viewer
    found = first_level_staff().filter(pk=assistant_id).first()
    if found is None:
        raise NotFound("No existe ese orientador.")
    return found


def assistant_day(assistant: User, day: date) -> QuerySet[Query]:
    """The consultas an assistant handled on a Lima day (the manual's daily record): those
    they registered that day and those whose answer they wrote or sent that day."""
    lo, hi = _day_bounds(day, day)
    return (
        Query.objects.filter(
            Q(registered_by=assistant, registered_at__gte=lo, registered_at__lt=hi)
            | Q(answered_by=assistant, answered_at__gte=lo, answered_at__lt=hi)
            | Q(draft_by=assistant, draft_at__gte=lo, draft_at__lt=hi)
        )
        .select_related("motive__parent", "answered_by", "registered_by")
        .annotate(initial=_duration("first_response_at", "registered_at"))
        .order_by("registered_at", "id")
    )


def assistant_report(first: date, last: date) -> list[ReportRow]:
    """Per assistant (who registered the consulta), consultas registered in the period:
    received, answered, the initial response (average time from registration to the first
    response: the answer or the escalation), the average response (registration to the
    answer that reached the citizen) and the first responses within plazo (virtual channel:
    on time ÷ with a first response × 100). One SQL aggregate."""
    lo, hi = _day_bounds(first, last)
    rows = (
        Query.objects.filter(registered_at__gte=lo, registered_at__lt=hi)
        .values(
            "registered_by",
            "registered_by__email",
            "registered_by__first_name",
            "registered_by__last_name",
        )
        .annotate(
            received=Count("id"),
            n_answered=Count("id", filter=Q(state=QueryState.ANSWERED)),
            initial=Avg(_duration("first_response_at", "registered_at")),
            average=Avg(
                _duration("answered_at", "registered_at"), filter=Q(state=QueryState.ANSWERED)
            ),
            responded_virtual=Count("id", filter=Q(on_time__isnull=False)),
            within=Count("id", filter=Q(on_time=True)),
        )
        .order_by("registered_by__first_name", "registered_by__last_name", "registered_by")
    )
    return [
        {
            "id": r["registered_by"],
            "label": f"{r['registered_by__first_name']} {r['registered_by__last_name']}".strip()
            or r["registered_by__email"],
            "email": r["registered_by__email"],
            "received": r["received"],
            "answered": r["n_answered"],
            "initial": r["initial"],
            "average": r["average"],
            "within_pct": _pct(r["within"], r["responded_virtual"]),
        }
        for r in rows
    ]


# --- incidents: functional requirements (manual 9.3.7.3) ---------------------------------------


def requirement_code(hop: Escalation) -> str | None:
    requirement = FunctionalRequirement.objects.filter(
        Q(escalation=hop) | Q(escalation__parent=hop)
    ).first()
    return requirement.code if requirement else None


def requirements_for(user: Someone) -> QuerySet[FunctionalRequirement]:
    """The requirements backlog the user may read: every one for a supervisor; for a member of
    a level-2/3 area, those of its areas (the user area, or the area that concluded it)."""
    seat = seat_of(user)
    qs = FunctionalRequirement.objects.select_related(
        "user_area", "escalation__area", "escalation__query", "escalation__case", "created_by"
    ).order_by("-created_at", "-id")
    if seat.supervisor:
        return qs
    if not seat.area_ids:
        return qs.none()
    return qs.filter(Q(user_area_id__in=seat.area_ids) | Q(escalation__area_id__in=seat.area_ids))


# --- incidents: the coordinator's reports (manual 8.3.2.2, 8.3.2.3, 9.3.3) ------------------------
#
# An incident is what the 1st level escalated (a top hop, with its level-3 hops). It is
# received the Lima day it was escalated and solved the Lima day the answer came back down to
# the 1st level (the top hop answered). Set-based: one grouped query per figure family.

TOP_N = 10
NO_TYPIFICATION = "Sin tipificar"


def _incidents() -> QuerySet[Escalation]:
    return Escalation.objects.filter(parent__isnull=True)


def incident_daily(first: date, last: date) -> list[ReportRow]:
    """One row per day: incidents received, incidents solved (answer down to the 1st level)."""
    lo, hi = _day_bounds(first, last)
    days: dict[date, Counter[str]] = {}
    d = first
    while d <= last:
        days[d] = Counter(received=0, solved=0)
        d += timedelta(days=1)
    for field, key in (("escalated_at", "received"), ("answered_at", "solved")):
        for r in (
            _incidents()
            .filter(**{f"{field}__gte": lo, f"{field}__lt": hi})
            .annotate(d=TruncDate(field, tzinfo=LIMA))
            .values("d")
            .annotate(n=Count("id"))
        ):
            if r["d"] in days:
                days[r["d"]][key] += r["n"]
    return [{"day": d, "received": c["received"], "solved": c["solved"]} for d, c in days.items()]


def _typification(r: dict[str, Any]) -> str:
    if r["query__motive__name"]:
        family = r["query__motive__parent__name"]
        return f"{family} › {r['query__motive__name']}" if family else r["query__motive__name"]
    if r["case__subcategory__name"]:
        return f"{r['case__subcategory__category__name']} › {r['case__subcategory__name']}"
    return NO_TYPIFICATION


def incident_typification(first: date, last: date) -> list[ReportRow]:
    """Incidents received by typification of origin (the consulta's motive, the case's
    category), most frequent first, with the cumulative frequency and its percentage."""
    lo, hi = _day_bounds(first, last)
    counts: dict[str, int] = {}
    for r in (
        _incidents()
        .filter(escalated_at__gte=lo, escalated_at__lt=hi)
        .values(
            "query__motive__parent__name",
            "query__motive__name",
            "case__subcategory__category__name",
            "case__subcategory__name",
        )
        .annotate(n=Count("id"))
    ):
        name = _typification(r)
        counts[name] = counts.get(name, 0) + r["n"]
    total = sum(counts.values())
    out: list[ReportRow] = []
    running = 0
    for rank, (name, n) in enumerate(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])), 1):
        running += n
        out.append(
            {
                "rank": rank,
                "typification": name,
                "n": n,
                "pct": _pct(n, total),
                "cumulative": running,
                "cumulative_pct": _pct(running, total),
                "top": rank <= TOP_N,
            }
        )
    return out


def incident_monthly(first: date, last: date) -> list[ReportRow]:
    """Per month (of escalation): total incidents, from Lima and from the other regions (and
    without a region), the % solved by each level, the % correctly routed (answered, not sent
    back by the area), and how many became functional requirements, needed coordination or
    waited on a third party."""
    lo, hi = _month_bounds(first, last)
    rows: dict[date, Counter[str]] = {
        m: Counter(
            {
                "total": 0,
                "lima": 0,
                "regions": 0,
                "no_region": 0,
                "solved": 0,
                "solved_l1": 0,
                "solved_l2": 0,
                "solved_l3": 0,
                "decided": 0,
                "routed_ok": 0,
                "requirements": 0,
                "coordinated": 0,
                "paused": 0,
            }
        )
        for m in months_between(first, last)
    }
    chain_of = Q(escalation=OuterRef("pk")) | Q(escalation__parent=OuterRef("pk"))
    coordinated = Escalation.objects.filter(
        Q(pk=OuterRef("pk")) | Q(parent=OuterRef("pk")),
        coordination__in=["INTERNAL", "EXTERNAL", "BOTH"],
    )
    for r in (
        _incidents()
        .filter(escalated_at__gte=lo, escalated_at__lt=hi)
        .annotate(
            m=TruncMonth("escalated_at", tzinfo=LIMA),
            is_requirement=Exists(FunctionalRequirement.objects.filter(chain_of)),
            is_coordinated=Exists(coordinated),
            was_paused=Exists(ClockPause.objects.filter(escalation__parent=OuterRef("pk"))),
        )
        .values(
            "m",
            "region",
            "answer_level",
            "state",
            "query__resolved_level",
            "is_requirement",
            "is_coordinated",
        )
        .annotate(
            n=Count("id"),
            paused=Count("id", filter=Q(was_paused=True)),
            n_answered=Count("id", filter=Q(answered_at__isnull=False)),
            n_sent_back=Count("id", filter=Q(sent_back_at__isnull=False)),
        )
    ):
        row = rows.get(_month_key(r["m"]))
        if row is None:
            continue
        n = r["n"]
        row["total"] += n
        region = r["region"] or ""
        row["lima" if region == "LIMA" else "regions" if region else "no_region"] += n
        if r["n_answered"] and r["answer_level"] in (2, 3):
            row["solved"] += r["n_answered"]
            row[f"solved_l{r['answer_level']}"] += r["n_answered"]
        if r["state"] == HopState.CLOSED and r["query__resolved_level"] == 1:
            # Returned, then answered by the 1st level itself.
            row["solved"] += n
            row["solved_l1"] += n
        row["decided"] += r["n_answered"] + r["n_sent_back"]
        row["routed_ok"] += r["n_answered"]
        row["requirements"] += n if r["is_requirement"] else 0
        row["coordinated"] += n if r["is_coordinated"] else 0
        row["paused"] += r["paused"]
    out = []
    for m, counts in rows.items():
        row_out: ReportRow = {"month": m, **counts}
        for level in (1, 2, 3):
            row_out[f"solved_l{level}_pct"] = _pct(counts[f"solved_l{level}"], counts["solved"])
        row_out["routed_ok_pct"] = _pct(counts["routed_ok"], counts["decided"])
        out.append(row_out)
    return out
