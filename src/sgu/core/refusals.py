"""Requests refused before any view can act on them, answered the same way everywhere:
problem+json in Spanish under /api/, a Spanish page elsewhere — never a 500.

- NUL bytes (U+0000) in the path, a header, the query string or a form or JSON body:
  PostgreSQL cannot store them in text and refuses the whole statement, so they are refused
  here, before anything is read or written (`RefuseNulBytesMiddleware`).
- A body Django cannot parse (multipart without its boundary…) or too big
  (`DATA_UPLOAD_MAX_MEMORY_SIZE`): 400 or 413 (`bad_request`, Django's handler400, and the
  API's exception handler for the same exceptions).
- The database unreachable (PostgreSQL restarting, the network down): 503 with Retry-After,
  whichever layer met it first (`unavailable`, from handler500 and the API's handler).

None of these pages may touch the database: they are rendered without the request's context.
"""

import json
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.template import loader

from sgu.core.errors import FieldError, problem_response

API_PREFIX = "/api/"

# Seconds a client should wait before retrying while the database is unreachable: about
# what a PostgreSQL restart takes.
RETRY_AFTER_UNAVAILABLE = 10

NUL_MESSAGE = "Contiene un carácter nulo (\\u0000), que no se admite."


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def refuse(
    request: HttpRequest,
    status: int,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    *,
    retry_after: int | None = None,
) -> HttpResponse:
    if is_api(request):
        return problem_response(status, title, detail, errors, retry_after=retry_after)
    # No request context: its processors read the session and the user (the database).
    html = loader.get_template("core/refused.html").render(
        {"title": title, "detail": detail, "errors": errors or []}
    )
    response = HttpResponse(html, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


# --- the database is unreachable ---------------------------------------------------------------


def database_unavailable(exc: BaseException | None) -> bool:
    """An error that says the database cannot be reached now (it may be back in seconds),
    as opposed to a statement it refused."""
    return isinstance(exc, OperationalError | InterfaceError)


def unavailable(request: HttpRequest) -> HttpResponse:
    return refuse(
        request,
        503,
        "Servicio no disponible por un momento",
        "No podemos atender su solicitud en este momento: la base de datos no responde. "
        f"Intente nuevamente en {RETRY_AFTER_UNAVAILABLE} segundos. Si estaba enviando un caso, "
        "reenvíelo con la misma Idempotency-Key (o revise «Mis casos»): no se registrará dos "
        "veces.",
        retry_after=RETRY_AFTER_UNAVAILABLE,
    )


# --- a body that cannot be read ------------------------------------------------------------------


def unreadable_body(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """400 or 413 for the exceptions Django raises while reading a request's body."""

    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        detail = (
            f"La solicitud supera el máximo de {limit} MB. Para archivos, use el envío de "
            "archivos (multipart/form-data)."
        )
        return refuse(request, 413, "Solicitud demasiado grande", detail)
    if isinstance(exc, MultiPartParserError):
        detail = (
            "El cuerpo multipart/form-data está mal formado (por ejemplo, falta el «boundary» "
            "en Content-Type). Envíelo de nuevo con su cliente HTTP o navegador."
        )
        return refuse(request, 400, "Solicitud mal formada", detail, [FieldError("body", detail)])
    detail = "La solicitud está mal formada o trae demasiados campos o archivos."
    return refuse(request, 400, "Solicitud mal formada", detail)


def bad_request(request: HttpRequest, exception: BaseException | None = None) -> HttpResponse:
    """Django's handler400 (a body it could not parse, a suspicious request)."""
    if exception is not None and isinstance(exception, MultiPartParserError | SuspiciousOperation):
        return unreadable_body(request, exception)
    detail = "La solicitud está mal formada."
    return refuse(request, 400, "Solicitud mal formada", detail)


# --- NUL bytes -----------------------------------------------------------------------------------

# `\u0000` in JSON text, not preceded by an escaping backslash (`\\u0000` is a backslash and
# the letters u0000, which is harmless).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
_FORM = "application/x-www-form-urlencoded"


def _nul_paths(value: object, path: str) -> list[str]:
    """Where, inside decoded JSON, a string (or a key) holds a NUL."""
    if isinstance(value, str):
        return [path or "body"] if "\x00" in value else []
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            key_path = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                found.append(key_path.replace("\x00", ""))
            else:
                found += _nul_paths(item, key_path)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _nul_paths(item, f"{path}[{i}]" if path else f"[{i}]")
    return found


def _nul_fields(query: QueryDict) -> list[str]:
    return [
        key.replace("\x00", "")
        for key, values in query.lists()
        if "\x00" in key or any("\x00" in v for v in values)
    ]


def nul_fields(request: HttpRequest) -> list[str] | None:
    """The fields of `request` that hold a NUL ([] for the path or a header); None if none.

    Reads the body only when it is JSON or a urlencoded form (never a multipart upload, which
    its view may refuse by size before reading); Django's form fields refuse NUL in
    multipart forms themselves."""
    if "\x00" in request.path:
        return []
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and "\x00" in value:
            return []
    raw_query = request.META.get("QUERY_STRING", "")
    fields: list[str] = []
    if "%00" in raw_query or "\x00" in raw_query:
        fields += _nul_fields(request.GET)
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        content_type = request.content_type or ""
        if content_type == _FORM:
            body = request.body
            if b"%00" in body or b"\x00" in body:
                fields += _nul_fields(request.POST)
        elif content_type == "application/json" or content_type.endswith("+json"):
            body = request.body
            if b"\x00" in body:
                fields.append("body")
            elif _JSON_NUL.search(body):
                try:
                    fields += _nul_paths(json.loads(body), "") or ["body"]
                except ValueError:
                    fields.append("body")
    return fields or None


class RefuseNulBytesMiddleware:
    """Refuses a request carrying a NUL byte anywhere a view could read it (422 naming the
    fields, or 400 for the path or a header), and answers an unreadable or oversized body
    (400/413) before a view meets it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            fields = nul_fields(request)
        except (MultiPartParserError, SuspiciousOperation) as exc:
            return unreadable_body(request, exc)
        if fields is None:
            return self.get_response(request)
        if not fields:
            detail = "La dirección o una cabecera contiene un carácter nulo (\\u0000)."
            return refuse(request, 400, "Solicitud mal formada", detail)
        errors = [FieldError(name, NUL_MESSAGE) for name in dict.fromkeys(fields)]
        detail = (
            f"{errors[0].field}: {NUL_MESSAGE}"
            if len(errors) == 1
            else (f"Hay {len(errors)} datos con un carácter nulo (\\u0000), que no se admite.")
        )
        return refuse(request, 422, "Datos no válidos", detail, errors)
