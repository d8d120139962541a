"""Each user's choice per event (inbox only / inbox + SMS / daily digest) and the quiet hours
(22:00–07:00 Asia/Shanghai: no SMS except for a P1 request; the inbox entry stays)."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from notifications import dispatch
from notifications.events import Event, Mode
from notifications.inbox import Notification, Preference
from notifications.models import OutboxMessage
from residents.models import Request, Severity, Urgency
from tests import factories as f

pytestmark = pytest.mark.django_db

DAY = "2026-12-03 10:00:00+08:00"
NIGHT = "2026-12-03 23:30:00+08:00"
EARLY = "2026-12-04 06:59:00+08:00"


def choose(user, event, mode, phone="13800001111"):
    user.phone = phone
    user.save(update_fields=["phone"])
    Preference.objects.update_or_create(user=user, event=event, defaults={"mode": mode})


def qr_request(station, **fields):
    return f.make_request(station, channel=Request.Channel.QR, **fields)


@freeze_time(DAY)
def test_inbox_only_sends_no_sms(guoyuan, worker2):
    choose(worker2, Event.REQUEST_NEW, Mode.INBOX)
    qr_request(guoyuan)

    assert Notification.objects.filter(recipient=worker2).count() == 1
    assert OutboxMessage.objects.count() == 0


@freeze_time(DAY)
def test_inbox_and_sms_queues_one_text_to_the_users_mobile(guoyuan, worker2):
    choose(worker2, Event.REQUEST_NEW, Mode.SMS)
    request = qr_request(guoyuan)

    message = OutboxMessage.objects.get()
    assert (message.channel, message.address, message.recipient_user) == ("sms", "13800001111", worker2)
    assert message.key == f"request_new:request:{request.pk}:{worker2.pk}"
    assert request.reference in message.body and request.description not in message.body
    assert Notification.objects.filter(recipient=worker2, held_for_digest=False).count() == 1


@freeze_time(DAY)
def test_the_same_event_again_sends_nothing_twice(guoyuan, worker2):
    choose(worker2, Event.REQUEST_NEW, Mode.SMS)
    request = qr_request(guoyuan)
    for _ in range(2):
        dispatch.notify(Event.REQUEST_NEW, recipients=[worker2], target=f"request:{request.pk}", context={})

    assert OutboxMessage.objects.count() == 1
    assert Notification.objects.filter(recipient=worker2).count() == 1


@freeze_time(DAY)
def test_sms_without_a_mobile_number_stays_in_the_inbox(guoyuan, worker2):
    choose(worker2, Event.REQUEST_NEW, Mode.SMS, phone="")
    qr_request(guoyuan)

    assert OutboxMessage.objects.count() == 0
    assert Notification.objects.filter(recipient=worker2).count() == 1


@pytest.mark.parametrize("moment", [NIGHT, EARLY])
def test_no_sms_in_quiet_hours(guoyuan, worker2, moment):
    choose(worker2, Event.REQUEST_NEW, Mode.SMS)
    with freeze_time(moment):
        qr_request(guoyuan)

    assert OutboxMessage.objects.count() == 0
    assert Notification.objects.filter(recipient=worker2, read_at__isnull=True).count() == 1


@freeze_time("2026-12-04 07:00:00+08:00")
def test_quiet_hours_end_at_seven(guoyuan, worker2):
    choose(worker2, Event.REQUEST_NEW, Mode.SMS)
    qr_request(guoyuan)

    assert OutboxMessage.objects.count() == 1


@freeze_time(NIGHT)
def test_a_p1_request_is_texted_at_night(guoyuan, worker, worker2):
    choose(worker, Event.REQUEST_P1, Mode.SMS, phone="13800002222")
    choose(worker2, Event.REQUEST_NEW, Mode.SMS)
    qr_request(guoyuan, severity=Severity.SEVERE, urgency=Urgency.URGENT)

    assert sorted(OutboxMessage.objects.values_list("template_code", "address")) == [
        ("request_new", "13800001111"),
        ("request_p1", "13800002222"),
    ]


@freeze_time(DAY)
def test_a_p1_is_texted_to_the_head_by_default(guoyuan, worker):
    worker.phone = "13800002222"
    worker.save(update_fields=["phone"])
    qr_request(guoyuan, severity=Severity.SEVERE, urgency=Urgency.URGENT)

    assert list(OutboxMessage.objects.values_list("template_code", "address")) == [
        ("request_p1", "13800002222")
    ]


def test_digest_holds_the_event_until_eight(guoyuan, worker2):
    choose(worker2, Event.REQUEST_NEW, Mode.DIGEST)
    with freeze_time(DAY):
        qr_request(guoyuan)
        qr_request(guoyuan)
    mine = Notification.objects.visible_to(worker2)
    assert mine.shown().count() == 0 and mine.unread().count() == 0
    assert OutboxMessage.objects.count() == 0

    with freeze_time("2026-12-04 08:00:00+08:00"):
        assert dispatch.release_held() == 1
        assert dispatch.release_held() == 0

    summary = mine.unread().get()
    assert summary.event == Event.HELD_SUMMARY and "2" in summary.title
    assert summary.url == reverse("notifications:inbox")
    assert mine.shown().count() == 3  # the summary, and the two held messages, already read


def test_the_daily_digest_event_cannot_be_held(worker):
    choose(worker, Event.DAILY_DIGEST, Mode.DIGEST)

    assert dispatch.modes([worker], Event.DAILY_DIGEST) == {worker.pk: Mode.INBOX}


def test_quiet_hours_are_shanghai_time():
    assert dispatch.in_quiet_hours(datetime.datetime(2026, 12, 3, 14, 30, tzinfo=datetime.UTC))  # 22:30
    assert not dispatch.in_quiet_hours(datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC))  # 07:30


# --- the preferences page ------------------------------------------------------------------------------
def test_the_page_offers_the_events_of_the_users_role(client, worker2, district_user):
    client.force_login(worker2)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert (
        "新的扫码或热线诉求" in page and "年度方案报送待审批" not in page and "一级（P1）诉求登记" not in page
    )

    client.force_login(district_user)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "年度方案报送待审批" in page and "每日工作汇总" in page and "新的扫码或热线诉求" not in page


def _choices(**changes):
    data = {f"event_{event}": Mode.INBOX for event in Event.values}
    return data | changes


def test_saving_choices_and_the_mobile_number(client, worker2):
    client.force_login(worker2)
    response = client.post(
        reverse("notifications:preferences"),
        _choices(phone="138 0000 1111", event_request_new=Mode.SMS, event_request_overdue=Mode.DIGEST),
    )

    assert response.status_code == 302
    worker2.refresh_from_db()
    assert worker2.phone == "13800001111"
    assert dispatch.modes([worker2], Event.REQUEST_NEW) == {worker2.pk: Mode.SMS}
    assert dispatch.modes([worker2], Event.REQUEST_OVERDUE) == {worker2.pk: Mode.DIGEST}


def test_sms_without_a_number_is_refused_and_nothing_saved(client, worker2):
    client.force_login(worker2)
    response = client.post(reverse("notifications:preferences"), _choices(event_request_new=Mode.SMS))

    assert response.status_code == 400
    assert "选择了短信提醒，请填写接收短信的手机号。" in response.content.decode()
    assert Preference.objects.count() == 0


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"phone": "12345"}, "请填写11位手机号。"),
        ({"event_request_new": "fax"}, "请选择列表中的接收方式。"),
        ({"event_daily_digest": Mode.DIGEST}, "请选择列表中的接收方式。"),
    ],
)
def test_bad_input_gets_a_chinese_message(client, worker, changes, message):
    client.force_login(worker)
    response = client.post(reverse("notifications:preferences"), _choices(**changes))

    assert response.status_code == 400 and message in response.content.decode()
    assert Preference.objects.count() == 0


def test_a_forged_event_field_is_ignored(client, district_user):
    """A district user posting a station event's choice sets nothing for it."""
    client.force_login(district_user)
    client.post(
        reverse("notifications:preferences"), _choices(event_request_new=Mode.SMS, phone="13800001111")
    )

    assert not Preference.objects.filter(event=Event.REQUEST_NEW).exists()
    assert Preference.objects.filter(user=district_user, event=Event.PLAN_SUBMITTED).exists()


def test_the_page_answers_in_bounded_queries(client, worker, django_assert_max_num_queries):
    client.force_login(worker)
    for event in Event.values:
        Preference.objects.create(user=worker, event=event, mode=Mode.INBOX)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("notifications:preferences")).status_code == 200
