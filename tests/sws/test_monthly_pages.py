"""The monthly cycle's pages from the outside: the report page's forms and trail, steps posted by the
wrong people or against another unit (403 / 404), a snapshot shown and exported, the submission overviews
with a bounded query count. Clock: 2026-04-10; March 2026 is reported."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import load_workbook

from stations.models import LateEntryPermit, LockedMonth, Station
from sws.dashboards.periods import add_months
from sws.models import MonthlyReport
from sws.reports import cycle
from tests import factories as f
from tests.sws import factories as sf
from tests.sws.factories import at

pytestmark = pytest.mark.django_db
MARCH = datetime.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-04-10 04:00:00"):
        yield


def station_url(station, name="reports:station"):
    return reverse(name, args=[station.pk, 2026, 3])


def submit(client, station, **data):
    return client.post(station_url(station, "reports:station-cycle"), {"action": "submit", **data})


def test_head_submits_from_the_page_and_the_district_approves(client, worker, guoyuan, district_user):
    client.force_login(worker)
    page = client.get(station_url(guoyuan)).content.decode()
    assert "报送月报" in page and "未报送" in page
    response = submit(client, guoyuan, highlights="重阳节敬老活动", problems="社工流失", version="1")
    assert response.status_code == 302 and response["Location"] == station_url(guoyuan)
    report = MonthlyReport.objects.get()
    assert (report.status, report.highlights, report.submitted_by) == ("submitted", "重阳节敬老活动", worker)
    page = client.get(station_url(guoyuan)).content.decode()
    assert "已报送" in page and "报送月报" not in page and "重阳节敬老活动" in page

    client.force_login(district_user)
    page = client.get(station_url(guoyuan)).content.decode()
    assert "审核通过并锁定" in page
    client.post(
        station_url(guoyuan, "reports:station-cycle"),
        {"action": "review", "decision": "approve", "comment": "同意", "version": report.version},
    )
    report.refresh_from_db()
    assert report.status == "approved"
    page = client.get(station_url(guoyuan)).content.decode()
    assert "已审核（锁定）" in page and "审核通过" in page and "同意" in page and "审核通过并锁定" not in page


def test_return_without_comment_is_refused_with_a_message(client, worker, guoyuan, district_user):
    report = cycle.submit_report(acting_user=worker, report=cycle.report_for(month=MARCH, station=guoyuan))
    client.force_login(district_user)
    response = client.post(
        station_url(guoyuan, "reports:station-cycle"),
        {"action": "review", "decision": "return", "comment": "", "version": report.version},
        follow=True,
    )
    assert "退回时请填写审核意见" in response.content.decode()
    assert MonthlyReport.objects.get().status == "submitted"


def test_a_worker_cannot_submit_nor_a_head_review(client, worker, worker2, guoyuan):
    client.force_login(worker2)
    assert submit(client, guoyuan).status_code == 403
    report = cycle.submit_report(acting_user=worker, report=cycle.report_for(month=MARCH, station=guoyuan))
    client.force_login(worker)
    response = client.post(
        station_url(guoyuan, "reports:station-cycle"),
        {"action": "review", "decision": "approve", "version": report.version},
        follow=True,
    )
    assert MonthlyReport.objects.get().status == "submitted"
    assert response.status_code == 403


def test_another_station_or_district_gets_404(client, worker, other_worker, other_district_user, guoyuan):
    cycle.submit_report(acting_user=worker, report=cycle.report_for(month=MARCH, station=guoyuan))
    for user in (other_worker, other_district_user):
        client.force_login(user)
        assert submit(client, guoyuan).status_code == 404
        response = client.post(
            station_url(guoyuan, "reports:station-cycle"), {"action": "review", "decision": "approve"}
        )
        assert response.status_code == 404
    assert MonthlyReport.objects.get().status == "submitted"


def test_url_tampering_a_month_not_over_or_impossible(client, worker, guoyuan):
    client.force_login(worker)
    response = client.post(
        reverse("reports:station-cycle", args=[guoyuan.pk, 2026, 4]), {"action": "submit"}, follow=True
    )
    assert "本月尚未结束" in response.content.decode()
    assert (
        client.post(
            reverse("reports:station-cycle", args=[guoyuan.pk, 2026, 13]), {"action": "submit"}
        ).status_code
        == 404
    )
    assert not MonthlyReport.objects.exists()


def test_forged_permit_of_another_district_is_404(
    client, worker, far_worker, guangkai, district_user, other_district_user
):
    LockedMonth.objects.create(station=guangkai, month=MARCH, locked_by=other_district_user)
    permit = cycle.request_late_entry(acting_user=far_worker, month=MARCH, reason="漏录")
    client.force_login(district_user)  # 北辰区 deciding a 南开区 station's request
    response = client.post(
        reverse("reports:late-entry-decide", args=[permit.pk]),
        {
            f"p{permit.pk}-decision": "approve",
            f"p{permit.pk}-open_until": "2026-04-12",
            f"p{permit.pk}-version": 1,
        },
    )
    assert response.status_code == 404
    assert LateEntryPermit.objects.get().status == "requested"


def test_late_entry_pages(client, worker, guoyuan, district_user):
    LockedMonth.objects.create(station=guoyuan, month=MARCH, locked_by=district_user)
    client.force_login(worker)
    response = client.post(reverse("reports:late-entries"), {"month": "2026-03-20", "reason": "义诊活动漏录"})
    assert response.status_code == 302
    permit = LateEntryPermit.objects.get()
    assert permit.month == MARCH
    response = client.post(reverse("reports:late-entries"), {"month": "2026-02-20", "reason": "漏录"})
    assert response.status_code == 400 and "该月尚未审核锁定" in response.content.decode()
    client.force_login(district_user)
    page = client.get(reverse("reports:late-entries")).content.decode()
    assert "义诊活动漏录" in page and "补录截止日期" in page
    client.post(
        reverse("reports:late-entry-decide", args=[permit.pk]),
        {
            f"p{permit.pk}-decision": "approve",
            f"p{permit.pk}-open_until": "2026-04-15",
            f"p{permit.pk}-version": 1,
        },
    )
    permit.refresh_from_db()
    assert (permit.status, permit.open_until) == ("approved", datetime.date(2026, 4, 15))


def test_approved_report_page_and_xlsx_come_from_the_snapshot(
    client, worker, guoyuan, district_user, admin_user
):
    sf.store_request(guoyuan, received_at=at(2026, 3, 5))
    report = cycle.submit_report(
        acting_user=worker, report=cycle.report_for(month=MARCH, station=guoyuan), highlights="亮点"
    )
    cycle.approve_report(acting_user=district_user, report=report, comment="很好", version=report.version)
    for day in (6, 7, 8):  # an admin adds requests dated in the locked month afterwards
        sf.store_request(guoyuan, received_at=at(2026, 3, day))
    client.force_login(worker)
    response = client.get(station_url(guoyuan, "reports:station-xlsx"))
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(values_only=True) if row and row[0]}
    assert summary["受理诉求（件）"] == 1
    trail = list(book["审批记录"].iter_rows(values_only=True))
    assert any(row[1] == "审核通过" and row[3] == "很好" for row in trail)
    assert any(row[0] == "工作亮点" and row[1] == "亮点" for row in trail)


def _many_stations(district, count):
    stations = []
    for n in range(count):
        code = f"{district.code[:6]}9{n:02d}000"
        s = f.make_street(code, f"测试街{n}", district)
        stations.append(f.make_station(s, name=f"测试街{n}社工站"))
    return stations


def _count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_submission_lists_query_count_does_not_grow(
    client, beichen, district_user, city_user, worker, guoyuan
):
    url = reverse("reports:district-submissions", args=[beichen.pk])
    client.force_login(district_user)
    client.get(url)  # the login's first request also touches the session
    small = _count(client, url)
    stations = _many_stations(beichen, 30)
    for station in stations:
        for months_back in range(1, 7):
            month = add_months(datetime.date(2026, 4, 1), -months_back)
            MonthlyReport.objects.create(
                level="station", station=station, district=beichen, month=month, status="approved"
            )
    large = _count(client, url)
    assert large == small and large <= 20
    page = client.get(url).content.decode()
    assert page.count("已审核（锁定）") == 30 * 6
    client.force_login(city_user)
    city_url = reverse("reports:city-submissions")
    assert _count(client, city_url) <= 20
    assert "站 30/" in client.get(city_url).content.decode()


def test_submission_list_marks_late_and_missing(
    client, beichen, district_user, worker, other_worker, guoyuan, jixianli
):
    cycle.submit_report(acting_user=worker, report=cycle.report_for(month=MARCH, station=guoyuan))
    client.force_login(district_user)
    page = client.get(reverse("reports:district-submissions", args=[beichen.pk])).content.decode()
    assert "已报送" in page and "未报送（逾期）" in page  # 集贤里 missed the 5th
    assert Station.objects.filter(district=beichen).count() == 2


def test_dashboards_show_missing_and_late_reports(
    client, worker, other_worker, guoyuan, jixianli, beichen, district_user, city_user
):
    report = cycle.submit_report(acting_user=worker, report=cycle.report_for(month=MARCH, station=guoyuan))
    client.force_login(other_worker)
    page = client.get(reverse("dashboards:station", args=[jixianli.pk])).content.decode()
    assert "上月月报未报送" in page and "已逾期" in page
    client.force_login(worker)
    assert (
        "上月月报未报送" not in client.get(reverse("dashboards:station", args=[guoyuan.pk])).content.decode()
    )
    client.force_login(district_user)
    page = client.get(reverse("dashboards:district", args=[beichen.pk])).content.decode()
    assert "2026年3月月报逾期未报送：" in page and jixianli.name in page and "待审核 1 份" in page
    assert report.status == "submitted"
    client.force_login(city_user)
    page = client.get(reverse("dashboards:city")).content.decode()
    assert "2026年3月月报未报送：" in page and beichen.name in page  # due on the 10th: not late yet
