"""Rate and safety: at most N SMS a number a day; none to a number that opted out; all recorded."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from freezegun import freeze_time

from notifications import delivery
from notifications.models import OutboxMessage, SmsOptOut
from notifications.optout import handle_inbound_sms, record_opt_out
from notifications.outbox import enqueue

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def sms(n, address="13820135678", channel="sms"):
    return enqueue(key=f"evt-{n}", channel=channel, address=address, body=f"第 {n} 条", template_code="t")


def test_the_sixth_sms_of_a_day_to_one_number_is_refused_and_recorded(sms_dir, settings):
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 5
    with freeze_time(datetime.datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)):
        for n in range(4):
            sms(n)
        sms(90, address="13900001111")  # another number has its own count
        assert delivery.deliver_due().sent == 5
        sms(4)
        sms(5)
        report = delivery.deliver_due()
    assert (report.sent, report.skipped) == (1, 1)
    refused = OutboxMessage.objects.get(key="evt-5")
    assert (refused.status, refused.skip_reason) == ("skipped", "rate_limited")
    assert refused.get_skip_reason_display() == "超过每日条数上限"
    assert len(list(sms_dir.glob("*.json"))) == 6


def test_the_count_starts_again_at_midnight_in_tianjin(sms_dir, settings):
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 1
    with freeze_time(datetime.datetime(2026, 12, 3, 23, 50, tzinfo=SHANGHAI)) as clock:
        sms(1)
        delivery.deliver_due()
        sms(2)
        assert delivery.deliver_due().skipped == 1
        clock.move_to(datetime.datetime(2026, 12, 4, 0, 5, tzinfo=SHANGHAI))  # 16:05 UTC, the day before
        sms(3)
        assert delivery.deliver_due().sent == 1


def test_the_limit_counts_within_one_batch_too(sms_dir, settings):
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 2
    for n in range(4):
        sms(n)
    report = delivery.deliver_due()
    assert (report.sent, report.skipped) == (2, 2)


def test_work_messages_are_not_held_to_the_sms_limit(settings, monkeypatch):
    from notifications.channels import wecom

    settings.SMS_DAILY_LIMIT_PER_NUMBER = 1
    monkeypatch.setattr(wecom.WeComBackend, "send", lambda self, message: "wx1")
    for n in range(3):
        sms(n, address="XuPengZe", channel="wecom")
    assert delivery.deliver_due().sent == 3


def test_no_sms_to_a_number_that_replied_td(sms_dir):
    assert handle_inbound_sms("+86 13820135678", " td ") is True
    assert handle_inbound_sms("13900001111", "谢谢") is False
    sms(1)
    sms(2, address="13900001111")
    report = delivery.deliver_due()
    assert (report.sent, report.skipped) == (1, 1)
    refused = OutboxMessage.objects.get(key="evt-1")
    assert (refused.status, refused.skip_reason) == ("skipped", "opted_out")
    assert [json_file.exists() for json_file in sms_dir.glob("*.json")] == [True]
    assert SmsOptOut.objects.get().source == "reply"


def test_opting_out_twice_keeps_one_entry():
    record_opt_out("13820135678")
    record_opt_out("138 2013 5678", source=SmsOptOut.Source.ADMIN)
    assert SmsOptOut.objects.count() == 1
    assert str(SmsOptOut.objects.get()) == "138****5678"


def test_every_outbound_message_is_recorded_with_template_time_and_outcome(gateway, settings):
    gateway.fail_with = [400]
    settings.SMS_DAILY_LIMIT_PER_NUMBER = 5
    record_opt_out("13700000000")
    sms(1)  # refused by the provider
    sms(2)  # delivered
    sms(3, address="13700000000")  # opted out
    delivery.deliver_due()
    rows = {
        row["key"]: (row["status"], row["template_code"], row["created_at"] is not None)
        for row in OutboxMessage.objects.values("key", "status", "template_code", "created_at")
    }
    assert rows == {
        "evt-1": ("dead", "t", True),
        "evt-2": ("sent", "t", True),
        "evt-3": ("skipped", "t", True),
    }
    assert OutboxMessage.objects.get(key="evt-2").sent_at <= timezone.now()
