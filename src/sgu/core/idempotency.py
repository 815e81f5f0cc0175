"""Idempotency-Key for creating POSTs (API.md): the same key with the same body returns the
first answer; with another body, 409."""

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from sgu.core.errors import Conflict, FieldError, ValidationFailed
from sgu.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"


Body = dict[str, Any]


def run_idempotent(
    request: HttpRequest, scope: str, create: Callable[[], tuple[int, Body]]
) -> tuple[int, Body]:
    """Run `create` (which returns status and JSON body) at most once per (scope, key)."""
    key = (request.META.get(HEADER) or "").strip()
    if not key:
        return create()
    if len(key) > 200:
        raise ValidationFailed.of(
            [
                FieldError(
                    "Idempotency-Key", "La cabecera Idempotency-Key admite hasta 200 caracteres."
                )
            ]
        )
    # Keyed: a body may carry a password (account registration); a plain SHA-256 of it
    # stored next to the other fields it contains would be a fast, unsalted password hash.
    body_hash = hmac.new(
        settings.SECRET_KEY.encode(), request.body or b"", hashlib.sha256
    ).hexdigest()
    method_path = f"{request.method} {request.path}"[:300]
    for _ in range(2):
        previous = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if previous is not None:
            if previous.request_hash != body_hash or previous.method_path != method_path:
                raise Conflict(
                    "Esta Idempotency-Key ya se usó con otra solicitud; use una clave nueva."
                )
            return previous.status_code, previous.response_body
        try:
            with transaction.atomic():
                status, body = create()
                IdempotencyRecord.objects.create(
                    scope=scope,
                    key=key,
                    method_path=method_path,
                    request_hash=body_hash,
                    status_code=status,
                    response_body=body,
                )
            return status, body
        except IntegrityError:
            # A concurrent request with the same key won the race; its creation stands and
            # ours was rolled back whole. Answer with the winner's result.
            continue
    raise Conflict("Solicitud concurrente con la misma Idempotency-Key; reintente.")
