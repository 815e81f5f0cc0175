"""Turning an email's template and context into its subject and body — in the request that
queues it (`queue_email`), or later in the worker that sends it (`queue_email(render=LATER)`),
from a context stored as JSON: the rows it names by primary key and the values it pins."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.template.loader import render_to_string

# In a stored context: the key whose object's `code` becomes the email's case_code.
CASE_CODE_OF = "$case_code_of"


@dataclass(frozen=True)
class EmailSpec:
    """One email to send: templates notifications/email/<template>.subject.txt and .txt."""

    to: str
    template: str
    context: dict[str, Any]
    case_code: str = ""
    attachments: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str


def render(spec: EmailSpec) -> Rendered:
    ctx = {"site_url": settings.SITE_URL, **spec.context}
    subject = " ".join(
        render_to_string(f"notifications/email/{spec.template}.subject.txt", ctx).split()
    )
    return Rendered(
        subject=subject[:200],
        body_text=render_to_string(f"notifications/email/{spec.template}.txt", ctx),
    )


def freeze(context: dict[str, Any]) -> dict[str, Any]:
    """The context as JSON: a model instance by its primary key (read again when rendered),
    an instant or a date as ISO text, anything else as it is (JSON values only)."""
    return {key: _freeze(value) for key, value in context.items()}


def _freeze(value: Any) -> Any:
    if isinstance(value, models.Model):
        return {"$ref": value._meta.label_lower, "pk": value.pk}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"no se puede guardar en el contexto de un correo: {type(value).__name__}")


def thaw(stored: dict[str, Any]) -> dict[str, Any]:
    """The context `freeze` stored, its rows read now (one query each)."""
    return {key: _thaw(value) for key, value in stored.items() if not key.startswith("$")}


def _thaw(value: Any) -> Any:
    if isinstance(value, dict):
        if "$ref" in value:
            model = apps.get_model(value["$ref"])
            return model._default_manager.get(pk=value["pk"])
        if "$datetime" in value:
            return datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return date.fromisoformat(value["$date"])
    return value
