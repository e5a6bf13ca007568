"""Make the audit log append-only, and on PostgreSQL partition it by month.

PostgreSQL: both audit tables are re-created as tables partitioned by range on
``occurred_at`` with a primary key of (id, occurred_at), monthly partitions from two
years back to a year ahead plus a default partition, and a trigger that rejects
UPDATE and DELETE. ``manage.py audit_partitions`` creates further months.

SQLite: triggers reject UPDATE and DELETE on both tables.
"""

from django.db import migrations

from borgerservice.accounts.audit_sql import (
    POSTGRES_CREATE,
    POSTGRES_DROP,
    SQLITE_CREATE,
    SQLITE_DROP,
    postgres_partitions_sql,
)


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE, params=None)
        schema_editor.execute(
            postgres_partitions_sql(months_back=24, months_ahead=12), params=None
        )
    elif connection.vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif connection.vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
