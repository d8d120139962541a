"""The triage queue's quick actions (研判, 指派, 开始办理): in place with htmx, and as plain form posts with
JavaScript off. And a request a resident sent through the QR page shows up in the station's queue."""

import datetime

from django.db.models import F
from django.utils import timezone

from residents.models import Request
from stations.locking import STALE_MESSAGE
from tests.e2e.browser import check_a11y, log_in_quickly, shoot
from tests.residents.public_fixtures import make_category
from tests.sws import factories as sf

QUEUE = "/residents/requests/"


def _two_new_requests(guoyuan):
    now = timezone.now()
    category = make_category("设施维修")
    first = sf.store_request(guoyuan, received_at=now - datetime.timedelta(minutes=5), category_obj=category)
    second = sf.store_request(guoyuan, received_at=now - datetime.timedelta(minutes=4), category_obj=category)
    return first, second


def _row(page, request):
    return page.locator(f"#request-{request.pk}")


def _quick_actions(page, request, worker2):
    row = _row(page, request)
    row.get_by_label("轻重").select_option(label="重")
    row.get_by_label("缓急").select_option(label="急")
    row.get_by_role("button", name="研判").click()
    row.locator(".badge-p1").wait_for()

    row.get_by_label("承办社工").select_option(label=str(worker2))
    row.get_by_role("button", name="指派").click()
    row.locator("td[data-label='承办']", has_text=str(worker2)).wait_for()

    row.get_by_role("button", name="开始办理").click()
    row.locator(".badge.status-in_progress").wait_for()


def test_quick_actions_update_the_row_in_place(desktop, worker, worker2, guoyuan, client):
    first, second = _two_new_requests(guoyuan)
    log_in_quickly(desktop, client, worker)
    desktop.goto(QUEUE)
    check_a11y(desktop)
    shoot(desktop, "flow-queue")
    desktop.evaluate("window.__sameDocument = true")  # survives only if no page load happens

    _quick_actions(desktop, first, worker2)

    assert desktop.evaluate("window.__sameDocument === true"), "the quick actions reloaded the page"
    first.refresh_from_db()
    assert (first.status, first.priority, first.assignee) == (Request.Status.IN_PROGRESS, 1, worker2)
    second.refresh_from_db()
    assert second.status == Request.Status.NEW  # the other row is untouched
    check_a11y(desktop)


def test_quick_actions_on_a_phone(phone, worker, worker2, guoyuan, client):
    first, _ = _two_new_requests(guoyuan)
    log_in_quickly(phone, client, worker)
    phone.goto(QUEUE)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # rows are cards, no sideways scroll
    # The filter bar folds behind one button on a phone, and opens again.
    status = phone.get_by_role("search", name="筛选诉求").locator("select").first
    assert not status.is_visible()
    phone.get_by_role("button", name="筛选诉求").click()
    assert status.is_visible()
    check_a11y(phone)
    shoot(phone, "flow-queue")

    _quick_actions(phone, first, worker2)

    first.refresh_from_db()
    assert first.status == Request.Status.IN_PROGRESS


def test_quick_actions_work_without_javascript(phone_nojs, worker, worker2, guoyuan, client):
    first, second = _two_new_requests(guoyuan)
    log_in_quickly(phone_nojs, client, worker)
    phone_nojs.goto(QUEUE)

    _quick_actions(phone_nojs, first, worker2)  # each one a full form post, back to the queue

    assert phone_nojs.url.endswith(QUEUE)
    first.refresh_from_db()
    assert (first.status, first.priority, first.assignee) == (Request.Status.IN_PROGRESS, 1, worker2)
    second.refresh_from_db()
    assert second.status == Request.Status.NEW


def test_qr_request_appears_in_the_station_queue(phone, desktop, worker, guoyuan, chaoyangli, client):
    make_category("设施维修")
    phone.goto(f"/r/{chaoyangli.code}/")
    phone.get_by_label("设施维修").check()
    phone.get_by_label("需要什么帮助").fill("三号楼单元门坏了，关不上。")
    phone.get_by_label("您的称呼").fill("刘师傅")
    phone.get_by_label("联系电话").fill("13698765432")
    phone.locator("input[name=consent]").check()
    phone.get_by_role("button", name="提交").click()
    reference = phone.locator(".reference-number").inner_text()

    log_in_quickly(desktop, client, worker)
    desktop.goto(QUEUE)
    row = desktop.locator("table.queue tbody tr", has_text=reference)
    assert row.count() == 1
    assert "刘师傅" in row.inner_text()
    assert row.locator(".badge.status-new").count() == 1
    row.get_by_role("link", name=reference).click()
    assert "扫码" in desktop.locator("dl.facts").inner_text()


def test_a_quick_action_on_a_row_someone_else_changed_is_refused_in_place(desktop, worker, guoyuan, client):
    first, _ = _two_new_requests(guoyuan)
    log_in_quickly(desktop, client, worker)
    desktop.goto(QUEUE)
    # A colleague saves the request after this page was loaded.
    Request.objects.filter(pk=first.pk).update(version=F("version") + 1, urgency="urgent")

    row = _row(desktop, first)
    row.get_by_label("轻重").select_option(label="重")
    row.get_by_role("button", name="研判").click()

    alert = _row(desktop, first).get_by_role("alert")
    alert.wait_for()
    assert STALE_MESSAGE in alert.inner_text()
    first.refresh_from_db()
    assert (first.status, first.severity) == (Request.Status.NEW, "mild")  # nothing overwritten
    # The row now shows the current state, ready for another try.
    assert _row(desktop, first).get_by_label("缓急").input_value() == "urgent"
