"""Logging in: failed attempts counted per account and per IP (lockout), successes audited."""

import contextlib
import hashlib

from django.http import HttpRequest

from sgu.accounts.models import (
    User,
)
from sgu.core import audit, config
from sgu.core.ratelimit import RateLimited, current, hit

# --- brute force: failed logins counted per account and per IP ---------------------------


def _fail_keys(email: str, ip: str | None) -> list[tuple[str, int]]:
    email_key = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    keys = [(f"login-fail:acct:{email_key}", config.integer("LOGIN_MAX_FAILURES_ACCOUNT"))]
    if ip:
        keys.append((f"login-fail:ip:{ip}", config.integer("LOGIN_MAX_FAILURES_IP")))
    return keys


def check_login_allowed(*, email: str, ip: str | None = None) -> None:
    """Refuse (429) while an account or an address has too many recent failures — before
    the password is even checked, so a locked account cannot be probed."""

    window = config.integer("LOGIN_LOCK_SECONDS")
    for key, limit in _fail_keys(email, ip):
        count, retry = current(key, window=window)
        if count >= limit:
            minutes = max(1, round(retry / 60))
            raise RateLimited(
                "Demasiados intentos fallidos. Por su seguridad, espere "
                f"{minutes} minuto{'s' if minutes != 1 else ''} e intente de nuevo, o "
                "recupere su contraseña.",
                retry,
            )


def login_failed(*, email: str, ip: str | None = None, request: HttpRequest | None = None) -> None:
    window = config.integer("LOGIN_LOCK_SECONDS")
    for key, _ in _fail_keys(email, ip):
        # Only counts the failure: the limit is checked before authenticating.
        with contextlib.suppress(RateLimited):
            hit(key, limit=10**9, window=window)
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    audit.record(
        "login.failed",
        actor=user,
        target=f"user:{user.pk}" if user else "",
        request=request,
        data={"email": (email or "")[:254]},
    )


def login_succeeded(
    *, user: User, request: HttpRequest | None = None, channel: str = "web"
) -> None:

    audit.record(
        "login", actor=user, target=f"user:{user.pk}", request=request, data={"channel": channel}
    )
