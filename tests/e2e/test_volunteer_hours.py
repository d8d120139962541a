"""Volunteers in a browser: register a volunteer on a phone (375 px), record her hours on an activity with
an added row, reopen both; then print the proof of service hours at 1440 px."""

import datetime
from decimal import Decimal

from projects.models import ServiceHours, ServiceProof, Volunteer
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.projects import factories as pf


def test_volunteer_hours_on_a_phone_and_the_proof_on_a_desktop(phone, desktop, worker, client):
    team = pf.make_team(worker.station, "爱心扫把")
    colleague = pf.make_volunteer(worker.station, "张桂兰", teams=[team])
    log_in_quickly(phone, client, worker)

    phone.goto("/projects/volunteers/new/")
    phone.get_by_label("姓名").fill("王秀英")
    phone.get_by_label("联系电话").fill("13820135678")
    phone.get_by_label("技能特长").fill("理发")
    phone.get_by_label("爱心扫把").check()
    phone.get_by_label("同意联系日期").fill("2023-03-01")
    phone.get_by_label("同意方式").select_option(label="书面签字")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(phone)
    shoot(phone, "volunteer-form")
    phone.get_by_role("button", name="保存").click()
    phone.get_by_text("志愿者已登记").wait_for()
    volunteer = Volunteer.objects.get(name="王秀英")
    assert phone.get_by_text("138****5678").count() == 1  # masked on her page
    phone.goto(f"/projects/volunteers/{volunteer.pk}/edit/")  # reopened: what was saved is there
    assert phone.get_by_label("联系电话").input_value() == "13820135678"
    assert phone.get_by_label("爱心扫把").is_checked()

    phone.goto("/projects/activities/new/")
    phone.get_by_label("日期").fill("2023-10-10")
    phone.get_by_label("活动名称").fill("爱心义剪")
    phone.get_by_label("服务方法").select_option(label="社区")
    phone.select_option("#id_hours-0-volunteer", label="王秀英")
    phone.fill("#id_hours-0-hours", "2.5")
    phone.fill("#id_hours-0-content", "为老人理发")
    phone.select_option("#id_hours-1-volunteer", label="张桂兰")
    phone.fill("#id_hours-1-hours", "2")
    phone.get_by_role("button", name="添加一行").click()  # a fourth row, added in the page
    phone.locator("#id_hours-3-volunteer").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(phone)
    shoot(phone, "activity-hours")
    phone.get_by_role("button", name="保存", exact=True).click()
    phone.get_by_text("活动已记录").wait_for()
    hours = {h.volunteer.name: h.hours for h in ServiceHours.objects.all()}
    assert hours == {"王秀英": Decimal("2.5"), "张桂兰": Decimal("2.0")} and colleague.pk
    phone.get_by_role("link", name="编辑").click()  # reopened: the rows are the saved ones
    assert phone.locator("#id_hours-0-hours").input_value() in ("2.5", "2.50")

    log_in_quickly(desktop, client, worker)
    desktop.goto(volunteer.get_absolute_url())
    desktop.get_by_label("起始日期").fill("2023-10-01")
    desktop.get_by_label("截止日期").fill(datetime.date.today().isoformat())
    desktop.get_by_role("button", name="出具证明").click()
    desktop.get_by_text("已出具志愿服务记录证明").wait_for()
    proof = ServiceProof.objects.get()
    desktop.get_by_text(proof.serial).first.wait_for()
    assert desktop.get_by_role("button", name="打印证明").is_visible()
    desktop.emulate_media(media="print")
    assert not desktop.get_by_role("button", name="打印证明").is_visible()  # only the proof is printed
    assert desktop.get_by_text("累计志愿服务时长").is_visible()
    shoot(desktop, "volunteer-proof-print")
