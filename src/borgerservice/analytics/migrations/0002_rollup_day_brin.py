"""BRIN indexes on the day of the biggest rollups (PostgreSQL only).

The rollups are written roughly in day order, so a block-range index on ``day`` is tiny and
lets a period filter skip most of the table. SQLite has no BRIN; the unique keys, which
start with the day, serve it there.
"""

from django.db import migrations

TABLES = ("analytics_contactday", "analytics_durationbin", "analytics_caseday")


def _create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_day_brin ON {table} USING brin (day)"
        )


def _drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_day_brin")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [migrations.RunPython(_create, _drop)]
