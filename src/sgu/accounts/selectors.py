from datetime import datetime

from django.utils import timezone

from sgu.accounts.models import ApiToken, OperatorApiKey, User
from sgu.accounts.services import LAST_USED_EVERY, token_hash, touch_last_used


def _stale(last_used_at: datetime | None, now: datetime) -> bool:
    # The row was just read: when it says "used less than a minute ago" the UPDATE in
    # touch_last_used would match nothing, so skip the round trip (hot path: every request).
    return last_used_at is None or last_used_at <= now - LAST_USED_EVERY


def user_for_token(raw: str) -> User | None:
    """The active user behind a live (unexpired, unrevoked) bearer token."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(
            token_hash=token_hash(raw),
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if token is None:
        return None
    if _stale(token.last_used_at, now):
        touch_last_used(ApiToken, token.pk, now)
    return token.user


def operator_key(raw: str) -> OperatorApiKey | None:
    """The live API key with this value, with its (active) operator."""
    if not raw or len(raw) > 200:
        return None
    now = timezone.now()
    key = (
        OperatorApiKey.objects.select_related("operator")
        .filter(key_hash=token_hash(raw), revoked_at__isnull=True, operator__active=True)
        .first()
    )
    if key is None:
        return None
    if _stale(key.last_used_at, now):
        touch_last_used(OperatorApiKey, key.pk, now)
    return key


def citizen_by_document(document_type: str, document_number: str) -> User | None:
    return User.objects.filter(
        role="CITIZEN", document_type=document_type, document_number=document_number
    ).first()


def operator_keys(operator) -> list[OperatorApiKey]:
    return list(OperatorApiKey.objects.filter(operator=operator).order_by("-created_at", "-id"))
