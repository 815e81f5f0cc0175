"""Reads of the operator integration, always scoped to one operator."""

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from sgu.accounts.models import User
from sgu.catalog.models import Operator
from sgu.core.errors import NotFound
from sgu.operators.models import (
    OperatorInvitation,
    OwnChannels,
    ScopeThreshold,
    SubscriberCount,
    WebhookDelivery,
    WebhookEndpoint,
)


def webhook_of(operator) -> WebhookEndpoint | None:
    return WebhookEndpoint.objects.filter(operator=operator).first()


def deliveries(operator, limit: int = 50) -> list[WebhookDelivery]:
    return list(WebhookDelivery.objects.filter(operator=operator).order_by("-id")[:limit])


def delivery(operator, delivery_id: int) -> WebhookDelivery:
    found = (
        WebhookDelivery.objects.filter(operator=operator, pk=delivery_id)
        .prefetch_related("attempt_log")
        .first()
    )
    if found is None:
        raise NotFound("No existe esa entrega.")
    return found


# --- the operator's staff ----------------------------------------------------------------------


def staff(operator) -> list:
    """The operator's agents and administrators: active ones first."""

    return list(
        User.objects.filter(operator=operator, role__in=("OPERATOR_AGENT", "OPERATOR_ADMIN"))
        .only("id", "email", "first_name", "last_name", "role", "is_active", "last_login")
        .order_by("-is_active", "last_name", "first_name", "id")
    )


def pending_invitations(operator, now=None) -> list:

    return list(
        OperatorInvitation.objects.filter(
            operator=operator,
            accepted_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        ).select_related("invited_by")
    )


# --- scope (instructivo point ii) ---------------------------------------------------------------


def scope_threshold(day: date) -> int:
    """Bound with *more than* this many subscribers on `day` (the regulator's row in force,
    else the setting)."""
    row = (
        ScopeThreshold.objects.filter(valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("subscribers", flat=True)
        .first()
    )
    return int(row if row is not None else settings.SGU["SCOPE_MIN_SUBSCRIBERS"])


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


def is_bound(operator, day: date) -> bool:
    return operator.pk in bound_operator_ids(day, [operator.pk])


def subscribers_on(operator, day: date) -> int | None:
    return (
        SubscriberCount.objects.filter(operator=operator, valid_from__lte=day)
        .order_by("-valid_from")
        .values_list("subscribers", flat=True)
        .first()
    )


def own_channels_text(operator) -> str:
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


def scope_refusal(operator, day: date) -> str | None:
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


def scope_rows(day: date) -> list[dict]:
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
