"""Writes of the reporting app: the daily consolidated report, and the rows and state of the
statistics' rollups (reporting.rollups computes them)."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from sgu.accounts.models import Role, User
from sgu.cases.models import Case, Claim, Solution
from sgu.cases.policies import claim_code_late_q
from sgu.cases.workflow import State
from sgu.catalog.models import Operator
from sgu.core.calendar import LIMA
from sgu.notifications.services import queue_email
from sgu.reporting.models import CaseDayStat, DailyReport, ResponseDayStat, RollupState

DAILY_HEADERS = [
    "operadora",
    "casos_ingresados",
    "respondidos",
    "vencidos_ahora",
    "reclamos",
    # Claims whose code plazo ended that day and whose code came late or has not come: the
    # regulator sees late claim codes, not only the operator.
    "codigos_reclamo_tardios",
]
DAILY_HOUR = time(6, 0)  # generated from 06:00 Lima for the day before


def _day_range(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=LIMA)
    return start, start + timedelta(days=1)


def daily_rows(day: date, now: datetime) -> list[list[str | int]]:
    """Per operator: cases registered that day, answered that day, overdue at `now`, claims
    requested that day, claim codes due that day and late. Five GROUP BY queries."""

    start, end = _day_range(day)
    came = dict(
        Case.objects.filter(registered_at__gte=start, registered_at__lt=end)
        .values_list("operator__code")
        .annotate(n=Count("id"))
    )
    answered = dict(
        Solution.objects.filter(recorded_at__gte=start, recorded_at__lt=end)
        .values_list("case__operator__code")
        .annotate(n=Count("id"))
    )
    overdue = dict(
        Case.objects.filter(
            Q(state=State.OVERDUE)
            | Q(state__in=[State.FORWARDED, State.IN_PROGRESS], due_at__lt=now)
        )
        .values_list("operator__code")
        .annotate(n=Count("id"))
    )
    claims = dict(
        Claim.objects.filter(requested_at__gte=start, requested_at__lt=end)
        .values_list("operator__code")
        .annotate(n=Count("id"))
    )
    late_codes = dict(
        Claim.objects.filter(code_due_at__gte=start, code_due_at__lt=end)
        .filter(claim_code_late_q(now))
        .values_list("operator__code")
        .annotate(n=Count("id"))
    )
    return [
        [
            code,
            came.get(code, 0),
            answered.get(code, 0),
            overdue.get(code, 0),
            claims.get(code, 0),
            late_codes.get(code, 0),
        ]
        for code in Operator.objects.order_by("code").values_list("code", flat=True)
    ]


def generate_daily_report(*, day: date, now: datetime | None = None) -> tuple[DailyReport, bool]:
    """The report of `day`, once: a second call (another scheduler, a retry) returns the
    first. Supervisors are emailed in the same transaction."""

    now = now or timezone.now()
    existing = DailyReport.objects.filter(day=day).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            report = DailyReport.objects.create(
                day=day, generated_at=now, rows=daily_rows(day, now)
            )
            for email in User.objects.filter(
                role=Role.REGULATOR_SUPERVISOR, is_active=True
            ).values_list("email", flat=True):
                queue_email(
                    to=email,
                    template="daily_report",
                    context={"report": report, "headers": DAILY_HEADERS},
                )
    except IntegrityError:  # another scheduler made it first
        return DailyReport.objects.get(day=day), False
    return report, True


def daily_report_if_due(*, now: datetime | None = None) -> DailyReport | None:
    """The scheduler's call, every pass: from 06:00 Lima, yesterday's report if missing."""
    now = now or timezone.now()
    local = timezone.localtime(now, LIMA)
    if local.time() < DAILY_HOUR:
        return None
    report, created = generate_daily_report(day=local.date() - timedelta(days=1), now=now)
    return report if created else None


# --- the statistics' rollups (sgu.reporting.rollups computes them) -----------------------------


def clear_rollup_days(*, days: list[date] | None) -> None:
    """Delete the rollup rows of `days` (every day when None), about to be recomputed from the
    cases in the caller's transaction (rollups.refresh)."""
    stats, hist = CaseDayStat.objects.all(), ResponseDayStat.objects.all()
    if days is not None:
        stats, hist = stats.filter(day__in=days), hist.filter(day__in=days)
    stats.delete()
    hist.delete()


def insert_rollup_rows(*, model: type[Model], columns: list[str], rows: QuerySet[Any]) -> None:
    """INSERT INTO model (columns) SELECT … — the aggregate `rows` (rollups._rebuild) runs
    inside the database, in the caller's transaction."""
    sql, params = rows.query.sql_with_params()
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {model._meta.db_table} ({cols}) {sql}", params)


def lock_rollup_state() -> RollupState:
    """The one state row of the rollups (made the first time), locked until the caller's
    transaction ends: one refresh at a time."""
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def record_rollup_refresh(
    *, state: RollupState, started: datetime, full: bool, days: int, seconds: float
) -> None:
    """A refresh done (`days` recomputed, -1 for all of them): its start is the new watermark,
    and no refresh is waiting for a worker any more."""
    if full:
        state.full_at = started
    state.refreshed_at = started
    state.requested_at = None
    state.last_seconds = seconds
    state.last_days = days
    state.save()


def request_rollup_refresh(*, now: datetime) -> None:
    """A refresh was just enqueued (rollups.refresh_if_due): the scheduler does not enqueue
    another while this one waits for a worker."""
    RollupState.objects.update_or_create(pk=1, defaults={"requested_at": now})
