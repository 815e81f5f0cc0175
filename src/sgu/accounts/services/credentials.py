"""API credentials: bearer tokens for people, keys for operators' back-ends, and their last use."""

import secrets
from datetime import datetime, timedelta

from django.contrib.auth import authenticate
from django.db import connections, transaction
from django.http import HttpRequest
from django.utils import timezone

from sgu.accounts.models import (
    ApiToken,
    OperatorApiKey,
    User,
)
from sgu.accounts.services.login import check_login_allowed, login_failed, login_succeeded
from sgu.accounts.services.people import token_hash
from sgu.accounts.services.two_factor import (
    _use_totp,
    confirmed_device,
    second_factor_failed,
    second_factor_required,
)
from sgu.catalog.models import Operator
from sgu.core import audit, config, rows
from sgu.core.errors import (
    FieldError,
    NotFound,
    Unauthorized,
    ValidationFailed,
)


def issue_api_token(
    *,
    email: str,
    password: str,
    otp: str | None = None,
    now: datetime | None = None,
    ip: str | None = None,
    request: HttpRequest | None = None,
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
        if _use_totp(device_id=device.pk, code=otp or "") is None:
            second_factor_failed(user=user, ip=ip, request=request, channel="api")
            raise Unauthorized("El código de verificación no es correcto o ya fue usado.")
    login_succeeded(user=user, request=request, channel="api")
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        token_hash=token_hash(raw),
        expires_at=now + timedelta(hours=config.number("API_TOKEN_HOURS")),
    )
    return raw, token


def revoke_api_token(*, token: ApiToken, now: datetime | None = None) -> None:
    if token.revoked_at is None:
        token.revoked_at = now or timezone.now()
        token.save(update_fields=["revoked_at"])


@transaction.atomic
def create_operator_key(
    *, operator: Operator, name: str, created_by: User | None = None
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
def revoke_operator_key_of(
    *, operator: Operator, key_id: int, by: User, request: HttpRequest | None = None
) -> OperatorApiKey:
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
    *, credential: ApiToken | OperatorApiKey, now: datetime | None = None
) -> None:
    """Stamp a token's or key's last use, at most once a minute (every API request passes
    here: a row read less than a minute after its stamp costs no round trip)."""
    now = now or timezone.now()
    last = credential.last_used_at
    if last is not None and last > now - LAST_USED_EVERY:
        return
    # One plain statement: compiling the equivalent queryset cost more CPU than running it;
    # prepared on PostgreSQL, as the read of the credential (core.rows.cursor_for).
    # Another request may have stamped it since it was read: then it is left as it is.
    alias = credential._state.db or "default"
    connection = connections[alias]
    table = connection.ops.quote_name(type(credential)._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with rows.cursor_for(alias) as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_used_at = %s "
            "WHERE id = %s AND (last_used_at IS NULL OR last_used_at <= %s)",
            [adapt(now), credential.pk, adapt(now - LAST_USED_EVERY)],
        )
    credential.last_used_at = now
