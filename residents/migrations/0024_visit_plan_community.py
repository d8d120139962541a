"""VisitPlan.community: the resident's community copied onto the plan (the dashboards group the city's
plans by station without reading the residents). Backfilled in one UPDATE … FROM (PostgreSQL and SQLite
>= 3.33), then made required and indexed (0025: its own transaction, after the deferred foreign-key checks of
the UPDATE have run)."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE residents_visitplan SET community_id = residents_resident.community_id
FROM residents_resident WHERE residents_resident.id = residents_visitplan.resident_id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0023_transfers2_resident_transfer"),
        ("stations", "0010_monthly_locked_months"),
    ]

    operations = [
        migrations.AddField(
            model_name="visitplan",
            name="community",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="stations.community",
            ),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop, elidable=False),
    ]
