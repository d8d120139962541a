"""Every figure of the three monthly reports (station, district, city) against the hand-built March 2026.

The data set is conftest.py's (worked out by hand there); the expected values below follow from it:

- 北辰区: 果园新村 (r1..r7) and 集贤里 (j1, j2). Resolved in March: r1 24 h, r2 12 h, r3 48 h (late),
  j1 10 h, j2 30 h → 5 resolved, 4 on time (80 %), mean 24.8 h, median 24 h.
- 南开区: 广开, 3 received, nothing resolved, 1 overdue, 1 activity (7 sessions, 70 person-times), ¥300.
- The city: both districts.

A district's additive figures are the sums of its stations'; the city's the sums of its districts'.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from sws.reports import builders
from tests.sws import factories as sf
from tests.sws.test_dashboard_queries import _grow

H = datetime.timedelta(hours=1)

# Figures that add up: a district's is the sum of its stations', the city's the sum of its districts'.
ADDITIVE = [
    "received",
    "received_previous",
    "resolved",
    "resolved_on_time",
    "rated",
    "open",
    "overdue",
    "activities",
    "sessions",
    "person_times",
    "resources_total",
    "resources_money",
    "resources_in_kind",
    "teams",
    "teams_new",
    "organisations",
    "organisations_new",
    "projects_active",
]

GUOYUAN = {
    "received": 5,
    "received_previous": 1,
    "resolved": 3,
    "resolved_on_time": 2,
    "on_time_share": pytest.approx(2 / 3),
    "avg_resolution": 28 * H,
    "median_resolution": 24 * H,
    "rated": 2,
    "satisfaction": 0.5,
    "open": 4,
    "overdue": 2,
    "activities": 2,
    "sessions": 5,
    "person_times": 100,
    "resources_total": Decimal("1500.35"),
    "resources_money": Decimal("1000.10"),
    "resources_in_kind": Decimal("500.25"),
    "teams": 2,
    "teams_new": 0,
    "organisations": 1,
    "organisations_new": 0,
    "projects_active": 1,
    # By 31 March: 2 of 4 teams (the third was founded on 5 April), 10 of 10 sessions → (50 % + 100 %) / 2.
    "plan_completion": pytest.approx(0.75),
}
JIXIANLI = {
    "received": 2,
    "received_previous": 0,
    "resolved": 2,
    "resolved_on_time": 2,
    "on_time_share": 1.0,
    "avg_resolution": 20 * H,
    "median_resolution": 20 * H,
    "rated": 2,
    "satisfaction": 1.0,
    "open": 0,
    "overdue": 0,
    "activities": 0,
    "sessions": 0,
    "person_times": 0,
    "resources_total": Decimal("0.00"),
    "resources_money": Decimal("0.00"),
    "resources_in_kind": Decimal("0.00"),
    "teams": 0,
    "teams_new": 0,
    "organisations": 0,
    "organisations_new": 0,
    "projects_active": 0,
    "plan_completion": None,
}
BEICHEN = {
    "received": 7,
    "received_previous": 1,
    "resolved": 5,
    "resolved_on_time": 4,
    "on_time_share": pytest.approx(0.8),
    "avg_resolution": datetime.timedelta(hours=24, minutes=48),
    "median_resolution": 24 * H,
    "rated": 4,
    "satisfaction": 0.75,
    "open": 4,
    "overdue": 2,
    "activities": 2,
    "sessions": 5,
    "person_times": 100,
    "resources_total": Decimal("1500.35"),
    "resources_money": Decimal("1000.10"),
    "resources_in_kind": Decimal("500.25"),
    "teams": 2,
    "teams_new": 0,
    "organisations": 1,
    "organisations_new": 0,
    "projects_active": 1,
    "plan_completion": pytest.approx(0.75),
}
NANKAI = {
    "received": 3,
    "received_previous": 0,
    "resolved": 0,
    "resolved_on_time": 0,
    "on_time_share": None,
    "avg_resolution": None,
    "median_resolution": None,
    "rated": 0,
    "satisfaction": None,
    "open": 3,
    "overdue": 1,
    "activities": 1,
    "sessions": 7,
    "person_times": 70,
    "resources_total": Decimal("300.00"),
    "resources_money": Decimal("300.00"),
    "resources_in_kind": Decimal("0.00"),
    "teams": 0,
    "teams_new": 0,
    "organisations": 0,
    "organisations_new": 0,
    "projects_active": 0,
    "plan_completion": None,
}
CITY = {
    **{key: BEICHEN[key] + NANKAI[key] for key in ADDITIVE},
    "on_time_share": pytest.approx(0.8),
    "avg_resolution": datetime.timedelta(hours=24, minutes=48),
    "median_resolution": 24 * H,
    "satisfaction": 0.75,
    "plan_completion": pytest.approx(0.75),
}


def _summary(report) -> dict:
    return {row["key"]: row["value"] for row in report.summary}


def test_every_summary_figure_is_checked():
    assert set(GUOYUAN) == {key for key, _label, _kind in builders.SUMMARY_ROWS}


@pytest.mark.parametrize("station,expected", [("guoyuan", GUOYUAN), ("jixianli", JIXIANLI)])
def test_station_report_every_figure(request, dataset, district_user, station, expected):
    report = builders.station_report(district_user, request.getfixturevalue(station), 2026, 3)
    assert _summary(report) == expected


def test_district_report_every_figure(dataset, district_user, beichen):
    report = builders.district_report(district_user, beichen, 2026, 3)
    assert _summary(report) == BEICHEN


def test_district_report_every_figure_of_a_district_without_requests_resolved(dataset, city_user, nankai):
    assert _summary(builders.district_report(city_user, nankai, 2026, 3)) == NANKAI


def test_district_figures_are_the_sums_of_its_stations(dataset, district_user, beichen, guoyuan, jixianli):
    district = _summary(builders.district_report(district_user, beichen, 2026, 3))
    stations = [_summary(builders.station_report(district_user, s, 2026, 3)) for s in (guoyuan, jixianli)]
    for key in ADDITIVE:
        assert district[key] == sum(s[key] for s in stations), key


def test_city_report_every_figure(dataset, city_user):
    report = builders.city_report(city_user, 2026, 3)
    assert _summary(report) == CITY
    assert [row.name for row in report.table.rows] == ["南开区", "北辰区"]  # by division code
    assert report.table.totals.name == "全市"


def test_city_figures_are_the_sums_of_its_districts(dataset, city_user, beichen, nankai):
    city = _summary(builders.city_report(city_user, 2026, 3))
    districts = [_summary(builders.district_report(city_user, d, 2026, 3)) for d in (beichen, nankai)]
    for key in ADDITIVE:
        assert city[key] == sum(d[key] for d in districts), key


def test_district_report_page_and_xlsx_show_the_on_time_figures(client, dataset, district_user, beichen):
    client.force_login(district_user)
    html = client.get(reverse("reports:district", args=[beichen.pk, 2026, 3])).content.decode()
    assert "80.0%" in html  # 按期办结率: 4 of 5
    response = client.get(reverse("reports:district-xlsx", args=[beichen.pk, 2026, 3]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=4, values_only=True)}
    assert summary["其中按期办结（件）"] == 4
    assert summary["按期办结率"] == pytest.approx(0.8)
    assert summary["服务活动（次）"] == 2


def test_city_report_page_xlsx_and_print(client, dataset, city_user):
    client.force_login(city_user)
    page = client.get(reverse("reports:city", args=[2026, 3]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "天津市社工站 2026年3月工作月报" in html
    assert "北辰区" in html and "南开区" in html and "全市" in html
    assert "data-print" in html
    assert reverse("reports:city-xlsx", args=[2026, 3]) in html
    response = client.get(reverse("reports:city-xlsx", args=[2026, 3]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:2] == ["概况", "各区对比"]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=4, values_only=True)}
    assert summary["受理诉求（件）"] == 10
    assert summary["按期办结率"] == pytest.approx(0.8)
    names = [row[0] for row in book["各区对比"].iter_rows(min_row=4, values_only=True)]
    assert names == ["南开区", "北辰区", "全市"]


def test_city_report_scope(client, frozen, worker, district_user, city_user):
    for user, status in ((worker, 403), (district_user, 403), (city_user, 200)):
        client.force_login(user)
        assert client.get(reverse("reports:city", args=[2026, 3])).status_code == status
        assert client.get(reverse("reports:city-xlsx", args=[2026, 3])).status_code == status
    client.force_login(city_user)
    assert client.get(reverse("reports:city", args=[2026, 13])).status_code == 404
    assert client.get(reverse("reports:city", args=[2026, 5])).status_code == 404  # the future


def test_report_index_offers_the_city_report_to_the_city_only(client, frozen, city_user, district_user):
    url = reverse("reports:city", args=[2026, 3])
    client.force_login(city_user)
    assert url in client.get(reverse("reports:index"), {"month": "2026-03"}).content.decode()
    client.force_login(district_user)
    assert url not in client.get(reverse("reports:index"), {"month": "2026-03"}).content.decode()


@pytest.mark.parametrize("name", ["reports:city", "reports:city-xlsx"])
def test_city_report_query_count_does_not_grow(client, dataset, city_user, beichen, nankai, name):
    client.force_login(city_user)
    url = reverse(name, args=[2026, 3])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    # 40; service records, casework, supervision and 12345 work orders; the report cycle (the month's
    # report row, its trail, the districts still to approve)
    assert small <= 56
    _grow(beichen, nankai)
    assert count() == small


# --- a closed month stays as it was -----------------------------------------------------------------------
def test_a_closed_months_report_ignores_what_came_after_it(
    dataset, district_user, city_user, beichen, guoyuan
):
    """March's report on 10 April equals March's report on 31 March, whatever April brought."""
    with freeze_time("2026-03-31 15:00:00"):  # 23:00 in Shanghai, the last hour of March
        before = {
            "station": builders.station_report(district_user, guoyuan, 2026, 3),
            "district": builders.district_report(district_user, beichen, 2026, 3),
            "city": builders.city_report(city_user, 2026, 3),
        }
    # April: activities, a resident registered, a team founded (the data set has some already).
    community = guoyuan.streets.first().communities.first()
    with freeze_time("2026-04-03 02:00:00"):
        sf.make_resident(community, name="王淑芬")
    sf.make_activity(guoyuan, datetime.date(2026, 4, 3), sessions=9, person_times=90)
    sf.make_team(guoyuan, datetime.date(2026, 4, 3))
    after = {
        "station": builders.station_report(district_user, guoyuan, 2026, 3),
        "district": builders.district_report(district_user, beichen, 2026, 3),
        "city": builders.city_report(city_user, 2026, 3),
    }
    # As the report says, open and overdue are the queue when the report is made; all else is March's.
    moving = {"open", "overdue"}
    for level in before:
        old, new = _summary(before[level]), _summary(after[level])
        assert {k: v for k, v in old.items() if k not in moving} == {
            k: v for k, v in new.items() if k not in moving
        }, level
    rows = {row.key: row.actual for row in after["station"].plan_rows}
    assert rows["volunteer_teams"] == 2
    assert rows["activity_sessions"] == 10
    assert rows["registered_residents"] == 0
