"""The dashboards' 12-month trends cache months that are over; the current month is always live.

Data and clock from tests/sws/conftest.py (frozen at 2026-04-10 12:00 Shanghai: April is the current
month, March is over). 果园新村's March: 5 received, 3 resolved; April so far: 1 received (r5).
"""

import datetime

import pytest
from django.core.cache import caches
from django.urls import reverse
from freezegun import freeze_time

from residents.models import Request
from sws.dashboards import charts
from sws.dashboards import queries as q
from sws.dashboards.periods import Period
from tests.sws import factories as sf
from tests.sws.factories import at

APRIL = Period.month(datetime.date(2026, 4, 1))
MARCH = {"period": "month", "from": "2026-03-01"}


def _months(chart):
    """Each category's month, "2026-04" (April, still running, reads "2026-04（截至10日）")."""
    return [category[:7] for category in chart["categories"]]


def _trend(scope, period=APRIL):
    chart = charts.request_trend(scope, period, cache_key=scope.cache_key)
    received, resolved = chart["series"][0]["data"], chart["series"][1]["data"]
    return dict(zip(_months(chart), zip(received, resolved, strict=True), strict=True))


def test_closed_month_is_cached_and_current_month_live(dataset, worker, guoyuan, django_assert_num_queries):
    scope = q.Scope(worker, station=guoyuan)
    first = _trend(scope)
    assert first["2026-03"] == (5, 3)
    assert first["2026-04"] == (1, 0)

    # A late intake back-dated into March, and a new one in April.
    sf.store_request(guoyuan, received_at=at(2026, 3, 15), due_at=at(2026, 3, 20))
    sf.store_request(guoyuan, received_at=at(2026, 4, 9), due_at=at(2026, 4, 20))

    with django_assert_num_queries(2):  # only the current month is counted: received and resolved
        second = _trend(scope)
    assert second["2026-03"] == (5, 3)  # the cached March, up to CLOSED_MONTH_TTL old
    assert second["2026-04"] == (2, 0)  # April is live

    # Past the TTL, March is counted afresh.
    later = datetime.datetime(2026, 4, 10, 4, 0) + datetime.timedelta(seconds=q.CLOSED_MONTH_TTL + 1)
    with freeze_time(later):
        assert _trend(scope)["2026-03"] == (6, 3)


def test_resolution_in_current_month_shows_at_once(dataset, worker, guoyuan):
    scope = q.Scope(worker, station=guoyuan)
    assert _trend(scope)["2026-04"] == (1, 0)
    Request.objects.filter(pk=dataset.r5.pk).update(
        status=Request.Status.RESOLVED, resolved_at=at(2026, 4, 10, 9)
    )
    assert _trend(scope)["2026-04"] == (1, 1)


def test_cache_is_per_scope(dataset, worker, district_user, guoyuan, jixianli):
    station = q.Scope(worker, station=guoyuan)
    district = q.Scope(district_user, district=guoyuan.district)
    assert _trend(station)["2026-03"] == (5, 3)
    assert _trend(q.Scope(district_user, station=jixianli))["2026-03"] == (2, 2)
    assert _trend(district)["2026-03"] == (7, 5)  # 果园新村 and 集贤里, never 南开区's 广开


def test_past_period_reads_cached_months_without_trend_queries(
    dataset, worker, guoyuan, django_assert_num_queries
):
    scope = q.Scope(worker, station=guoyuan)
    march = Period.month(datetime.date(2026, 3, 1))
    assert _trend(scope, march)["2026-03"] == (5, 3)
    sf.store_request(guoyuan, received_at=at(2026, 3, 15), due_at=at(2026, 3, 20))
    # Every month of March's trend is over: all twelve come from the cache, no query at all.
    with django_assert_num_queries(0):
        assert _trend(scope, march)["2026-03"] == (5, 3)


def test_without_cache_key_every_month_is_counted(dataset, worker, guoyuan):
    scope = q.Scope(worker, station=guoyuan)
    assert _trend(scope)["2026-03"] == (5, 3)
    sf.store_request(guoyuan, received_at=at(2026, 3, 15), due_at=at(2026, 3, 20))
    trend = charts.request_trend(scope, APRIL)  # no cache_key: reports, tests
    assert dict(zip(trend["categories"], trend["series"][0]["data"], strict=True))["2026-03"] == 6


def _activity_trend(scope, cached=True):
    chart = charts.activity_trend(scope, APRIL, cached=cached)
    sessions, person_times = chart["series"][0]["data"], chart["series"][1]["data"]
    return dict(zip(_months(chart), zip(sessions, person_times, strict=True), strict=True))


def test_activity_trend_caches_closed_months_and_counts_this_month_live(
    dataset, worker, guoyuan, django_assert_num_queries
):
    scope = q.Scope(worker, station=guoyuan)
    first = _activity_trend(scope)
    assert first["2026-03"] == (5, 100)
    assert first["2026-04"] == (1, 10)

    # An activity logged late into March, and one this month.
    sf.make_activity(guoyuan, datetime.date(2026, 3, 20), sessions=2, person_times=30)
    sf.make_activity(guoyuan, datetime.date(2026, 4, 9), sessions=1, person_times=12)

    with django_assert_num_queries(2):  # April alone: its activities and its casework service records
        second = _activity_trend(scope)
    assert second["2026-03"] == (5, 100)  # the cached March, up to CLOSED_MONTH_TTL old
    assert second["2026-04"] == (2, 22)
    assert _activity_trend(scope, cached=False)["2026-03"] == (7, 130)  # uncached: counted afresh

    later = datetime.datetime(2026, 4, 10, 4, 0) + datetime.timedelta(seconds=q.CLOSED_MONTH_TTL + 1)
    with freeze_time(later):
        assert _activity_trend(scope)["2026-03"] == (7, 130)


def test_activity_trend_cache_is_per_scope(dataset, worker, district_user, guoyuan, jixianli):
    sf.make_activity(jixianli, datetime.date(2026, 3, 5), sessions=3, person_times=9)
    assert _activity_trend(q.Scope(worker, station=guoyuan))["2026-03"] == (5, 100)
    assert _activity_trend(q.Scope(district_user, station=jixianli))["2026-03"] == (3, 9)
    # 果园新村 and 集贤里, never 南开区's 广开 (7 sessions in March)
    assert _activity_trend(q.Scope(district_user, district=guoyuan.district))["2026-03"] == (8, 109)


@pytest.mark.parametrize("name", ["station", "district"])
def test_dashboard_page_uses_cached_march_and_live_april(dataset, district_user, guoyuan, client, name):
    client.force_login(district_user)
    pk = guoyuan.pk if name == "station" else guoyuan.district_id
    url = reverse(f"dashboards:{name}", args=[pk])

    def trend_of(response):
        chart = next(chart for chart, _rows in response.context["charts"] if chart["id"] == "trend")
        return dict(zip(_months(chart), chart["series"][0]["data"], strict=True))

    before = trend_of(client.get(url))
    sf.store_request(guoyuan, received_at=at(2026, 3, 15), due_at=at(2026, 3, 20))
    sf.store_request(guoyuan, received_at=at(2026, 4, 9), due_at=at(2026, 4, 20))
    after = trend_of(client.get(url))
    assert after["2026-03"] == before["2026-03"]
    assert after["2026-04"] == before["2026-04"] + 1
    # The month's own figures (not the trend) are always live, for a past month too.
    march = client.get(url, MARCH).context
    if name == "station":
        assert march["figures"]["received"] == 6
    else:
        assert {row.key: row for row in march["table"].rows}[guoyuan.pk].figures["received"] == 6


def _registered(scope, station):
    rows = q.plan_progress_by_station(scope, 2026)[station.pk]["plan_rows"]
    return {row.key: row.actual for row in rows}["registered_residents"]


def test_plan_progress_reads_the_registry_before_this_month_from_the_cache(
    dataset, worker, guoyuan, chaoyangli
):
    from projects.progress import plan_progress
    from residents.models import Resident

    scope = q.Scope(worker, station=guoyuan)
    before = _registered(scope, guoyuan)
    assert before == {row.key: row.actual for row in plan_progress(dataset.plan)}["registered_residents"]

    late = sf.make_resident(chaoyangli, "补录居民")  # registered late into March: the cached part
    Resident.objects.filter(pk=late.pk).update(created_at=at(2026, 3, 15))
    sf.make_resident(chaoyangli, "新登记居民")  # registered this month: counted live
    assert _registered(scope, guoyuan) == before + 1

    later = datetime.datetime(2026, 4, 10, 4, 0) + datetime.timedelta(seconds=q.CLOSED_MONTH_TTL + 1)
    with freeze_time(later):
        assert _registered(scope, guoyuan) == before + 2


def test_registry_base_is_ignored_for_a_year_that_ended_before_it(dataset, guoyuan, chaoyangli):
    from projects.progress import actuals_for_year

    sf.make_resident(chaoyangli, "二〇二六年登记")
    moment = at(2026, 4, 1)
    last_year = actuals_for_year([guoyuan.pk], 2025, registry_base=(moment, {guoyuan.pk: 1000}))
    this_year = actuals_for_year([guoyuan.pk], 2026, registry_base=(moment, {guoyuan.pk: 1000}))
    assert last_year[guoyuan.pk]["registered_residents"] < 1000  # counted, not taken from the base
    assert this_year[guoyuan.pk]["registered_residents"] == 1001  # the base plus April's one


def test_plan_progress_reads_no_plan_texts(dataset, worker, guoyuan):
    """A dashboard lists every station's plan for its progress: the texts (up to 4,000 characters each)
    stay in the database; the status and targets it shows are read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        progress = q.plan_progress_by_station(q.Scope(worker, station=guoyuan), 2026)[guoyuan.pk]
    plans_query = next(c["sql"] for c in captured.captured_queries if "projects_annualplan" in c["sql"])
    assert "volunteer_text" not in plans_query and "review_comment" not in plans_query
    assert progress["plan"].get_status_display() == dataset.plan.get_status_display()
    targets = {row.key: row.target for row in progress["plan_rows"]}
    assert targets["volunteer_teams"] == dataset.plan.target_volunteer_teams


def test_the_dashboard_cache_holds_a_whole_citys_closed_months():
    """Without Redis the cache is local memory, which culls keys past its MAX_ENTRIES: it must hold every
    scope's closed months (2 trends x 12 months x 266 scopes) and each station's registry count at once."""
    cache = caches[q.DASHBOARD_CACHE]
    keys = {
        f"trend:{kind}:{scope}:{month}": month
        for kind in (1, 2)
        for scope in range(266)
        for month in range(12)
    }
    keys.update({f"registry:{station}": station for station in range(249)})
    cache.set_many(keys, q.CLOSED_MONTH_TTL)
    assert cache.get_many(list(keys)) == keys
