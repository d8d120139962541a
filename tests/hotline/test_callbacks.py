"""Answers go back to a fake hotline as signed callbacks through the outbox: retried after failures,
each accepted exactly once, dead letters kept and sent again from the admin."""

import hashlib
import hmac
import time

import pytest
from django.test import Client
from django.utils import timezone

from hotline import services
from hotline.models import ApiKey, WorkOrder
from notifications import delivery
from notifications.models import OutboxMessage
from tests.hotline.conftest import order_data
from tests.hotline.fake_hotline import FakeHotline, verify

URL = "/api/v1/work-orders/"


@pytest.fixture
def hotline(settings, hotline_setup):
    settings.WEBHOOK_TIMEOUT_SECONDS = 2.0
    settings.OUTBOX_MAX_ATTEMPTS = 6
    key, plain = ApiKey.issue(name="天津市12345热线", callback_url="http://127.0.0.1:9/unused")
    with FakeHotline({key.key_id: key.callback_secret}) as fake:
        ApiKey.objects.filter(pk=key.pk).update(callback_url=fake.url)
        fake.client = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
        fake.key = key
        yield fake


def deliver_until_done(rounds=10):
    """Run the project's delivery; between rounds, the retry backoff has passed."""
    for _ in range(rounds):
        delivery.deliver_due()
        pending = OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        if not pending.exists():
            return
        pending.update(next_attempt_at=timezone.now())
    raise AssertionError("messages still pending")


def push(fake, ticket_no, **changes):
    response = fake.client.post(URL, order_data(ticket_no, **changes), content_type="application/json")
    assert response.status_code == 201, response.content
    return WorkOrder.objects.get(ticket_no=ticket_no)


def test_every_answer_arrives_signed_and_exactly_once_despite_failures(
    hotline, guoyuan, worker, district_user
):
    orders = [push(hotline, f"GD-{n}") for n in range(5)]
    hotline.fail_with = [503, 500, 503]  # the first three callbacks fail, whichever they are
    hotline.fail_keys = {"hotline:GD-1:replied": [502, 503, 429]}  # one answer fails three times
    for order in orders:
        services.sign_work_order(acting_user=worker, order=order)
    for order in orders[:3]:
        services.reply_work_order(acting_user=worker, order=order, result=f"{order.ticket_no} 路灯已修复。")
    services.return_work_order(acting_user=worker, order=orders[3], reason="不属于社工站职责，应由城管处理。")
    extension = services.request_extension(
        acting_user=worker,
        order=orders[4],
        reason="需等待配件",
        new_due_on=timezone.localdate(orders[4].reply_due_at) + timezone.timedelta(days=7),
    )
    services.decide_extension(acting_user=district_user, extension=extension, approve=True)
    response = hotline.client.post(
        f"{URL}GD-0/satisfaction/",
        {"satisfaction": "fairly", "comment": "修得慢"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content

    deliver_until_done()

    messages = OutboxMessage.objects.filter(channel="webhook")
    assert messages.count() == 5 + 3 + 1 + 1  # signed ×5, replied ×3, returned, extended
    assert set(messages.values_list("status", flat=True)) == {OutboxMessage.Status.SENT}
    assert set(hotline.accepted) == set(messages.values_list("key", flat=True))
    assert not hotline.repeats and hotline.bad_signatures == 0
    assert hotline.events("GD-0") == ["signed", "replied"]
    assert hotline.events("GD-3") == ["signed", "returned"]
    assert hotline.events("GD-4") == ["signed", "extended"]
    failed = [status for _h, _b, status in hotline.received if status != 200]
    assert sorted(failed) == sorted([503, 500, 503, 502, 503, 429])
    assert messages.get(key__startswith="hotline:GD-1:replied").attempts == 4
    replied = next(
        p for p in hotline.accepted.values() if p["event"] == "replied" and p["ticket_no"] == "GD-1"
    )
    assert replied["result"] == "GD-1 路灯已修复。" and replied["reference"] == orders[1].request.reference
    returned = next(p for p in hotline.accepted.values() if p["event"] == "returned")
    assert returned["reason"] == "不属于社工站职责，应由城管处理。"


def test_a_callback_sent_again_after_a_crash_carries_the_same_key_and_counts_once(hotline, guoyuan, worker):
    order = push(hotline, "GD-CRASH")
    services.sign_work_order(acting_user=worker, order=order)
    deliver_until_done()
    # The worker died after sending but before marking it sent: the row is pending again.
    OutboxMessage.objects.update(status=OutboxMessage.Status.PENDING, next_attempt_at=timezone.now())
    deliver_until_done()
    assert len(hotline.accepted) == 1
    assert sum(hotline.repeats.values()) == 1  # seen again, kept once


def test_a_refused_callback_is_a_dead_letter_until_an_admin_sends_it_again(
    hotline, guoyuan, worker, admin_user
):
    order = push(hotline, "GD-DEAD")
    hotline.fail_with = [410]  # permanent: retrying cannot help
    services.sign_work_order(acting_user=worker, order=order)
    deliver_until_done()
    message = OutboxMessage.objects.get(channel="webhook")
    assert message.status == OutboxMessage.Status.DEAD
    assert message.last_error == "回调地址返回 HTTP 410"
    assert delivery.retry_messages(acting_user=admin_user, messages=OutboxMessage.objects.all()) == 1
    deliver_until_done()
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert hotline.events("GD-DEAD") == ["signed"]


def test_an_unreachable_hotline_is_retried_with_backoff(hotline, guoyuan, worker):
    order = push(hotline, "GD-DOWN")
    ApiKey.objects.update(callback_url="http://127.0.0.1:9/closed")
    order = WorkOrder.objects.select_related("api_key").get(pk=order.pk)
    services.sign_work_order(acting_user=worker, order=order)
    delivery.deliver_due()
    message = OutboxMessage.objects.get(channel="webhook")
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
    assert message.next_attempt_at > timezone.now()
    assert "无法连接" in message.last_error


def test_a_tampered_body_fails_the_signature_check(hotline):
    secret = hotline.key.callback_secret
    body = b'{"event": "signed"}'
    stamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), stamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
    headers = {"X-Timestamp": stamp, "X-Signature": signature}
    assert verify(secret, headers, body)
    assert not verify(secret, headers, body.replace(b"signed", b"replied"))
    assert not verify(secret, {**headers, "X-Timestamp": str(int(stamp) - 3600)}, body)


def test_an_order_without_a_callback_url_answers_nothing(city_key, guoyuan, worker):
    ApiKey.objects.update(callback_url="")
    order, _ = services.receive_work_order(api_key_or_user=ApiKey.objects.get(), data=order_data())
    services.sign_work_order(acting_user=worker, order=order)
    assert not OutboxMessage.objects.filter(channel="webhook").exists()
