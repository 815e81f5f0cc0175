"""The audit trail of security-relevant actions (logins, failed logins, 2FA changes, keys,
roles, exports…). `record` is the only writer; nothing in the app updates or deletes it."""

import ipaddress
import logging
from typing import Any

from django.http import HttpRequest

from sgu.core.models import AuditEvent
from sgu.core.ratelimit import client_ip

logger = logging.getLogger("sgu.audit")


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    value = client_ip(request)
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def record(
    action: str,
    *,
    actor: Any = None,
    target: str = "",
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # anonymous
    event = AuditEvent.objects.create(
        action=action[:80],
        actor=actor,
        target=(target or "")[:200],
        ip=_ip(request),
        data=data or {},
    )
    logger.info("auditoría: %s actor=%s target=%s", action, getattr(actor, "pk", None), target)
    return event
