"""A 居委会 member reports a need on a phone (上报需求) and follows it at a desk (我上报的)."""

import re

from playwright.sync_api import expect

from residents.models import Request
from stations.models import User
from tests import factories as f
from tests.e2e.browser import check_a11y, login, shoot
from tests.residents.public_fixtures import make_category


def _label(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*[:：]?\s*$")


def test_a_committee_member_reports_and_follows(phone, desktop, guoyuan, chaoyangli):
    make_category("生活照料")
    member = f.make_user("jwh-e2e", User.Role.COMMUNITY_STAFF, community=chaoyangli, name="刘敏")
    login(phone, member)
    assert phone.url.endswith("/residents/reports/")
    phone.goto("/residents/reports/new/")
    check_a11y(phone)
    phone.get_by_label(_label("需求类别")).select_option(label="生活照料")
    phone.get_by_label(_label("需求内容")).fill("独居老人家中水管漏水，需要帮助联系维修。")
    phone.get_by_label(_label("居民姓名（选填）")).fill("赵大爷")
    shoot(phone, "reporter-form")
    phone.get_by_role("button", name="提交上报").click()
    phone.wait_for_load_state()
    expect(phone.locator(".messages")).to_contain_text("已上报")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    created = Request.objects.get()
    assert created.channel == Request.Channel.COMMITTEE and created.community == chaoyangli

    login(desktop, member)
    desktop.goto("/residents/reports/")
    expect(desktop.get_by_text(created.reference)).to_be_visible()
    expect(desktop.locator("tbody")).to_contain_text("新登记")
    shoot(desktop, "reporter-mine")
