"""The published HTTP API (API.md): one NinjaAPI, each app mounts its router.

Errors are problem+json in Spanish whatever goes wrong; bad input never becomes a 500.
"""

import logging

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from sgu.accounts.api import router as accounts_router
from sgu.attention.api import add_assisted_registration
from sgu.attention.api import router as attention_router
from sgu.cases.account_api import router as account_cases_router
from sgu.cases.api import router as cases_router
from sgu.cases.operator_api import router as operators_router
from sgu.cases.public_api import router as public_cases_router
from sgu.cases.staff_api import router as staff_router
from sgu.catalog.api import router as catalog_router
from sgu.core import refusals
from sgu.core.errors import DomainError, FieldError
from sgu.core.errors import problem_response as _problem_response
from sgu.core.openapi import SguNinjaAPI, Utf8Renderer
from sgu.core.schemas import refusal_message
from sgu.operators.api import public_router as public_operator_info_router
from sgu.operators.api import router as operator_info_router
from sgu.operators.api import staff_router as staff_operator_info_router
from sgu.outages.api import router as outages_router
from sgu.provider.api import router as provider_router
from sgu.reporting.public_api import router as public_indicators_router
from sgu.service_requests.api import router as service_requests_router
from sgu.suggestions.api import router as suggestions_router

logger = logging.getLogger("sgu.api")


api = SguNinjaAPI(
    renderer=Utf8Renderer(),
    title="SGU — Sistema de Gestión de Usuarios",
    version="1",
    description=(
        "API del SGU para ciudadanos, personal del regulador y sistemas de las operadoras. "
        "Errores en formato `application/problem+json` (RFC 9457), mensajes en español. "
        "Autenticación: `Authorization: Bearer <token>` (token de `POST /auth/token` o clave "
        "de API de la operadora). Los POST que crean admiten `Idempotency-Key`."
    ),
    urls_namespace="api",
)


def problem_response(status: int, title: str, detail: str, errors=None) -> HttpResponse:
    return _problem_response(status, title, detail, errors)


_PYDANTIC_MESSAGES = {
    "missing": "Este dato es obligatorio.",
    "string_type": "Debe ser texto.",
    "int_type": "Debe ser un número entero.",
    "int_parsing": "Debe ser un número entero.",
    "int_from_float": "Debe ser un número entero.",
    "bool_type": "Debe ser verdadero o falso (true/false).",
    "bool_parsing": "Debe ser verdadero o falso (true/false).",
    "float_type": "Debe ser un número.",
    "float_parsing": "Debe ser un número.",
    "date_type": "Debe ser una fecha AAAA-MM-DD.",
    "date_parsing": "Debe ser una fecha AAAA-MM-DD.",
    "date_from_datetime_parsing": "Debe ser una fecha AAAA-MM-DD.",
    "datetime_type": "Debe ser una fecha y hora ISO 8601.",
    "datetime_parsing": "Debe ser una fecha y hora ISO 8601.",
    "datetime_from_date_parsing": "Debe ser una fecha y hora ISO 8601.",
    "dict_type": "Debe ser un objeto JSON.",
    "model_type": "Debe ser un objeto JSON.",
    "model_attributes_type": "Debe ser un objeto JSON.",
    "list_type": "Debe ser una lista.",
    "enum": "Valor no permitido.",
    "literal_error": "Valor no permitido.",
    "string_too_long": "Texto demasiado largo.",
    "string_too_short": "Texto demasiado corto.",
    "greater_than_equal": "Valor demasiado pequeño.",
    "less_than_equal": "Valor demasiado grande.",
    "greater_than": "Valor demasiado pequeño.",
    "less_than": "Valor demasiado grande.",
    "json_invalid": "El cuerpo no es JSON válido.",
    "extra_forbidden": "Dato no previsto.",
    "value_error": "Valor no válido.",
}


_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}
_BODY_PARAMS = {"payload", "data", "body"}


def _field_name(loc: list) -> str:
    # ("body", "payload", "score") -> "score"; ("query", "limit") -> "limit";
    # ("file", "file") -> "file"; ("body", "payload") (no body at all) -> "body".
    # Only the leading source (and the body parameter's own name) is dropped: a field may
    # well be called "file" or "body".
    parts = [str(p) for p in loc]
    if parts and parts[0] in _SOURCES:
        source, parts = parts[0], parts[1:]
        if source in ("body", "form") and parts and parts[0] in _BODY_PARAMS:
            parts = parts[1:]
    return ".".join(parts) or "body"


def translate_validation(errors: list[dict]) -> list[FieldError]:
    out = []
    for e in errors:
        message = _PYDANTIC_MESSAGES.get(e.get("type", ""), "Valor no válido.")
        ctx = e.get("ctx") or {}
        if (refused := refusal_message(e)) is not None:
            message = refused
        elif e.get("type") in {"enum", "literal_error"} and "expected" in ctx:
            expected = str(ctx["expected"]).replace(" or ", " o ")
            message = f"Valor no permitido; use {expected}."
        elif e.get("type") in {"string_too_long"} and "max_length" in ctx:
            message = f"Admite hasta {ctx['max_length']} caracteres."
        elif e.get("type") == "string_too_short" and "min_length" in ctx:
            message = f"Debe tener al menos {ctx['min_length']} caracteres."
        elif e.get("type") == "greater_than_equal" and "ge" in ctx:
            message = f"Debe ser como mínimo {ctx['ge']}."
        elif e.get("type") == "less_than_equal" and "le" in ctx:
            message = f"Debe ser como máximo {ctx['le']}."
        elif e.get("type") == "greater_than" and "gt" in ctx:
            message = f"Debe ser mayor que {ctx['gt']}."
        elif e.get("type") == "less_than" and "lt" in ctx:
            message = f"Debe ser menor que {ctx['lt']}."
        out.append(FieldError(_field_name(list(e.get("loc", []))), message))
    return out


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = problem_response(exc.status, exc.title, exc.detail, exc.errors)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = translate_validation(exc.errors)
    if any(e.message == _PYDANTIC_MESSAGES["json_invalid"] for e in errors):
        detail = _HTTP_TITLES[400][1]
        return problem_response(400, "Solicitud mal formada", detail, [FieldError("body", detail)])
    detail = errors[0].message if len(errors) == 1 else f"Hay {len(errors)} datos por corregir."
    if len(errors) == 1:
        detail = f"{errors[0].field}: {errors[0].message}"
    return problem_response(422, "Datos no válidos", detail, errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        401,
        "Autenticación requerida",
        "Envíe un token válido en la cabecera Authorization: Bearer <token>.",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(AuthorizationError)
def on_authz_error(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(403, "Acceso denegado", "No tiene permiso para esta operación.")


# HttpError is raised by django-ninja itself (its messages are English): say it in Spanish.
_HTTP_TITLES = {
    400: ("Solicitud mal formada", "El cuerpo de la solicitud no es JSON válido."),
    401: ("Autenticación requerida", "Envíe credenciales válidas."),
    403: (
        "Acceso denegado",
        "Falta el token CSRF o no es válido: recargue la página e intente nuevamente.",
    ),
    404: ("No encontrado", "El recurso no existe."),
    405: ("Método no permitido", "Este método no está permitido aquí."),
    413: ("Demasiado grande", "La solicitud es demasiado grande."),
    415: ("Tipo de contenido no admitido", "Envíe el cuerpo como JSON o multipart/form-data."),
    429: ("Demasiadas solicitudes", "Espere un momento antes de reintentar."),
}


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    title, detail = _HTTP_TITLES.get(exc.status_code, ("Error", "No se pudo atender la solicitud."))
    # ninja's only 400 is an unparseable body: name it, as every other input error is named.
    errors = [FieldError("body", detail)] if exc.status_code == 400 else None
    return problem_response(exc.status_code, title, detail, errors)


@api.exception_handler(Http404)
def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, "No encontrado", "El recurso no existe.")


@api.exception_handler(MultiPartParserError)
@api.exception_handler(SuspiciousOperation)
def on_unreadable_body(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Raised by Django while ninja reads the body (multipart without boundary, over
    # DATA_UPLOAD_MAX_MEMORY_SIZE): the same 400/413 as anywhere else.
    return refusals.unreadable_body(request, exc)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    if refusals.database_unavailable(exc):
        logger.warning(
            "base de datos no disponible en %s %s: %s", request.method, request.path, exc
        )
        return refusals.unavailable(request)
    # Never leak a stack trace; log it and answer in the same format.
    logger.exception("error no controlado en %s %s", request.method, request.path)
    return problem_response(
        500, "Error interno", "Ocurrió un error inesperado. Intente nuevamente en unos minutos."
    )


def _mount() -> None:

    api.add_router("", accounts_router)
    api.add_router("", account_cases_router)  # /accounts/verify-email (forwards waiting cases)
    api.add_router("/catalog", catalog_router)
    api.add_router("/cases", cases_router)
    api.add_router("/operator", operators_router)
    api.add_router("/operator", operator_info_router)  # /operator/information…
    api.add_router("/public", public_operator_info_router)  # /public/operators/{code}/inf…
    api.add_router("/staff", staff_operator_info_router)  # /staff/operator-information
    add_assisted_registration(staff_router)  # POST /staff/cases: the case, then the survey
    api.add_router("/staff", staff_router)
    api.add_router("/staff", attention_router)  # /staff/queries…, /staff/escalations…
    api.add_router("", outages_router)  # /operator/outages…, /staff/contingency-windows…
    api.add_router("", service_requests_router)  # /operator/service-requests…, /public/…
    api.add_router("", suggestions_router)  # /suggestions, /suggestions/topics
    api.add_router("/public", public_cases_router)  # /public/cases/{code}/status
    api.add_router("/public", public_indicators_router)  # /public/indicators, /public/open-data…
    api.add_router("/provider", provider_router)  # /provider/requirements…, /provider/replicas…


_mount()
