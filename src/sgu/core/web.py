"""Small helpers shared by the HTML views."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar

from django.contrib import messages
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from sgu.core.calendar import LIMA
from sgu.core.errors import NotFound, ValidationFailed
from sgu.core.pagination import keyset_page

T = TypeVar("T")

PAGE_SIZE = 25


def is_htmx(request: HttpRequest) -> bool:
    """An HTMX request that wants a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    # The same URL answers a page or a fragment: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


def or_404(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a selector; its NotFound becomes Django's 404 page (never a 403: no leak)."""
    try:
        return fn(*args, **kwargs)
    except NotFound as exc:
        raise Http404(exc.detail) from None


def page_of(
    request: HttpRequest, qs: QuerySet[Any], ordering: list[str], size: int | None = None
) -> tuple[list[Any], dict[str, Any]]:
    """One keyset page of a web list, from the request's ?cursor=, and what its template needs
    to page on: (rows, {cursor, next_cursor, next_query, plain_query}). A broken cursor (edited
    or stale) shows the first page with the message, not an error page."""
    size = size or PAGE_SIZE
    cursor = request.GET.get("cursor") or None
    try:
        rows, next_cursor = keyset_page(qs, ordering, cursor, size)
    except ValidationFailed as exc:
        messages.error(request, exc.detail)
        rows, next_cursor = keyset_page(qs, ordering, None, size)
        cursor = None
    query = request.GET.copy()
    query.pop("cursor", None)
    plain_query = query.urlencode()
    if next_cursor:
        query["cursor"] = next_cursor
    return rows, {
        "cursor": cursor,
        "next_cursor": next_cursor,
        "next_query": query.urlencode(),
        "plain_query": plain_query,
    }


def refused_page(
    request: HttpRequest,
    exc: Any,
    template: str = "core/429.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """What a person sees when a rate limit refuses them (`exc`: core.ratelimit.RateLimited):
    429 with Retry-After; a form page passes its template and context to say it in place."""
    if context is None:
        context = {"detail": exc.detail}
    response = render(request, template, context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def posted(request: HttpRequest) -> Any:
    """The POST data to bind a form to, or None on a GET. An empty POST still binds the form,
    so the service's errors are shown on it."""
    return request.POST if request.method == "POST" else None


def safe_next(request: HttpRequest, value: str | None, default: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return default


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def period_from(request: HttpRequest, default_from: date) -> tuple[date, date, list[str]]:
    """The «desde»/«hasta» dates (AAAA-MM-DD) of a statistics page, up to today by default.
    A bad value is named in the returned messages and replaced by its default; reversed
    dates are swapped."""
    errors = []
    start = parse_date(request.GET.get("desde", ""))
    end = parse_date(request.GET.get("hasta", ""))
    if request.GET.get("desde") and start is None:
        errors.append("La fecha «desde» debe ser AAAA-MM-DD.")
    if request.GET.get("hasta") and end is None:
        errors.append("La fecha «hasta» debe ser AAAA-MM-DD.")
    start, end = start or default_from, end or timezone.localdate()
    if end < start:
        errors.append("La fecha «hasta» es anterior a «desde»; se muestran al revés.")
        start, end = end, start
    return start, end, errors


def parse_int(value: str) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def as_local(value: datetime) -> datetime:

    return timezone.localtime(value, LIMA)


def format_local(value: datetime | None) -> str:
    """dd/mm/aaaa HH:MM in America/Lima."""
    if value is None:
        return ""
    return f"{as_local(value):%d/%m/%Y %H:%M}"


def download(case: Any, attachment_id: int) -> FileResponse:
    """One of `case`'s files (the case already came from a scoped selector), as a download:
    never rendered by the browser inside our origin."""
    found = next((a for a in case.attachments.all() if a.pk == attachment_id), None)
    if found is None:
        raise Http404("No existe ese archivo en este caso.")
    return send_file(found.file, filename=found.name, content_type=found.content_type)


def send_file(file: Any, *, filename: str, content_type: str) -> FileResponse:
    """A stored file the caller already checked access to, as a download."""
    response = FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


CONFIRMED = "confirmado"


def confirmed(request: HttpRequest) -> bool:
    """Whether a destructive POST comes from its confirmation page (see confirmation_page)."""
    return request.POST.get(CONFIRMED) == "1"


def confirmation_page(
    request: HttpRequest,
    *,
    title: str,
    consequence: str,
    button: str,
    cancel_url: str,
) -> HttpResponse:
    """The step before an action that cannot be undone: what will happen, a button that does it
    (the same POST, now confirmed) and a way back. Works without JavaScript."""
    response = render(
        request,
        "core/confirm.html",
        {
            "title": title,
            "consequence": consequence,
            "button": button,
            "action": request.path,
            "cancel_url": cancel_url,
            "field": CONFIRMED,
            "nav": getattr(request, "nav", ""),
        },
    )
    response["Cache-Control"] = "no-store"
    return response
