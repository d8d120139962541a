"""VisitPlan.community required and indexed, once 0024 has filled it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("residents", "0024_visit_plan_community")]

    operations = [
        migrations.AlterField(
            model_name="visitplan",
            name="community",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="stations.community",
            ),
        ),
        migrations.AddIndex(
            model_name="visitplan",
            index=models.Index(
                condition=models.Q(("active", True)),
                fields=["community", "enrolled_on"],
                name="visit_plan_community_idx",
            ),
        ),
    ]
