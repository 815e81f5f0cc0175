"""Password reset by an emailed single-use link."""

import hashlib
from datetime import datetime

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from sgu.accounts.models import (
    ApiToken,
    User,
)
from sgu.accounts.services.login import _fail_keys
from sgu.core import audit
from sgu.core.errors import (
    ErrorCollector,
    FieldError,
    ValidationFailed,
)
from sgu.core.models import RateCounter
from sgu.core.ratelimit import RateLimited, hit
from sgu.notifications.services import queue_email

# --- password reset by email --------------------------------------------------------------

RESET_EMAILS_PER_HOUR = 3


def _reset_link(user: User) -> str:

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"/cuenta/recuperar/{uid}/{token}/"


def request_password_reset(
    *, email: str, ip: str | None = None, request: HttpRequest | None = None
) -> None:
    """Send a reset link if an active account has this email. The caller answers the same
    whether it exists or not; at most 3 emails an hour per address (no mail bombing)."""
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed.of(
            [FieldError("email", "Ingrese un correo electrónico válido.")]
        ) from None
    try:
        digest = hashlib.sha256(email.encode()).hexdigest()[:32]
        hit(f"pwreset:{digest}", limit=RESET_EMAILS_PER_HOUR, window=3600)
    except RateLimited:
        return
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        return
    with transaction.atomic():
        queue_email(
            to=user.email,
            template="password_reset",
            context={
                "user": user,
                "path": _reset_link(user),
                "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
            },
        )
        audit.record(
            "password_reset.requested", actor=user, target=f"user:{user.pk}", request=request
        )


def password_reset_user(uidb64: str, token: str) -> User | None:
    """The account a reset link is for, while the link is valid (unused and unexpired)."""

    try:
        pk = int(urlsafe_base64_decode(uidb64 or "").decode())
    except (ValueError, TypeError, UnicodeDecodeError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token or ""):
        return None
    return user


INVALID_RESET_LINK = "El enlace no es válido, ya fue usado o venció. Pida uno nuevo."


@transaction.atomic
def reset_password(
    *,
    uidb64: str,
    token: str,
    password: str,
    password_confirmation: str,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> User:
    """Set a new password from a reset link. The link stops working (the token covers the
    password hash), every other session ends (their auth hash no longer matches) and every
    API token is revoked."""

    now = now or timezone.now()
    user = password_reset_user(uidb64, token)
    if user is None:
        raise ValidationFailed.of([FieldError("token", INVALID_RESET_LINK)])
    errors = ErrorCollector()
    try:
        validate_password(password or "", user=user)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add("password", message)
    if password != password_confirmation:
        errors.add("password_confirmation", "Las contraseñas no coinciden.")
    errors.raise_if_any()
    user.set_password(password)
    user.save(update_fields=["password"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
    # The lockout said "recupere su contraseña": having done so, the account may log in.
    RateCounter.objects.filter(key=_fail_keys(user.email, None)[0][0]).delete()
    audit.record(
        "password_reset.completed",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        data={"api_tokens_revoked": revoked},
    )
    queue_email(to=user.email, template="password_changed", context={"user": user, "now": now})
    return user
