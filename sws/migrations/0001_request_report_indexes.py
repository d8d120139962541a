"""Once: raw-SQL indexes on the residents app's request table, for the dashboards. Now a no-op.

Those indexes belong to the residents app and are declared there (Request.Meta.indexes, residents
migrations 0009 and 0010), so a new database gets them from residents alone. This migration stays, empty,
because databases already record it as applied; a database that ran its old version still has the raw
indexes, and 0002 removes them.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []

    operations = []
