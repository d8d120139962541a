"""Logging a visit on a phone (375 px): the 本周待探访 list, one tap on 已探访 swaps the row in place, and
the whole visit form with a need found opens a linked request. No sideways scroll, no accessibility faults."""

import datetime

from django.utils import timezone

from residents.models import Request, Visit, VisitPlan
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.residents.care_factories import enrol
from tests.residents.factories import make_resident
from tests.residents.public_fixtures import make_category

VISITS = "/residents/visits/"


def test_logging_a_visit_on_a_phone(phone, worker, chaoyangli, client):
    today = timezone.localdate()
    elder = make_resident(
        chaoyangli, name="孙桂兰", address="12号楼1门102", birth_date=datetime.date(1942, 3, 12)
    )
    plan = enrol(
        elder,
        worker,
        tier=1,
        last_visited_on=today - datetime.timedelta(10),
        next_due_on=today - datetime.timedelta(3),
    )
    other = enrol(make_resident(chaoyangli, name="王秀英", address="3号楼2门301"), worker, tier=2)
    log_in_quickly(phone, client, worker)
    phone.goto(VISITS)
    row = phone.locator(f"#plan-{plan.pk}")
    row.get_by_text("逾期").first.wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # rows are cards
    check_a11y(phone)
    shoot(phone, "visits-due")

    row.get_by_role("button", name="已探访").click()
    row.get_by_text("已登记").wait_for()
    assert Visit.objects.get(resident=elder).outcome == "seen"
    assert VisitPlan.objects.get(pk=plan.pk).next_due_on == today + datetime.timedelta(days=7)

    category = make_category("照明灯具", parent=make_category("设施维修"))
    phone.locator(f"#plan-{other.pk}").get_by_role("link", name="详细记录").click()
    phone.get_by_label("已见到本人").check()
    phone.get_by_label("安全隐患").fill("楼道灯不亮")
    phone.get_by_label("发现需求（填写后自动生成一条诉求）").fill("楼道灯坏了，晚上出门不便")
    phone.get_by_label("需求分类").select_option(label=category.name)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    check_a11y(phone)
    shoot(phone, "visit-form")
    phone.get_by_role("button", name="保存探访记录").click()
    phone.get_by_text("发现的需求已登记为诉求").wait_for()
    visit = Visit.objects.get(resident=other.resident)
    assert visit.request == Request.objects.get(resident=other.resident)
