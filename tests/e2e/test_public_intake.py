"""A resident scans the community's QR code on a phone and submits a request, with and without JavaScript."""

import re

from residents.models import Request
from tests.e2e.browser import check_a11y, shoot
from tests.residents.public_fixtures import make_category

CHAOYANGLI = "120113001009"  # 朝阳里社区, served by 果园新村 station (tests/conftest.py)


def _fill_and_submit(page, description):
    page.get_by_label("设施维修").check()
    page.get_by_label("需要什么帮助").fill(description)
    page.get_by_label("您的称呼").fill("张阿姨")
    page.get_by_label("联系电话").fill("13812345678")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()


def test_resident_submits_through_the_qr_page_and_gets_a_reference(phone, guoyuan, chaoyangli):
    make_category("生活照料")
    make_category("设施维修")

    phone.goto(f"/r/{CHAOYANGLI}/")
    assert "朝阳里" in phone.locator(".lead").inner_text()
    check_a11y(phone)
    shoot(phone, "flow-public-intake")

    # Nothing filled in: every problem is named next to its field, in Chinese, and nothing is saved.
    phone.get_by_role("button", name="提交").click()
    phone.wait_for_load_state()
    assert phone.get_by_role("alert").first.is_visible()
    errors = phone.locator(".errorlist").all_inner_texts()
    assert "请选择诉求类别。" in errors and "请先阅读并勾选同意《个人信息告知》。" in errors
    assert Request.objects.count() == 0
    check_a11y(phone)

    _fill_and_submit(phone, "楼道灯坏了一个星期，晚上上下楼看不见。")

    request = Request.objects.get()
    assert request.station == guoyuan and request.channel == Request.Channel.QR
    assert request.status == Request.Status.NEW
    assert phone.locator(".reference-number").inner_text() == request.reference
    check_a11y(phone)
    shoot(phone, "flow-public-intake-done")

    # "Where is my request": reference number plus the phone's last four digits.
    phone.get_by_role("link", name="查询办理进度").click()
    phone.get_by_label(re.compile("受理编号")).fill(request.reference)
    phone.get_by_label(re.compile("后四位")).fill("5678")
    phone.get_by_role("button", name="查询").click()
    assert request.reference in phone.locator("h2").first.inner_text()
    assert "等待社工研判" in phone.locator("dl.facts").inner_text()
    check_a11y(phone)
    shoot(phone, "flow-public-status")


def test_qr_intake_works_without_javascript(phone_nojs, guoyuan, chaoyangli):
    make_category("设施维修")

    phone_nojs.goto(f"/r/{CHAOYANGLI}/")
    _fill_and_submit(phone_nojs, "单元门禁坏了，老人进出不便。")

    request = Request.objects.get()
    assert request.community == chaoyangli
    assert phone_nojs.locator(".reference-number").inner_text() == request.reference
