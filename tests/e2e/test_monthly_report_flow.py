"""The monthly cycle in a browser: a station head submits last month's report on a 375 px phone, the
district centre approves it at 1440 px; the page then shows 已审核 and its printed version the trail."""

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from stations.models import LockedMonth
from sws.models import MonthlyReport
from tests.e2e.browser import check_a11y, login, shoot


def _last_month():
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def test_head_submits_on_a_phone_and_the_district_approves(
    phone, desktop, live_server, worker, guoyuan, district_user
):
    month = _last_month()
    path = f"/reports/station/{guoyuan.pk}/{month.year}/{month.month}/"

    login(phone, worker)
    phone.on("dialog", lambda dialog: dialog.accept())
    phone.goto(live_server.url + path)
    expect(phone.locator("[data-report-status]")).to_have_text("未报送")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # nothing overflows the phone
    phone.get_by_label("工作亮点").fill("开展重阳节敬老活动3场，服务老人120人次。")
    phone.get_by_label("存在问题及下月计划").fill("驻站社工不足，下月招聘1名持证社工。")
    shoot(phone, "monthly-submit-phone")
    phone.get_by_role("button", name="报送", exact=True).click()
    phone.wait_for_load_state()
    expect(phone.locator(".messages")).to_contain_text("已报送")
    expect(phone.locator("[data-report-status]")).to_have_text("已报送")
    phone.reload()  # reopened: the narrative is what was saved
    expect(phone.locator(".report-cycle")).to_contain_text("开展重阳节敬老活动3场")
    check_a11y(phone)

    login(desktop, district_user)
    desktop.goto(live_server.url + path)
    expect(desktop.locator("[data-report-status]")).to_have_text("已报送")
    desktop.get_by_label("审核意见").fill("材料齐全，同意。")
    desktop.get_by_role("button", name="审核通过并锁定").click()
    desktop.wait_for_load_state()
    expect(desktop.locator("[data-report-status]")).to_have_text("已审核（锁定）")
    shoot(desktop, "monthly-approved-desktop")
    report = MonthlyReport.objects.get(station=guoyuan, month=month)
    assert report.status == "approved"
    assert LockedMonth.objects.filter(station=guoyuan, month=month).exists()

    desktop.emulate_media(media="print")
    trail = desktop.locator("[data-report-trail]")
    expect(trail).to_be_visible()
    expect(trail).to_contain_text("报送")
    expect(trail).to_contain_text("审核通过")
    expect(trail).to_contain_text("材料齐全，同意。")
    expect(desktop.get_by_role("button", name="审核通过并锁定")).to_have_count(0)
    shoot(desktop, "monthly-approved-print")
