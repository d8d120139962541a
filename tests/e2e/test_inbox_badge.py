"""A resident submits through the QR page; the worker's phone shows the unread count in the navigation
without reloading (htmx polls the badge), and the inbox entry leads to the case page.

It also measures the time from the resident's submit to the badge on the worker's screen: the inbox
entry is written in the intake's own transaction, so what remains is the polling interval (here 1 s;
NOTIFICATIONS_POLL_SECONDS, 45 s by default) plus one small request.
"""

import time

from notifications.inbox import Notification
from residents.models import Request
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.residents.public_fixtures import make_category

CHAOYANGLI = "120113001009"  # 朝阳里社区, served by 果园新村 station


def test_the_badge_appears_on_the_workers_phone_after_a_qr_submission(
    phone, phone_nojs, worker2, guoyuan, chaoyangli, client, settings
):
    settings.NOTIFICATIONS_POLL_SECONDS = 1
    make_category("设施维修")
    log_in_quickly(phone, client, worker2)
    phone.goto("/residents/requests/")
    link = phone.locator("#inbox-link")
    link.wait_for()
    assert link.is_visible() and link.locator(".badge").count() == 0  # nothing unread yet, no menu opened

    # The resident, on their own phone (no JavaScript needed).
    resident = phone_nojs
    resident.goto(f"/r/{CHAOYANGLI}/")
    resident.get_by_label("设施维修").check()
    resident.get_by_label("需要什么帮助").fill("楼道灯坏了一个星期，晚上上下楼看不见。")
    resident.get_by_label("您的称呼").fill("张阿姨")
    resident.get_by_label("联系电话").fill("13812345678")
    resident.locator("input[name=consent]").check()
    submitted = time.monotonic()
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_load_state()
    request = Request.objects.get()
    assert Notification.objects.filter(recipient=worker2).count() == 1  # written with the request

    badge = phone.locator("#inbox-link .badge")
    badge.wait_for(timeout=5_000)
    seen = time.monotonic() - submitted
    print(f"\nQR submit → badge on the worker's phone: {seen:.2f} s (poll interval 1 s)")
    assert badge.inner_text() == "1"
    assert phone.url.endswith("/residents/requests/")  # no reload: the badge came by polling
    shoot(phone, "inbox-badge")

    phone.locator("#inbox-link").click()
    phone.wait_for_load_state()
    entry = phone.locator(".inbox-item.is-unread .inbox-title")
    title = f"新诉求 {request.reference}（设施维修），请及时研判"
    assert entry.inner_text().split() == ["未读：", *title.split()]
    check_a11y(phone)
    shoot(phone, "inbox")
    entry.click()
    phone.wait_for_load_state()
    assert phone.url.endswith(request.get_absolute_url())
    assert Notification.objects.get(recipient=worker2).read_at is not None
