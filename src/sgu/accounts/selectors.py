from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from sgu.accounts.models import (
    ApiToken,
    CorrectionRequest,
    OperatorApiKey,
    Role,
    TwoFactorDevice,
    User,
)
from sgu.accounts.services import token_hash
from sgu.catalog.models import Operator
from sgu.core import reference, rows
from sgu.core.calendar import iso


def live_token(raw: str) -> ApiToken | None:
    """The live (unexpired, unrevoked) bearer token with this value, of an active user.
    Reads only: the caller records its use (accounts.auth, services.record_credential_use)."""
    if not raw or len(raw) > 200:
        return None
    # Every API request reads it: one hand-written statement (core.rows), not a compiled
    # queryset, whose compilation cost more CPU than the query (docs/benchmarks.md).
    return rows.one_with_related(
        ApiToken,
        "user",
        "a.token_hash = %s AND a.revoked_at IS NULL AND a.expires_at > %s AND b.is_active = %s",
        [token_hash(raw), timezone.now(), True],
        # The reference data's stamp, which the request will need, in the same round trip.
        along=reference.read_along(),
    )


def operator_key(raw: str) -> OperatorApiKey | None:
    """The live API key with this value, with its (active) operator. Reads only."""
    if not raw or len(raw) > 200:
        return None
    return rows.one_with_related(  # every operator API request: as live_token
        OperatorApiKey,
        "operator",
        "a.key_hash = %s AND a.revoked_at IS NULL AND b.active = %s",
        [token_hash(raw), True],
        along=reference.read_along(),
    )


def citizen_by_document(document_type: str, document_number: str) -> User | None:
    return User.objects.filter(
        role="CITIZEN", document_type=document_type, document_number=document_number
    ).first()


def operator_keys(operator: Operator) -> list[OperatorApiKey]:
    return list(OperatorApiKey.objects.filter(operator=operator).order_by("-created_at", "-id"))


def personal_data(user: User) -> dict[str, Any]:
    """What the accounts keep about a person (Ley 29733): profile, consent and correction
    requests. The whole download, cases included, is cases.selectors.personal_data."""

    corrections = CorrectionRequest.objects.filter(user=user).order_by("created_at", "id")
    return {
        "generated_at": iso(timezone.now()),
        "profile": {
            "email": user.email,
            "email_verified_at": iso(user.email_verified_at),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "document_type": user.document_type,
            "document_number": user.document_number,
            "phone": user.phone,
            "date_joined": iso(user.date_joined),
            "last_login": iso(user.last_login),
            "two_factor_enabled": TwoFactorDevice.objects.filter(
                user=user, confirmed_at__isnull=False
            ).exists(),
        },
        "consent": {
            "given_at": iso(user.consent_at),
            "text_version": user.consent_version,
            "channel": user.consent_channel,
        },
        "correction_requests": [
            {
                "field": c.field,
                "requested_value": c.requested_value,
                "note": c.note,
                "created_at": iso(c.created_at),
                "status": c.status,
                "response": c.response,
            }
            for c in corrections
        ],
    }


def correction_requests(*, pending: bool) -> QuerySet[CorrectionRequest]:
    """For regulator staff: the pending ones oldest first, or the handled ones newest first."""

    qs = CorrectionRequest.objects.select_related("user", "handled_by")
    if pending:
        return qs.filter(status=CorrectionRequest.Status.PENDING).order_by("created_at", "id")
    return qs.exclude(status=CorrectionRequest.Status.PENDING).order_by("-handled_at", "-id")


def operator_admins(operator: Operator) -> list[User]:
    """Who an agent asks when a page is for the operator's administrators."""
    return list(
        User.objects.filter(operator=operator, role=Role.OPERATOR_ADMIN, is_active=True)
        .only("id", "email", "first_name", "last_name")
        .order_by("last_name", "first_name", "id")
    )
