"""Reference data read once per process: the catalog (operators, subcategories with their
fields), the business calendar, the scope figures (subscriber counts and thresholds) and the
operators' active webhook endpoints change a few times a year, and every registration reads
them.

Each process keeps what it loaded next to the version stamp it saw (`core_referencestamp`, one
row). Every change made through the admin bumps the stamp (`BumpsReferenceStamp`) in the same
transaction; each request reads the stamp once (one indexed row: `StampMiddleware` keeps it for
the rest of the request) and reloads what was loaded under another one. So a change is seen by
every process, on every host, from the first request that starts after its COMMIT — as before,
when each request read the tables. A stamp is random, never a counter: a rolled-back bump
cannot come back with the value of one a process already cached.

A change made outside the admin (a shell, a data migration, `operators.services.
configure_webhook`) must call `bump()`; with
SGU_REFERENCE_CACHE=0 every call reads the tables again."""

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.db.models import Model, QuerySet
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest, HttpResponseBase

from sgu.core import replica
from sgu.core.models import ReferenceStamp

T = TypeVar("T")
NAME = "reference"

_request_stamp: ContextVar[list[str | None] | None] = ContextVar("reference_stamp", default=None)
_loaded: dict[str, tuple[str, object]] = {}


def enabled() -> bool:
    return bool(settings.SGU.get("REFERENCE_CACHE", True))


def current_stamp() -> str:
    memo = _request_stamp.get()
    if memo is not None and memo[0] is not None:
        return memo[0]
    table = connection.ops.quote_name(ReferenceStamp._meta.db_table)
    with connection.cursor() as cur:
        cur.execute(f"SELECT value FROM {table} WHERE name = %s", [NAME])
        row = cur.fetchone()
    stamp = row[0] if row else ""
    if memo is not None:
        memo[0] = stamp
    return stamp


def _remember(stamp: str | None) -> None:
    memo = _request_stamp.get()
    if memo is not None and memo[0] is None:
        memo[0] = stamp or ""


def read_along() -> tuple[str, Callable[[str | None], None]] | None:
    """The stamp as an expression to read along with a row the request reads anyway (its
    credential: core.rows.one_with_related's `along`), or None when it is known already or
    there is no request to keep it for: one round trip less per API request."""
    memo = _request_stamp.get()
    if not enabled() or memo is None or memo[0] is not None:
        return None
    table = connection.ops.quote_name(ReferenceStamp._meta.db_table)
    return f"(SELECT value FROM {table} WHERE name = '{NAME}')", _remember


def bump() -> str:
    """A change to the catalog or the calendar: every process reloads them."""
    stamp = uuid.uuid4().hex
    ReferenceStamp.objects.update_or_create(name=NAME, defaults={"value": stamp})
    memo = _request_stamp.get()
    if memo is not None:
        memo[0] = stamp
    return stamp


def cached(key: str, load: Callable[[], T]) -> T:
    """`load()`'s result, loaded again only when the stamp changed since."""
    if not enabled():
        return load()
    stamp = current_stamp()
    entry = _loaded.get(key)
    if entry is not None and entry[0] == stamp:
        return entry[1]  # type: ignore[return-value]
    with replica.primary():  # the stamp is the primary's: so must be what is kept under it
        value = load()
    _loaded[key] = (stamp, value)
    return value


class StampMiddleware:
    """The stamp is read at most once per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request_stamp.set([None])
        try:
            return self.get_response(request)
        finally:
            _request_stamp.reset(token)


class BumpsReferenceStamp(admin.ModelAdmin):  # type: ignore[type-arg]
    """ModelAdmin base for the reference data: every save (with its inlines) or delete bumps
    the stamp, in the admin's own transaction."""

    def save_related(
        self,
        request: HttpRequest,
        form: ModelForm[Any],
        formsets: list[BaseFormSet[Any]],
        change: bool,
    ) -> None:
        super().save_related(request, form, formsets, change)
        bump()

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        super().delete_model(request, obj)
        bump()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        bump()
