"""The dashboards' and monthly reports' indexes on requests, declared in Request.Meta.indexes.

Same columns and partial-index conditions as the raw-SQL indexes sws migration 0001 created (so the
dashboards' plans do not change); sws migration 0002 drops those once these exist.
"""

from django.db import migrations, models

RESOLVED = ("resolved", "closed")
OPEN = ("new", "triaged", "in_progress", "referred")


class Migration(migrations.Migration):
    dependencies = [("residents", "0008_view_sensitive_resident_permission")]

    operations = [
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(status__in=RESOLVED),
                fields=["station", "resolved_at"],
                name="request_station_resolved_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(status__in=RESOLVED), fields=["resolved_at"], name="request_resolved_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(fields=["station", "closed_at"], name="request_station_closed_idx"),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(fields=["closed_at"], name="request_closed_idx"),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(status__in=OPEN),
                fields=["station", "due_at", "assignee"],
                name="request_open_queue_idx",
            ),
        ),
    ]
