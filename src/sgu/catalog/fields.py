"""The subcategory's extra fields, validated the same way for the web form and the API."""

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from sgu.catalog.models import FieldType, Subcategory
from sgu.core.errors import ErrorCollector

MAX_TEXT = 500
MAX_NUMBER = Decimal("999999999999999")  # 15 digits

# An operator-information field (FieldType.OPERATOR_INFO) takes one of the operator's current
# items, or OTHER with the citizen's own words in "<name>__otro".
OTHER = "otro"
OTHER_SUFFIX = "__otro"
OTHER_PREFIX = "Otro: "

# kind (OperatorInfoKind) -> the chosen operator's current item names; None when no operator
# is known (then only "otro" is possible).
OperatorChoices = Callable[[str], list[str]]


def clean_extra_fields(
    subcategory: Subcategory,
    raw: Any,
    errors: ErrorCollector,
    prefix: str = "fields",
    operator_choices: OperatorChoices | None = None,
) -> dict[str, Any]:
    """Return the cleaned values (JSON-ready) or add one error per bad field to `errors`."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        errors.add(prefix, "Los datos adicionales deben enviarse como un objeto {nombre: valor}.")
        return {}
    definitions = list(subcategory.fields.all())
    known = {f.name for f in definitions}
    known |= {f.name + OTHER_SUFFIX for f in definitions if f.type == FieldType.OPERATOR_INFO}
    for name in raw:
        if name not in known:
            errors.add(f"{prefix}.{name}", "Dato no previsto para esta subcategoría.")
    cleaned: dict[str, Any] = {}
    for f in definitions:
        value = raw.get(f.name)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if f.required:
                errors.add(f"{prefix}.{f.name}", _missing(f.label))
            continue
        try:
            if f.type == FieldType.OPERATOR_INFO:
                choices = operator_choices(f.info_kind) if operator_choices else []
                cleaned[f.name] = _clean_operator_info(
                    value, raw.get(f.name + OTHER_SUFFIX), choices
                )
            else:
                cleaned[f.name] = _clean_value(f.type, value, f.choices)
        except ValueError as exc:
            errors.add(f"{prefix}.{f.name}", f"{_named(f.label)}: {exc}")
    return cleaned


def _clean_operator_info(value: Any, other: Any, choices: list[str]) -> str:
    """One of the operator's current items, or "otro" with the citizen's words (kept as
    «Otro: …» so that whoever reads the case sees it was not in the operator's list)."""
    if not isinstance(value, str):
        raise ValueError("valor no válido.")
    if value.casefold() == OTHER:
        text = other.strip() if isinstance(other, str) else ""
        if not text:
            raise ValueError("escriba cuál es, en «Otro».")
        if len(text) > MAX_TEXT:
            raise ValueError(f"admite hasta {MAX_TEXT} caracteres.")
        return OTHER_PREFIX + text
    if value not in choices:
        raise ValueError(
            "elija una de las opciones que informó la operadora, u «otro» y escriba cuál es."
        )
    return value


def _is_question(label: str) -> bool:
    return label.startswith("¿") and label.endswith("?")


def _missing(label: str) -> str:
    """«Ingrese «Monto»» for a data field; a question is answered, not quoted inside quotes."""
    return f"Responda: {label}" if _is_question(label) else f"Ingrese «{label}»."


def _named(label: str) -> str:
    return label if _is_question(label) else f"«{label}»"


def _clean_value(kind: str, value: Any, choices: list) -> Any:
    if isinstance(value, bool):
        raise ValueError("valor no válido.")
    if kind == FieldType.TEXT:
        if not isinstance(value, str | int | float):
            raise ValueError("debe ser texto.")
        text = str(value)
        if len(text) > MAX_TEXT:
            raise ValueError(f"admite hasta {MAX_TEXT} caracteres.")
        return text
    if kind == FieldType.NUMBER:
        number = _decimal(value, "debe ser un número.")
        if number.copy_abs() > MAX_NUMBER:
            # Also keeps "1e999999999" from being expanded into a billion-digit int.
            raise ValueError("el número es demasiado grande.")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == FieldType.MONEY:
        amount = _decimal(value, "debe ser un monto en soles, p. ej. 25.50.")
        if amount < 0:
            raise ValueError("el monto no puede ser negativo.")
        if amount.as_tuple().exponent < -2 or amount > Decimal("99999999.99"):  # type: ignore[operator]
            raise ValueError("use como máximo dos decimales y un monto razonable.")
        return str(amount.quantize(Decimal("0.01")))
    if kind == FieldType.DATE:
        if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise ValueError("use el formato AAAA-MM-DD.")
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise ValueError("la fecha no existe.") from None
        if parsed > timezone.localdate():
            raise ValueError("la fecha no puede ser futura.")
        return parsed.isoformat()
    if kind == FieldType.CHOICE:
        if str(value) not in [str(c) for c in choices]:
            raise ValueError("elija una de las opciones: " + ", ".join(map(str, choices)) + ".")
        return str(value)
    raise ValueError("tipo de dato no configurado.")


def _decimal(value: Any, message: str) -> Decimal:
    if isinstance(value, str):
        value = value.replace(",", ".").strip()
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(message) from None
    if not number.is_finite():
        raise ValueError(message)
    return number
