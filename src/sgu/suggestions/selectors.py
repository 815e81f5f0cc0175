"""Reads of the suggestions box, scoped to who asks.

Only regulator staff see suggestions. A supervisor sees all of them; any other regulator
user sees those waiting to be routed (anyone may triage them) and those of the areas they
belong to. Anything else is "not found"."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from django.db.models import Count, Prefetch, Q, QuerySet

from sgu.accounts.models import REGULATOR_ROLES, Role, User
from sgu.attention.models import Area
from sgu.core.calendar import LIMA, load_calendar
from sgu.core.errors import NotFound
from sgu.suggestions.models import (
    AreaAnnualReport,
    EventKind,
    Suggestion,
    SuggestionEvent,
    SuggestionState,
    SuggestionTopic,
)

NOT_FOUND = "No existe esa sugerencia entre las que usted atiende."


def active_topics() -> QuerySet[SuggestionTopic]:
    return SuggestionTopic.objects.filter(active=True).order_by("position", "name")


def active_areas() -> list[Area]:
    return list(Area.objects.filter(active=True).order_by("level", "name"))


def area_ids_of(user: User) -> set[int]:
    return set(Area.objects.filter(members__user=user, active=True).values_list("pk", flat=True))


def _is_supervisor(user: User) -> bool:
    return user.role == Role.REGULATOR_SUPERVISOR


def visible_to(user: User) -> QuerySet[Suggestion]:
    if not user.is_active or user.role not in REGULATOR_ROLES:
        return Suggestion.objects.none()
    qs = Suggestion.objects.all()
    if not _is_supervisor(user):
        qs = qs.filter(
            Q(state=SuggestionState.RECEIVED)
            | Q(area_id__in=area_ids_of(user))
            | Q(triaged_by=user)
            | Q(entered_by=user)
        )
    return qs


def can_route(user: User, suggestion: Suggestion) -> bool:
    return (
        _is_supervisor(user)
        or suggestion.state == SuggestionState.RECEIVED
        or suggestion.area_id in area_ids_of(user)
    )


def can_answer(user: User, suggestion: Suggestion) -> bool:
    return _is_supervisor(user) or suggestion.area_id in area_ids_of(user)


@dataclass(frozen=True)
class Filters:
    state: str = ""
    area: str = ""
    year: int | None = None


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[1 January 00:00, next 1 January 00:00) in Lima, as UTC instants."""
    start = datetime.combine(date(year, 1, 1), time(0), tzinfo=LIMA).astimezone(UTC)
    end = datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=LIMA).astimezone(UTC)
    return start, end


def staff_list(user: User, filters: Filters) -> QuerySet[Suggestion]:
    qs = visible_to(user).select_related("topic", "area")
    if filters.state in SuggestionState.values:
        qs = qs.filter(state=filters.state)
    if filters.area == "-":
        qs = qs.filter(area__isnull=True)
    elif filters.area:
        qs = qs.filter(area__code=filters.area)
    if filters.year:
        start, end = year_bounds(filters.year)
        qs = qs.filter(received_at__gte=start, received_at__lt=end)
    return qs


def for_staff(user: User, code: str) -> Suggestion:
    found = (
        visible_to(user)
        .select_related("topic", "area", "answered_by", "citizen")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=SuggestionEvent.objects.select_related("by", "area").order_by("at", "id"),
            )
        )
        .filter(code=code)
        .first()
    )
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


# --- the annual report ------------------------------------------------------------------------


@dataclass(frozen=True)
class AnnualReport:
    year: int
    received: int
    answered: int
    with_actions: int
    actions: int
    by_state: list[tuple[str, int]]
    by_area: list[tuple[str, int, int]]  # area, received, answered
    by_topic: list[tuple[str, int]]


def annual_report(year: int) -> AnnualReport:
    """Counts of the suggestions received in the year (Lima), by state, area and topic,
    and of the actions recorded for them — SQL aggregates, one statement each."""
    start, end = year_bounds(year)
    qs = Suggestion.objects.filter(received_at__gte=start, received_at__lt=end).order_by()
    states = dict(qs.values("state").annotate(n=Count("id")).values_list("state", "n"))
    by_state = [(label, states.get(value, 0)) for value, label in SuggestionState.choices]
    # (The annotation is not named `answered`: Suggestion.answered is a property.)
    per_area = qs.values_list("area__name").annotate(
        n=Count("id"), n_answered=Count("id", filter=Q(state=SuggestionState.ANSWERED))
    )
    # Most suggestions first; on a tie by name, "without area/topic" last (NULLs sort
    # first on SQLite and last on PostgreSQL: ordered here, the same on both).
    areas = sorted(per_area, key=lambda a: (-a[1], a[0] is None, a[0] or ""))
    by_area = [(name or "Sin derivar", n, answered) for name, n, answered in areas]
    topics = sorted(
        qs.values("topic__name").annotate(n=Count("id")),
        key=lambda t: (-t["n"], t["topic__name"] is None, t["topic__name"] or ""),
    )
    by_topic = [(t["topic__name"] or "Sin tema", t["n"]) for t in topics]
    actions = SuggestionEvent.objects.filter(kind=EventKind.ACTION, suggestion__in=qs)
    return AnnualReport(
        year=year,
        received=sum(states.values()),
        answered=states.get(SuggestionState.ANSWERED, 0),
        with_actions=actions.values("suggestion_id").distinct().count(),
        actions=actions.count(),
        by_state=by_state,
        by_area=by_area,
        by_topic=by_topic,
    )


def annual_list(year: int) -> QuerySet[Suggestion]:
    """The year's suggestions, oldest first, with their actions taken."""
    start, end = year_bounds(year)
    return (
        Suggestion.objects.filter(received_at__gte=start, received_at__lt=end)
        .select_related("topic", "area")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=SuggestionEvent.objects.filter(kind=EventKind.ACTION).order_by("at", "id"),
                to_attr="actions",
            )
        )
        .order_by("received_at", "id")
    )


def can_report_for(user: User, area: Area) -> bool:
    """Who hands in an area's annual report: its members, or a supervisor."""
    return _is_supervisor(user) or area.pk in area_ids_of(user)


def reporting_areas(user: User) -> list[Area]:
    """The areas whose annual report the user may hand in."""
    if _is_supervisor(user):
        return active_areas()
    return [a for a in active_areas() if a.pk in area_ids_of(user)]


# --- each area's annual report (attention manual 9.1) ---------------------------------------------

REPORT_BUSINESS_DAYS = 10


def annual_report_due(year: int) -> date:
    """The 10th business day of the next year, by the platform's calendar (its holidays and
    the days the administrator declared)."""
    calendar = load_calendar()
    d = date(year, 12, 31)
    for _ in range(REPORT_BUSINESS_DAYS):
        d = calendar.next_business_day(d)
    return d


@dataclass(frozen=True)
class AreaReportRow:
    area: Area
    due_on: date
    report: AreaAnnualReport | None
    received: int
    answered: int

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.submitted_at is not None

    def late(self, today: date) -> bool:
        """Handed in after its due day, or still missing after it."""
        if self.report is not None and self.report.submitted_at is not None:  # submitted
            return not self.report.on_time
        return today > self.due_on


def area_reports(year: int) -> list[AreaReportRow]:
    """Each area that received suggestions in the year (or already handed in its report),
    with its due day, its report if handed in, and its counts: what the consolidated annual
    report is made from. Two SQL statements."""
    start, end = year_bounds(year)
    counts: dict[int, tuple[int, int]] = {
        area_id: (n, answered)
        for area_id, n, answered in Suggestion.objects.filter(
            received_at__gte=start, received_at__lt=end, area__isnull=False
        )
        .order_by()
        .values_list("area_id")
        .annotate(n=Count("id"), n_answered=Count("id", filter=Q(state=SuggestionState.ANSWERED)))
    }
    reports = {
        r.area_id: r
        for r in AreaAnnualReport.objects.filter(year=year).select_related("submitted_by")
    }
    due = annual_report_due(year)
    areas = Area.objects.filter(pk__in=set(counts) | set(reports)).order_by("level", "name")
    return [
        AreaReportRow(
            area=a,
            due_on=reports[a.pk].due_on if a.pk in reports else due,
            report=reports.get(a.pk),
            received=counts.get(a.pk, (0, 0))[0],
            answered=counts.get(a.pk, (0, 0))[1],
        )
        for a in areas
    ]
