"""Every figure of the three dashboards against the hand-built data set of conftest.py (March 2026)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from sws.dashboards import charts, tables
from sws.dashboards import queries as q
from sws.dashboards.figures import station_context
from sws.dashboards.periods import Period
from tests.sws.conftest import MARCH

H = datetime.timedelta(hours=1)
PERIOD = Period.month(datetime.date(2026, 3, 1))


# --- the station ------------------------------------------------------------------------------------------
def test_station_figures_for_march(dataset, worker, guoyuan):
    figures = station_context(worker, guoyuan, PERIOD)["figures"]
    assert figures["received"] == 5  # r1 (first instant), r3, r4 (last instant), r6, r7
    assert figures["received_previous"] == 1  # r2 at 23:59:59 on 28 February
    assert figures["resolved"] == 3  # r1, r2, r3; r7 was reopened
    assert figures["resolved_on_time"] == 2
    assert figures["median_resolution"] == 24 * H
    assert figures["avg_resolution"] == 28 * H
    assert (figures["rated"], figures["satisfied"]) == (2, 1)
    assert figures["satisfaction"] == 0.5
    assert (figures["open"], figures["overdue"], figures["unassigned"]) == (4, 2, 2)
    assert (figures["activities"], figures["sessions"], figures["person_times"]) == (2, 5, 100)
    assert figures["resources_total"] == Decimal("1500.35")
    assert figures["resources_money"] == Decimal("1000.10")
    assert figures["resources_year"] == Decimal("11500.35")
    assert figures["resources_year_money"] == Decimal("11000.10")
    assert (figures["teams"], figures["organisations"], figures["projects_active"]) == (2, 1, 1)
    # Plan progress as it stood on 31 March: the team founded on 5 April and the session of 1 April are
    # April's (a March figure does not change when April's data arrives).
    assert figures["plan_completion"] == pytest.approx(0.75)
    rows = {row.key: (row.target, row.actual) for row in figures["plan_rows"]}
    assert rows["volunteer_teams"] == (4, 2)
    assert rows["activity_sessions"] == (10, 10)
    year = station_context(worker, guoyuan, Period.year(PERIOD.first_day))["figures"]
    assert year["plan_completion"] == pytest.approx(0.875)  # the whole year: 3 teams, 11 sessions


def test_station_page_shows_the_figures_and_queue_by_status_and_priority(client, dataset, worker, guoyuan):
    client.force_login(worker)
    response = client.get(reverse("dashboards:station", args=[guoyuan.pk]), MARCH)
    assert response.status_code == 200
    assert response.context["figures"]["received"] == 5
    cells = {
        row["status"].value: [cell["count"] for cell in row["cells"]] for row in response.context["open_rows"]
    }
    # r4 and r5 new (P4); r6 and r7 in progress (P3).
    assert cells == {
        "new": [0, 0, 0, 2],
        "triaged": [0, 0, 0, 0],
        "in_progress": [0, 0, 2, 0],
        "referred": [0] * 4,
    }
    assert response.context["priority_totals"] == [0, 0, 2, 2]
    assert [str(issue) for issue in response.context["issues"]] == ["持证期限已过"]
    html = response.content.decode()
    assert "1,500.35" in html and "11,500.35" in html
    assert "75.0%" in html  # plan completion as it stood on 31 March
    assert "50.0%" in html  # satisfaction
    assert "1.0 天" in html and "1.2 天" in html  # median 24 h, mean 28 h, in days
    assert 'id="chart-data-trend"' in html


def test_this_month_is_the_default_and_counts_april(client, dataset, worker, guoyuan):
    client.force_login(worker)
    response = client.get(reverse("dashboards:station", args=[guoyuan.pk]))
    assert response.context["period"] == Period.month(datetime.date(2026, 4, 10))
    assert response.context["figures"]["received"] == 1  # r5 at 00:00 on 1 April
    # Like with like: 1-10 April against 1-10 March (r1, r6, r3), not the whole of March (5).
    assert response.context["figures"]["received_previous"] == 3
    assert response.context["comparison"] == Period.custom(
        datetime.date(2026, 3, 1), datetime.date(2026, 3, 10)
    )


def test_custom_period_ends_at_midnight_after_its_last_day(client, dataset, worker, guoyuan):
    client.force_login(worker)
    response = client.get(
        reverse("dashboards:station", args=[guoyuan.pk]),
        {"period": "custom", "from": "2026-03-01", "to": "2026-03-30"},
    )
    assert response.context["figures"]["received"] == 4  # r4 at 23:59:59 on the 31st is outside


# --- charts -----------------------------------------------------------------------------------------------
def test_chart_figures(dataset, worker, guoyuan):
    scope = q.Scope(worker, station=guoyuan)
    trend = charts.request_trend(scope, PERIOD)
    assert trend["categories"][-2:] == ["2026-02", "2026-03"]
    received, resolved = trend["series"][0]["data"], trend["series"][1]["data"]
    assert received[-2:] == [1, 5]
    assert resolved[-2:] == [0, 3]
    assert sum(received) == 6 and sum(resolved) == 3
    categories = charts.categories(scope.requests(), PERIOD)
    assert dict(zip(categories["categories"], categories["series"][0]["data"], strict=True)) == {
        "生活照料": 3,
        "设施维修": 1,
        "法律/司法救助": 1,
    }
    assert categories["categories"][0] == "生活照料"  # largest first
    priorities = charts.priorities(scope.requests(), PERIOD)
    assert priorities["series"][0]["data"] == [1, 1, 2, 1]
    activities = charts.activity_trend(scope, PERIOD)
    assert activities["series"][0]["data"][-2:] == [5, 5]  # sessions: February, March
    assert activities["series"][1]["data"][-2:] == [50, 100]  # person-times
    assert charts.rows_of(priorities)[0] == ["P1", 1]


# --- the district centre ----------------------------------------------------------------------------------
def test_district_table(dataset, district_user, beichen, guoyuan, jixianli):
    table = tables.station_table(district_user, beichen, PERIOD)
    rows = {row.key: row for row in table.rows}
    assert set(rows) == {guoyuan.pk, jixianli.pk}  # 广开 (南开区) is not here
    g, j = rows[guoyuan.pk].figures, rows[jixianli.pk].figures
    assert (g["received"], g["resolved"], g["overdue"]) == (5, 3, 2)
    assert g["median_resolution"] == 24 * H
    assert (j["received"], j["resolved"], j["overdue"]) == (2, 2, 0)
    assert j["median_resolution"] == 20 * H  # even count: mean of 10 h and 30 h
    assert j["satisfaction"] == 1.0
    assert g["resources_total"] == Decimal("1500.35") and j["resources_total"] == Decimal("0.00")
    assert g["plan_completion"] == pytest.approx(0.75) and j["plan_completion"] is None
    assert [str(i) for i in j["compliance_issues"]] == ["驻站社工不足两人", "无持证社工", "持证期限已过"]
    totals = table.totals.figures
    assert (totals["received"], totals["resolved"], totals["overdue"]) == (7, 5, 2)
    assert totals["satisfaction"] == pytest.approx(3 / 4)
    assert totals["sessions"] == 5 and totals["person_times"] == 100
    assert totals["resources_total"] == Decimal("1500.35")
    assert table.totals.value("median_resolution") is None  # medians do not add up
    # Attention (sws/dashboards/attention.py): 2 overdue and 2 ratings are under the thresholds; guoyuan's
    # passed deadline is serious; jixianli has no certified worker, a passed deadline and one worker.
    assert [str(r) for r in rows[guoyuan.pk].attention] == ["持证期限已过"]
    assert [str(r) for r in rows[jixianli.pk].attention] == ["无持证社工", "持证期限已过", "驻站社工不足两人"]


def test_district_table_sorts_by_any_column(dataset, district_user, beichen, guoyuan, jixianli):
    table = tables.station_table(district_user, beichen, PERIOD)
    assert [r.key for r in table.sorted_by("-received").rows] == [guoyuan.pk, jixianli.pk]
    assert [r.key for r in table.sorted_by("received").rows] == [jixianli.pk, guoyuan.pk]
    assert [r.key for r in table.sorted_by("median_resolution").rows] == [jixianli.pk, guoyuan.pk]
    # Blanks last in both directions.
    assert [r.key for r in table.sorted_by("plan_completion").rows] == [guoyuan.pk, jixianli.pk]
    assert [r.key for r in table.sorted_by("-plan_completion").rows] == [guoyuan.pk, jixianli.pk]
    assert table.sorted_by("nonsense").rows == table.rows


def test_district_page_sorts_without_javascript_and_links_to_stations(
    client, dataset, district_user, beichen, guoyuan, jixianli
):
    client.force_login(district_user)
    url = reverse("dashboards:district", args=[beichen.pk])
    response = client.get(url, {**MARCH, "sort": "received"})
    assert [row.key for row in response.context["table"].rows] == [jixianli.pk, guoyuan.pk]
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    assert "sort=-received" in html  # the next click reverses
    assert reverse("dashboards:station", args=[guoyuan.pk]) + "?period=month&amp;from=2026-03-01" in html
    assert "需关注的社工站（2）" in html
    assert "广开" not in html


# --- the municipal centre ---------------------------------------------------------------------------------
def test_city_table(dataset, city_user, beichen, nankai):
    from tests import factories as f

    # Coverage: an uncovered township and a development zone (not one of the 252) in 北辰区.
    uncovered = f.make_street("120113100000", "双街镇", beichen, kind="镇")
    f.make_community("120113100201", "双街村村民委员会", uncovered, kind="村")
    zone = f.make_street("120113400000", "北辰经济技术开发区", beichen, kind="other")
    f.make_community("120113400001", "开发区虚拟社区", zone, kind="other")
    chaoyangli = beichen.streets.get(code="120113001000").communities.get(code="120113001009")
    chaoyangli.workroom_opened_on = datetime.date(2024, 5, 1)
    chaoyangli.save()

    table = tables.district_table(city_user, PERIOD)
    rows = {row.key: row.figures for row in table.rows}
    b, n = rows[beichen.pk], rows[nankai.pk]
    assert (b["streets"], b["covered"], b["stations"]) == (3, 2, 2)
    assert b["street_coverage"] == pytest.approx(2 / 3)
    assert (b["committees"], b["workrooms"]) == (5, 1)  # 4 communities + 双街村; not the zone's
    assert b["workroom_coverage"] == pytest.approx(0.2)
    assert (b["received"], b["resolved"], b["overdue"]) == (7, 5, 2)
    assert b["median_resolution"] == 24 * H  # 10, 12, 24, 30, 48 h
    assert (n["received"], n["overdue"], n["sessions"], n["resources_total"]) == (3, 1, 7, Decimal("300.00"))
    assert (b["workers"], b["certified"], b["deadline_passed"]) == (3, 1, 2)
    assert b["stations_with_issues"] == 2
    totals = table.totals.figures
    assert (totals["streets"], totals["covered"]) == (4, 3)
    assert (totals["workers"], totals["certified"]) == (4, 1)
    assert totals["certified_share"] == 0.25
    assert totals["received"] == 10 and totals["resources_total"] == Decimal("1800.35")


def test_workforce_deadline_near_and_passed(frozen, guoyuan):
    from stations.models import User
    from tests import factories as f

    near = f.make_user("near", User.Role.STATION_WORKER, station=guoyuan)
    f.make_assignment(near, guoyuan, start_date=datetime.date(2024, 7, 1))  # deadline 2026-07-01: 82 days
    far = f.make_user("far", User.Role.STATION_WORKER, station=guoyuan)
    f.make_assignment(far, guoyuan, start_date=datetime.date(2025, 1, 1))  # deadline 2027
    passed = f.make_user("passed", User.Role.STATION_WORKER, station=guoyuan)
    f.make_assignment(passed, guoyuan, start_date=datetime.date(2024, 4, 9))  # deadline 2026-04-09: yesterday
    city = f.make_user("city2", User.Role.CITY_STAFF)
    figures = q.workforce(q.Scope(city), "district")[guoyuan.district_id]
    assert figures == {"workers": 3, "certified": 0, "deadline_near": 1, "deadline_passed": 1}


def test_city_page(client, dataset, city_user):
    client.force_login(city_user)
    response = client.get(reverse("dashboards:city"), MARCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert "北辰区" in html and "南开区" in html
    assert response.context["totals"]["received"] == 10


def test_figures_link_into_the_filtered_queue(client, dataset, worker, guoyuan):
    client.force_login(worker)
    context = client.get(reverse("dashboards:station", args=[guoyuan.pk]), MARCH).context
    r = dataset

    def references(url):
        assert url.startswith(reverse("residents:request-queue"))
        html = client.get(url).content.decode()
        return {req.reference for req in (r.r1, r.r2, r.r3, r.r4, r.r5, r.r6, r.r7) if req.reference in html}

    assert references(context["overdue_url"]) == {r.r6.reference, r.r7.reference}
    assert references(context["unassigned_url"]) == {r.r4.reference, r.r5.reference}
    new_p4 = next(row for row in context["open_rows"] if row["status"] == "new")["cells"][3]["url"]
    assert references(new_p4) == {r.r4.reference, r.r5.reference}
    in_progress = next(row for row in context["open_rows"] if row["status"] == "in_progress")["url"]
    assert references(in_progress) == {r.r6.reference, r.r7.reference}
