"""Reads of the provider's work, scoped to who asks: the regulator's staff see every
provider's requirements and replicas; a provider's staff only their provider's; citizens and
operator staff none of it. The isolation lives here, once (`requirements_for`,
`requirement_for`, `replicas_for`, `replica_for`)."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, Prefetch, Q, QuerySet

from sgu.accounts.models import PROVIDER_ROLES, REGULATOR_ROLES, Role, User
from sgu.core.calendar import LIMA, BusinessCalendar, format_day
from sgu.core.errors import FieldError, Forbidden, NotFound, ValidationFailed
from sgu.provider.models import (
    Evaluation,
    Provider,
    ProviderStaff,
    Replica,
    ReplicaState,
    Requirement,
    RequirementAttachment,
    RequirementStep,
    Stage,
    Trainee,
)
from sgu.provider.workflow import OWES, provider_clock_runs

REQUIREMENT_NOT_FOUND = "No existe un requerimiento con ese código entre los suyos."
ATTACHMENT_NOT_FOUND = "No existe ese archivo en este requerimiento."
REPLICA_NOT_FOUND = "No existe esa réplica entre las suyas."
NOT_ALLOWED = "El registro de requerimientos es para el regulador y su proveedor."

# Whoever asks: a signed-in person, an anonymous visitor, or nobody (each sees what its seat
# lets it see, seat_of).
Someone = User | AnonymousUser | None


@dataclass(frozen=True)
class Seat:
    """Where a person stands towards the provider's work."""

    role: str
    regulator: bool = False
    provider_id: int | None = None

    @property
    def sees_anything(self) -> bool:
        return self.regulator or self.provider_id is not None


def seat_of(user: Someone) -> Seat:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Seat(role="")
    if user.role in REGULATOR_ROLES:
        return Seat(role=user.role, regulator=True)
    if user.role in PROVIDER_ROLES:
        provider_id = (
            ProviderStaff.objects.filter(user=user, provider__active=True)
            .values_list("provider_id", flat=True)
            .first()
        )
        return Seat(role=user.role, provider_id=provider_id)
    return Seat(role=user.role)


def require_seat(user: Someone) -> Seat:
    seat = seat_of(user)
    if not seat.sees_anything:
        raise Forbidden(NOT_ALLOWED)
    return seat


def providers_for(user: Someone) -> QuerySet[Provider]:
    seat = seat_of(user)
    if seat.regulator:
        return Provider.objects.filter(active=True)
    if seat.provider_id is not None:
        return Provider.objects.filter(pk=seat.provider_id)
    return Provider.objects.none()


def provider_for(user: Someone, code: str) -> Provider:
    found = providers_for(user).filter(code=code).first()
    if found is None:
        raise NotFound("No existe ese proveedor.")
    return found


def staff_of(provider: Provider, roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(
        provider_seat__provider=provider, role__in=list(roles), is_active=True
    ).order_by("last_name", "first_name", "id")


# --- requirements ---------------------------------------------------------------------------


def requirements_for(user: Someone) -> QuerySet[Requirement]:
    seat = seat_of(user)
    qs = Requirement.objects.select_related("provider", "filed_by")
    if seat.regulator:
        return qs
    if seat.provider_id is not None:
        return qs.filter(provider_id=seat.provider_id)
    return qs.none()


def requirement_for(user: Someone, code: str) -> Requirement:
    found = (
        requirements_for(user)
        .prefetch_related(
            Prefetch("steps", queryset=RequirementStep.objects.select_related("ended_by")),
            Prefetch(
                "attachments", queryset=RequirementAttachment.objects.select_related("uploaded_by")
            ),
        )
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if found is None:
        raise NotFound(REQUIREMENT_NOT_FOUND)
    return found


def attachment_for(user: Someone, code: str, pk: int | str) -> RequirementAttachment:
    """One file of a requirement the person may see (for the download); another's, or one
    of another requirement, is not found — never forbidden."""
    req = requirement_for(user, code)
    found = next((a for a in req.attachments.all() if str(a.pk) == str(pk)), None)
    if found is None:
        raise NotFound(ATTACHMENT_NOT_FOUND)
    return found


@dataclass(frozen=True)
class RegisterFilter:
    stage: str = ""
    type: str = ""
    topic: str = ""
    provider: str = ""
    filed_from: date | None = None
    filed_to: date | None = None
    open_only: bool = False


def register(user: Someone, f: RegisterFilter | None = None) -> QuerySet[Requirement]:
    """The register as the person may see it, filtered, newest first, with its steps."""
    f = f or RegisterFilter()
    qs = requirements_for(user)
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.type:
        qs = qs.filter(type=f.type)
    if f.topic:
        qs = qs.filter(topic__icontains=f.topic)
    if f.provider:
        qs = qs.filter(provider__code=f.provider)
    if f.filed_from:
        qs = qs.filter(filed_at__gte=_start_of(f.filed_from))
    if f.filed_to:
        qs = qs.filter(filed_at__lt=_start_of(f.filed_to, plus_days=1))
    if f.open_only:
        qs = qs.exclude(stage=Stage.CLOSED)
    return qs.prefetch_related("steps").order_by("-filed_at", "-id")


def _start_of(d: date, plus_days: int = 0) -> datetime:
    return datetime.combine(d + timedelta(days=plus_days), time(0), tzinfo=LIMA)


# --- status, plazos and compliance -----------------------------------------------------------

ON_TIME, LATE, PENDING, NOT_COUNTED = "ON_TIME", "LATE", "PENDING", "NOT_COUNTED"
VERDICT_LABELS = {
    ON_TIME: "En plazo",
    LATE: "Fuera de plazo",
    PENDING: "En curso",
    NOT_COUNTED: "Reloj del proveedor detenido",
}


def step_verdict(step: RequirementStep, now: datetime) -> str:
    """On time / late for a provider stage; a stage the client owes is not counted, and a
    running stage is late only once its due instant has passed."""
    if step.due_at is None:
        return NOT_COUNTED
    if step.ended_at is not None:
        return ON_TIME if step.ended_at <= step.due_at else LATE
    return LATE if now > step.due_at else PENDING


@dataclass(frozen=True)
class Compliance:
    on_time: int
    late: int

    @property
    def evaluated(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> float | None:
        """On-time provider stages over stages evaluated (ended, or running and overdue),
        one decimal; None when nothing has been evaluated yet."""
        if not self.evaluated:
            return None
        return round(100 * self.on_time / self.evaluated, 1)

    def __add__(self, other: "Compliance") -> "Compliance":
        return Compliance(self.on_time + other.on_time, self.late + other.late)


def compliance_of(steps: Iterable[RequirementStep], now: datetime) -> Compliance:
    on_time = late = 0
    for step in steps:
        verdict = step_verdict(step, now)
        on_time += verdict == ON_TIME
        late += verdict == LATE
    return Compliance(on_time, late)


def register_totals(requirements: QuerySet[Requirement], now: datetime) -> Compliance:
    """On time / late over every provider stage of a filtered register — all of it, not one
    page — in one query, by the rule of `step_verdict`: ended by its due instant (on time),
    after it, or running with it passed (late); a stage the client owes has no due instant."""
    totals = RequirementStep.objects.filter(
        requirement__in=requirements.order_by().values("pk"), due_at__isnull=False
    ).aggregate(
        on_time=Count("pk", filter=Q(ended_at__isnull=False, ended_at__lte=F("due_at"))),
        late=Count(
            "pk",
            filter=Q(ended_at__gt=F("due_at")) | Q(ended_at__isnull=True, due_at__lt=now),
        ),
    )
    return Compliance(totals["on_time"], totals["late"])


def register_compliance(requirements: Iterable[Requirement], now: datetime) -> Compliance:
    total = Compliance(0, 0)
    for req in requirements:
        total = total + compliance_of(req.steps.all(), now)
    return total


@dataclass(frozen=True)
class Status:
    """What the register shows for one requirement at `now`."""

    stage_label: str
    owes: str
    remaining: str
    overdue: bool
    clock_stopped: bool
    compliance: Compliance
    final: str  # "En curso" / "Cerrado en plazo" / "Cerrado fuera de plazo"


def status_of(req: Requirement, now: datetime, calendar: BusinessCalendar) -> Status:
    steps = list(req.steps.all())
    compliance = compliance_of(steps, now)
    stopped = not provider_clock_runs(req.stage)
    overdue = False
    if req.stage == Stage.CLOSED:
        assert req.closed_at is not None  # CheckConstraint req_closed_when_closed
        remaining = f"Cerrado el {format_day(req.closed_at.astimezone(LIMA).date())}"
    elif req.stage == Stage.OBSERVED:
        waited = calendar.business_days_between(
            req.stage_started_at.astimezone(LIMA).date(), now.astimezone(LIMA).date()
        )
        remaining = "Reloj del proveedor detenido; el cliente lleva " + (
            "1 día hábil" if waited == 1 else f"{waited} días hábiles"
        )
    else:
        assert req.stage_due_at is not None  # None only while OBSERVED and once CLOSED
        left = calendar.remaining(now, req.stage_due_at)
        remaining, overdue = left.label, left.overdue
    if req.stage != Stage.CLOSED:
        final = "En curso"
    elif compliance.late:
        final = "Cerrado fuera de plazo"
    else:
        final = "Cerrado en plazo"
    return Status(
        stage_label=Stage(req.stage).label,
        owes=OWES[req.stage],
        remaining=remaining,
        overdue=overdue,
        clock_stopped=stopped and req.stage != Stage.CLOSED,
        compliance=compliance,
        final=final,
    )


# --- replicas ----------------------------------------------------------------------------------


def replicas_for(user: Someone) -> QuerySet[Replica]:
    seat = seat_of(user)
    qs = Replica.objects.select_related(
        "requirement",
        "requirement__provider",
        "article_version",
        "article_version__article",
        "trainer",
    )
    if seat.regulator:
        return qs
    if seat.provider_id is not None:
        return qs.filter(requirement__provider_id=seat.provider_id)
    return qs.none()


def replica_for(user: Someone, pk: int | str) -> Replica:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(REPLICA_NOT_FOUND) from None
    found = (
        replicas_for(user)
        .prefetch_related(
            Prefetch("trainees", queryset=Trainee.objects.select_related("user")),
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound(REPLICA_NOT_FOUND)
    return found


@dataclass(frozen=True)
class ReplicaFilter:
    topic: str = ""
    state: str = ""
    provider: str = ""
    scheduled_from: date | None = None
    scheduled_to: date | None = None


def replica_register(user: Someone, f: ReplicaFilter | None = None) -> QuerySet[Replica]:
    """The replicas as the person may see them — by topic, date, state and team (provider) —
    each with its people (`people`) and those done (`ready`: confirmed and, for an advisor
    of a replica with an evaluation, passed; the rule of `trainee_done`), counted in SQL."""
    f = f or ReplicaFilter()
    qs = replicas_for(user)
    if f.topic:
        qs = qs.filter(requirement__topic__icontains=f.topic)
    if f.state:
        qs = qs.filter(state=f.state)
    if f.provider:
        qs = qs.filter(requirement__provider__code=f.provider)
    if f.scheduled_from:
        qs = qs.filter(scheduled_for__gte=f.scheduled_from)
    if f.scheduled_to:
        qs = qs.filter(scheduled_for__lte=f.scheduled_to)
    done = Q(trainees__confirmed_at__isnull=False) & (
        Q(trainees__lead=True) | Q(evaluation__isnull=True) | Q(trainees__passed_at__isnull=False)
    )
    return qs.annotate(
        people=Count("trainees", distinct=True),
        ready=Count("trainees", filter=done, distinct=True),
    ).order_by("-scheduled_for", "-id")


def percent_of(done: int, total: int) -> float:
    return round(100 * done / total, 1) if total else 0.0


def evaluation_of(replica: Replica) -> Evaluation | None:
    return Evaluation.objects.filter(replica=replica).first()


def trainee_done(t: Trainee, has_evaluation: bool) -> bool:
    """Confirmed, and (for an advisor of a replica with an evaluation) passed it."""
    if t.confirmed_at is None:
        return False
    return t.lead or not has_evaluation or t.passed_at is not None


@dataclass(frozen=True)
class Deployment:
    done: int
    total: int
    leads_done: int
    leads_total: int

    @property
    def percent(self) -> float:
        return percent_of(self.done, self.total)

    @property
    def advisors_unlocked(self) -> bool:
        return self.leads_done == self.leads_total


def deployment_of(replica: Replica, trainees: list[Trainee] | None = None) -> Deployment:
    """Deployment % of a replica: the people it targets (leads and advisors) who are done."""
    trainees = list(replica.trainees.all()) if trainees is None else trainees
    has_eval = evaluation_of(replica) is not None
    leads = [t for t in trainees if t.lead]
    return Deployment(
        done=sum(trainee_done(t, has_eval) for t in trainees),
        total=len(trainees),
        leads_done=sum(t.confirmed_at is not None for t in leads),
        leads_total=len(leads),
    )


def my_trainings(user: User) -> QuerySet[Trainee]:
    """The replicas this person must confirm (the advisor's own list)."""
    return (
        Trainee.objects.filter(user=user)
        .exclude(replica__state=ReplicaState.PLANNED)
        .select_related("replica", "replica__requirement", "replica__article_version")
        .order_by("confirmed_at", "-replica__scheduled_for")
    )


def trainee_of(replica: Replica, user: User) -> Trainee | None:
    return Trainee.objects.filter(replica=replica, user=user).first()


def is_regulator(user: User) -> bool:
    return user.role in REGULATOR_ROLES


def is_cx(user: User) -> bool:
    return user.role in (Role.PROVIDER_CX_SUPERVISOR, Role.PROVIDER_COORDINATOR)


def open_steps_filter() -> Q:
    return Q(ended_at__isnull=True)


# --- periodic reports -----------------------------------------------------------------------

PERIODS = {"weekly": "Semanal", "fortnightly": "Quincenal", "monthly": "Mensual"}


def periods(kind: str, until: date, count: int) -> list[tuple[date, date]]:
    """The last `count` periods up to the one holding `until`, oldest first, as
    (first day, last day): weeks Monday–Sunday, fortnights 1–15 and 16–end, months."""
    if kind not in PERIODS:
        raise ValidationFailed.of(
            [FieldError("period", "Periodo no válido; use weekly, fortnightly o monthly.")]
        )
    out: list[tuple[date, date]] = []
    day = until
    for _ in range(count):
        if kind == "weekly":
            start = day - timedelta(days=day.weekday())
            end = start + timedelta(days=6)
        elif kind == "fortnightly":
            if day.day <= 15:
                start, end = day.replace(day=1), day.replace(day=15)
            else:
                start, end = day.replace(day=16), _month_end(day)
        else:
            start, end = day.replace(day=1), _month_end(day)
        out.append((start, end))
        day = start - timedelta(days=1)
    return out[::-1]


def _month_end(d: date) -> date:
    following = (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


@dataclass(frozen=True)
class ReportRow:
    start: date
    end: date
    filed: int
    closed: int
    replicas_started: int
    replicas_closed: int
    topics_trained: int
    stages_on_time: int
    stages_evaluated: int

    @property
    def percent(self) -> float | None:
        if not self.stages_evaluated:
            return None
        return round(100 * self.stages_on_time / self.stages_evaluated, 1)

    @property
    def label(self) -> str:
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"


def report(
    user: Someone, kind: str, until: date, count: int = 6, provider: str = ""
) -> list[ReportRow]:
    """Per period: requirements filed and closed, replicas started and closed, topics trained
    (distinct topics of the replicas closed) and the % of provider stages that ended within
    their plazo among those that ended in the period."""
    if not 1 <= count <= 24:
        raise ValidationFailed.of([FieldError("count", "Pida de 1 a 24 periodos.")])
    scope = requirements_for(user)
    if provider:
        scope = scope.filter(provider__code=provider)
    replicas = Replica.objects.filter(requirement__in=scope)
    rows = []
    for start, end in periods(kind, until, count):
        lo, hi = _start_of(start), _start_of(end, plus_days=1)
        stages = RequirementStep.objects.filter(
            requirement__in=scope, due_at__isnull=False, ended_at__gte=lo, ended_at__lt=hi
        ).aggregate(total=Count("pk"), on_time=Count("pk", filter=Q(ended_at__lte=F("due_at"))))
        closed_replicas = replicas.filter(closed_at__gte=lo, closed_at__lt=hi)
        rows.append(
            ReportRow(
                start=start,
                end=end,
                filed=scope.filter(filed_at__gte=lo, filed_at__lt=hi).count(),
                closed=scope.filter(closed_at__gte=lo, closed_at__lt=hi).count(),
                replicas_started=replicas.filter(started_at__gte=lo, started_at__lt=hi).count(),
                replicas_closed=closed_replicas.count(),
                topics_trained=closed_replicas.values("requirement__topic").distinct().count(),
                stages_on_time=stages["on_time"],
                stages_evaluated=stages["total"],
            )
        )
    return rows


REPORT_HEADER = [
    "periodo_desde",
    "periodo_hasta",
    "requerimientos_registrados",
    "requerimientos_cerrados",
    "replicas_iniciadas",
    "replicas_cerradas",
    "temas_capacitados",
    "etapas_en_plazo",
    "etapas_evaluadas",
    "cumplimiento_pct",
]


def report_values(row: ReportRow) -> list[str | int | float | None]:
    return [
        row.start.isoformat(),
        row.end.isoformat(),
        row.filed,
        row.closed,
        row.replicas_started,
        row.replicas_closed,
        row.topics_trained,
        row.stages_on_time,
        row.stages_evaluated,
        row.percent,
    ]


# --- the register as a file --------------------------------------------------------------------

REGISTER_HEADER = [
    "codigo",
    "proveedor",
    "registrado",
    "tipo",
    "tema",
    "fecha_solicitada",
    "etapa",
    "debe_el_siguiente_paso",
    "tiempo_restante",
    "plazo_otorgado_dias",
    "etapas_en_plazo",
    "etapas_fuera_de_plazo",
    "cumplimiento_pct",
    "estado_final",
]


def register_rows(
    requirements: Iterable[Requirement], now: datetime, calendar: BusinessCalendar
) -> Iterator[list[str | int | float | None]]:
    for req in requirements:
        st = status_of(req, now, calendar)
        yield [
            req.code,
            req.provider.name,
            req.filed_at.astimezone(LIMA).strftime("%Y-%m-%d %H:%M"),
            req.get_type_display(),
            req.topic,
            req.requested_date.isoformat() if req.requested_date else "",
            st.stage_label,
            st.owes,
            st.remaining,
            req.granted_days,
            st.compliance.on_time,
            st.compliance.late,
            st.compliance.percent,
            st.final,
        ]
