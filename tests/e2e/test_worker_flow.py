"""A resident social worker on a phone takes one request all the way: intake, triage, assignment,
referral, resolution and follow-up. Then the queue's htmx quick actions, with and without JavaScript."""

import re

from playwright.sync_api import expect

from residents.models import Request, Severity, Urgency
from tests.e2e.browser import check_a11y, log_in_quickly, login, shoot
from tests.residents.public_fixtures import make_category


def _categories():
    life = make_category("生活照料")
    return make_category("设施维修", Severity.MILD, Urgency.URGENT, parent=life)


def _label(text):
    """A field's label as Django renders it (label_tag adds a colon)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*[:：]?\s*$")


def _open_menu_and_go(page, label):
    """On a phone the navigation sits behind the 菜单 button."""
    page.get_by_role("button", name="菜单").click()
    page.get_by_role("navigation", name="主导航").get_by_role("link", name=label, exact=True).click()
    page.wait_for_load_state()


def _act(page, label, fill=None, button=None):
    """Open one action panel of the case page, fill it in and submit it; return the success message."""
    panel = page.locator("details.action-card", has=page.locator("summary", has_text=label))
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for what, value in (fill or {}).items():
        field = panel.get_by_label(_label(what))
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        elif field.get_attribute("type") == "radio":
            field.check()
        else:
            field.fill(value)
    panel.get_by_role("button", name=button or label, exact=True).click()
    page.wait_for_load_state()
    return page.locator(".messages").inner_text()


def test_worker_takes_a_request_from_intake_to_follow_up_on_a_phone(phone, worker, worker2, chaoyangli):
    _categories()

    login(phone, worker)
    _open_menu_and_go(phone, "登记")
    assert phone.locator("h1").inner_text() == "登记诉求"
    check_a11y(phone)
    shoot(phone, "flow-intake")

    # A new resident, in person, 设施维修.
    phone.get_by_role("radio", name="新登记居民").check()
    phone.get_by_label(_label("姓名")).fill("王秀英")
    phone.get_by_label(_label("联系电话")).fill("13912345678")
    phone.get_by_label(_label("社区")).select_option(label=chaoyangli.name)
    phone.get_by_label(_label("来源渠道")).select_option(label="上门")
    phone.get_by_label(_label("诉求分类")).select_option(label="设施维修")
    phone.get_by_label(_label("诉求内容")).fill("独居老人家中灯泡坏了，夜里看不见，需要帮忙更换。")
    phone.get_by_role("button", name="登记", exact=True).click()
    phone.wait_for_load_state()

    request = Request.objects.get()
    assert request.status == Request.Status.NEW and request.resident.name == "王秀英"
    assert f"受理编号：{request.reference}" in phone.locator(".messages").inner_text()
    assert request.reference in phone.locator("h1").inner_text()
    check_a11y(phone)

    assert "已更新" in _act(phone, "研判（轻重缓急）", {"轻重": "重", "缓急": "急"})
    request.refresh_from_db()
    assert (request.status, request.priority) == (Request.Status.TRIAGED, 1)

    assert "已指派" in _act(phone, "指派", {"承办社工": str(worker2)})
    assert "已开始办理" in _act(phone, "开始办理")
    referral = {"转介单位/资源": "果园新村物业维修班", "转介原因": "需登高更换灯具"}
    assert "已转介" in _act(phone, "转介", referral)
    request.refresh_from_db()
    assert (request.status, request.assignee) == (Request.Status.REFERRED, worker2)

    referral = phone.locator(".referral")
    referral.get_by_label(_label("转介结果")).select_option(label="已办结")
    referral.get_by_label(_label("结果说明")).fill("物业已上门更换灯泡")
    referral.get_by_role("button", name="登记转介结果").click()
    phone.wait_for_load_state()
    assert "已登记转介结果" in phone.locator(".messages").inner_text()

    assert "已办结" in _act(phone, "办结", {"办理结果": "灯泡已更换，老人满意。"})
    request.refresh_from_db()
    assert request.status == Request.Status.RESOLVED
    shoot(phone, "flow-request-detail")

    assert "已回访并结案" in _act(phone, "回访", {"满意": "", "回访记录": "电话回访，老人表示满意。"})
    request.refresh_from_db()
    assert request.status == Request.Status.CLOSED
    assert request.satisfaction == Request.Satisfaction.SATISFIED
    timeline = phone.locator("ol.timeline").inner_text()
    for step in ("登记", "研判", "指派", "转介", "转介结果", "回访"):
        assert step in timeline
    check_a11y(phone)


def _existing_resident_with_open_request(chaoyangli, guoyuan, category):
    import datetime

    from django.utils import timezone

    from tests.sws import factories as sf

    resident = sf.make_resident(chaoyangli, name="孙桂兰", phone="02260421234")
    request = sf.store_request(
        guoyuan, chaoyangli, received_at=timezone.now() - datetime.timedelta(days=1), category_obj=category
    )
    request.resident = resident
    request.save(update_fields=["resident"])
    return resident, request


def test_intake_for_a_registered_resident_warns_of_an_open_duplicate(
    phone, worker, guoyuan, chaoyangli, client
):
    category = _categories()
    resident, earlier = _existing_resident_with_open_request(chaoyangli, guoyuan, category)
    log_in_quickly(phone, client, worker)
    phone.goto("/residents/requests/new/")

    phone.get_by_label("查找居民").fill("孙桂兰")  # live search (htmx)
    phone.get_by_role("radiogroup", name="选择居民").get_by_role("radio").first.check()
    phone.get_by_label(_label("诉求分类")).select_option(label="设施维修")
    # The category's defaults pre-fill 轻重缓急 (设施维修: 轻, 急), and the open request is pointed out.
    assert phone.get_by_role("radio", name="急").is_checked()
    expect(phone.locator("#duplicate-warning")).to_contain_text(earlier.reference)
    phone.get_by_label(_label("诉求内容")).fill("厨房水管漏水。")
    phone.get_by_role("button", name="登记", exact=True).click()
    phone.wait_for_load_state()

    request = Request.objects.exclude(pk=earlier.pk).get()
    assert request.resident == resident and request.urgency == Urgency.URGENT
    assert earlier.reference in phone.locator(".messages").inner_text()  # the duplicate warning, again


def test_intake_without_javascript(phone_nojs, worker, guoyuan, chaoyangli, client):
    category = _categories()
    resident, earlier = _existing_resident_with_open_request(chaoyangli, guoyuan, category)
    log_in_quickly(phone_nojs, client, worker)
    phone_nojs.goto("/residents/requests/new/")

    phone_nojs.get_by_label("查找居民").fill("孙桂兰")
    phone_nojs.get_by_role("button", name="搜索").click()  # a plain form post that only searches
    phone_nojs.wait_for_load_state()
    assert Request.objects.count() == 1
    phone_nojs.get_by_role("radiogroup", name="选择居民").get_by_role("radio").first.check()
    phone_nojs.get_by_role("radio", name="已登记居民").check()
    phone_nojs.get_by_label(_label("诉求分类")).select_option(label="设施维修")
    phone_nojs.get_by_label(_label("诉求内容")).fill("楼道窗户玻璃碎了。")
    # No JavaScript, so no pre-filling: leaving 轻重缓急 out is refused next to the fields.
    phone_nojs.get_by_role("button", name="登记", exact=True).click()
    phone_nojs.wait_for_load_state()
    assert Request.objects.count() == 1
    assert phone_nojs.locator(".field.has-error .errorlist").count() >= 1

    phone_nojs.get_by_role("radio", name="轻").check()
    phone_nojs.get_by_role("radio", name="急").check()
    phone_nojs.get_by_role("button", name="登记", exact=True).click()
    phone_nojs.wait_for_load_state()
    request = Request.objects.exclude(pk=earlier.pk).get()
    assert request.resident == resident
    assert request.reference in phone_nojs.locator("h1").inner_text()
