"""Reads of the operator integration, always scoped to one operator."""

from django.utils import timezone

from sgu.accounts.models import User
from sgu.core.errors import NotFound
from sgu.operators.models import (
    OperatorInvitation,
    StaffDutyAssignment,
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


# --- the operator's staff ---------


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


# --- duties (StaffDuty) ---------


def duties_of(user) -> set[str]:
    """The duties of an active member of an operator's staff (empty for anyone else)."""

    if user is None or not getattr(user, "is_operator_staff", False) or not user.is_active:
        return set()
    return set(StaffDutyAssignment.objects.filter(user=user).values_list("duty", flat=True))


def has_duty(user, duty: str) -> bool:
    return duty in duties_of(user)


def duty_holders(operator, duty: str) -> list:
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


def duties_by_member(operator) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    rows = StaffDutyAssignment.objects.filter(user__operator=operator).values_list(
        "user_id", "duty"
    )
    for user_id, duty in rows:
        out.setdefault(user_id, set()).add(duty)
    return out
