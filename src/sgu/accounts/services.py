"""Every write about people and credentials."""

import contextlib
import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from sgu.accounts.models import ApiToken, EmailToken, OperatorApiKey, Role, User
from sgu.core.errors import Conflict, ErrorCollector, FieldError, Unauthorized, ValidationFailed
from sgu.core.identity import InvalidValue, normalize_document, normalize_mobile

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
    from sgu.notifications.services import queue_email

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
    """Use a confirmation token once; forward the cases that were waiting for it."""
    from sgu.cases.services import forward_waiting_cases

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
        forward_waiting_cases(citizen=user, now=now)
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
    from sgu.core.ratelimit import RateLimited, current

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
    from sgu.core import audit
    from sgu.core.ratelimit import RateLimited, hit

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
    from sgu.core import audit

    audit.record(
        "login", actor=user, target=f"user:{user.pk}", request=request, data={"channel": channel}
    )


def issue_api_token(
    *,
    email: str,
    password: str,
    now: datetime | None = None,
    ip: str | None = None,
    request=None,
) -> tuple[str, ApiToken]:
    now = now or timezone.now()
    email = (email or "").strip().lower()
    check_login_allowed(email=email, ip=ip)
    user = authenticate(username=email, password=password or "")
    if user is None or not user.is_active or user.is_operator_staff:
        # Operator back-ends use API keys; staff of operators sign in on the web.
        login_failed(email=email, ip=ip, request=request)
        raise Unauthorized("Correo o contraseña incorrectos.")
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


def create_operator_key(
    *, operator, name: str, created_by: User | None = None
) -> tuple[str, OperatorApiKey]:
    """A new key for an operator's back-end. The raw key is returned once and never stored."""
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
        from sgu.core import audit

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
    from sgu.core import audit
    from sgu.core.errors import NotFound

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


def touch_last_used(model, pk: int, now: datetime) -> None:
    """Record use at most once a minute per credential (cheap on a hot path)."""
    model.objects.filter(pk=pk).exclude(last_used_at__gt=now - LAST_USED_EVERY).update(
        last_used_at=now
    )


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
