"""Monthly reports (月报) of a station and a district: figures, printable page, XLSX, scope, query counts."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sws.reports import builders
from tests.sws.test_dashboard_queries import _grow

H = datetime.timedelta(hours=1)


def test_station_report_figures(dataset, worker, guoyuan):
    report = builders.station_report(worker, guoyuan, 2026, 3)
    f = report.figures
    assert (f["received"], f["received_previous"], f["resolved"], f["resolved_on_time"]) == (5, 1, 3, 2)
    assert f["on_time_share"] == pytest.approx(2 / 3)
    assert f["median_resolution"] == 24 * H
    assert f["satisfaction"] == 0.5
    assert str(f["resources_in_kind"]) == "500.25"
    assert (f["teams"], f["teams_new"], f["organisations_new"]) == (2, 0, 0)
    assert {r["label"]: r["count"] for r in report.channels}["上门"] == 5
    assert {r["label"]: (r["activities"], r["sessions"], r["person_times"]) for r in report.methods} == {
        "个案": (0, 0, 0),
        "小组": (2, 5, 100),
        "社区": (0, 0, 0),
    }
    assert report.issues == ["持证期限已过"]
    assert [w["name"] for w in report.workers] == ["徐芃泽", "李静"]


def test_station_report_page_and_xlsx_agree(client, dataset, worker, guoyuan):
    client.force_login(worker)
    page = client.get(reverse("reports:station", args=[guoyuan.pk, 2026, 3]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "北辰区果园新村街道社工站 2026年3月工作月报" in html
    assert "66.7%" in html  # on time 2 of 3
    assert "data-print" in html
    response = client.get(reverse("reports:station-xlsx", args=[guoyuan.pk, 2026, 3]))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "概况",
        "诉求分类",
        "来源渠道",
        "优先级",
        "服务活动",
        "实施方案进度",
        "人员配置",
        "探访关爱",
        "个案管理",
        "12345热线工单",
    ]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=4, values_only=True)}
    for item in page.context["report"].summary:
        expected = item["column"].raw(item["value"])
        if expected is None:
            assert summary[item["label"]] is None, item["label"]
        else:  # Excel keeps numbers as doubles: yuan come back as 1500.35
            assert summary[item["label"]] == pytest.approx(float(expected)), item["label"]
    assert summary["受理诉求（件）"] == 5
    assert summary["按期办结率"] == pytest.approx(0.6667, abs=1e-4)


def test_district_report(client, dataset, district_user, beichen):
    client.force_login(district_user)
    page = client.get(reverse("reports:district", args=[beichen.pk, 2026, 3]))
    assert page.status_code == 200
    report = page.context["report"]
    assert report.figures["received"] == 7
    assert report.figures["received_previous"] == 1
    assert report.figures["median_resolution"] == 24 * H  # 10, 12, 24, 30, 48 h across the district
    assert report.figures["avg_resolution"] == datetime.timedelta(hours=24, minutes=48)
    assert len(report.table.rows) == 2
    assert any(issue.startswith("北辰区集贤里街道社工站：驻站社工不足两人") for issue in report.issues)
    assert "广开" not in page.content.decode()
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reports:district-xlsx", args=[beichen.pk, 2026, 3])).content)
    )
    assert "各站对比" in book.sheetnames
    names = [row[0] for row in book["各站对比"].iter_rows(min_row=4, values_only=True)]
    assert names == [row.name for row in report.table.rows] + ["合计"]


def test_report_scope(
    client, frozen, worker, other_worker, district_user, other_district_user, guoyuan, beichen, nankai
):
    client.force_login(other_worker)
    assert client.get(reverse("reports:station", args=[guoyuan.pk, 2026, 3])).status_code == 404
    assert client.get(reverse("reports:station-xlsx", args=[guoyuan.pk, 2026, 3])).status_code == 404
    client.force_login(worker)
    assert client.get(reverse("reports:district", args=[beichen.pk, 2026, 3])).status_code == 403
    assert client.get(reverse("reports:district-xlsx", args=[beichen.pk, 2026, 3])).status_code == 403
    client.force_login(district_user)
    assert client.get(reverse("reports:station", args=[guoyuan.pk, 2026, 3])).status_code == 200
    assert client.get(reverse("reports:district", args=[nankai.pk, 2026, 3])).status_code == 404
    client.force_login(other_district_user)
    assert client.get(reverse("reports:station", args=[guoyuan.pk, 2026, 3])).status_code == 404


def test_impossible_months_are_404(client, frozen, worker, guoyuan):
    client.force_login(worker)
    for year, month in [(2026, 13), (2026, 5), (2019, 12)]:  # month 13, the future, before SWS
        assert client.get(reverse("reports:station", args=[guoyuan.pk, year, month])).status_code == 404


def test_report_index_lists_what_the_user_may_open(
    client, frozen, worker, district_user, city_user, guoyuan, jixianli, beichen, nankai
):
    client.force_login(worker)
    html = client.get(reverse("reports:index"), {"month": "2026-03"}).content.decode()
    assert reverse("reports:station", args=[guoyuan.pk, 2026, 3]) in html
    assert reverse("reports:station", args=[jixianli.pk, 2026, 3]) not in html
    client.force_login(district_user)
    html = client.get(reverse("reports:index")).content.decode()  # on 10 April: March, the last whole month
    assert reverse("reports:district", args=[beichen.pk, 2026, 3]) in html
    assert reverse("reports:station", args=[jixianli.pk, 2026, 3]) in html
    assert reverse("reports:district", args=[nankai.pk, 2026, 3]) not in html
    assert reverse("reports:district", args=[beichen.pk, 2026, 4]) not in html
    html = client.get(
        reverse("reports:index"), {"month": "2026-04"}
    ).content.decode()  # this month on request
    assert reverse("reports:district", args=[beichen.pk, 2026, 4]) in html
    assert "本月尚未结束" in html
    client.force_login(city_user)
    html = client.get(reverse("reports:index"), {"month": "2099-01"}).content.decode()  # future: last month
    assert reverse("reports:district", args=[nankai.pk, 2026, 3]) in html


@pytest.mark.parametrize("name", ["reports:district", "reports:district-xlsx"])
def test_district_report_query_count_does_not_grow(client, dataset, district_user, beichen, nankai, name):
    client.force_login(district_user)
    url = reverse(name, args=[beichen.pk, 2026, 3])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    _grow(beichen, nankai)
    assert count() == small


@pytest.mark.parametrize(
    "user, name, args, lead",
    [
        ("worker", "station", ["guoyuan"], "北辰区 · 统计期间 2026-03-01 至 2026-03-31 · 生成于 "),
        (
            "district_user",
            "district",
            ["beichen"],
            "统计期间 2026-03-01 至 2026-03-31 · 共 2 个社工站 · 生成于 ",
        ),
        ("city_user", "city", [], "统计期间 2026-03-01 至 2026-03-31 · 共 "),
    ],
)
def test_the_three_reports_share_one_head(request, client, dataset, user, name, args, lead):
    """templates/sws/_report_head.html: back to the month's reports, the period (with the place or the
    count of rows), the Excel of the same report and the print button."""
    client.force_login(request.getfixturevalue(user))
    pks = [request.getfixturevalue(arg).pk for arg in args]
    html = client.get(reverse(f"reports:{name}", args=[*pks, 2026, 3])).content.decode()
    assert f'<p class="lead">{lead}' in html
    assert f'href="{reverse("reports:index")}?month=2026-03">月报</a>' in html
    assert (
        f'<a class="btn" href="{reverse(f"reports:{name}-xlsx", args=[*pks, 2026, 3])}">下载 Excel</a>'
        in html
    )
    assert "data-print" in html
