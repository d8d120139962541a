from django.db import migrations, models


def forget_rolled_days(apps, schema_editor):
    """The rows built before hold no visits: mark the rollup unbuilt, so every day is counted live (right,
    only slower) until `manage.py rollup_build` or the nightly `rollup-days` job builds it again."""
    apps.get_model("sws", "RollupState").objects.update(rolled_through=None)


class Migration(migrations.Migration):
    dependencies = [
        ("sws", "0006_daily_rollup"),
    ]

    operations = [
        migrations.AddField(
            model_name="stationday",
            name="visits_failed",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="stationday",
            name="visits_on_time",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="stationday",
            name="visits_seen",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(forget_rolled_days, migrations.RunPython.noop),
    ]
