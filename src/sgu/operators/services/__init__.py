"""Writes of the operator integration: the webhook endpoint and the deliveries owed to it (the
worker's own writes of a delivery, its claim and its attempts, in outbox.py)."""

import ipaddress
import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol
from urllib.parse import urlsplit

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from sgu.accounts.models import User
from sgu.accounts.services import create_staff_user, end_sessions, token_hash
from sgu.catalog.fields import OTHER
from sgu.catalog.models import Operator, OperatorInfoKind
from sgu.core import audit, config, reference
from sgu.core.calendar import iso
from sgu.core.errors import Conflict, ErrorCollector, Forbidden, NotFound
from sgu.core.principal import Principal
from sgu.core.tasks import enqueue_with
from sgu.notifications.services import queue_email

# The module, not its names: tasks.py imports services.outbox, which runs this package first;
# its task is looked up when a delivery is owed, by then tasks.py is whole whichever of the
# two was imported first.
from sgu.operators import tasks
from sgu.operators.models import (
    InfoItem,
    InfoList,
    OperatorInvitation,
    StaffDuty,
    StaffDutyAssignment,
    WebhookDelivery,
    WebhookEndpoint,
)

EVENTS = ("case.forwarded", "claim.requested", "case.reassigned")
MIN_SECRET = 16


# What the webhooks read of a case and of a claim (cases.models: a floor above this one).
class _Coded(Protocol):
    @property
    def code(self) -> str: ...


class _CaseLike(_Coded, Protocol):
    @property
    def operator(self) -> Operator: ...


class _ClaimLike(Protocol):
    @property
    def pk(self) -> int: ...
    @property
    def case(self) -> _Coded: ...
    @property
    def operator(self) -> Operator: ...
    @property
    def state(self) -> str: ...
    @property
    def requested_at(self) -> datetime: ...
    @property
    def code_due_at(self) -> datetime | None: ...


def _check_url(url: str, errors: ErrorCollector) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    allowed_http = config.strings("WEBHOOK_ALLOW_HTTP_HOSTS")
    if not url:
        errors.add("url", "Ingrese la dirección HTTPS donde recibirá los eventos.")
    elif len(url) > 500:
        errors.add("url", "Admite hasta 500 caracteres.")
    elif parts.scheme == "http" and host in allowed_http:
        pass
    elif parts.scheme != "https" or not host:
        errors.add("url", "La dirección debe empezar con https:// e incluir el servidor.")
    elif parts.username or parts.password:
        errors.add("url", "No incluya usuario ni contraseña en la dirección.")
    else:
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            if host == "localhost" or host.endswith(".localhost"):
                errors.add("url", "Use una dirección pública.")
        else:
            if not ip.is_global:
                errors.add("url", "Use una dirección pública.")
    return url


@transaction.atomic
def configure_webhook(
    *,
    operator: Operator,
    url: str,
    secret: str = "",
    active: bool = True,
    by: User | None = None,
) -> tuple[WebhookEndpoint, str | None]:
    """Set the operator's endpoint. A blank secret keeps the current one (or makes one up
    the first time); returns (endpoint, new secret to show once, or None)."""

    errors = ErrorCollector()
    url = _check_url(url, errors)
    secret = (secret or "").strip()
    if secret and not (MIN_SECRET <= len(secret) <= 200):
        errors.add("secret", f"El secreto debe tener entre {MIN_SECRET} y 200 caracteres.")
    errors.raise_if_any()
    endpoint = WebhookEndpoint.objects.select_for_update().filter(operator=operator).first()
    shown = None
    if endpoint is None:
        shown = secret or secrets.token_urlsafe(32)
        endpoint = WebhookEndpoint(operator=operator, secret=shown)
    elif secret:
        endpoint.secret = secret
        shown = secret
    endpoint.url, endpoint.active, endpoint.updated_by = url, bool(active), by
    endpoint.save()
    reference.bump()  # every process reloads the endpoints it keeps (queue_webhook)
    audit.record(
        "webhook.configured",
        actor=by,
        target=f"operator:{operator.code}",
        data={"url": url, "active": endpoint.active, "secret_changed": shown is not None},
    )
    return endpoint, shown


def _active_endpoints() -> dict[int, str]:
    """{operator id: URL} of the active endpoints, kept per process under the reference stamp
    (core.reference; configure_webhook bumps it): every case event asks, few ever change."""
    return reference.cached(
        "operators.webhooks",
        lambda: dict(WebhookEndpoint.objects.filter(active=True).values_list("operator_id", "url")),
    )


def queue_webhook(
    *,
    operator: Operator,
    event: str,
    data: dict[str, object],
    case_code: str = "",
    now: datetime | None = None,
) -> WebhookDelivery | None:
    """Owe `event` to the operator if it has an active endpoint — inside the caller's
    transaction, so the event and its delivery commit (or vanish) together."""
    assert event in EVENTS, event
    url = _active_endpoints().get(operator.pk)
    if url is None:
        return None
    now = now or timezone.now()
    # Instants as they are (isoformat, offset kept), not DjangoJSONEncoder's milliseconds.
    data = {k: iso(v) if isinstance(v, datetime) else v for k, v in data.items()}
    body = json.dumps(
        {"event": event, "occurred_at": now.isoformat(), "data": data},
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    delivery = WebhookDelivery(
        operator=operator,
        event=event,
        url=url,
        body=body,
        case_code=case_code,
        next_attempt_at=now,
    )
    enqueue_with(tasks.deliver_webhook, delivery)
    return delivery


def case_forwarded(
    *, case: _CaseLike, summary: dict[str, object], now: datetime | None = None
) -> WebhookDelivery | None:
    """`summary`: the case as `cases.schemas.case_summary` gives it (one serializer of a case)."""
    return queue_webhook(
        operator=case.operator,
        event="case.forwarded",
        data=summary,
        case_code=case.code,
        now=now,
    )


def replace_case_code(*, delivery: WebhookDelivery, provisional: str, code: str) -> None:
    """A delivery owed in this transaction for a case numbered after it (`cases.services.
    register_case` numbers a case as its last write): its provisional code becomes the real one
    in the body and `case_code`, in one UPDATE."""
    delivery.body = delivery.body.replace(provisional, code)
    delivery.case_code = code
    WebhookDelivery.objects.filter(pk=delivery.pk).update(body=delivery.body, case_code=code)


def case_reassigned(
    *,
    case: _CaseLike,
    previous: Operator,
    summary: dict[str, object],
    now: datetime | None = None,
) -> None:
    data = {**summary, "from_operator": previous.code}
    queue_webhook(
        operator=case.operator, event="case.reassigned", data=data, case_code=case.code, now=now
    )


def claim_requested(*, claim: _ClaimLike, now: datetime | None = None) -> None:
    data = {
        "id": claim.pk,
        "case_code": claim.case.code,
        "state": claim.state,
        "requested_at": iso(claim.requested_at),
        "code_due_at": iso(claim.code_due_at),
    }
    queue_webhook(
        operator=claim.operator,
        event="claim.requested",
        data=data,
        case_code=claim.case.code,
        now=now,
    )


@transaction.atomic
def redeliver(*, operator: Operator, delivery_id: int, by: User | None = None) -> WebhookDelivery:
    """Send an event again (as a new delivery, with its own attempts)."""
    original = WebhookDelivery.objects.filter(operator=operator, pk=delivery_id).first()
    if original is None:
        raise NotFound("No existe esa entrega.")
    endpoint = WebhookEndpoint.objects.filter(operator=operator).first()
    if endpoint is None:
        raise NotFound("La operadora no tiene webhook configurado.")
    copy = WebhookDelivery(
        operator=operator,
        event=original.event,
        url=endpoint.url,
        body=original.body,
        case_code=original.case_code,
        redelivery_of=original,
        next_attempt_at=timezone.now(),
    )
    enqueue_with(tasks.deliver_webhook, copy)
    return copy


# --- the operator's staff: invitations, roles, deactivation ---------

INVITATION_HOURS = 72
STAFF_ROLES = ("OPERATOR_AGENT", "OPERATOR_ADMIN")
ROLE_LABELS = {"OPERATOR_AGENT": "Agente", "OPERATOR_ADMIN": "Administrador"}


def _check_role(role: str, errors: ErrorCollector) -> str:
    role = (role or "").strip()
    if role not in STAFF_ROLES:
        errors.add("role", "Elija el rol: agente o administrador.")
    return role


@transaction.atomic
def invite_staff(
    *,
    operator: Operator,
    email: str,
    role: str,
    by: User,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> OperatorInvitation:
    """Invite someone to the operator's staff: the email carries a link valid 72 hours, once.
    Returns the invitation (the raw token only travels in the email)."""

    now = now or timezone.now()
    errors = ErrorCollector()
    email = (email or "").strip().lower()
    if not email:
        errors.add("email", "Ingrese el correo de la persona que invita.")
    else:
        try:
            validate_email(email)
        except DjangoValidationError:
            errors.add("email", "Ingrese un correo válido, p. ej. nombre@empresa.pe.")
        else:
            if User.objects.filter(email__iexact=email).exists():
                errors.add("email", "Ese correo ya tiene una cuenta en el SGU.")
    role = _check_role(role, errors)
    errors.raise_if_any()
    # A newer invitation replaces the pending one: only the latest link works.
    OperatorInvitation.objects.filter(
        operator=operator, email=email, accepted_at__isnull=True, cancelled_at__isnull=True
    ).update(cancelled_at=now)
    raw = secrets.token_urlsafe(32)
    invitation = OperatorInvitation.objects.create(
        operator=operator,
        email=email,
        role=role,
        token_hash=token_hash(raw),
        invited_by=by,
        created_at=now,
        expires_at=now + timedelta(hours=INVITATION_HOURS),
    )
    queue_email(
        to=email,
        template="operator_invitation",
        context={
            "operator": operator.name,
            "role": ROLE_LABELS[role],
            "invited_by": by.get_full_name() or by.email,
            "token": raw,
            "hours": INVITATION_HOURS,
        },
    )
    audit.record(
        "operator_staff.invited",
        actor=by,
        target=f"invitation:{invitation.pk}",
        request=request,
        data={"operator": operator.code, "email": email, "role": role},
    )
    return invitation


def _invitation_for(raw: str, *, lock: bool = False) -> OperatorInvitation | None:

    if not raw or len(raw) > 200:
        return None
    qs = OperatorInvitation.objects.select_related("operator")
    if lock:
        qs = qs.select_for_update()
    return qs.filter(token_hash=token_hash(raw)).first()


def pending_invitation(raw: str, now: datetime | None = None) -> OperatorInvitation:
    """The invitation behind a link, if it can still be accepted; otherwise NotFound or
    Gone with the reason in Spanish."""
    return _check_pending(_invitation_for(raw), now or timezone.now())


class InvitationGone(NotFound):
    status = 410
    title = "Invitación no disponible"


def _check_pending(invitation: OperatorInvitation | None, now: datetime) -> OperatorInvitation:
    """The invitation, when it can still be accepted."""
    if invitation is None:
        raise NotFound("Esta invitación no existe. Revise el enlace del correo.")
    if invitation.accepted_at is not None:
        raise InvitationGone("Esta invitación ya se usó. Ingrese con su correo y contraseña.")
    if invitation.cancelled_at is not None:
        raise InvitationGone(
            "Esta invitación fue reemplazada o anulada. Use el enlace del correo más reciente "
            "o pida una nueva a su administrador."
        )
    if invitation.expires_at <= now:
        raise InvitationGone("Esta invitación venció. Pida una nueva a su administrador.")
    return invitation


@transaction.atomic
def accept_invitation(
    *,
    token: str,
    first_name: str,
    last_name: str,
    password: str,
    password2: str,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> User:
    """The invitee sets their names and password: the account is created with the operator
    and the role of the invitation, and the link stops working."""

    now = now or timezone.now()
    invitation = _check_pending(_invitation_for(token, lock=True), now)
    errors = ErrorCollector()
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    if not first_name:
        errors.add("first_name", "Ingrese sus nombres.")
    elif len(first_name) > 150:
        errors.add("first_name", "Admite hasta 150 caracteres.")
    if not last_name:
        errors.add("last_name", "Ingrese sus apellidos.")
    elif len(last_name) > 150:
        errors.add("last_name", "Admite hasta 150 caracteres.")
    password = password or ""
    if not password:
        errors.add("password", "Elija una contraseña.")
    else:
        candidate = User(email=invitation.email, first_name=first_name, last_name=last_name)
        try:
            validate_password(password, user=candidate)
        except DjangoValidationError as exc:
            errors.add("password", " ".join(exc.messages))
        if password != (password2 or ""):
            errors.add("password2", "Las contraseñas no coinciden.")
    errors.raise_if_any()
    try:
        with transaction.atomic():
            user = create_staff_user(
                email=invitation.email,
                password=password,
                role=invitation.role,
                first_name=first_name,
                last_name=last_name,
                operator=invitation.operator,
                now=now,
            )
    except IntegrityError:
        raise Conflict("Ese correo ya tiene una cuenta en el SGU.") from None
    invitation.accepted_at, invitation.accepted_user = now, user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    audit.record(
        "operator_staff.joined",
        actor=user,
        target=f"user:{user.pk}",
        request=request,
        data={
            "operator": invitation.operator.code,
            "role": invitation.role,
            "invitation": invitation.pk,
        },
    )
    return user


@transaction.atomic
def cancel_invitation(
    *,
    operator: Operator,
    invitation_id: int,
    by: User,
    request: HttpRequest | None = None,
) -> OperatorInvitation:

    invitation = (
        OperatorInvitation.objects.select_for_update()
        .filter(operator=operator, pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise NotFound("No existe esa invitación.")
    if invitation.accepted_at is None and invitation.cancelled_at is None:
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at"])
        audit.record(
            "operator_staff.invitation_cancelled",
            actor=by,
            target=f"invitation:{invitation.pk}",
            request=request,
            data={"operator": operator.code, "email": invitation.email},
        )
    return invitation


def _member_for_update(operator: Operator, user_id: int) -> User:

    member = (
        User.objects.select_for_update()
        .filter(operator=operator, role__in=STAFF_ROLES, pk=user_id)
        .first()
    )
    if member is None:
        raise NotFound("No existe esa persona entre el personal de su empresa.")
    return member


def _would_leave_no_admin(operator: Operator, member: User) -> bool:
    """True when `member` is the operator's only active administrator. The active admins'
    rows are locked so two administrators demoting each other at once cannot both pass."""

    if not (member.is_active and member.role == "OPERATOR_ADMIN"):
        return False
    admins = list(
        User.objects.select_for_update()
        .filter(operator=operator, role="OPERATOR_ADMIN", is_active=True)
        .values_list("pk", flat=True)
    )
    return admins == [member.pk] or not admins


@transaction.atomic
def change_staff_role(
    *,
    operator: Operator,
    user_id: int,
    role: str,
    by: User,
    request: HttpRequest | None = None,
) -> User:

    member = _member_for_update(operator, user_id)  # another operator's person: 404 first
    errors = ErrorCollector()
    role = _check_role(role, errors)
    errors.raise_if_any()
    if member.role == role:
        return member
    if role != "OPERATOR_ADMIN" and _would_leave_no_admin(operator, member):
        raise Conflict(
            "Es el único administrador activo de su empresa: nombre a otro administrador "
            "antes de cambiar este rol."
        )
    previous = member.role
    member.role = role
    member.save(update_fields=["role"])
    audit.record(
        "operator_staff.role_changed",
        actor=by,
        target=f"user:{member.pk}",
        request=request,
        data={"operator": operator.code, "from": previous, "to": role},
    )
    return member


@transaction.atomic
def set_staff_active(
    *,
    operator: Operator,
    user_id: int,
    active: bool,
    by: User,
    request: HttpRequest | None = None,
) -> User:
    """Deactivate (or reactivate) a member of the operator's staff. A deactivated person
    cannot sign in, and their open sessions end at once."""

    member = _member_for_update(operator, user_id)
    if member.is_active == active:
        return member
    if not active and _would_leave_no_admin(operator, member):
        raise Conflict(
            "Es el único administrador activo de su empresa: nombre a otro administrador "
            "antes de desactivar esta cuenta."
        )
    member.is_active = active
    member.save(update_fields=["is_active"])
    if not active:
        # Ended now, not only refused while inactive: a later reactivation must not bring an
        # old session back to life.

        end_sessions(user=member)
    audit.record(
        "operator_staff.reactivated" if active else "operator_staff.deactivated",
        actor=by,
        target=f"user:{member.pk}",
        request=request,
        data={"operator": operator.code, "email": member.email},
    )
    return member


# --- duties (StaffDuty) ---------


@transaction.atomic
def set_staff_duties(
    *,
    operator: Operator,
    user_id: int,
    duties: Iterable[str | None] | None,
    by: User | None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> User:
    """The administrator sets which duties a member of the staff holds (all at once: what is
    not in `duties` is taken away)."""

    if by is None or getattr(by, "role", None) != "OPERATOR_ADMIN" or by.operator_id != operator.pk:
        raise Forbidden(f"Solo un administrador de {operator.name} asigna las funciones.")
    member = _member_for_update(operator, user_id)
    errors = ErrorCollector()
    wanted = {(d or "").strip() for d in (duties or [])}
    unknown = sorted(wanted - set(StaffDuty.values))
    if unknown:
        labels = "; ".join(label for _, label in StaffDuty.choices)
        errors.add("duties", f"Elija funciones de la lista: {labels}.")
    errors.raise_if_any()
    current = set(StaffDutyAssignment.objects.filter(user=member).values_list("duty", flat=True))
    if wanted == current:
        return member
    StaffDutyAssignment.objects.filter(user=member).exclude(duty__in=wanted).delete()
    StaffDutyAssignment.objects.bulk_create(
        [
            StaffDutyAssignment(
                user=member, duty=d, granted_by=by, granted_at=now or timezone.now()
            )
            for d in sorted(wanted - current)
        ]
    )
    audit.record(
        "operator_staff.duties_changed",
        actor=by,
        target=f"user:{member.pk}",
        request=request,
        data={"operator": operator.code, "from": sorted(current), "to": sorted(wanted)},
    )
    return member


# --- the operator's information for the citizen's form (instructivo, punto vii) ---------------

MAX_INFO_ITEMS = 500
MAX_INFO_NAME = 120
MAX_INFO_DETAIL = 300


@dataclass(frozen=True)
class InfoItemInput:
    name: str
    detail: str = ""


class InfoItemLike(Protocol):
    """An item as the web form or the API gives it (InfoItemInput, the API's schema)."""

    @property
    def name(self) -> str | None: ...
    @property
    def detail(self) -> str | None: ...


def _clean_info_items(items: Sequence[InfoItemLike], errors: ErrorCollector) -> list[InfoItemInput]:
    if not isinstance(items, list | tuple) or not items:
        errors.add("items", "Incluya al menos un elemento en la lista.")
        return []
    if len(items) > MAX_INFO_ITEMS:
        errors.add("items", f"La lista admite hasta {MAX_INFO_ITEMS} elementos.")
        return []
    cleaned: list[InfoItemInput] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"items[{i}]"
        name = (item.name or "").strip()
        detail = (item.detail or "").strip()
        if not name:
            errors.add(f"{where}.name", f"Elemento {i + 1}: escriba el nombre.")
        elif len(name) > MAX_INFO_NAME:
            errors.add(
                f"{where}.name",
                f"Elemento {i + 1}: el nombre admite hasta {MAX_INFO_NAME} caracteres.",
            )
        elif name.casefold() == OTHER:
            errors.add(
                f"{where}.name",
                f"Elemento {i + 1}: «{OTHER}» está reservado para lo que escribe el ciudadano.",
            )
        elif name.casefold() in seen:
            errors.add(f"{where}.name", f"Elemento {i + 1}: «{name}» está repetido en la lista.")
        if len(detail) > MAX_INFO_DETAIL:
            errors.add(
                f"{where}.detail",
                f"Elemento {i + 1}: el detalle admite hasta {MAX_INFO_DETAIL} caracteres.",
            )
        seen.add(name.casefold())
        cleaned.append(InfoItemInput(name=name, detail=detail))
    return cleaned


@transaction.atomic
def replace_info(
    *,
    operator: Operator,
    kind: str,
    items: Sequence[InfoItemLike],
    valid_from: date | None = None,
    valid_to: date | None = None,
    by: Principal,
    now: datetime | None = None,
) -> InfoList:
    """Replace one of the operator's lists as a whole: a new version valid from `valid_from`
    (today by default); the version it supersedes is closed the day before, never edited
    otherwise nor deleted. Web and API replace through here."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors = ErrorCollector()
    if kind not in OperatorInfoKind.values:
        errors.add("kind", "Lista desconocida; use " + ", ".join(OperatorInfoKind.values) + ".")
    cleaned = _clean_info_items(items, errors)
    start = valid_from or today
    if start < today:
        errors.add("valid_from", "La vigencia no puede empezar en una fecha pasada.")
    if valid_to is not None and valid_to < start:
        errors.add("valid_to", "La fecha de fin de vigencia no puede ser anterior a la de inicio.")
    errors.raise_if_any()

    # The operator's row serialises concurrent replaces of its lists (version numbers).
    Operator.objects.select_for_update().filter(pk=operator.pk).first()
    existing = InfoList.objects.filter(operator=operator, kind=kind)
    last = existing.order_by("-version").values_list("version", flat=True).first() or 0
    # What was valid on or past the new start now ends the day before (older versions stay).
    existing.filter(valid_from__lt=start).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    ).update(valid_to=start - timedelta(days=1))
    row = InfoList.objects.create(
        operator=operator,
        kind=kind,
        version=last + 1,
        valid_from=start,
        valid_to=valid_to,
        created_at=now,
        created_by=by.user,
        api_key_id=by.api_key_id,
    )
    InfoItem.objects.bulk_create(
        InfoItem(info_list=row, position=i, name=item.name, detail=item.detail)
        for i, item in enumerate(cleaned)
    )
    audit.record(
        "operator_info.replaced",
        actor=by.user,
        target=f"{operator.code}:{kind}:v{row.version}",
        data={"items": len(cleaned), "valid_from": start.isoformat()},
    )
    return row
