"""An index for the purge of finished tasks (core.services.purge_finished_tasks) on
django_tasks_db's table, which has none on finished_at: without it each pass of the purge
would read the whole table. Not in the library's model state (it is not ours to change);
built CONCURRENTLY on PostgreSQL so that workers keep writing tasks meanwhile."""

from django.db import migrations

TABLE = "django_tasks_database_dbtaskresult"
INDEX = "sgu_task_finished_idx"


def create(apps, schema_editor):
    concurrently = "CONCURRENTLY " if schema_editor.connection.vendor == "postgresql" else ""
    schema_editor.execute(
        f"CREATE INDEX {concurrently}IF NOT EXISTS {INDEX} ON {TABLE} (status, finished_at)"
    )


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [
        ("core", "0005_idempotency_placeholder"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
