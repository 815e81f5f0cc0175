"""The published OpenAPI schema, finished after django-ninja builds it.

Every error of the API is `application/problem+json` (core/errors.py); ninja documents a
response schema as `application/json`, so the Problem responses are relabelled here. The
errors any operation can answer whatever its code says are declared once, here, rather than
on every route: 429 (rate limits, on every API request), 401 (an operation behind
credentials), 422 (a parameter or body that does not validate) and 400/413/415 (a body that
is not JSON, too big, or of another type). Default English descriptions become Spanish.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from sgu.core.errors import PROBLEM_CONTENT_TYPE

PROBLEM_REF = "#/components/schemas/Problem"

DESCRIPTIONS = {
    "200": "Correcto.",
    "201": "Creado.",
    "202": "Aceptado: se procesa en segundo plano.",
    "204": "Sin contenido.",
    "400": "Solicitud mal formada (el cuerpo no es JSON válido).",
    "401": "Falta la credencial o no es válida (`Authorization: Bearer …`).",
    "403": "Sin permiso para esta operación.",
    "404": "No existe, o no es visible para quien pregunta.",
    "409": "Conflicto con el estado actual del recurso.",
    "410": "Ya no está disponible.",
    "413": "La solicitud o el archivo es demasiado grande.",
    "415": "Tipo de contenido no admitido.",
    "422": "Datos no válidos: `errors` indica cada campo y su mensaje.",
    "429": "Demasiadas solicitudes: espere los segundos que indica `Retry-After`.",
}
_DEFAULT_DESCRIPTIONS = {
    "OK",
    "Created",
    "Accepted",
    "No Content",
    "Bad Request",
    "Unauthorized",
    "Forbidden",
    "Not Found",
    "Conflict",
    "Gone",
    "Content Too Large",
    "Request Entity Too Large",
    "Payload Too Large",
    "Unsupported Media Type",
    "Unprocessable Content",
    "Unprocessable Entity",
    "Too Many Requests",
}

PROBLEM_EXAMPLES = {
    "400": {
        "type": "about:blank",
        "title": "Solicitud mal formada",
        "status": 400,
        "detail": "El cuerpo de la solicitud no es JSON válido.",
        "errors": [{"field": "body", "message": "El cuerpo de la solicitud no es JSON válido."}],
    },
    "401": {
        "type": "about:blank",
        "title": "Autenticación requerida",
        "status": 401,
        "detail": "Envíe un token válido en la cabecera Authorization: Bearer <token>.",
        "errors": [],
    },
    "404": {
        "type": "about:blank",
        "title": "No encontrado",
        "status": 404,
        "detail": "No existe un caso con ese código en su bandeja.",
        "errors": [],
    },
    "409": {
        "type": "about:blank",
        "title": "Conflicto con el estado actual",
        "status": 409,
        "detail": "El caso ya fue respondido.",
        "errors": [],
    },
    "422": {
        "type": "about:blank",
        "title": "Datos no válidos",
        "status": 422,
        "detail": "limit: Debe ser un número entero.",
        "errors": [{"field": "limit", "message": "Debe ser un número entero."}],
    },
    "429": {
        "type": "about:blank",
        "title": "Demasiadas solicitudes",
        "status": 429,
        "detail": "Espere un momento antes de reintentar.",
        "errors": [],
    },
}


def _problem(status: str) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": {"$ref": PROBLEM_REF}}
    if status in PROBLEM_EXAMPLES:
        media["example"] = PROBLEM_EXAMPLES[status]
    return {
        "description": DESCRIPTIONS.get(status, "Error."),
        "content": {PROBLEM_CONTENT_TYPE: media},
    }


def _is_problem(response: dict[str, Any]) -> bool:
    for media in (response.get("content") or {}).values():
        if (media.get("schema") or {}).get("$ref") == PROBLEM_REF:
            return True
    return False


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


def _by_status_text(responses: dict[Any, Any]) -> dict[str, Any]:
    """Response keys as text. ninja keys them by int; an `openapi_extra` keyed "200" would
    otherwise be a second "200" in the JSON (a duplicated key: Swagger UI refuses the schema)."""
    merged: dict[str, dict[str, Any]] = {}
    for status, response in sorted(responses.items(), key=lambda item: isinstance(item[0], str)):
        _merge(merged.setdefault(str(status), {}), response)
    return merged


def finish(schema: Any) -> Any:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"] = _by_status_text(operation["responses"])
            for status, response in list(responses.items()):
                status = str(status)
                if _is_problem(response):
                    media = next(iter(response["content"].values()))
                    response["content"] = {PROBLEM_CONTENT_TYPE: media}
                    if status in PROBLEM_EXAMPLES:
                        media.setdefault("example", PROBLEM_EXAMPLES[status])
                if response.get("description") in _DEFAULT_DESCRIPTIONS or not response.get(
                    "description"
                ):
                    response["description"] = DESCRIPTIONS.get(status, response.get("description"))
            present = {str(s) for s in responses}
            wanted = {"429"}
            if operation.get("security"):
                wanted.add("401")
            if operation.get("parameters") or "requestBody" in operation:
                wanted.add("422")
            if "requestBody" in operation:
                wanted |= {"400", "413", "415"}
            for status in sorted(wanted - present):
                responses[status] = _problem(status)
    return schema


def doc(request: Any = None, **responses: Any) -> dict[str, Any]:
    """`openapi_extra` with a JSON request example and response examples by status
    (`r200=…`, `r201=…`): ninja merges it into the operation it builds."""
    extra: dict[str, Any] = {}
    if request is not None:
        extra["requestBody"] = {"content": {"application/json": {"example": request}}}
    if responses:
        extra["responses"] = {
            int(key.lstrip("r")): {"content": {"application/json": {"example": example}}}
            for key, example in responses.items()
        }
    return extra


class SguNinjaAPI(NinjaAPI):
    """NinjaAPI whose schema is finished by `finish` (problem+json, Spanish, shared errors)."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        return finish(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))


class Utf8Renderer(JSONRenderer):
    """The API's JSON: UTF-8 as it is (accents and ñ unescaped)."""

    json_dumps_params = {"ensure_ascii": False}


def validated_response(request: HttpRequest, body: Any, status: int) -> HttpResponse:
    """A body the view has already validated against its response schema and dumped to JSON
    values, rendered as the API renders every answer: validating it again would be the
    response schema's only work (docs/benchmarks.md, «Issue 19»)."""
    renderer = Utf8Renderer()
    content = renderer.render(request, body, response_status=status)
    content_type = f"{renderer.media_type}; charset={renderer.charset}"  # as NinjaAPI's
    return HttpResponse(content, status=status, content_type=content_type)
