"""Reads of the provider's work, scoped to who asks: the regulator's staff see every
provider's requirements and replicas; a provider's staff only their provider's; citizens and
operator staff none of it. The isolation lives here, once (`requirements_for`,
`requirement_for`, `replicas_for`, `replica_for`)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet

from sgu.accounts.models import PROVIDER_ROLES, REGULATOR_ROLES, Role, User
from sgu.core.calendar import LIMA, BusinessCalendar, format_day
from sgu.core.errors import Forbidden, NotFound
from sgu.provider.models import (
    Provider,
    ProviderStaff,
    Replica,
    ReplicaState,
    Requirement,
    RequirementStep,
    Stage,
    Trainee,
)
from sgu.provider.workflow import OWES, provider_clock_runs

REQUIREMENT_NOT_FOUND = "No existe un requerimiento con ese código entre los suyos."
REPLICA_NOT_FOUND = "No existe esa réplica entre las suyas."
NOT_ALLOWED = "El registro de requerimientos es para el regulador y su proveedor."


@dataclass(frozen=True)
class Seat:
    """Where a person stands towards the provider's work."""

    role: str
    regulator: bool = False
    provider_id: int | None = None

    @property
    def sees_anything(self) -> bool:
        return self.regulator or self.provider_id is not None


def seat_of(user) -> Seat:
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


def require_seat(user) -> Seat:
    seat = seat_of(user)
    if not seat.sees_anything:
        raise Forbidden(NOT_ALLOWED)
    return seat


def providers_for(user) -> QuerySet[Provider]:
    seat = seat_of(user)
    if seat.regulator:
        return Provider.objects.filter(active=True)
    if seat.provider_id is not None:
        return Provider.objects.filter(pk=seat.provider_id)
    return Provider.objects.none()


def provider_for(user, code: str) -> Provider:
    found = providers_for(user).filter(code=code).first()
    if found is None:
        raise NotFound("No existe ese proveedor.")
    return found


def staff_of(provider: Provider, roles: Iterable[str]) -> QuerySet[User]:
    return User.objects.filter(
        provider_seat__provider=provider, role__in=list(roles), is_active=True
    ).order_by("last_name", "first_name", "id")


# --- requirements ---------------------------------------------------------------------------


def requirements_for(user) -> QuerySet[Requirement]:
    seat = seat_of(user)
    qs = Requirement.objects.select_related("provider", "filed_by")
    if seat.regulator:
        return qs
    if seat.provider_id is not None:
        return qs.filter(provider_id=seat.provider_id)
    return qs.none()


def requirement_for(user, code: str) -> Requirement:
    found = (
        requirements_for(user)
        .prefetch_related(
            Prefetch("steps", queryset=RequirementStep.objects.select_related("ended_by"))
        )
        .filter(code=(code or "").strip().upper())
        .first()
    )
    if found is None:
        raise NotFound(REQUIREMENT_NOT_FOUND)
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


def register(user, f: RegisterFilter | None = None) -> QuerySet[Requirement]:
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
    from datetime import time, timedelta

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
        remaining = f"Cerrado el {format_day(req.closed_at.astimezone(LIMA).date())}"
    elif req.stage == Stage.OBSERVED:
        waited = calendar.business_days_between(
            req.stage_started_at.astimezone(LIMA).date(), now.astimezone(LIMA).date()
        )
        remaining = "Reloj del proveedor detenido; el cliente lleva " + (
            "1 día hábil" if waited == 1 else f"{waited} días hábiles"
        )
    else:
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


def replicas_for(user) -> QuerySet[Replica]:
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


def replica_for(user, pk) -> Replica:
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


def evaluation_of(replica: Replica):
    from sgu.provider.models import Evaluation

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
        return round(100 * self.done / self.total, 1) if self.total else 0.0

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


def my_trainings(user) -> QuerySet[Trainee]:
    """The replicas this person must confirm (the advisor's own list)."""
    return (
        Trainee.objects.filter(user=user)
        .exclude(replica__state=ReplicaState.PLANNED)
        .select_related("replica", "replica__requirement", "replica__article_version")
        .order_by("confirmed_at", "-replica__scheduled_for")
    )


def trainee_of(replica: Replica, user) -> Trainee | None:
    return Trainee.objects.filter(replica=replica, user=user).first()


def is_regulator(user) -> bool:
    return user.role in REGULATOR_ROLES


def is_cx(user) -> bool:
    return user.role in (Role.PROVIDER_CX_SUPERVISOR, Role.PROVIDER_COORDINATOR)


def open_steps_filter() -> Q:
    return Q(ended_at__isnull=True)
