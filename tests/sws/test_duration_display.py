"""Durations on the dashboards and reports read in days from a day up ("9.4 天"), hours under a day
(issue 13); the exports keep their hours columns (numbers Excel can add up)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from residents.models import Request
from tests.sws import factories as sf


@pytest.fixture
def slow_request(guoyuan):
    received = timezone.now() - datetime.timedelta(hours=300)
    return sf.store_request(
        guoyuan,
        received_at=received,
        resolved_at=received + datetime.timedelta(hours=226.1),
        status=Request.Status.RESOLVED,
    )


@pytest.mark.django_db
def test_station_dashboard_gives_resolution_time_in_days(client, worker, slow_request):
    client.force_login(worker)
    url = reverse("dashboards:station", args=[worker.station_id]) + "?period=year"
    html = client.get(url).content.decode()
    assert "9.4 天" in html
    assert "226.1" not in html


@pytest.mark.django_db
def test_station_comparison_gives_the_median_in_days(client, district_user, slow_request, jixianli):
    client.force_login(district_user)
    url = reverse("dashboards:district", args=[district_user.district_id]) + "?period=year"
    html = client.get(url).content.decode()
    assert "9.4 天" in html and "226.1" not in html
    assert "办结时长中位数</a>" in html  # the unit is in the figure, not the heading
