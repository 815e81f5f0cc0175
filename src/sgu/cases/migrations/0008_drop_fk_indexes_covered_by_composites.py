"""The foreign keys of a case (citizen, operator, subcategory, office) and of an event (case)
lose the index Django gave each: every one leads a composite index already (case_citizen_idx,
case_operator_*, case_subcat_reg_idx, case_office_reg_idx, case_event_case_at_idx), which serves
the same lookups, and each extra index cost every registration one more insertion.

Django's own AlterField would also drop and re-add each foreign key, checking the whole table
again under lock; here only the index goes, CONCURRENTLY on PostgreSQL."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# (table, column) of each index dropped.
DROPPED = [
    ("cases_case", "citizen_id"),
    ("cases_case", "office_id"),
    ("cases_case", "operator_id"),
    ("cases_case", "subcategory_id"),
    ("cases_caseevent", "case_id"),
]


def _single_column_index(schema_editor, table, column):
    """The name of the plain (not unique) index on exactly that column, or None."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    for name, info in constraints.items():
        if (
            info["index"]
            and not info["unique"]
            and not info["primary_key"]
            and info["columns"] == [column]
            and not name.endswith("_like")
        ):
            return name
    return None


def drop(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for table, column in DROPPED:
        name = _single_column_index(schema_editor, table, column)
        if name is not None:
            schema_editor.execute(f"DROP INDEX {concurrently}IF EXISTS {name}")


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    for table, column in DROPPED:
        if _single_column_index(schema_editor, table, column) is None:
            name = schema_editor._create_index_name(table, [column])
            schema_editor.execute(
                f"CREATE INDEX {concurrently}IF NOT EXISTS {name} ON {table} ({column})"
            )


class Migration(migrations.Migration):
    atomic = False  # DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("cases", "0007_case_case_operator_state_due_idx"),
        ("catalog", "0004_operator_info_field"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.AlterField(
            model_name="case",
            name="citizen",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="office",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="catalog.office",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="operator",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="catalog.operator",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="subcategory",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="catalog.subcategory",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="case",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="cases.case",
            ),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=state_operations,
            database_operations=[migrations.RunPython(drop, create, elidable=False)],
        )
    ]
