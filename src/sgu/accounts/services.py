"""Every write about people and credentials."""

import contextlib
import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from sgu.accounts import totp
from sgu.accounts.models import (
    OPERATOR_ROLES,
    PROVIDER_ROLES,
    REGULATOR_ROLES,
    ApiToken,
    CorrectionRequest,
    EmailToken,
    OperatorApiKey,
    RecoveryCode,
    Role,
    TwoFactorDevice,
    User,
)
from sgu.core import audit
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    NotFound,
    Unauthorized,
    ValidationFailed,
)
from sgu.core.identity import InvalidValue, normalize_document, normalize_mobile
from sgu.core.models import RateCounter
from sgu.core.ratelimit import RateLimited, current, hit
from sgu.notifications.services import queue_email

CONSENT_TEXT = (
    "Autorizo al regulador a tratar mis datos personales (documento, nombres, correo y "
    "celular) solo para atender los problemas que reporte y a compartirlos con la operadora "
    "involucrada, conforme a la Ley 29733 de Protección de Datos Personales."
)


def token_hash(raw: str) -> str:
    # Tokens are 256-bit random values: a plain SHA-256 is enough to store them safely.
    return hashlib.sha256(raw.encode()).hexdigest()


def _clean_person(
    errors: ErrorCollector,
    *,
    document_type: str,
    document_number: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
) -> dict:
    data: dict = {}
    try:
        doc = normalize_document(document_type, document_number)
        data["document_type"], data["document_number"] = doc.type, doc.number
    except InvalidValue as exc:
        field = "document_type" if "Tipo de documento" in str(exc) else "document_number"
        errors.add(field, str(exc))
    for field, value, label in (
        ("first_name", first_name, "sus nombres"),
        ("last_name", last_name, "sus apellidos"),
    ):
        value = " ".join((value or "").split())
        if not value:
            errors.add(field, f"Ingrese {label}.")
        elif len(value) > 150:
            errors.add(field, "Admite hasta 150 caracteres.")
        data[field] = value
    email = (email or "").strip().lower()
    try:
        validate_email(email)
        data["email"] = email
    except DjangoValidationError:
        errors.add("email", "Ingrese un correo electrónico válido.")
    try:
        data["phone"] = normalize_mobile(phone)
    except InvalidValue as exc:
        errors.add("phone", str(exc))
    return data


@transaction.atomic
def register_citizen(
    *,
    document_type: str,
    document_number: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    password: str,
    consent: bool,
    consent_channel: str = "WEB",
    password_confirmation: str | None = None,
    now: datetime | None = None,
) -> User:
    """Create a citizen's account and send the confirmation email.

    `password_confirmation` (the web form's second password box) is checked with every other
    datum, so a person sees all the errors at once.
    """
    now = now or timezone.now()
    errors = ErrorCollector()
    data = _clean_person(
        errors,
        document_type=document_type,
        document_number=document_number,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )
    if consent is not True:
        errors.add("consent", "Debe aceptar el tratamiento de sus datos personales para continuar.")
    candidate = User(
        email=data.get("email", ""),
        first_name=data.get("first_name", ""),
        last_name=data.get("last_name", ""),
    )
    try:
        validate_password(password or "", user=candidate)
    except DjangoValidationError as exc:
        for message in exc.messages:
            errors.add("password", message)
    if password_confirmation is not None and password_confirmation != password:
        errors.add("password_confirmation", "Las contraseñas no coinciden.")
    errors.raise_if_any()

    duplicates = []
    if User.objects.filter(email__iexact=data["email"]).exists():
        duplicates.append(FieldError("email", "Ya existe una cuenta con este correo."))
    if User.objects.filter(
        role=Role.CITIZEN,
        document_type=data["document_type"],
        document_number=data["document_number"],
    ).exists():
        duplicates.append(FieldError("document_number", "Ya existe una cuenta con este documento."))
    if duplicates:
        raise Conflict(duplicates[0].message, duplicates)
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=data["email"],
                password=password,
                role=Role.CITIZEN,
                first_name=data["first_name"],
                last_name=data["last_name"],
                document_type=data["document_type"],
                document_number=data["document_number"],
                phone=data["phone"],
                consent_at=now,
                consent_version=settings.SGU["CONSENT_VERSION"],
                consent_channel=consent_channel,
            )
    except IntegrityError:
        # Two registrations racing for the same email/document: the other one won.
        raise Conflict("Ya existe una cuenta con este correo o documento.") from None
    send_confirmation_email(user=user, now=now)
    return user


def send_confirmation_email(*, user: User, now: datetime | None = None) -> None:

    now = now or timezone.now()
    raw = secrets.token_urlsafe(32)
    EmailToken.objects.create(
        user=user,
        purpose=EmailToken.Purpose.CONFIRM_EMAIL,
        token_hash=token_hash(raw),
        expires_at=now + timedelta(hours=settings.SGU["EMAIL_TOKEN_HOURS"]),
    )
    queue_email(
        to=user.email,
        template="confirm_email",
        context={
            "user": user,
            "token": raw,
            "hours": settings.SGU["EMAIL_TOKEN_HOURS"],
        },
    )


@transaction.atomic
def confirm_email(*, token: str, now: datetime | None = None) -> User:
    """Use a confirmation token once. The cases waiting for it are forwarded by the flow
    that calls this one (cases.services.confirm_email), in the same transaction."""
    now = now or timezone.now()
    invalid = ValidationFailed.of(
        [FieldError("token", "El enlace de confirmación no es válido o ya fue usado.")]
    )
    if not token or len(token) > 200:
        raise invalid
    row = (
        EmailToken.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(token_hash=token_hash(token), purpose=EmailToken.Purpose.CONFIRM_EMAIL)
        .first()
    )
    if row is None or row.used_at is not None:
        raise invalid
    if row.expires_at <= now:
        raise ValidationFailed.of(
            [FieldError("token", "El enlace de confirmación venció; solicite uno nuevo.")]
        )
    row.used_at = now
    row.save(update_fields=["used_at"])
    user = row.user
    if user.email_verified_at is None:
        user.email_verified_at = now
        user.save(update_fields=["email_verified_at"])
    return user


def resend_confirmation(*, user: User) -> None:
    if user.email_verified:
        raise Conflict("Su correo ya está confirmado.")
    with transaction.atomic():
        send_confirmation_email(user=user)


# --- brute force: failed logins counted per account and per IP ---------------------------


def _fail_keys(email: str, ip: str | None) -> list[tuple[str, int]]:
    sgu = settings.SGU
    email_key = hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:32]
    keys = [(f"login-fail:acct:{email_key}", sgu["LOGIN_MAX_FAILURES_ACCOUNT"])]
    if ip:
        keys.append((f"login-fail:ip:{ip}", sgu["LOGIN_MAX_FAILURES_IP"]))
    return keys


def check_login_allowed(*, email: str, ip: str | None = None) -> None:
    """Refuse (429) while an account or an address has too many recent failures — before
    the password is even checked, so a locked account cannot be probed."""

    window = settings.SGU["LOGIN_LOCK_SECONDS"]
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


def login_failed(*, email: str, ip: str | None = None, request=None) -> None:
    window = settings.SGU["LOGIN_LOCK_SECONDS"]
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


def login_succeeded(*, user: User, request=None, channel: str = "web") -> None:

    audit.record(
        "login", actor=user, target=f"user:{user.pk}", request=request, data={"channel": channel}
    )


def issue_api_token(
    *,
    email: str,
    password: str,
    otp: str | None = None,
    now: datetime | None = None,
    ip: str | None = None,
    request=None,
) -> tuple[str, ApiToken]:
    """A bearer token for a citizen or a regulator staff member.

    Whoever must (staff) or chose to (citizens) use two-factor authentication sends the
    current code of their authenticator app as `otp`; staff who have not set it up yet are
    refused until they do so on the web. A wrong code counts as a failed login."""
    now = now or timezone.now()
    email = (email or "").strip().lower()
    check_login_allowed(email=email, ip=ip)
    user = authenticate(username=email, password=password or "")
    if user is None or not user.is_active or user.is_operator_staff:
        # Operator back-ends use API keys; staff of operators sign in on the web.
        login_failed(email=email, ip=ip, request=request)
        raise Unauthorized("Correo o contraseña incorrectos.")
    device = confirmed_device(user)
    if device is None and second_factor_required(user):
        raise Unauthorized(
            "Su cuenta debe usar la verificación en dos pasos: configúrela en la web "
            "(Ingresar) antes de pedir un token."
        )
    if device is not None:
        if not (otp or "").strip():
            raise Unauthorized(
                "Envíe en `otp` el código de 6 dígitos de su aplicación de autenticación."
            )
        if _use_totp(device_id=device.pk, code=otp) is None:
            second_factor_failed(user=user, ip=ip, request=request, channel="api")
            raise Unauthorized("El código de verificación no es correcto o ya fue usado.")
    login_succeeded(user=user, request=request, channel="api")
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        token_hash=token_hash(raw),
        expires_at=now + timedelta(hours=settings.SGU["API_TOKEN_HOURS"]),
    )
    return raw, token


def revoke_api_token(*, token: ApiToken, now: datetime | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])


@transaction.atomic
def create_operator_key(
    *, operator, name: str, created_by: User | None = None
) -> tuple[str, OperatorApiKey]:
    """A new key for an operator's back-end, and its audit record, in one transaction. The
    raw key is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed.of([FieldError("name", "Dé un nombre a la clave.")])
    raw = "sgu_" + secrets.token_urlsafe(32)
    key = OperatorApiKey.objects.create(
        operator=operator,
        name=name[:100],
        prefix=raw[:12],
        key_hash=token_hash(raw),
        created_by=created_by,
    )
    if created_by is not None:
        audit.record(
            "api_key.created",
            actor=created_by,
            target=f"api_key:{key.pk}",
            data={"operator": operator.code, "name": key.name, "prefix": key.prefix},
        )
    return raw, key


@transaction.atomic
def revoke_operator_key_of(*, operator, key_id: int, by: User, request=None) -> OperatorApiKey:
    """An operator administrator revokes one of its own operator's keys (404 otherwise).
    It stops working at once: every request looks the key up."""

    key = OperatorApiKey.objects.select_for_update().filter(operator=operator, pk=key_id).first()
    if key is None:
        raise NotFound("No existe esa clave.")
    if key.revoked_at is None:
        revoke_operator_key(key=key)
        audit.record(
            "api_key.revoked",
            actor=by,
            target=f"api_key:{key.pk}",
            request=request,
            data={"operator": operator.code, "name": key.name, "prefix": key.prefix},
        )
    return key


def revoke_operator_key(*, key: OperatorApiKey, now: datetime | None = None) -> None:
    if key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        key.save(update_fields=["revoked_at"])


LAST_USED_EVERY = timedelta(minutes=1)


def record_credential_use(
    credential: ApiToken | OperatorApiKey, *, now: datetime | None = None
) -> None:
    """Stamp a token's or key's last use, at most once a minute (every API request passes
    here: a row read less than a minute after its stamp costs no round trip)."""
    now = now or timezone.now()
    last = credential.last_used_at
    if last is not None and last > now - LAST_USED_EVERY:
        return
    type(credential).objects.filter(pk=credential.pk).exclude(
        last_used_at__gt=now - LAST_USED_EVERY
    ).update(last_used_at=now)


@transaction.atomic
def create_staff_user(
    *,
    email: str,
    password: str,
    role: str,
    first_name: str,
    last_name: str,
    operator=None,
    office=None,
    now: datetime | None = None,
) -> User:
    """A regulator or operator staff account (created by an administrator)."""
    if role == Role.CITIZEN:
        raise ValidationFailed.of([FieldError("role", "Use el registro de ciudadanos.")])
    if role in (Role.OPERATOR_AGENT, Role.OPERATOR_ADMIN) and operator is None:
        raise ValidationFailed.of([FieldError("operator", "Indique la operadora.")])
    return User.objects.create_user(
        email=email,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        operator=operator,
        office=office,
        is_staff=role == Role.REGULATOR_SUPERVISOR,
        email_verified_at=now or timezone.now(),
    )


ASSISTED_CHANNELS = ("PRESENCIAL", "TELEFONICO")


@transaction.atomic
def find_or_create_citizen_for_assisted(
    *,
    document_type: str,
    document_number: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    channel: str,
    now: datetime | None = None,
) -> tuple[User, bool]:
    """The citizen an orientador attends at an office or on the phone: found by document, or
    created on the spot. Returns (user, created).

    A new account gets no usable password (the citizen sets one later if they want the web),
    its consent recorded as read out and given through the agent (`consent_channel` = the
    channel), and the usual email to confirm the address: the case waits for it, as on the web.
    """
    now = now or timezone.now()
    errors = ErrorCollector()
    if channel not in ASSISTED_CHANNELS:
        errors.add("channel", "Canal no válido; use PRESENCIAL o TELEFONICO.")
    try:
        doc = normalize_document(document_type, document_number)
    except InvalidValue as exc:
        field = "document_type" if "Tipo de documento" in str(exc) else "document_number"
        errors.add(field, str(exc))
        doc = None
    errors.raise_if_any()
    existing = User.objects.filter(
        role=Role.CITIZEN, document_type=doc.type, document_number=doc.number
    ).first()
    if existing is not None:
        return existing, False

    data = _clean_person(
        errors,
        document_type=document_type,
        document_number=document_number,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
    )
    errors.raise_if_any()
    if User.objects.filter(email__iexact=data["email"]).exists():
        raise Conflict(
            "Ya existe una cuenta con este correo y otro documento.",
            [FieldError("email", "Ya existe una cuenta con este correo y otro documento.")],
        )
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=data["email"],
                password=None,  # unusable: the citizen did not choose one
                role=Role.CITIZEN,
                first_name=data["first_name"],
                last_name=data["last_name"],
                document_type=data["document_type"],
                document_number=data["document_number"],
                phone=data["phone"],
                consent_at=now,
                consent_version=settings.SGU["CONSENT_VERSION"],
                consent_channel=channel,
            )
    except IntegrityError:
        raise Conflict("Ya existe una cuenta con este correo o documento.") from None
    send_confirmation_email(user=user, now=now)
    return user, True


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


def second_factor_failed(*, user: User, ip: str | None, request=None, channel: str = "web"):
    """A wrong code counts like a wrong password (same lockout per account and per IP)."""
    window = settings.SGU["LOGIN_LOCK_SECONDS"]
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
    *, user: User, code: str, ip: str | None = None, request=None, now: datetime | None = None
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
    *, user: User, code: str, ip: str | None = None, request=None, now: datetime | None = None
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
    *, user: User, code: str, ip: str | None = None, request=None
) -> list[str]:
    """New recovery codes (the old ones stop working), after a current code."""

    verify_second_factor(user=user, code=code, ip=ip, request=request)
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        audit.record(
            "2fa.recovery_codes_regenerated", actor=user, target=f"user:{user.pk}", request=request
        )
    return codes


def disable_two_factor(*, user: User, code: str, ip: str | None = None, request=None) -> None:
    """A citizen turns it off (with a current code). Staff cannot: it is required for them."""

    if second_factor_required(user):
        raise Conflict("La verificación en dos pasos es obligatoria para su cuenta.")
    verify_second_factor(user=user, code=code, ip=ip, request=request)
    with transaction.atomic():
        TwoFactorDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        audit.record("2fa.disabled", actor=user, target=f"user:{user.pk}", request=request)


def end_sessions(user: User) -> int:
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
def reset_two_factor(*, user: User, by: User, request=None) -> None:
    """An administrator removes a person's device (lost phone and codes): at the next login
    the person sets it up again. Sessions already verified with the lost device end."""

    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    end_sessions(user)
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


# --- password reset by email --------------------------------------------------------------

RESET_EMAILS_PER_HOUR = 3


def _reset_link(user: User) -> str:

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return f"/cuenta/recuperar/{uid}/{token}/"


def request_password_reset(*, email: str, ip: str | None = None, request=None) -> None:
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
    request=None,
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


# --- personal data (Ley 29733): download and correction -----------------------------------


def record_personal_data_download(*, user: User, request=None) -> None:

    audit.record("personal_data.exported", actor=user, target=f"user:{user.pk}", request=request)


@transaction.atomic
def request_correction(
    *, user: User, field: str, requested_value: str, note: str = "", request=None
) -> CorrectionRequest:
    """Register a citizen's request to correct a datum and acknowledge it by email."""

    errors = ErrorCollector()
    if field not in CorrectionRequest.Field.values:
        errors.add("field", "Elija el dato que desea corregir.")
    requested_value = " ".join((requested_value or "").split())
    if not requested_value:
        errors.add("requested_value", "Escriba el valor correcto.")
    elif len(requested_value) > 300:
        errors.add("requested_value", "Admite hasta 300 caracteres.")
    note = (note or "").strip()
    if len(note) > 2000:
        errors.add("note", "Admite hasta 2000 caracteres.")
    errors.raise_if_any()
    current = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "document": f"{user.document_type} {user.document_number}".strip(),
        "email": user.email,
        "phone": user.phone,
    }.get(field, "")
    correction = CorrectionRequest.objects.create(
        user=user,
        field=field,
        current_value=current[:300],
        requested_value=requested_value,
        note=note,
    )
    audit.record(
        "personal_data.correction_requested",
        actor=user,
        target=f"correction:{correction.pk}",
        request=request,
        data={"field": field},
    )
    queue_email(
        to=user.email,
        template="correction_received",
        context={"user": user, "correction": correction},
    )
    return correction


@transaction.atomic
def handle_correction(
    *, correction_id: int, by: User, status: str, response: str = "", now: datetime | None = None
) -> CorrectionRequest:
    """Regulator staff record what they did with a correction request."""

    correction = CorrectionRequest.objects.select_for_update().filter(pk=correction_id).first()
    if correction is None:
        raise NotFound("No existe esa solicitud.")
    if status not in (CorrectionRequest.Status.DONE, CorrectionRequest.Status.REJECTED):
        raise ValidationFailed.of([FieldError("status", "Elija «Atendida» o «No procede».")])
    response = (response or "").strip()
    if status == CorrectionRequest.Status.REJECTED and not response:
        raise ValidationFailed.of([FieldError("response", "Explique por qué no procede.")])
    correction.status = status
    correction.response = response[:2000]
    correction.handled_at = now or timezone.now()
    correction.handled_by = by
    correction.save(update_fields=["status", "response", "handled_at", "handled_by"])
    audit.record(
        "personal_data.correction_handled",
        actor=by,
        target=f"correction:{correction.pk}",
        data={"status": status},
    )
    return correction
