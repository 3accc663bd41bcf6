"""Trigram indexes for search on PostgreSQL (issue 15): `UPPER(col) LIKE '%word%'`, which is what
Django's `icontains` sends there, is answered from a GIN index instead of reading every row.

Needs the `pg_trgm` extension; where the database user may not create it, search still works
(without the index) and the migration says so. SQLite: nothing to do.
"""

from __future__ import annotations

from django.db import DatabaseError, migrations, transaction

INDEXES = [
    ("search_request_name_trgm", "requests_app_savedrequest", "name"),
    ("search_request_url_trgm", "requests_app_savedrequest", "url"),
    ("search_folder_name_trgm", "requests_app_folder", "name"),
    ("search_collection_name_trgm", "requests_app_collection", "name"),
]


def create(apps, schema_editor):  # noqa: ARG001 - Django's migration signature
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as error:
            print(f"\n  search: no trigram indexes ({error}); search works without them, slower")
            return
        for name, table, column in INDEXES:
            cursor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def drop(apps, schema_editor):  # noqa: ARG001
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for name, _, _ in INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0005_interleaved_tree_order")]

    operations = [migrations.RunPython(create, drop)]
