"""Trigram indexes for the queue's search (RequestQuerySet.search), PostgreSQL only.

The search matches a name or a word anywhere in a text (`LIKE '%…%'`), which a B-tree cannot answer: at
a million requests a district or city user's search read every row of the scope. pg_trgm's GIN indexes
answer such a pattern of three characters or more from the index (docs/performance.md, "The queue's
search"). The extension is trusted (PostgreSQL 13+): the database owner may create it.

SQLite (the embedded default, small data) has no such index and reads the rows, which is fine at its size;
the operations do nothing there. They are not in `Meta.indexes` because a GIN index cannot be declared in
a way SQLite would accept.
"""

from django.db import migrations

INDEXES = [
    ("request_description_trgm", "residents_request", "UPPER(description) gin_trgm_ops"),
    ("request_reporter_name_trgm", "residents_request", "reporter_name gin_trgm_ops"),
    ("resident_name_trgm", "residents_resident", "name gin_trgm_ops"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("residents", "0013_request_reporter_phone_tail_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
