"""Reads of the operator integration, always scoped to one operator."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from sgu.accounts.models import User
from sgu.catalog.models import Operator, OperatorInfoKind
from sgu.core import config, reference
from sgu.core.errors import FieldError, NotFound, ValidationFailed
from sgu.operators.models import (
    InfoItem,
    InfoList,
    OperatorInvitation,
    OwnChannels,
    ScopeThreshold,
    StaffDutyAssignment,
    SubscriberCount,
    WebhookDelivery,
    WebhookEndpoint,
)


def webhook_of(operator: Operator) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(operator=operator).first()


def deliveries(operator: Operator, limit: int = 50) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(operator=operator).order_by("-id")[:limit])


def delivery(operator: Operator, delivery_id: int) -> WebhookDelivery:
    found = (
        WebhookDelivery.objects.filter(operator=operator, pk=delivery_id)
        .prefetch_related("attempt_log")
        .first()
    )
    if found is None:
        raise NotFound("No existe esa entrega.")
    return found


# --- the operator's staff ---------


def staff(operator: Operator) -> list[User]:
    """The operator's agents and administrators: active ones first."""

    return list(
        User.objects.filter(operator=operator, role__in=("OPERATOR_AGENT", "OPERATOR_ADMIN"))
        .only("id", "email", "first_name", "last_name", "role", "is_active", "last_login")
        .order_by("-is_active", "last_name", "first_name", "id")
    )


def pending_invitations(
    operator: Operator, now: datetime | None = None
) -> list[OperatorInvitation]:

    return list(
        OperatorInvitation.objects.filter(
            operator=operator,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        ).select_related("invited_by")
    )


# --- duties (StaffDuty) ---------


def duties_of(user: User | AnonymousUser | None) -> set[str]:
    """The duties of an active member of an operator's staff (empty for anyone else)."""

    if user is None or not getattr(user, "is_operator_staff", False) or not user.is_active:
        return set()
    return set(StaffDutyAssignment.objects.filter(user=user).values_list("duty", flat=True))


def has_duty(user: User | AnonymousUser | None, duty: str) -> bool:
    return duty in duties_of(user)


def duty_holders(operator: Operator, duty: str) -> list[User]:
    """The active people of `operator` who hold `duty`, by name (for "who can" messages)."""

    return list(
        User.objects.filter(
            operator=operator,
            role__in=("OPERATOR_AGENT", "OPERATOR_ADMIN"),
            is_active=True,
            operator_duties__duty=duty,
        )
        .only("id", "email", "first_name", "last_name")
        .order_by("last_name", "first_name", "id")
    )


def duties_by_member(operator: Operator) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    rows = StaffDutyAssignment.objects.filter(user__operator=operator).values_list(
        "user_id", "duty"
    )
    for user_id, duty in rows:
        out.setdefault(user_id, set()).add(duty)
    return out


# --- the operator's information for the citizen's form ---------------------------------------


def _valid_on(day: date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def current_lists(operator: Operator, now: datetime | None = None) -> dict[str, InfoList | None]:
    """Each kind's version valid today for `operator` (the highest version number wins where
    two overlap), with its items; None where there is none."""
    day = timezone.localdate(now or timezone.now())
    rows = (
        InfoList.objects.filter(operator=operator)
        .filter(_valid_on(day))
        .order_by("kind", "-version")
        .prefetch_related(Prefetch("items", queryset=InfoItem.objects.order_by("position")))
    )
    found: dict[str, InfoList | None] = dict.fromkeys(OperatorInfoKind.values)
    for row in rows:
        if found[row.kind] is None:
            found[row.kind] = row
    return found


def current_names(operator: Operator | None, kind: str, now: datetime | None = None) -> list[str]:
    """The names the citizen's form offers for one kind: the operator's current version."""
    if operator is None:
        return []
    day = timezone.localdate(now or timezone.now())
    row = (
        InfoList.objects.filter(operator=operator, kind=kind)
        .filter(_valid_on(day))
        .order_by("-version")
        .first()
    )
    if row is None:
        return []
    return list(row.items.order_by("position").values_list("name", flat=True))


def info_versions(operator: Operator, kind: str, limit: int = 50) -> list[InfoList]:
    """One operator's versions of one list, newest first (only its own: `operator` scopes)."""
    if kind not in OperatorInfoKind.values:
        raise NotFound("No existe esa lista.")
    return list(
        InfoList.objects.filter(operator=operator, kind=kind)
        .select_related("created_by")
        .prefetch_related(Prefetch("items", queryset=InfoItem.objects.order_by("position")))
        .order_by("-version")[:limit]
    )


def info_version(operator: Operator, kind: str, version: int) -> InfoList:
    row = (
        InfoList.objects.filter(operator=operator, kind=kind, version=version)
        .prefetch_related(Prefetch("items", queryset=InfoItem.objects.order_by("position")))
        .first()
    )
    if row is None:
        raise NotFound("No existe esa versión de la lista.")
    return row


def stale_days_default() -> int:
    return config.integer("OPERATOR_INFO_STALE_DAYS", 90)


STALE_DAYS_MIN, STALE_DAYS_MAX = 1, 3650
STALE_DAYS_MESSAGE = f"Indique una antigüedad de {STALE_DAYS_MIN} a {STALE_DAYS_MAX} días."


def checked_stale_days(value: str | int | None) -> int:
    """The age past which a list is stale: the configured one, or the one the regulator asks
    for (1 to 3650 days), the same refusal on the web and the API."""
    if value is None or value == "":
        return stale_days_default()
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = 0
    if not STALE_DAYS_MIN <= days <= STALE_DAYS_MAX:
        raise ValidationFailed.of([FieldError("stale_days", STALE_DAYS_MESSAGE)])
    return days


@dataclass(frozen=True)
class KindFreshness:
    kind: str
    label: str
    last_updated: datetime | None
    current_items: int
    stale: bool  # missing, expired, or not replaced for longer than the configured age


@dataclass(frozen=True)
class OperatorFreshness:
    operator: Operator
    last_updated: datetime | None
    kinds: list[KindFreshness]

    @property
    def stale(self) -> bool:
        return any(k.stale for k in self.kinds)

    @property
    def stale_kinds(self) -> list[str]:
        return [k.label for k in self.kinds if k.stale]


def info_freshness(
    now: datetime | None = None, stale_days: int | None = None
) -> list[OperatorFreshness]:
    """For the regulator: when each active operator last replaced each of its lists, how many
    items are current, and which lists are stale. Stale operators first."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    days = stale_days if stale_days is not None else stale_days_default()
    limit = now - timedelta(days=days)
    last = {
        (r["operator_id"], r["kind"]): r["at"]
        for r in InfoList.objects.values("operator_id", "kind").annotate(at=Max("created_at"))
    }
    counts: dict[tuple[int, str], int] = {}
    seen: set[tuple[int, str]] = set()
    for row in (
        InfoList.objects.filter(_valid_on(day))
        .annotate(n=Count("items"))
        .order_by("operator_id", "kind", "-version")
        .values("operator_id", "kind", "n")
    ):
        key = (row["operator_id"], row["kind"])
        if key not in seen:  # the highest current version of each list
            seen.add(key)
            counts[key] = row["n"]
    out = []
    for op in Operator.objects.filter(active=True).order_by("name"):
        kinds = []
        for kind in OperatorInfoKind:
            at = last.get((op.pk, kind.value))
            n = counts.get((op.pk, kind.value), 0)
            kinds.append(
                KindFreshness(
                    kind=kind.value,
                    label=kind.label,
                    last_updated=at,
                    current_items=n,
                    stale=at is None or at < limit or n == 0,
                )
            )
        dated = [k.last_updated for k in kinds if k.last_updated is not None]
        out.append(OperatorFreshness(op, max(dated) if dated else None, kinds))
    out.sort(key=lambda f: (not f.stale, f.operator.name))
    return out


# --- scope (instructivo point ii) ---------------------------------------------------------------


def scope_threshold(day: date) -> int:
    """Bound with *more than* this many subscribers on `day` (the regulator's row in force,
    else the setting), from the scope figures each process keeps under the reference stamp."""
    _, thresholds = reference.cached("operators.scope", _scope_figures)
    threshold = _in_force(thresholds, day)
    return threshold if threshold is not None else config.integer("SCOPE_MIN_SUBSCRIBERS")


def bound_operator_ids(day: date, operator_ids: Iterable[int] | None = None) -> set[int]:
    """The operators bound by the SGU and the daily report on `day`, in two queries whatever
    their number: the count in force for each (latest valid from that day or before) above
    the threshold in force. An operator with no count recorded is bound: the regulator has
    not said otherwise, and a citizen is not turned away on a missing figure."""
    operators = Operator.objects.all()
    if operator_ids is not None:
        operators = operators.filter(pk__in=list(operator_ids))
    latest = SubscriberCount.objects.filter(operator=OuterRef("pk"), valid_from__lte=day).order_by(
        "-valid_from"
    )
    rows = operators.annotate(subscribers=Subquery(latest.values("subscribers")[:1])).values_list(
        "pk", "subscribers"
    )
    threshold = scope_threshold(day)
    return {pk for pk, n in rows if n is None or n > threshold}


def is_bound(operator: Operator, day: date) -> bool:
    """The same rule as bound_operator_ids for one operator already in hand: its count in force
    above the threshold in force, from the scope figures each process keeps under the
    reference stamp (core.reference; the admin bumps it): intake reads no table for it."""
    counts, _ = reference.cached("operators.scope", _scope_figures)
    subscribers = _in_force(counts.get(operator.pk, ()), day)
    return subscribers is None or subscribers > scope_threshold(day)


# Each history newest first: (valid_from, subscribers).
History = tuple[tuple[date, int], ...]


def _scope_figures() -> tuple[dict[int, History], History]:
    counts: dict[int, list[tuple[date, int]]] = {}
    for operator_id, valid_from, n in SubscriberCount.objects.order_by(
        "operator_id", "-valid_from"
    ).values_list("operator_id", "valid_from", "subscribers"):
        counts.setdefault(operator_id, []).append((valid_from, n))
    thresholds = tuple(
        ScopeThreshold.objects.order_by("-valid_from").values_list("valid_from", "subscribers")
    )
    return {k: tuple(v) for k, v in counts.items()}, thresholds


def _in_force(history: History, day: date) -> int | None:
    return next((n for valid_from, n in history if valid_from <= day), None)


def own_channels_text(operator: Operator) -> str:
    """The operator's own attention channels, in words, for the citizen turned away."""
    channels = OwnChannels.objects.filter(operator=operator).first()
    parts = []
    if channels is not None:
        if channels.web:
            parts.append(f"su página web {channels.web}")
        if channels.phone:
            parts.append(f"su teléfono de atención {channels.phone}")
        if channels.offices:
            parts.append(f"sus oficinas ({channels.offices})")
    if not parts:
        return "sus propios canales de atención (oficinas, teléfono o página web)"
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " o " + parts[-1]


def scope_refusal(operator: Operator, day: date) -> str | None:
    """Why a case cannot go to this operator through the SGU (None when it can)."""
    if is_bound(operator, day):
        return None
    return (
        f"{operator.name} no está obligada a atender por el SGU: no supera los "
        f"{thousands(scope_threshold(day))} abonados a nivel nacional. Presente su problema "
        f"directamente a {operator.name} por {own_channels_text(operator)}; si no le "
        "responde o no está conforme, puede presentar un reclamo ante ella."
    )


def thousands(n: int) -> str:
    """500000 → «500 000» (the thin grouping Peru's official documents use)."""
    return f"{n:,}".replace(",", " ")


class ScopeRow(TypedDict):
    operator: Operator
    subscribers: int | None  # the count in force; None when none was recorded
    counted_from: date | None
    bound: bool


def scope_rows(day: date) -> list[ScopeRow]:
    """Every operator with its count in force, the threshold and whether it is bound (the
    regulator's page)."""
    threshold = scope_threshold(day)
    latest = SubscriberCount.objects.filter(operator=OuterRef("pk"), valid_from__lte=day).order_by(
        "-valid_from"
    )
    rows = Operator.objects.annotate(
        subscribers=Subquery(latest.values("subscribers")[:1]),
        counted_from=Subquery(latest.values("valid_from")[:1]),
    ).order_by("name")
    return [
        {
            "operator": op,
            "subscribers": op.subscribers,
            "counted_from": op.counted_from,
            "bound": op.subscribers is None or op.subscribers > threshold,
        }
        for op in rows
    ]
