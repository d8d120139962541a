"""The browser's main flow against the production stack over HTTPS (`make prod-smoke`, deploy/smoke/).

Runs only inside prod-smoke, which sets SWS_BASE_URL (nginx with a self-signed certificate in front of
gunicorn) and a demo account (a station head of the seeded city). No test database: everything goes
through the browser, as a user's would. A console error, an uncaught exception or a failed same-origin
request fails the test (the e2e suite's watcher).
"""

import os
import re

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.browser import wait_until
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, PageProblems

pytestmark = pytest.mark.e2e


@pytest.fixture
def phone():
    base_url = os.environ.get("SWS_BASE_URL")
    if not base_url:
        pytest.fail("SWS_BASE_URL is not set: run `make prod-smoke`, which starts the stack for this test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            base_url=base_url, viewport=PHONE, ignore_https_errors=True, locale="zh-CN", is_mobile=True
        )
        problems = PageProblems(base_url)
        page = context.new_page()
        problems.watch(page)
        yield page
        context.close()
        browser.close()
        assert not problems.unexpected(), problems.unexpected()


def _label(text):
    return re.compile(rf"^\s*{re.escape(text)}\s*[:：]?\s*$")


def _charts_drawn(page):
    page.locator("figure[data-chart]").first.scroll_into_view_if_needed()
    wait_until(
        page, "document.querySelectorAll('figure[data-chart].chart-ready canvas').length > 0", seconds=30
    )


def test_login_intake_queue_request_and_dashboard_over_https(phone):
    phone.goto("/login/")
    assert phone.url.startswith("https://")
    phone.get_by_label("用户名").fill(os.environ["SWS_SMOKE_USER"])
    phone.get_by_label("密码").fill(os.environ["SWS_SMOKE_PASSWORD"])
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_load_state()

    # Home: the station's dashboard; scrolled to, its charts drawn by the library nginx sent compressed.
    assert "/dashboards/" in phone.url, phone.url
    _charts_drawn(phone)

    # Intake: a new resident's request.
    phone.goto("/residents/requests/new/")
    assert phone.locator("h1").inner_text() == "登记诉求"
    phone.get_by_role("radio", name="新登记居民").check()
    phone.get_by_label(_label("姓名")).fill("王秀英")
    phone.get_by_label(_label("联系电话")).fill("13912345678")
    phone.get_by_label(_label("社区")).select_option(index=1)
    phone.get_by_label(_label("来源渠道")).select_option(label="上门")
    phone.get_by_label(_label("诉求分类")).select_option(index=1)
    phone.get_by_label(_label("诉求内容")).fill("独居老人家中灯泡坏了，夜里看不见，需要帮忙更换。")
    phone.get_by_role("button", name="登记", exact=True).click()
    phone.wait_for_load_state()
    message = phone.locator(".messages").inner_text()
    reference = re.search(r"受理编号：(\S+)", message).group(1)
    assert reference in phone.locator("h1").inner_text()
    request_url = phone.url

    # The queue lists it; its page opens from there.
    phone.goto(f"/residents/requests/?q={reference}")
    phone.get_by_role("link", name=re.compile(re.escape(reference))).first.click()
    phone.wait_for_load_state()
    assert phone.url == request_url
    assert "王秀英" in phone.locator("main").inner_text()

    # Past the read-your-writes window (prod-smoke's replica serves it then): the dashboard again.
    if seconds := float(os.environ.get("SWS_SMOKE_AFTER_WRITES_SECONDS", "0")):
        phone.wait_for_timeout(seconds * 1000)
        phone.goto("/")
        assert "/dashboards/" in phone.url, phone.url
        _charts_drawn(phone)
