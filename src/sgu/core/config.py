"""Typed reads of the platform's own settings (`settings.SGU`): a service says what kind of
value it expects, and a wrong value in the environment fails loudly instead of deep inside."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def integer(name: str, default: int | None = None) -> int:
    value = settings.SGU.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ImproperlyConfigured(f"SGU[{name!r}] debe ser un número (vale {value!r}).")
    return int(value)


def number(name: str, default: float | None = None) -> float:
    value = settings.SGU.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ImproperlyConfigured(f"SGU[{name!r}] debe ser un número (vale {value!r}).")
    return float(value)


def section(name: str) -> dict[str, Any]:
    """An app's own block of settings (`settings.SGU[name]`, e.g. "SUGGESTIONS"), empty when
    not set. Its values are as the settings give them: the app converts each one it reads."""
    value = settings.SGU.get(name, {})
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"SGU[{name!r}] debe ser un diccionario (vale {value!r}).")
    return value


def strings(name: str) -> frozenset[str]:
    """A setting that lists names (hosts, codes…), empty when not set."""
    value = settings.SGU.get(name, ())
    if not isinstance(value, list | tuple | set | frozenset) or not all(
        isinstance(v, str) for v in value
    ):
        raise ImproperlyConfigured(f"SGU[{name!r}] debe ser una lista de textos (vale {value!r}).")
    return frozenset(value)
