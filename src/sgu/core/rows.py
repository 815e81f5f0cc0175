"""A model's row and the row it points to, read by one hand-written SELECT and hydrated as the
ORM would (same converters, same instances, the related one cached as `select_related` does).

For the few reads that every request pays — the bearer token or API key behind each API call —
compiling a `select_related` queryset costs more CPU than the query itself (docs/benchmarks.md,
«Issue 19»). Everything else reads through the ORM."""

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, router
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, ForeignKey, Model, signals

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


def cursor_for(alias: str) -> CursorWrapper:
    """A cursor for the statements every request runs (this module's). On PostgreSQL, when
    settings.DATABASE_PREPARED_STATEMENTS is on, one that binds parameters on the server: a
    statement run a few times on a connection is then prepared there (psycopg's
    prepare_threshold) and PostgreSQL no longer parses and plans it on each run, which was a
    third of its CPU per registration (docs/benchmarks.md, «Issue 19, punto 2 (quinta parte)»).
    Django's own cursors bind on the client and never prepare. Elsewhere, the usual cursor."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    # Imported here: the PostgreSQL backend needs psycopg, SQLite does not.
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(connection.connection)
    # Wrapped as connection.cursor() wraps its own (query logging, execute_wrappers).
    return connection._prepare_cursor(cursor)  # type: ignore[attr-defined,no-any-return]


# A value read along with a row (an extra column: an SQL expression) and what to do with it.
Along = tuple[str, Callable[[Any], None]]


@cache
def _joined_select(model: type[Model], relation: str, where: str, alias: str, also: str) -> str:
    field = model._meta.get_field(relation)
    assert isinstance(field, ForeignKey), relation
    related: type[Model] = field.related_model  # type: ignore[assignment]
    pk = related._meta.pk
    assert pk is not None
    quote = connections[alias].ops.quote_name
    extra = f", {also}" if also else ""
    return (
        f"SELECT {columns(model, 'a', alias)}, {columns(related, 'b', alias)}{extra} "
        f"FROM {quote(model._meta.db_table)} a "
        f"JOIN {quote(related._meta.db_table)} b ON b.{quote(pk.column)} = a.{quote(field.column)} "
        f"WHERE {where} LIMIT 1"
    )


def one_with_related(
    model: type[M],
    relation: str,
    where: str,
    params: Sequence[Any],
    alias: str = "default",
    *,
    along: Along | None = None,
) -> M | None:
    """The first `model` row (table alias `a`) matching `where`, with the row of its foreign
    key `relation` (table alias `b`) read in the same statement and cached on it. `along`: an
    expression read in the same statement (one round trip less), its value handed to its
    callback when a row matches."""
    also, hand = along or ("", None)
    with cursor_for(alias) as cursor:
        cursor.execute(_joined_select(model, relation, where, alias, also), list(params))
        row = cursor.fetchone()
    if row is None:
        return None
    field = model._meta.get_field(relation)
    assert isinstance(field, ForeignKey)
    width = len(model._meta.concrete_fields)
    related_width = len(field.related_model._meta.concrete_fields)  # type: ignore[union-attr]
    instance = hydrate(model, row[:width], alias)
    field.set_cached_value(
        instance,
        hydrate(field.related_model, row[width : width + related_width], alias),  # type: ignore[arg-type]
    )
    if also:
        hand(row[width + related_width])  # type: ignore[misc]
    return instance


# --- writing: the INSERTs every registration pays ---------------------------------------------

# What `Model.save(force_insert=True)` and `bulk_create` do, without the query compiler: the
# same fields (an automatic primary key left to the database and read back), the same values
# (each field's `pre_save` — `auto_now_add` included — and `get_db_prep_save`), the related
# objects' keys taken as `save` takes them. Compiling the INSERT through the ORM cost more CPU
# than the statement itself on the intake path (docs/benchmarks.md, «Issue 19»).


@cache
def _insert_fields(model: type[Model], with_pk: bool) -> list[Field[Any, Any]]:
    opts = model._meta
    if opts.parents or opts.db_returning_fields not in ([], [opts.auto_field]):
        # Multi-table inheritance, database defaults or generated columns: not this path.
        raise TypeError(f"rows.insert cannot write {opts.label}: use the ORM")
    if model.save is not Model.save:
        raise TypeError(f"{opts.label} overrides save(): use the ORM")
    return [f for f in opts.local_concrete_fields if with_pk or f is not opts.auto_field]


@cache
def _keys_taken(
    model: type[Model], with_pk: bool, computed: frozenset[str]
) -> frozenset[Field[Any, Any]]:
    """The fields whose related object's key is taken as save() takes it: all written but the
    computed ones. A set: Django tests each concrete field's membership, and in a list that
    was one Field.__eq__ per pair (about 900 per case)."""
    return frozenset(f for f in _insert_fields(model, with_pk) if f.attname not in computed)


@cache
def _insert_sql(
    model: type[Model],
    with_pk: bool,
    rows: int,
    alias: str,
    computed: tuple[tuple[str, str], ...] = (),
    returning: tuple[str, ...] = (),
    also: tuple[str, ...] = (),
) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = _insert_fields(model, with_pk)
    expressions = dict(computed)
    row = "(" + ", ".join(expressions.get(f.attname, "%s") for f in fields) + ")"
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "
        f"({', '.join(quote(f.column) for f in fields)}) VALUES {', '.join([row] * rows)}"
    )
    read_back = [quote(f.column) for f in _read_back(model, with_pk, returning)] + list(also)
    if read_back:
        sql += " RETURNING " + ", ".join(read_back)
    return sql


@cache
def _read_back(
    model: type[Model], with_pk: bool, returning: tuple[str, ...]
) -> list[Field[Any, Any]]:
    """The fields an INSERT reads back: the automatic key (when the database gives it) and
    the `returning` ones."""
    fields = [f for f in model._meta.concrete_fields if f.attname in returning]
    if len(fields) != len(returning):
        raise TypeError(f"{model._meta.label}: not concrete fields: {returning}")
    if not with_pk:
        assert model._meta.auto_field is not None
        fields.insert(0, model._meta.auto_field)
    return fields


@cache
def _read_back_converters(
    model: type[Model], with_pk: bool, returning: tuple[str, ...], alias: str
) -> list[tuple[str, Any, list[Converter]]]:
    """Per field read back: its attribute, and its column with the converters hydrate() applies
    to it (those _shape keeps)."""
    concrete = model._meta.concrete_fields
    shape = _shape(model, alias)[1]
    return [(f.attname, *shape[concrete.index(f)]) for f in _read_back(model, with_pk, returning)]


# A field's value computed by the database: its SQL expression, with its own parameters if any.
Computed = str | tuple[str, Sequence[Any]]


@dataclass(frozen=True)
class Before:
    """A new row written by the same statement as an `insert`, before its own rows: the WITH
    clause `name AS (INSERT … RETURNING key)`, whose automatic key is read back onto `obj`
    (a row with a key of its own, as a task's, is only written).
    Its `computed` expressions may read the WITH clauses before it, e.g. `(SELECT id FROM e)`
    (PostgreSQL: SQLite has no INSERT in a WITH clause)."""

    obj: Model
    name: str
    computed: Mapping[str, Computed] = dataclasses.field(default_factory=dict)


def insert(
    objs: Sequence[M],
    alias: str | None = None,
    *,
    with_: tuple[str, Sequence[Any]] | None = None,
    computed: Mapping[str, Computed] | None = None,
    returning: Sequence[str] = (),
    before: Sequence[Before] = (),
) -> list[M]:
    """INSERT new instances of one model in one statement and give each its primary key, as
    `save(force_insert=True)` would for each: with its `pre_save` and `post_save` signals when
    the model has receivers (the task library sets a task's `run_after` in one). Models that
    override `save()` are refused.

    For a value only the database can give at the moment of writing (a case's correlative
    code): `with_` is a WITH clause put before the INSERT (and its parameters), `computed` maps
    a field to the SQL expression written instead of its value, and the `returning` fields are
    read back onto the instances. `before`: rows of other models written by the same statement,
    before these (one round trip for a row and what points to it)."""
    if not objs:
        return list(objs)
    model = type(objs[0])
    alias = alias or router.db_for_write(model, instance=objs[0])
    connection = connections[alias]
    params: list[Any] = list(with_[1]) if with_ else []
    clauses = [with_[0]] if with_ else []
    written, pk_of = [], []
    for a in before:
        a_sql, a_params, a_write = _prepared([a.obj], alias, a.computed, ())
        clauses.append(f"{'WITH ' if not clauses else ''}{a.name} AS ({a_sql})")
        params += a_params
        written.append(a_write)
        if a_write.converting:  # its automatic key, read back through the main RETURNING
            pk = connection.ops.quote_name(type(a.obj)._meta.pk.column)
            pk_of.append(f"(SELECT {pk} FROM {a.name})")
    sql, own_params, write = _prepared(objs, alias, computed or {}, tuple(returning), tuple(pk_of))
    params += own_params
    if clauses:
        sql = f"{', '.join(clauses)} {sql}"
    with cursor_for(alias) as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall() if write.converting or pk_of else []
    width = len(write.converting)
    keys = iter(fetched[0][width:] if fetched else [])
    # In the order they were written: the rows before, then these.
    for a_write in written:
        a_write.finish([(next(keys),)] if a_write.converting else [()])
    write.finish([row[:width] for row in fetched])
    return list(objs)


@dataclass
class _Write:
    """What is left of an INSERT once its statement ran: the values read back put on the
    instances, and `save()`'s last steps."""

    objs: Sequence[Model]
    alias: str
    converting: list[tuple[str, Any, list[Converter]]]
    signalled: bool

    def finish(self, fetched: Sequence[Sequence[Any]]) -> None:
        connection = connections[self.alias]
        if self.converting:
            for obj, values in zip(self.objs, fetched, strict=True):
                for (attname, column, converters), value in zip(
                    self.converting, values, strict=True
                ):
                    for convert in converters:
                        value = convert(value, column, connection)
                    setattr(obj, attname, value)
        for obj in self.objs:
            obj._state.adding = False
            obj._state.db = self.alias
            if self.signalled:
                signals.post_save.send(
                    sender=type(obj),
                    instance=obj,
                    created=True,
                    update_fields=None,
                    raw=False,
                    using=self.alias,
                )


def _prepared(
    objs: Sequence[Model],
    alias: str,
    computed: Mapping[str, Computed],
    returning: tuple[str, ...],
    also: tuple[str, ...] = (),
) -> tuple[str, list[Any], _Write]:
    """The INSERT of `objs` (one model) and its parameters, their values taken as save() takes
    them; and what to do once it ran."""
    model = type(objs[0])
    opts = model._meta
    with_pk = opts.auto_field is None or objs[0].pk is not None
    if any(type(o) is not model or (o.pk is not None) != with_pk for o in objs):
        raise TypeError("rows.insert takes instances of one model, all with or all without a pk")
    connection = connections[alias]
    fields = _insert_fields(model, with_pk)
    expressions = {k: (v, ()) if isinstance(v, str) else v for k, v in computed.items()}
    checked = _keys_taken(model, with_pk, frozenset(expressions))
    signalled = signals.pre_save.has_listeners(model) or signals.post_save.has_listeners(model)
    params: list[Any] = []
    for obj in objs:
        if signalled:
            signals.pre_save.send(
                sender=model, instance=obj, raw=False, using=alias, update_fields=None
            )
        # The related objects' keys, as save() takes them (and its refusal of unsaved ones),
        # but for a key the database computes.
        obj._prepare_related_fields_for_save(  # type: ignore[attr-defined]
            operation_name="insert", fields=checked
        )
        for field in fields:
            value = field.pre_save(obj, add=True)
            if field.attname in expressions:
                params += expressions[field.attname][1]
                continue
            if hasattr(value, "resolve_expression"):
                raise TypeError(f"{opts.label}.{field.name}: expressions need the ORM")
            params.append(field.get_db_prep_save(value, connection=connection))
    sql = _insert_sql(
        model,
        with_pk,
        len(objs),
        alias,
        tuple(sorted((k, v[0]) for k, v in expressions.items())),
        returning,
        also,
    )
    converting = _read_back_converters(model, with_pk, returning, alias)
    return sql, params, _Write(objs, alias, converting, signalled)
