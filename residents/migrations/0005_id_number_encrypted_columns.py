"""Columns for the encrypted ID number, its keyed hash, and a tail column wide enough for a keyed digest.

The plain `id_number` column stays until 0006 has encrypted every row; 0007 drops it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("residents", "0004_default_tags_categories_targets")]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="id_number_encrypted",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="身份证号"),
        ),
        migrations.AddField(
            model_name="resident",
            name="id_number_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, unique=True, verbose_name="身份证号摘要"
            ),
        ),
        migrations.AlterField(
            model_name="resident",
            name="id_tail",
            field=models.CharField(blank=True, editable=False, max_length=16),
        ),
    ]
