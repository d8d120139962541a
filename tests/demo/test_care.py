"""The demo's visit programme: every station has residents in it with tiers, households and statuses;
孙桂兰 of 果园新村 is 一级 with a visit history and her light-bulb request linked to a visit; some overdue."""

import pytest
from django.db.models import Max
from django.utils import timezone

from demo.stories import STORY_TOKENS
from residents.models import HouseholdMembership, Request, SupportStatus, Visit, VisitPlan
from tests.demo.test_residents import city, run  # noqa: F401  (the fixture and the runner)
from tests.residents.care_factories import ensure_care_defaults

pytestmark = pytest.mark.django_db


def test_every_station_has_a_programme_and_the_story_elder_is_tier_one(city):  # noqa: F811
    ensure_care_defaults()
    output = run(200, residents=120)
    assert "visit programme:" in output
    stations = set(VisitPlan.objects.values_list("resident__community__street__station", flat=True))
    assert len(stations) == 3 and {city["guoyuan"].pk, city["guangkai"].pk} <= stations  # all three stations
    elder = VisitPlan.objects.get(
        resident__name="孙桂兰", resident__community__street__station=city["guoyuan"]
    )
    assert elder.tier == 1 and not elder.is_overdue()
    assert Visit.objects.filter(resident=elder.resident).count() >= 8  # weekly for three months and more
    bulb = Request.objects.get(submission_token=STORY_TOKENS["light-bulb"])
    assert bulb.visit.resident == elder.resident
    assert set(VisitPlan.objects.values_list("tier", flat=True)) <= {1, 2, 3}
    assert VisitPlan.objects.overdue(timezone.localdate()).exists()
    assert HouseholdMembership.objects.count() == VisitPlan.objects.count()
    assert SupportStatus.objects.filter(resident=elder.resident, kind__code="living-alone").exists()
    # Each plan's last-seen date is its resident's latest seen visit, as logging a visit keeps it (the
    # dashboards read coverage from it).
    latest = dict(
        Visit.objects.filter(outcome="seen")
        .values("resident")
        .annotate(on=Max("visited_on"))
        .values_list("resident", "on")
    )
    plans = dict(VisitPlan.objects.values_list("resident", "last_visited_on"))
    assert plans == {resident: latest.get(resident) for resident in plans}


def test_a_second_run_adds_nothing(city):  # noqa: F811
    ensure_care_defaults()
    run(100, residents=60)
    before = (VisitPlan.objects.count(), Visit.objects.count())
    assert "already there" in run(100, residents=60)
    assert (VisitPlan.objects.count(), Visit.objects.count()) == before
