"""The request id: one per HTTP request, taken from the proxy's X-Request-ID when it looks like
one (so the proxy's access log and ours agree) or made here, answered in X-Request-ID, and put
on every log line written while the request runs (sgu.core.logging.RequestIdFilter) — including
the lines that say which tasks and emails it enqueued."""

import contextvars
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
_VALID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
_current: contextvars.ContextVar[str] = contextvars.ContextVar("sgu_request_id", default="")


def current() -> str:
    """The id of the request being served ('' outside a request)."""
    return _current.get()


def new_id() -> str:
    return uuid.uuid4().hex


def use(request_id: str) -> contextvars.Token[str]:
    """Make `request_id` the current one; returns the token to give back to `reset`."""
    return _current.set(request_id)


def reset(token: contextvars.Token[str]) -> None:
    _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _VALID.match(given) else new_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        token = use(request_id)
        try:
            response = self.get_response(request)
        finally:
            reset(token)
        response[HEADER] = request_id
        return response
