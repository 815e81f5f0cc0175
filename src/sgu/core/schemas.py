import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Strict,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WithJsonSchema,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from sgu.core.pagination import DEFAULT_LIMIT, MAX_LIMIT


class ProblemFieldError(Schema):
    field: str
    message: str


class Problem(Schema):
    """RFC 9457 problem details, in Spanish."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemFieldError] = []


def _to_utc(value: datetime) -> datetime:
    # An offset like -23:24 is valid ISO 8601 but PostgreSQL refuses it (and a date near the
    # ends of the calendar overflows): store and compare instants in UTC, refuse the rest.
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("fecha fuera de rango") from None


# Pydantic also takes a number as a date or an instant (seconds since 1970): `0.5` or `0`
# were accepted as 1970-01-01. The schema says `format: date`/`date-time`; so does the API.
_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _iso_date_only(value: object) -> object:
    if isinstance(value, bool | int | float) or (
        isinstance(value, str | bytes) and _NUMBER.fullmatch(str(value))
    ):
        raise PydanticCustomError("date_parsing", "a date in ISO 8601 format is required")
    return value


def _iso_instant_only(value: object) -> object:
    if isinstance(value, bool | int | float) or (
        isinstance(value, str | bytes) and _NUMBER.fullmatch(str(value))
    ):
        raise PydanticCustomError("datetime_parsing", "an ISO 8601 instant is required")
    return value


# An instant received by the API (a datetime with its offset), normalised to UTC.
Instant = Annotated[datetime, BeforeValidator(_iso_instant_only), AfterValidator(_to_utc)]
# A day received by the API: AAAA-MM-DD only.
Day = Annotated[date, BeforeValidator(_iso_date_only)]


# Text with something besides blanks, for a JSON Schema `pattern`: the services trim with
# str.split()/strip(), whose blanks (str.isspace) are not the regex `\s` of JSON Schema (it
# lacks U+001C-U+001F and U+0085, and adds U+FEFF), so they are listed one by one.
_BLANKS = "".join(f"\\u{c:04x}" for c in range(0x10000) if chr(c).isspace())
NOT_BLANK = f"[^{_BLANKS}]"


# A true/false in a JSON body: `true` or `false`, nothing else. Pydantic alone also takes
# "yes", "on", 1 or "1" (the schema says boolean; so does the API).
Flag = Annotated[bool, Strict()]


# A page size. The bounds are the ones `pagination.clamp_limit` enforces (with its own
# message); declared here so the published schema says them.
Limit = Annotated[
    int,
    WithJsonSchema(
        {
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "description": f"Filas por página, de 1 a {MAX_LIMIT} (por defecto {DEFAULT_LIMIT}).",
        }
    ),
]


# The error type `translate_validation` (sgu/api.py) shows with its own message.
REFUSED = "sgu_refused"


def refused_as(message: str) -> WrapValidator:
    """Any refusal of the field's declared type, bounds or values becomes one Spanish message:
    the one the web form (or the service) gives for the same datum. The published schema keeps
    what the type declares (enum, minimum, maximum…); only the words change."""

    def validate(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        try:
            return handler(value)
        except ValidationError:
            raise PydanticCustomError(REFUSED, message) from None

    return WrapValidator(validate)


def refusal_message(error: dict[str, Any]) -> str | None:
    """The message of a `refused_as` refusal, else None."""
    return str(error.get("msg")) if error.get("type") == REFUSED else None
