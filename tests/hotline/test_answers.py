"""The station's answers (签收/退回/延期申请/办结回复), the district centre's decisions, the caller's
satisfaction: who may, from which state, what the request's timeline and the audit trail get."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from hotline import services
from hotline.models import ExtensionRequest, WorkOrder
from notifications.models import OutboxMessage
from residents.models import Request
from stations.audit import AuditLogEntry
from tests.hotline.conftest import order_data


@pytest.fixture
def order(city_key, guoyuan):
    return services.receive_work_order(api_key_or_user=city_key, data=order_data())[0]


def later(order, days=7):
    return timezone.localdate(order.reply_due_at) + datetime.timedelta(days=days)


def test_signing_starts_the_request_writes_its_timeline_and_queues_the_callback(order, worker):
    services.sign_work_order(acting_user=worker, order=order)
    order.refresh_from_db()
    assert order.state == WorkOrder.State.SIGNED and order.signed_at is not None
    request = Request.objects.get(pk=order.request_id)
    assert request.status == Request.Status.IN_PROGRESS and request.assignee == worker
    assert request.events.filter(text__startswith="12345工单已签收").exists()
    message = OutboxMessage.objects.get(channel="webhook")
    assert message.key.startswith("hotline:GD20261203001:signed:")
    assert message.address == order.api_key.callback_url
    assert AuditLogEntry.objects.filter(object_pk=str(order.pk), changes__icontains="signed").exists()


@pytest.mark.parametrize("who", ["other_worker", "far_worker", "district_user", "city_user", "admin_user"])
def test_only_the_orders_own_station_answers(order, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.sign_work_order(acting_user=user, order=order)
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.RECEIVED
    assert not OutboxMessage.objects.exists()


def test_a_step_the_state_does_not_allow_is_refused_in_chinese(order, worker):
    with pytest.raises(services.OrderError) as error:
        services.reply_work_order(acting_user=worker, order=order, result="已修复")
    assert error.value.messages == ["工单当前为“待签收”，不能办结回复。"]
    services.sign_work_order(acting_user=worker, order=order)
    with pytest.raises(services.OrderError):
        services.sign_work_order(acting_user=worker, order=order)


def test_an_answer_on_a_version_someone_else_changed_is_refused(order, worker, worker2):
    seen = order.version
    services.sign_work_order(acting_user=worker2, order=WorkOrder.objects.get(pk=order.pk))
    stale = WorkOrder.objects.get(pk=order.pk)
    with pytest.raises(services.OrderError) as error:
        services.return_work_order(acting_user=worker, order=stale, reason="不归我们管", version=seen)
    assert "该记录已被他人修改" in error.value.messages[0]
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.SIGNED


def test_replying_resolves_the_request_and_sends_the_result(order, worker):
    services.sign_work_order(acting_user=worker, order=order)
    services.reply_work_order(acting_user=worker, order=order, result="路灯已更换。")
    order.refresh_from_db()
    assert order.state == WorkOrder.State.REPLIED and order.reply_text == "路灯已更换。"
    assert Request.objects.get(pk=order.request_id).status == Request.Status.RESOLVED
    assert OutboxMessage.objects.filter(key__contains=":replied:").count() == 1


def test_returning_to_the_hotline_withdraws_the_request_and_tells_the_hotline(order, worker):
    services.return_work_order(acting_user=worker, order=order, reason="属于物业职责")
    order.refresh_from_db()
    assert order.state == WorkOrder.State.RETURNED and order.return_reason == "属于物业职责"
    assert Request.objects.get(pk=order.request_id).status == Request.Status.WITHDRAWN
    assert OutboxMessage.objects.filter(key__contains=":returned:").count() == 1


def test_returning_to_the_district_requeues_it_without_telling_the_hotline(
    order, worker, district_user, jixianli
):
    first_request = order.request
    services.return_work_order(acting_user=worker, order=order, reason="地址在集贤里", to_district=True)
    order.refresh_from_db()
    assert order.state == WorkOrder.State.UNPLACED and order.request is None and order.station is None
    assert not OutboxMessage.objects.filter(key__contains=":returned:").exists()
    first_request.refresh_from_db()
    assert first_request.status == Request.Status.WITHDRAWN
    services.dispatch_work_order(acting_user=district_user, order=order, station=jixianli)
    order.refresh_from_db()
    assert order.station == jixianli and order.request != first_request


def test_a_return_needs_a_reason(order, worker):
    with pytest.raises(services.OrderError) as error:
        services.return_work_order(acting_user=worker, order=order, reason="  ")
    assert error.value.messages == ["请填写退回原因。"]


def test_an_extension_is_decided_by_the_orders_district_centre_only(
    order, worker, district_user, other_district_user, city_user
):
    services.sign_work_order(acting_user=worker, order=order)
    extension = services.request_extension(
        acting_user=worker, order=order, reason="等配件", new_due_on=later(order)
    )
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.EXTENSION_REQUESTED
    for user in (other_district_user, city_user, worker):
        with pytest.raises(PermissionDenied):
            services.decide_extension(acting_user=user, extension=extension, approve=True)
    services.decide_extension(acting_user=district_user, extension=extension, approve=True, note="同意")
    order.refresh_from_db()
    assert order.state == WorkOrder.State.SIGNED
    assert timezone.localtime(order.reply_due_at).date() == extension.new_due_on
    assert Request.objects.get(pk=order.request_id).due_at == order.reply_due_at
    assert OutboxMessage.objects.filter(key__contains=":extended:").count() == 1
    with pytest.raises(services.OrderError):
        services.decide_extension(acting_user=district_user, extension=extension, approve=False)


def test_a_refused_extension_keeps_the_limit_and_tells_the_hotline_nothing(order, worker, district_user):
    services.sign_work_order(acting_user=worker, order=order)
    due = WorkOrder.objects.get(pk=order.pk).reply_due_at
    extension = services.request_extension(
        acting_user=worker, order=order, reason="等配件", new_due_on=later(order)
    )
    services.decide_extension(acting_user=district_user, extension=extension, approve=False)
    order.refresh_from_db()
    assert order.reply_due_at == due and order.state == WorkOrder.State.SIGNED
    assert ExtensionRequest.objects.get().state == ExtensionRequest.State.REFUSED
    assert not OutboxMessage.objects.filter(key__contains=":extended:").exists()


def test_an_extension_must_ask_for_a_later_date_and_give_a_reason(order, worker):
    services.sign_work_order(acting_user=worker, order=order)
    with pytest.raises(services.OrderError) as error:
        services.request_extension(
            acting_user=worker, order=order, reason="", new_due_on=timezone.localdate(order.reply_due_at)
        )
    assert set(error.value.bilingual) == {"reason", "new_due_on"}
    assert not ExtensionRequest.objects.exists()


def test_the_callers_satisfaction_closes_the_request_as_a_follow_up(order, worker, city_key):
    services.sign_work_order(acting_user=worker, order=order)
    services.reply_work_order(acting_user=worker, order=order, result="已修复")
    services.record_satisfaction(api_key=city_key, order=order, satisfaction="dissatisfied", comment="太慢")
    order.refresh_from_db()
    assert order.state == WorkOrder.State.CLOSED and order.satisfaction == "dissatisfied"
    request = Request.objects.get(pk=order.request_id)
    assert request.status == Request.Status.CLOSED and request.satisfaction == "dissatisfied"
    event = request.events.get(kind="follow_up")
    assert event.text == "回访：不满意。12345热线回访：太慢" and event.actor is None


def test_satisfaction_before_the_reply_or_out_of_the_keys_scope_is_refused(
    order, worker, nankai_key, city_key
):
    with pytest.raises(services.OrderError) as error:
        services.record_satisfaction(api_key=city_key, order=order, satisfaction="satisfied")
    assert "state" in error.value.bilingual
    services.sign_work_order(acting_user=worker, order=order)
    services.reply_work_order(acting_user=worker, order=order, result="已修复")
    with pytest.raises(PermissionDenied):
        services.record_satisfaction(api_key=nankai_key, order=order, satisfaction="satisfied")
    with pytest.raises(services.OrderError):
        services.record_satisfaction(api_key=city_key, order=order, satisfaction="great")
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.REPLIED
