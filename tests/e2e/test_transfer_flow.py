"""A request moves between stations (issue #21): a worker of 果园新村 proposes it on a phone, 集贤里's head
accepts it at a desk, and it appears in 集贤里's queue (and leaves 果园新村's)."""

import re

from playwright.sync_api import expect

from tests.e2e.browser import check_a11y, login, shoot
from tests.factories import make_request


def _label(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*[:：]?\s*$")


def test_a_worker_proposes_and_the_other_head_accepts(
    phone, desktop, worker2, other_worker, guoyuan, chaoyangli, jixianli, tailaixili
):
    request = make_request(guoyuan, chaoyangli, user=worker2, description="居民已搬家，需继续跟进助餐服务。")

    login(phone, worker2)
    phone.goto(f"/residents/requests/{request.pk}/")
    phone.get_by_role("link", name="转至其他社工站").click()
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "转至其他社工站"
    check_a11y(phone)
    # Any station of the city, named with its district (区 · 站).
    target = f"{jixianli.district.name} · {jixianli.name}"
    phone.get_by_label(_label("转至社工站")).select_option(label=target)
    phone.get_by_role("radio", name="搬家").check()
    phone.get_by_label(_label("说明")).fill("居民已搬至泰来西里社区")
    shoot(phone, "transfer-propose")
    phone.get_by_role("button", name="提出转移").click()
    phone.wait_for_load_state()
    expect(phone.locator(".messages")).to_contain_text("已提出转移")
    expect(phone.locator(".page-head")).to_contain_text("转移待接收")
    # Nothing wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    login(desktop, other_worker)
    desktop.goto("/residents/transfers/")
    expect(desktop.locator("#incoming-title")).to_contain_text("待本站接收（1）")
    check_a11y(desktop)
    shoot(desktop, "transfer-inbox")
    desktop.get_by_role("link", name="接收或拒绝").click()
    desktop.wait_for_load_state()
    desktop.get_by_role("radio", name="接收", exact=True).check()
    desktop.get_by_label(_label("接收后所属社区")).select_option(label=str(tailaixili))
    shoot(desktop, "transfer-decide")
    desktop.get_by_role("button", name="提交").click()
    desktop.wait_for_load_state()
    expect(desktop.locator(".messages")).to_contain_text("已接收诉求")
    assert desktop.url.endswith(f"/residents/requests/{request.pk}/")
    # Reopened: the request is 集贤里's now, in its queue.
    desktop.goto("/residents/requests/")
    expect(desktop.get_by_text(request.reference)).to_be_visible()
    request.refresh_from_db()
    assert request.station_id == jixianli.pk and request.community_id == tailaixili.pk

    # 果园新村's worker no longer opens it; her inbox keeps the record.
    response = phone.goto(f"/residents/requests/{request.pk}/")
    assert response.status == 404
    phone.problems.expect("404")
    phone.goto("/residents/transfers/")
    expect(phone.locator("section[aria-labelledby=history-title]")).to_contain_text("已接收")
    shoot(phone, "transfer-inbox-sender")
