"""Idempotency-Key for creating POSTs (API.md): the same key with the same body returns the
first answer; with another body, 409."""

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest

from sgu.core import rows
from sgu.core.errors import Conflict, FieldError, ValidationFailed
from sgu.core.models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"


Body = dict[str, Any]


@dataclass(frozen=True)
class Placeholder:
    """A text in a stored answer that stands for a value written after it, in the same
    transaction (a case's code, which is its registration's last write): each replay puts in
    the value the row `model`/`pk` has in `field` then. The text must occur nowhere else."""

    text: str
    model: str  # "app_label.model"
    pk: int
    field: str


class EarlyAnswer:
    """For a `create` that stores its answer itself, before its last write
    (`run_idempotent_early`): the record is then written before, not after, whatever that
    last write locks until COMMIT."""

    def __init__(self, scope: str, key: str, method_path: str, request_hash: str):
        self.fields = {
            "scope": scope,
            "key": key,
            "method_path": method_path,
            "request_hash": request_hash,
        }
        self.stored = False

    def store(self, status: int, body: Body, placeholder: Placeholder | None = None) -> None:
        # Written as create() writes it, without compiling the INSERT (core.rows): one in five
        # registrations carries a key.
        record = IdempotencyRecord(
            **self.fields,
            status_code=status,
            response_body=body,
            placeholder=asdict(placeholder) if placeholder else None,
        )
        rows.insert([record])
        self.stored = True


def run_idempotent(
    request: HttpRequest, scope: str, create: Callable[[], tuple[int, Body]]
) -> tuple[int, Body]:
    """Run `create` (which returns status and JSON body) at most once per (scope, key)."""
    return _run(request, scope, lambda early: create())


def run_idempotent_early(
    request: HttpRequest, scope: str, create: Callable[[EarlyAnswer | None], tuple[int, Body]]
) -> tuple[int, Body]:
    """As `run_idempotent`, for a `create` that stores its answer through the EarlyAnswer it
    is given (None without a key) before its last write, in its transaction; with
    placeholders for what that last write sets. What it returns is the final answer."""
    return _run(request, scope, create)


def _run(
    request: HttpRequest, scope: str, create: Callable[[EarlyAnswer | None], tuple[int, Body]]
) -> tuple[int, Body]:
    key = (request.META.get(HEADER) or "").strip()
    if not key:
        return create(None)
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
            return previous.status_code, _replayed(previous)
        early = EarlyAnswer(scope, key, method_path, body_hash)
        try:
            with transaction.atomic():
                status, body = create(early)
                if not early.stored:
                    early.store(status, body)
            return status, body
        except IntegrityError:
            # A concurrent request with the same key won the race; its creation stands and
            # ours was rolled back whole. Answer with the winner's result.
            continue
    raise Conflict("Solicitud concurrente con la misma Idempotency-Key; reintente.")


def _replayed(record: IdempotencyRecord) -> Body:
    body: Body = record.response_body
    if not record.placeholder:
        return body
    p = Placeholder(**record.placeholder)
    value = (
        apps.get_model(p.model)
        ._default_manager.filter(pk=p.pk)
        .values_list(p.field, flat=True)
        .first()
    )
    if value is None:  # the row is gone: the answer as it was stored
        return body
    replayed: Body = replace_text(body, p.text, str(value))
    return replayed


def replace_text(value: Any, old: str, new: str) -> Any:
    """`value` (JSON: dicts, lists, strings…) with `old` replaced by `new` in every string."""
    if isinstance(value, str):
        return value.replace(old, new)
    if isinstance(value, dict):
        return {k: replace_text(v, old, new) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_text(v, old, new) for v in value]
    return value
