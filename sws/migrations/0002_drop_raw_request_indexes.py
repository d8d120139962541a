"""Drop the raw-SQL indexes the old 0001 created (on residents' requests), where a database still has
them: the residents app declares the same indexes in Request.Meta.indexes (residents 0009/0010).

On a new database 0001 creates nothing, and `IF EXISTS` makes this a no-op. The index names are enough,
so this migration names no other app's table. Going back does not re-create them (the declared indexes
serve the same queries).
"""

from django.db import migrations

OLD_RAW_INDEXES = [
    "sws_request_station_resolved",
    "sws_request_resolved",
    "sws_request_station_closed",
    "sws_request_closed",
    "sws_request_open",
]


class Migration(migrations.Migration):
    dependencies = [("sws", "0001_request_report_indexes")]

    operations = [
        migrations.RunSQL(sql=f"DROP INDEX IF EXISTS {name};", reverse_sql=migrations.RunSQL.noop)
        for name in OLD_RAW_INDEXES
    ]
