"""Delivery from the outbox: enqueue, claim, send, mark; retries, backoff, dead letters; leases."""

import datetime
import json

import pytest
from django.db import transaction
from django.utils import timezone
from freezegun import freeze_time

from notifications import delivery
from notifications.models import OutboxMessage
from notifications.outbox import enqueue, kick_delivery

pytestmark = pytest.mark.django_db

LEASE = datetime.timedelta(minutes=5)


def sms(key="evt-1:r1", address="13820135678", body="您的诉求已登记，编号 BC-2026-0001。"):
    return enqueue(key=key, channel="sms", address=address, body=body, template_code="request_registered")


def deliver():
    return delivery.deliver_due()


def test_enqueue_records_the_message_and_a_second_enqueue_of_the_key_is_a_no_op():
    first = sms()
    again = sms(body="另一条")
    assert first.status == OutboxMessage.Status.PENDING
    assert again is None
    assert OutboxMessage.objects.get().body == "您的诉求已登记，编号 BC-2026-0001。"


def test_enqueue_writes_the_number_as_the_limit_and_opt_out_compare_it():
    assert sms(address="+86 138-2013-5678").address == "13820135678"


def test_a_rolled_back_change_takes_its_message_with_it():
    with pytest.raises(RuntimeError), transaction.atomic():
        sms()
        raise RuntimeError
    assert not OutboxMessage.objects.exists()


def test_delivery_starts_once_when_the_transaction_commits(sms_dir, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for n in range(3):
            sms(key=f"evt-{n}:r1")
        assert not sms_dir.exists()  # nothing sent before the commit
    assert callbacks == [kick_delivery]  # one run for the three messages
    callbacks[0]()  # no broker: the run happens here, in-process
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"sent"}
    assert len(list(sms_dir.glob("*.json"))) == 3


def test_the_file_backend_writes_one_file_per_key(sms_dir):
    message = sms()
    report = deliver()
    assert report.sent == 1
    [written] = sms_dir.glob("*.json")
    record = json.loads(written.read_text(encoding="utf-8"))
    assert record == {
        "key": "evt-1:r1",
        "to": "13820135678",
        "template": "request_registered",
        "body": "您的诉求已登记，编号 BC-2026-0001。",
        "sent_at": record["sent_at"],
    }
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert message.claim is None
    assert message.provider_message_id == written.stem
    assert deliver().sent == 0  # nothing left to do


def test_a_resend_of_a_key_the_file_backend_has_is_not_a_second_message(sms_dir):
    """A worker that died after sending and before marking: the next one sends again with the same key."""
    message = sms()
    deliver()
    OutboxMessage.objects.filter(pk=message.pk).update(status="pending", next_attempt_at=timezone.now())
    assert deliver().sent == 1
    assert len(list(sms_dir.glob("*.json"))) == 1


def test_a_failing_gateway_is_retried_with_doubling_backoff_then_dead(gateway, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    gateway.fail_with = [503, 502, 500, 503]
    start = timezone.now()
    with freeze_time(start) as clock:
        message = sms()
        assert deliver().retrying == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.last_error == "短信网关返回 HTTP 503"
        assert message.next_attempt_at == start + datetime.timedelta(seconds=60)

        clock.tick(59)
        assert deliver().handled == 0  # not yet: still backing off
        clock.tick(1)
        assert deliver().retrying == 1
        message.refresh_from_db()
        assert message.attempts == 2
        assert message.next_attempt_at == timezone.now() + datetime.timedelta(seconds=120)  # doubled

        clock.tick(120)
        assert deliver().dead == 1
        message.refresh_from_db()
        assert (message.status, message.attempts, message.last_error) == ("dead", 3, "短信网关返回 HTTP 500")
        clock.tick(3600)
        assert deliver().handled == 0  # a dead letter waits for an admin
    assert len(gateway.sms_requests()) == 3


def test_the_backoff_is_capped(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    assert [OutboxMessage.retry_delay(n).total_seconds() for n in (1, 2, 3, 6, 7, 20)] == [
        60,
        120,
        240,
        1920,
        3600,
        3600,
    ]


def test_a_permanent_refusal_is_dead_at_once(gateway):
    gateway.fail_with = [400]
    message = sms()
    assert deliver().dead == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == ("dead", 1, "短信网关返回 HTTP 400")


def test_a_message_claimed_by_a_worker_that_died_is_taken_again_after_the_lease(sms_dir, settings):
    settings.OUTBOX_LEASE_SECONDS = 300
    message = sms()
    with freeze_time(timezone.now()) as clock:
        claim, rows = delivery.claim_batch(now=timezone.now(), size=10, lease=LEASE)
        assert [r.pk for r in rows] == [message.pk]
        # … and the worker is killed here. Within the lease nobody else takes the message:
        assert deliver().handled == 0
        clock.tick(301)
        assert deliver().sent == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("sent", 2)
    # The dead worker's claim is stale: had it finished after all, it would write nothing.
    rows[0].status = OutboxMessage.Status.DEAD
    report = delivery.Report()
    delivery._flush(claim, [rows[0]], report)
    assert report.lost_claim == 1
    assert OutboxMessage.objects.get().status == "sent"


def test_two_claims_never_share_a_message():
    for n in range(5):
        sms(key=f"k{n}")
    now = timezone.now()
    _, first = delivery.claim_batch(now=now, size=3, lease=LEASE)
    _, second = delivery.claim_batch(now=now, size=3, lease=LEASE)
    _, third = delivery.claim_batch(now=now, size=3, lease=LEASE)
    assert len(first) == 3 and len(second) == 2 and third == []
    assert not {r.pk for r in first} & {r.pk for r in second}


def test_a_claim_that_raced_another_gets_only_the_rows_it_won(monkeypatch):
    """SQLite has no SKIP LOCKED: two workers may select the same due ids, and the conditional UPDATE
    decides. Simulated: another worker claims between this one's SELECT and UPDATE."""
    for n in range(4):
        sms(key=f"k{n}")
    now = timezone.now()
    real_due = OutboxMessage.objects.due
    calls = []

    def due_then_raced(when):
        calls.append(when)
        if len(calls) == 2:  # the UPDATE's condition: the other worker got there first for k0, k1
            OutboxMessage.objects.filter(key__in=["k0", "k1"]).update(next_attempt_at=now + LEASE)
        return real_due(when)

    monkeypatch.setattr(OutboxMessage.objects, "due", due_then_raced)
    _, rows = delivery.claim_batch(now=now, size=10, lease=LEASE)
    assert sorted(r.key for r in rows) == ["k2", "k3"]


def test_rows_not_reached_before_the_lease_runs_short_are_given_back(sms_dir, monkeypatch):
    for n in range(3):
        sms(key=f"k{n}")
    claim, rows = delivery.claim_batch(now=timezone.now(), size=10, lease=LEASE)
    ticks = iter([0, 0, 0, 1000, 1000, 1000])  # the third message finds 80 % of the lease gone
    monkeypatch.setattr(delivery.time, "monotonic", lambda: next(ticks))
    report = delivery.deliver_batch(claim, rows, lease=LEASE)
    assert report.sent == 2
    given_back = OutboxMessage.objects.get(key="k2")
    assert (given_back.status, given_back.claim, given_back.attempts) == ("pending", None, 0)
    assert given_back.next_attempt_at <= timezone.now()


def test_a_bug_in_a_channel_is_retried_and_recorded_without_its_text(settings, monkeypatch):
    from notifications.channels import sms as sms_channels

    def broken(self, message):
        raise ValueError(f"could not format {message.body}")

    settings.SMS_BACKEND = "file"
    monkeypatch.setattr(sms_channels.FileSmsBackend, "send", broken)
    message = sms()
    assert deliver().retrying == 1
    message.refresh_from_db()
    assert message.last_error == "内部错误：ValueError"


def test_an_unknown_channel_is_dead():
    message = enqueue(key="x", channel="fax", address="022-1234", body="…")
    assert deliver().dead == 1
    message.refresh_from_db()
    assert message.last_error == "未知的发送渠道：fax"


def test_a_broker_that_cannot_be_reached_does_not_fail_the_change(monkeypatch, caplog):
    from notifications import tasks

    def unreachable():
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.deliver_due, "delay", unreachable)
    kick_delivery()
    assert "delivery not started (ConnectionRefusedError)" in caplog.text


def test_a_run_over_its_budget_hands_over_to_a_fresh_task(sms_dir, settings, monkeypatch):
    from notifications import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False  # as on a worker
    settings.OUTBOX_BATCH_SIZE = 2
    for n in range(5):
        sms(key=f"k{n}")
    ticks = iter(range(0, 10_000, 100))  # every look at the clock: 100 s later
    monkeypatch.setattr(delivery.time, "monotonic", lambda: next(ticks))
    handed_over = []
    monkeypatch.setattr(tasks.deliver_due, "delay", lambda: handed_over.append(True))
    result = tasks.deliver_due.run()
    assert result["more"] is True and handed_over == [True]
    assert OutboxMessage.objects.filter(status="pending").exists()


def test_a_flush_writes_the_rows_its_claim_holds_and_counts_the_others(sms_dir):
    for n in range(3):
        sms(key=f"k{n}")
    claim, rows = delivery.claim_batch(now=timezone.now(), size=10, lease=LEASE)
    OutboxMessage.objects.filter(key="k1").update(claim=None)  # taken by another worker meanwhile
    for row in rows:
        row.status, row.claim = OutboxMessage.Status.SENT, None
    report = delivery.Report()
    delivery._flush(claim, rows, report)
    assert report.lost_claim == 1
    assert dict(OutboxMessage.objects.values_list("key", "status")) == {
        "k0": "sent",
        "k1": "pending",
        "k2": "sent",
    }


def test_a_message_held_until_later_waits_for_its_time(sms_dir):
    """Quiet hours: an SMS enqueued at 22:30 with not_before=07:00 is sent at 07:00, not before."""
    with freeze_time("2026-12-03 14:30:00+00:00") as clock:  # 22:30 in Tianjin
        seven = timezone.now() + datetime.timedelta(hours=8, minutes=30)
        enqueue(key="quiet", channel="sms", address="13820135678", body="…", not_before=seven)
        assert deliver().handled == 0
        clock.move_to(seven - datetime.timedelta(seconds=1))
        assert deliver().handled == 0
        clock.move_to(seven)
        assert deliver().sent == 1
