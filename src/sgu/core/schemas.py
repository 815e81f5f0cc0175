from datetime import UTC, datetime
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator


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


# An instant received by the API (a datetime with its offset), normalised to UTC.
Instant = Annotated[datetime, AfterValidator(_to_utc)]
