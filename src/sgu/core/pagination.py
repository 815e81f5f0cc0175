"""Keyset (cursor) pagination: stable under inserts and as fast on page 10,000 as on page 1,
provided an index matches the ordering (see the indexes on cases.Case)."""

import base64
import json
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Field, Model, Q, QuerySet

from sgu.core.errors import FieldError, ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def clamp_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed.of(
            [FieldError("limit", f"El límite debe estar entre 1 y {MAX_LIMIT}.")]
        )
    return limit


def _encode(values: list[Any]) -> str:
    def enc(v: Any) -> Any:
        if isinstance(v, datetime | date):
            return {"t": v.isoformat()}
        return v

    raw = json.dumps([enc(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, n: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != n:
            raise ValueError
        out: list[Any] = []
        for v in values:
            if isinstance(v, dict):
                out.append(datetime.fromisoformat(v["t"]))
            elif v is None or isinstance(v, int | str | float):
                out.append(v)
            else:
                raise ValueError
        return out
    except (ValueError, KeyError, TypeError, json.JSONDecodeError):
        raise _bad_cursor() from None


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed.of(
        [FieldError("cursor", "El cursor no es válido; vuelva a la primera página.")]
    )


def _typed(
    model: type[Model], dotted: str, value: Any, annotations: dict[str, Any] | None = None
) -> Any:
    """`value` as the ordering field's Python type; ValueError if it cannot be one.

    A cursor is client input: a well-formed one with values of the wrong type (or None)
    must be refused here, not reach the database as a 500. An ordering may also name an
    annotation of the queryset (a rank): its output field types the value.
    """
    if annotations and dotted in annotations:
        field = annotations[dotted].output_field
    else:
        *relations, name = dotted.split("__")
        for part in relations:
            model = model._meta.get_field(part).related_model  # type: ignore[assignment]
        field = model._meta.get_field(name)
    if not isinstance(field, Field):
        raise ValueError("not a column")
    if value is None:
        raise ValueError("null")
    try:
        typed = field.to_python(value)
    except DjangoValidationError:
        raise ValueError("type") from None
    if isinstance(typed, datetime) and typed.tzinfo is None:
        raise ValueError("naive")
    if isinstance(typed, int) and not -(2**63) <= typed < 2**63:
        raise ValueError("out of range")  # the databases' bigint
    return typed


def keyset_page(
    qs: QuerySet[Any], ordering: list[str], cursor: str | None, limit: int
) -> tuple[list[Any], str | None]:
    """One page of `qs` ordered by `ordering` (e.g. ["due_at", "id"], ["-registered_at", "-id"]).

    The last field must be unique (the primary key). Ordering fields must not be NULL in `qs`.
    """
    fields = [f.lstrip("-") for f in ordering]
    qs = qs.order_by(*ordering)
    if cursor:
        try:
            values = [
                _typed(qs.model, f, v, qs.query.annotations)
                for f, v in zip(fields, _decode(cursor, len(fields)), strict=True)
            ]
        except (ValueError, TypeError):
            raise _bad_cursor() from None
        # (a, b, c) > (x, y, z) lexicographically, per field direction.
        condition = Q()
        for i, name in enumerate(ordering):
            op = "lt" if name.startswith("-") else "gt"
            term = Q(**{f"{fields[i]}__{op}": values[i]})
            for j in range(i):
                term &= Q(**{fields[j]: values[j]})
            condition |= term
        qs = qs.filter(condition)
    rows = list(qs[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = _encode([_attr(last, f) for f in fields])
    return rows, next_cursor


def _attr(obj: Any, dotted: str) -> Any:
    for part in dotted.split("__"):
        obj = getattr(obj, part)
    return obj
