"""Drop the raw-SQL request indexes of 0001: the residents app now declares the same indexes (same
columns, same partial conditions) in Request.Meta.indexes (residents migration 0009).

`IF EXISTS`, so it is harmless where they were never created. Going back re-creates them as 0001 did.
"""

import importlib

from django.db import migrations

raw = importlib.import_module("sws.migrations.0001_request_report_indexes")


class Migration(migrations.Migration):
    dependencies = [
        ("sws", "0001_request_report_indexes"),
        ("residents", "0009_request_report_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"DROP INDEX IF EXISTS {name};",
            reverse_sql=f"CREATE INDEX IF NOT EXISTS {name} ON residents_request ({columns})"
            + (f" WHERE {condition};" if condition else ";"),
        )
        for name, columns, condition in raw.INDEXES
    ]
