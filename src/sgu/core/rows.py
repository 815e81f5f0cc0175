"""A model's row and the row it points to, read by one hand-written SELECT and hydrated as the
ORM would (same converters, same instances, the related one cached as `select_related` does).

For the few reads that every request pays — the bearer token or API key behind each API call —
compiling a `select_related` queryset costs more CPU than the query itself (docs/benchmarks.md,
«Issue 19»). Everything else reads through the ORM."""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import connections
from django.db.models import ForeignKey, Model

M = TypeVar("M", bound=Model)

Converter = Callable[[Any, Any, Any], Any]


@cache
def _shape(model: type[Model], alias: str) -> tuple[list[str], list[tuple[Any, list[Converter]]]]:
    """The model's attribute names and, per column, its expression and the converters the ORM
    would apply to it (the compiler's `get_converters`)."""
    connection = connections[alias]
    names, converters = [], []
    for field in model._meta.concrete_fields:
        names.append(field.attname)
        column = field.get_col(model._meta.db_table)
        found = list(connection.ops.get_db_converters(column))
        found += list(column.get_db_converters(connection))
        converters.append((column, found))
    return names, converters


def columns(model: type[Model], table_alias: str, alias: str = "default") -> str:
    """Every concrete column of `model`, qualified by `table_alias`, in the model's order."""
    quote = connections[alias].ops.quote_name
    return ", ".join(f"{table_alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def hydrate(model: type[M], values: Sequence[Any], alias: str = "default") -> M:
    """An instance of `model` from its columns in `columns()` order, converted as the ORM
    converts them (JSON, booleans and datetimes on SQLite, time zones)."""
    names, converters = _shape(model, alias)
    connection = connections[alias]
    converted = []
    for value, (column, field_converters) in zip(values, converters, strict=True):
        for convert in field_converters:
            value = convert(value, column, connection)
        converted.append(value)
    return model.from_db(alias, names, converted)


@cache
def _joined_select(model: type[Model], relation: str, where: str, alias: str) -> str:
    field = model._meta.get_field(relation)
    assert isinstance(field, ForeignKey), relation
    related: type[Model] = field.related_model  # type: ignore[assignment]
    pk = related._meta.pk
    assert pk is not None
    quote = connections[alias].ops.quote_name
    return (
        f"SELECT {columns(model, 'a', alias)}, {columns(related, 'b', alias)} "
        f"FROM {quote(model._meta.db_table)} a "
        f"JOIN {quote(related._meta.db_table)} b ON b.{quote(pk.column)} = a.{quote(field.column)} "
        f"WHERE {where} LIMIT 1"
    )


def one_with_related(
    model: type[M], relation: str, where: str, params: Sequence[Any], alias: str = "default"
) -> M | None:
    """The first `model` row (table alias `a`) matching `where`, with the row of its foreign
    key `relation` (table alias `b`) read in the same statement and cached on it."""
    with connections[alias].cursor() as cursor:
        cursor.execute(_joined_select(model, relation, where, alias), list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    field = model._meta.get_field(relation)
    assert isinstance(field, ForeignKey)
    width = len(model._meta.concrete_fields)
    instance = hydrate(model, row[:width], alias)
    field.set_cached_value(instance, hydrate(field.related_model, row[width:], alias))  # type: ignore[arg-type]
    return instance
