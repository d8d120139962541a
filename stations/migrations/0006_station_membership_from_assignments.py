"""A station worker's station follows her assignments (stations/services.py); bring existing rows in step.

Until now the user's 所属社工站 and the station's 驻站安排 were edited apart and could disagree. For every
station-role user: with an assignment active today, her station becomes that assignment's (the latest
started); with none active, the one she was last posted to; with no assignment at all, she gets one at
her current station from the day her account was created (so that the assignment is the one source).
"""

from django.db import migrations
from django.utils import timezone

STATION_ROLES = ("station_worker", "station_head")


def align(apps, schema_editor):
    User = apps.get_model("stations", "User")
    Assignment = apps.get_model("stations", "Assignment")
    Station = apps.get_model("stations", "Station")
    today = timezone.localdate()
    districts = dict(Station.objects.values_list("pk", "district_id"))
    rows = {}
    for user_id, station_id, start, end in Assignment.objects.order_by("-start_date", "-pk").values_list(
        "user_id", "station_id", "start_date", "end_date"
    ):
        rows.setdefault(user_id, []).append((station_id, start, end))
    missing = []
    for user in User.objects.filter(role__in=STATION_ROLES, station__isnull=False):
        posted = rows.get(user.pk)
        if not posted:
            start = timezone.localtime(user.date_joined).date() if user.date_joined else today
            missing.append(
                Assignment(
                    user=user,
                    station_id=user.station_id,
                    start_date=min(start, today),
                    is_head=user.role == "station_head",
                )
            )
            continue
        active = [s for s, start, end in posted if start <= today and (end is None or end >= today)]
        past = [s for s, start, _ in posted if start <= today]
        station_id = (active or past or [user.station_id])[0]
        if station_id != user.station_id:
            User.objects.filter(pk=user.pk).update(station_id=station_id, district_scope_id=districts[station_id])
    Assignment.objects.bulk_create(missing)


class Migration(migrations.Migration):
    dependencies = [("stations", "0005_centre_groups")]

    operations = [migrations.RunPython(align, migrations.RunPython.noop)]
