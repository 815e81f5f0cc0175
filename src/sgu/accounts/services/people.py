"""People: citizen registration and email confirmation, staff accounts, and the citizen an
orientador finds or creates for an assisted case."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from sgu.accounts.models import (
    EmailToken,
    Role,
    User,
)
from sgu.catalog.models import Office, Operator
from sgu.core import config
from sgu.core.errors import (
    Conflict,
    ErrorCollector,
    FieldError,
    ValidationFailed,
)
from sgu.core.identity import (
    InvalidDocumentType,
    InvalidValue,
    normalize_document,
    normalize_mobile,
)
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
) -> dict[str, str]:
    data: dict[str, str] = {}
    try:
        doc = normalize_document(document_type, document_number)
        data["document_type"], data["document_number"] = doc.type, doc.number
    except InvalidValue as exc:
        field = "document_type" if isinstance(exc, InvalidDocumentType) else "document_number"
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
        expires_at=now + timedelta(hours=config.number("EMAIL_TOKEN_HOURS")),
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


@transaction.atomic
def create_staff_user(
    *,
    email: str,
    password: str,
    role: str,
    first_name: str,
    last_name: str,
    operator: Operator | None = None,
    office: Office | None = None,
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
        errors.add("channel", "Elija el canal: presencial o telefónico.")
    try:
        doc = normalize_document(document_type, document_number)
    except InvalidValue as exc:
        field = "document_type" if isinstance(exc, InvalidDocumentType) else "document_number"
        errors.add(field, str(exc))
        doc = None
    errors.raise_if_any()
    assert doc is not None  # raise_if_any refused it otherwise
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
