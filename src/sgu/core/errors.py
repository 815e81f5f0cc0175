"""Domain errors. Services raise them; the API turns them into problem+json (RFC 9457) and
the web views into form messages. Every message is Spanish and meant for the person."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Choices
from django.http import JsonResponse


def one_of(choices: type[Choices]) -> str:
    """The options of a TextChoices as a person reads them: «Altas», «Bajas» o «Consultas»
    (the labels, never the codes; «u» before a word that starts with an o sound)."""
    labels = [f"«{label}»" for label in choices.labels]
    if len(labels) < 2:
        return "".join(labels)
    last = labels[-1]
    joiner = " u " if last[1:].lower().startswith(("o", "ho")) else " o "
    return ", ".join(labels[:-1]) + joiner + last


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status = 400
    title = "Solicitud no válida"

    def __init__(self, detail: str, errors: list[FieldError] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    def as_problem(self) -> dict[str, Any]:
        return problem(self.status, self.title, self.detail, self.errors)


class ValidationFailed(DomainError):
    status = 422
    title = "Datos no válidos"

    @classmethod
    def of(cls, errors: list[FieldError]) -> "ValidationFailed":
        if len(errors) == 1:
            detail = errors[0].message
        else:
            detail = f"Hay {len(errors)} datos por corregir."
        return cls(detail, errors)


class NotFound(DomainError):
    status = 404
    title = "No encontrado"


class Conflict(DomainError):
    status = 409
    title = "Conflicto con el estado actual"


class Forbidden(DomainError):
    status = 403
    title = "Acceso denegado"


class Unauthorized(DomainError):
    status = 401
    title = "Autenticación requerida"


class PayloadTooLarge(DomainError):
    status = 413
    title = "Archivo demasiado grande"


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Tipo de archivo no admitido"


PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem(
    status: int, title: str, detail: str, errors: list[FieldError] | None = None
) -> dict[str, Any]:
    return {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "errors": [{"field": e.field, "message": e.message} for e in errors or []],
    }


def problem_response(
    status: int,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
    *,
    retry_after: int | None = None,
) -> JsonResponse:
    response = JsonResponse(
        problem(status, title, detail, errors),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


class ErrorCollector:
    """Gathers every field error before refusing, so a person fixes all of them at once."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str) -> None:
        self.errors.append(FieldError(field, message))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed.of(self.errors)


class Refused(PermissionDenied):
    """A page refused (403) with a Spanish message the 403 page shows: who may do it instead."""
