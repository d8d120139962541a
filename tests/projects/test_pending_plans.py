"""Plans waiting for approval are counted where reviewers look (issue 16): a badge on the menu entry
待审批方案 for district and city centre staff, and a figure on the district dashboard with the oldest wait
and a link to the list; one query, whatever the number of plans."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from projects.models import AnnualPlan
from tests.projects import factories as pf

SUBMITTED = AnnualPlan.Status.SUBMITTED


def _submit(station, year, days_ago):
    return pf.make_plan(
        station, year=year, status=SUBMITTED, submitted_at=timezone.now() - datetime.timedelta(days=days_ago)
    )


@pytest.fixture
def waiting(guoyuan, jixianli, guangkai):
    """Two plans of 北辰区 waiting (the older for 40 days), one of 南开区, and one 北辰区 draft."""
    _submit(guoyuan, 2026, days_ago=40)
    _submit(jixianli, 2026, days_ago=3)
    _submit(guangkai, 2026, days_ago=90)
    pf.make_plan(guoyuan, year=2027)


def _badge(html):
    match = re.search(r'待审批方案\s*<span class="badge nav-count"[^>]*>(\d+)</span>', html)
    return int(match.group(1)) if match else None


@pytest.mark.django_db
def test_pending_summary_counts_and_dates_the_oldest(waiting, district_user):
    summary = AnnualPlan.objects.visible_to(district_user).pending_summary()
    assert summary["count"] == 2
    assert (timezone.now() - summary["oldest"]).days == 40


@pytest.mark.django_db
def test_menu_badge_for_district_and_city_staff_only(client, waiting, district_user, city_user, worker):
    client.force_login(district_user)
    assert _badge(client.get(reverse("projects:plan-list")).content.decode()) == 2
    client.force_login(city_user)
    assert _badge(client.get(reverse("projects:plan-list")).content.decode()) == 3
    client.force_login(worker)
    html = client.get(reverse("projects:plan-list")).content.decode()
    assert 'class="badge nav-count"' not in html


@pytest.mark.django_db
def test_no_badge_when_nothing_waits(client, district_user, guoyuan):
    pf.make_plan(guoyuan, year=2026)
    client.force_login(district_user)
    html = client.get(reverse("projects:plan-list")).content.decode()
    assert "待审批方案" in html and _badge(html) is None


@pytest.mark.django_db
def test_district_dashboard_shows_the_count_the_oldest_wait_and_the_list(client, waiting, district_user):
    client.force_login(district_user)
    html = client.get(reverse("dashboards:district", args=[district_user.district_id])).content.decode()
    card = re.search(
        r'<a class="card stat-card[^"]*" href="([^"]+)"[^>]*>\s*<span class="stat-label">待审批方案</span>'
        r'\s*<span class="stat">(\d+)</span>\s*<span[^>]*>([^<]+)</span>',
        html,
    )
    assert card, "no 待审批方案 figure"
    assert card.group(1) == reverse("projects:plan-pending")
    assert card.group(2) == "2"
    assert "最久已等 40 天" in card.group(3)


@pytest.mark.django_db
def test_pending_list_puts_the_longest_wait_first(client, waiting, district_user):
    client.force_login(district_user)
    rows = client.get(reverse("projects:plan-pending")).context["rows"]
    assert [row["plan"].station.name for row in rows] == [
        "北辰区果园新村街道社工站",
        "北辰区集贤里街道社工站",
    ]


@pytest.mark.django_db
def test_menu_badge_costs_no_query_until_a_plan_changes(client, district_user, guoyuan):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(district_user)
    url = reverse("stations:district-detail", args=[district_user.district_id])  # shows no plan itself
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    plan = _submit(guoyuan, 2026, days_ago=1)
    with CaptureQueriesContext(connection) as after_change:
        html = client.get(url).content.decode()
    assert _badge(html) == 1  # never stale: saving a plan counts again
    assert len(after_change.captured_queries) == len(before.captured_queries) + 1
    plan.status = AnnualPlan.Status.APPROVED
    plan.save()
    assert _badge(client.get(url).content.decode()) is None


@pytest.mark.django_db
def test_the_count_costs_the_same_queries_for_one_plan_or_many(client, district_user, guoyuan, jixianli):
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(district_user)
    url = reverse("dashboards:district", args=[district_user.district_id])

    def queries():
        for alias in ("default", "dashboards", "reference"):
            caches[alias].clear()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        return len(captured.captured_queries)

    _submit(guoyuan, 2026, days_ago=5)
    one = queries()
    for year in (2027, 2028):
        _submit(guoyuan, year, days_ago=1)
        _submit(jixianli, year, days_ago=2)
    assert queries() == one
