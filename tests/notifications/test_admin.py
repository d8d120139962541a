"""The outbox's admin: dead letters listed with their error, retried by the action and the button; no
body shown; city admins only. The opt-out list: numbers added (checked, normalised) and shown masked."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboxMessage, SmsOptOut
from notifications.outbox import enqueue
from stations.audit import AuditLogEntry
from tests.stations.factories import make_staff

pytestmark = pytest.mark.django_db
BODY = "您的诉求已登记，编号 BC-2026-0001。"


def dead(key="evt-1", address="13820135678"):
    """A dead letter (made directly: an enqueue would leave its delivery run pending in the test's
    transaction, and one run per transaction is all enqueue asks for)."""
    return OutboxMessage.objects.create(
        key=key,
        channel="sms",
        address=address,
        body=BODY,
        template_code="request_registered",
        status="dead",
        attempts=6,
        last_error="短信网关返回 HTTP 503",
    )


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_dead_letters_are_listed_with_error_attempts_and_template_and_no_body(admin_client):
    message = dead()
    html = admin_client.get(reverse("admin:notifications_outboxmessage_changelist"), {"status": "dead"})
    html = html.content.decode()
    for shown in ("短信网关返回 HTTP 503", "request_registered", "138****5678", "发送失败"):
        assert shown in html
    assert "BC-2026-0001" not in html and "13820135678" not in html
    change = admin_client.get(reverse("admin:notifications_outboxmessage_change", args=[message.pk]))
    assert change.status_code == 200
    text = change.content.decode()
    assert "BC-2026-0001" not in text and "13820135678" not in text
    assert "重新发送" in text  # the button


def test_the_list_says_how_large_and_old_the_backlog_is(admin_client):
    dead()
    enqueue(key="new", channel="sms", address="13900001111", body=BODY)
    OutboxMessage.objects.filter(key="new").update(created_at=timezone.now() - timezone.timedelta(seconds=90))
    html = admin_client.get(reverse("admin:notifications_outboxmessage_changelist")).content.decode()
    assert "待发 1 条（其中已到发送时间 1 条），最早一条已等待 90 秒；发送失败 1 条。" in html


def test_the_retry_action_puts_dead_letters_back_and_delivers_them(
    admin_client, sms_dir, django_capture_on_commit_callbacks
):
    first, second = dead("evt-1"), dead("evt-2", address="13900001111")
    sent = dead("evt-3", address="13700000000")
    OutboxMessage.objects.filter(pk=sent.pk).update(status="sent")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_outboxmessage_changelist"),
            {"action": "retry", "_selected_action": [first.pk, second.pk, sent.pk]},
            follow=True,
        )
    assert "已重新安排发送 2 条消息。" in response.content.decode()
    statuses = dict(OutboxMessage.objects.values_list("key", "status"))
    assert statuses == {"evt-1": "sent", "evt-2": "sent", "evt-3": "sent"}
    assert OutboxMessage.objects.get(key="evt-1").attempts == 1  # a fresh count
    assert len(list(sms_dir.glob("*.json"))) == 2
    assert LogEntry.objects.filter(change_message="重新发送").count() == 2  # who retried, and when


def test_the_change_page_button_retries_one_message(admin_client, django_capture_on_commit_callbacks):
    message = dead()
    url = reverse("admin:notifications_outboxmessage_retry", args=[message.pk])
    assert admin_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:notifications_outboxmessage_change", args=[message.pk])
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("pending", 0)
    assert len(callbacks) == 1  # delivery starts on commit


def test_a_message_that_is_not_dead_is_left_alone(admin_client):
    message = enqueue(key="k", channel="sms", address="13820135678", body=BODY)
    OutboxMessage.objects.filter(pk=message.pk).update(status="skipped", skip_reason="opted_out")
    response = admin_client.post(
        reverse("admin:notifications_outboxmessage_retry", args=[message.pk]), follow=True
    )
    assert "没有发送失败的消息" in response.content.decode()
    assert OutboxMessage.objects.get().status == "skipped"


def test_centre_staff_neither_see_nor_retry_the_outbox(client, district_user, city_user):
    message = dead()
    make_staff(district_user)
    for user in (district_user, make_staff(city_user, "市级指导中心")):
        client.force_login(user)
        assert client.get(reverse("admin:notifications_outboxmessage_changelist")).status_code == 403
        assert (
            client.post(reverse("admin:notifications_outboxmessage_retry", args=[message.pk])).status_code
            == 403
        )
    assert OutboxMessage.objects.get().status == "dead"


def test_retry_refuses_anyone_but_an_admin(worker):
    from django.core.exceptions import PermissionDenied

    from notifications.delivery import retry_messages

    dead()
    with pytest.raises(PermissionDenied):
        retry_messages(acting_user=worker, messages=OutboxMessage.objects.all())
    assert OutboxMessage.objects.get().status == "dead"


def test_the_outbox_list_takes_the_same_queries_for_many_messages(
    admin_client, django_assert_max_num_queries
):
    def queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert (
                admin_client.get(reverse("admin:notifications_outboxmessage_changelist")).status_code == 200
            )
        return len(ctx)

    dead("a")
    few = queries()
    for n in range(30):
        dead(f"b{n}", address=f"139000011{n:02d}")
    with django_assert_max_num_queries(few):
        admin_client.get(reverse("admin:notifications_outboxmessage_changelist"))


def test_an_admin_adds_a_number_to_the_opt_out_list(admin_client):
    url = reverse("admin:notifications_smsoptout_add")
    response = admin_client.post(url, {"number": "12345", "source": "admin", "note": ""})
    assert "请输入 11 位手机号码。" in response.content.decode()
    assert not SmsOptOut.objects.exists()
    response = admin_client.post(url, {"number": "+86 138-2013-5678", "source": "admin", "note": "电话要求"})
    assert response.status_code == 302
    opt_out = SmsOptOut.objects.get()
    assert (opt_out.number, opt_out.source, opt_out.note) == ("13820135678", "admin", "电话要求")
    html = admin_client.get(reverse("admin:notifications_smsoptout_changelist")).content.decode()
    assert "138****5678" in html and "13820135678" not in html
    # Audited, by whom, with the number masked in the change log.
    entry = AuditLogEntry.objects.get(content_type__model="smsoptout")
    assert entry.actor.username == "admin"
    assert "13820135678" not in str(entry.changes) and "5678" in str(entry.changes)


@pytest.mark.parametrize("model", ["outboxmessage", "smsoptout", "jobrun"])
def test_changelists_load_for_the_admin(admin_client, model):
    assert admin_client.get(reverse(f"admin:notifications_{model}_changelist")).status_code == 200


def test_the_opt_out_list_takes_the_same_queries_for_many_numbers(
    admin_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("admin:notifications_smsoptout_changelist")
    SmsOptOut.objects.create(number="13800000000")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    SmsOptOut.objects.bulk_create(SmsOptOut(number=f"139{n:08d}") for n in range(40))
    with django_assert_max_num_queries(len(few)):
        assert admin_client.get(url).status_code == 200
