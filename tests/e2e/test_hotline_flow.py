"""A 12345 work order end to end on a phone: the hotline posts it through the API (over HTTP, to the live
server), it appears in 果园新村's queue with its 签收期限 and 办结期限, the head signs it (签收) and answers
it (办结回复) on a 375 px screen, and both answers wait in the outbox for the hotline's callback URL."""

import json
import urllib.request

from playwright.sync_api import expect

from hotline.models import WorkOrder
from notifications.models import OutboxMessage
from residents.models import Request
from tests.e2e.browser import check_a11y, login, shoot
from tests.hotline.conftest import city_key, hotline_setup, order_data  # noqa: F401  (fixtures)


def post_order(live_server, key, data):
    call = urllib.request.Request(
        f"{live_server.url}/api/v1/work-orders/",
        data=json.dumps(data).encode(),
        headers={"Authorization": f"Api-Key {key.plain}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(call, timeout=10) as answer:
        return answer.status, json.loads(answer.read())


def test_a_posted_order_is_signed_and_answered_on_a_phone(live_server, phone, city_key, worker, chaoyangli):  # noqa: F811
    status, order = post_order(live_server, city_key, order_data("GD20261204E2E"))
    assert status == 201 and order["state"] == "received"
    reference = order["reference"]

    login(phone, worker)
    phone.goto("/residents/requests/")
    row = phone.locator("tr", has=phone.get_by_role("link", name=reference))
    expect(row).to_contain_text("签收期限")
    expect(row).to_contain_text("办结期限")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone
    shoot(phone, "hotline-queue")
    row.get_by_role("link", name=reference).click()
    phone.wait_for_load_state()

    panel = phone.locator("section.hotline-order")
    expect(panel).to_contain_text("GD20261204E2E")
    expect(panel).to_contain_text("一般")
    panel.get_by_role("button", name="签收", exact=True).click()  # the first answer's form is open
    phone.wait_for_load_state()
    expect(phone.locator(".messages")).to_contain_text("签收已完成")
    panel = phone.locator("section.hotline-order")
    expect(panel.locator(".badge")).to_have_text("已签收")

    reply = panel.locator("details#order-reply")  # now the first answer, open
    reply.get_by_label("办结回复").fill("已联系物业更换路灯，今晚恢复照明。")
    button = reply.get_by_role("button", name="办结回复")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # on the screen, not off to the right
    check_a11y(phone)
    button.click()
    phone.wait_for_load_state()
    expect(phone.locator(".messages")).to_contain_text("办结回复已完成")
    expect(phone.locator("section.hotline-order")).to_contain_text("已联系物业更换路灯，今晚恢复照明。")
    shoot(phone, "hotline-replied")

    saved = WorkOrder.objects.get(ticket_no="GD20261204E2E")
    assert saved.state == WorkOrder.State.REPLIED and saved.request.status == Request.Status.RESOLVED
    callbacks = OutboxMessage.objects.filter(address=city_key.callback_url).order_by("pk")
    payloads = [json.loads(message.body) for message in callbacks]
    assert [(p["event"], p["ticket_no"]) for p in payloads] == [
        ("signed", "GD20261204E2E"),
        ("replied", "GD20261204E2E"),
    ]
    assert payloads[1]["result"] == "已联系物业更换路灯，今晚恢复照明。"
    assert all(message.key.startswith("hotline:GD20261204E2E:") for message in callbacks)
