"""Print the main pages Lighthouse measures, as JSON for deploy/lighthouse/run.mjs: [{name, user, path}].

Run with the stack's settings (DATABASE_URL…) after the demo city is seeded: the station pages as 徐芃泽
(station head of 果园新村), the district dashboard as her district centre, the city dashboard as `city`.
"""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", ".."))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sws.settings")

import django  # noqa: E402

django.setup()

from django.urls import reverse  # noqa: E402

from casework.models import Case  # noqa: E402
from residents.models import Request  # noqa: E402
from stations.models import User  # noqa: E402

head = User.objects.get(username="xupengze")
station = head.station
district_user = (
    User.objects.filter(role=User.Role.DISTRICT_STAFF, district_id=station.district_id, is_active=True)
    .order_by("pk")
    .first()
)
request = Request.objects.filter(station=station, resident__isnull=False).order_by("-pk").first()
case = Case.objects.filter(station=station).order_by("-pk").first()
last_month = datetime.date.today().replace(day=1) - datetime.timedelta(days=1)
month = (last_month.year, last_month.month)

pages = [
    ("station-dashboard", head, reverse("dashboards:station", args=[station.pk])),
    ("district-dashboard", district_user, reverse("dashboards:district", args=[station.district_id])),
    ("city-dashboard", User.objects.get(username="city"), reverse("dashboards:city")),
    ("request-queue", head, reverse("residents:request-queue")),
    ("intake", head, reverse("residents:intake")),
    ("request", head, reverse("residents:request-detail", args=[request.pk])),
    ("case", head, reverse("casework:case-detail", args=[case.pk])),
    ("visits-due", head, reverse("residents:visit-due")),
    ("monthly-report", head, reverse("reports:station", args=[station.pk, *month])),
]
json.dump([{"name": n, "user": u.username, "path": p} for n, u, p in pages], sys.stdout, indent=1)
print()
