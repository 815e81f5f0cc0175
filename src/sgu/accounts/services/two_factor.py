"""Two-factor authentication: TOTP devices, recovery codes, resets by an administrator."""

import contextlib
import hashlib
import secrets
from datetime import datetime

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from sgu.accounts import totp
from sgu.accounts.models import (
    OPERATOR_ROLES,
    PROVIDER_ROLES,
    REGULATOR_ROLES,
    RecoveryCode,
    TwoFactorDevice,
    User,
)
from sgu.accounts.services.login import _fail_keys, check_login_allowed
from sgu.core import audit, config
from sgu.core.errors import (
    Conflict,
    FieldError,
    ValidationFailed,
)
from sgu.core.ratelimit import RateLimited, hit

# --- two-factor authentication (TOTP with recovery codes) ---------------------------------

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off paper
SECOND_FACTOR_ROLES = REGULATOR_ROLES | OPERATOR_ROLES | PROVIDER_ROLES
WRONG_CODE = "El código no es correcto o ya fue usado. Revise la hora de su teléfono."


def second_factor_required(user: User) -> bool:
    """Regulator staff, administrators and operator users must use it; citizens may."""
    return user.role in SECOND_FACTOR_ROLES or user.is_staff or user.is_superuser


def confirmed_device(user: User) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).first()


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalise_recovery(code).encode()).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones; the plain codes are returned once."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{raw[:4]}-{raw[4:8]}-{raw[8:]}")
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes]
    )
    return codes


def _use_totp(*, device_id: int, code: str, confirmed: bool = True) -> int | None:
    """Accept a TOTP code once: the step is stored under a row lock, so the same code sent
    twice at the same moment is accepted only once."""

    with transaction.atomic():
        device = (
            TwoFactorDevice.objects.select_for_update()
            .filter(pk=device_id, confirmed_at__isnull=not confirmed)
            .first()
        )
        if device is None:
            return None
        step = totp.matching_step(device.secret, code, last_step=device.last_used_step)
        if step is None:
            return None
        device.last_used_step = step
        device.save(update_fields=["last_used_step"])
    return step


def _use_recovery_code(*, user: User, code: str, now: datetime) -> bool:
    if len(_normalise_recovery(code)) != 12:
        return False
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_recovery_hash(code), used_at__isnull=True
    ).update(used_at=now)  # one UPDATE: two requests with the same code cannot both win
    return used == 1


def second_factor_failed(
    *, user: User, ip: str | None, request: HttpRequest | None = None, channel: str = "web"
) -> None:
    """A wrong code counts like a wrong password (same lockout per account and per IP)."""
    window = config.integer("LOGIN_LOCK_SECONDS")
    for key, _ in _fail_keys(user.email, ip):
        with contextlib.suppress(RateLimited):
            hit(key, limit=10**9, window=window)
    audit.record(
        "2fa.failed",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        data={"channel": channel},
    )


def start_two_factor_setup(*, user: User) -> TwoFactorDevice:
    """The device being set up: a new secret, or the one shown a moment ago (a reload of the
    page must not change the QR code the person is scanning)."""

    if confirmed_device(user) is not None:
        raise Conflict("La verificación en dos pasos ya está activa en su cuenta.")
    device, _ = TwoFactorDevice.objects.get_or_create(
        user=user, defaults={"secret": totp.new_secret()}
    )
    return device


def confirm_two_factor(
    *,
    user: User,
    code: str,
    ip: str | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> list[str]:
    """The first code from the app proves it was set up right: the device becomes active and
    the recovery codes are made. Returns them (shown once)."""

    now = now or timezone.now()
    check_login_allowed(email=user.email, ip=ip)
    device = TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise Conflict("Vuelva a empezar la configuración de la verificación en dos pasos.")
    if _use_totp(device_id=device.pk, code=code, confirmed=False) is None:
        second_factor_failed(user=user, ip=ip, request=request)
        raise ValidationFailed.of([FieldError("code", WRONG_CODE)])
    with transaction.atomic():
        TwoFactorDevice.objects.filter(pk=device.pk).update(confirmed_at=now)
        codes = _new_recovery_codes(user)
        audit.record("2fa.enrolled", actor=user, target=f"user:{user.pk}", request=request)
    return codes


def verify_second_factor(
    *,
    user: User,
    code: str,
    ip: str | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> str:
    """Check the code typed after the password: the app's 6 digits or a recovery code (used
    up). Returns "totp" or "recovery"; raises ValidationFailed (counted towards the lockout)
    or RateLimited while the account is locked."""

    now = now or timezone.now()
    check_login_allowed(email=user.email, ip=ip)
    device = confirmed_device(user)
    if device is None:
        raise Conflict("Su cuenta no tiene activa la verificación en dos pasos.")
    cleaned = "".join((code or "").split())
    if not cleaned:
        raise ValidationFailed.of(
            [FieldError("code", "Ingrese el código de su aplicación o un código de recuperación.")]
        )
    if cleaned.isdigit() and len(cleaned) == 6:
        if _use_totp(device_id=device.pk, code=cleaned) is not None:
            return "totp"
    elif _use_recovery_code(user=user, code=cleaned, now=now):
        audit.record(
            "2fa.recovery_code_used",
            actor=user,
            target=f"user:{user.pk}",
            request=request,
            data={"remaining": remaining_recovery_codes(user)},
        )
        return "recovery"
    second_factor_failed(user=user, ip=ip, request=request)
    raise ValidationFailed.of([FieldError("code", WRONG_CODE)])


def remaining_recovery_codes(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def regenerate_recovery_codes(
    *, user: User, code: str, ip: str | None = None, request: HttpRequest | None = None
) -> list[str]:
    """New recovery codes (the old ones stop working), after a current code."""

    verify_second_factor(user=user, code=code, ip=ip, request=request)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(
            "2fa.recovery_codes_regenerated", actor=user, target=f"user:{user.pk}", request=request
        )
    return codes


def disable_two_factor(
    *, user: User, code: str, ip: str | None = None, request: HttpRequest | None = None
) -> None:
    """A citizen turns it off (with a current code). Staff cannot: it is required for them."""

    if second_factor_required(user):
        raise Conflict("La verificación en dos pasos es obligatoria para su cuenta.")
    verify_second_factor(user=user, code=code, ip=ip, request=request)
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record("2fa.disabled", actor=user, target=f"user:{user.pk}", request=request)


def end_sessions(*, user: User) -> int:
    """End every open web session of `user` (deactivation, a lost phone). Sessions are stored
    by key, not by user, so the live ones are read and decoded: an administrator's rare action,
    over sessions that last 8 hours at most. Returns how many ended."""

    mine = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=mine).delete()
    return len(mine)


@transaction.atomic
def reset_two_factor(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """An administrator removes a person's device (lost phone and codes): at the next login
    the person sets it up again. Sessions already verified with the lost device end."""

    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    end_sessions(user=user)
    audit.record(
        "2fa.disabled",
        actor=by,
        target=f"user:{user.pk}",
        request=request,
        data={"reset_by_admin": True},
    )


def enrol_known_secret(*, user: User, secret: str, now: datetime | None = None) -> None:
    """Demo data and tests: an already-confirmed device with a known secret."""
    TwoFactorDevice.objects.update_or_create(
        user=user,
        defaults={"secret": secret, "confirmed_at": now or timezone.now(), "last_used_step": None},
    )
