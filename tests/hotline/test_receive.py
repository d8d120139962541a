"""Work orders in (hotline.services.receive_work_order): placed, queued 未能定位, idempotent,
refused whole."""

import pytest
from django.core.exceptions import PermissionDenied

from hotline.models import WorkOrder
from hotline.services import OrderError, dispatch_work_order, receive_work_order
from residents.models import Request, TimelineEvent
from stations import workdays
from tests.hotline.conftest import order_data


def test_an_order_with_a_community_code_becomes_a_hotline_request_there(city_key, guoyuan, chaoyangli):
    order, created = receive_work_order(api_key_or_user=city_key, data=order_data())
    assert created
    assert order.state == WorkOrder.State.RECEIVED
    request = order.request
    assert (request.station, request.community, request.channel) == (guoyuan, chaoyangli, "hotline")
    assert request.reporter_name == "张先生" and request.reporter_phone == "13812345678"
    assert request.category.name == "照明灯具"
    assert request.received_at == order.received_at
    assert request.due_at == order.reply_due_at
    assert order.sign_due_at == workdays.add_working_minutes(order.received_at, 120)
    assert order.reply_due_at == workdays.add_working_days(order.received_at, 5)
    assert request.events.filter(kind=TimelineEvent.Kind.NOTE, text__contains=order.ticket_no).exists()


def test_the_same_ticket_twice_is_one_order_and_one_request(city_key, guoyuan):
    first, created = receive_work_order(api_key_or_user=city_key, data=order_data())
    again, created_again = receive_work_order(api_key_or_user=city_key, data=order_data(content="不同内容"))
    assert created and not created_again
    assert again.pk == first.pk
    assert WorkOrder.objects.count() == 1
    assert Request.objects.filter(channel="hotline").count() == 1


def test_an_address_naming_a_street_places_it_without_a_code(city_key, guoyuan, jixianli):
    data = order_data(community_code="", address="天津市北辰区集贤里街道某小区3号")
    order, _ = receive_work_order(api_key_or_user=city_key, data=data)
    assert order.station == jixianli
    assert order.request.station == jixianli


def test_an_address_naming_no_place_waits_in_the_district_queue(beichen_key, guoyuan):
    data = order_data(community_code="", address="北辰区某某路100号")
    order, created = receive_work_order(api_key_or_user=beichen_key, data=data)
    assert created
    assert order.state == WorkOrder.State.UNPLACED
    assert order.district == beichen_key.district
    assert order.request is None and order.station is None
    assert not Request.objects.exists()


def test_a_malformed_order_saves_nothing_and_names_every_field_in_both_languages(city_key, guoyuan):
    data = order_data(
        ticket_no="坏 编号",
        received_at="yesterday",
        category_code="9999",
        deadline_class="x",
        caller_phone="12",
    )
    with pytest.raises(OrderError) as error:
        receive_work_order(api_key_or_user=city_key, data=data)
    fields = set(error.value.bilingual)
    assert {"ticket_no", "received_at", "category_code", "deadline_class", "caller_phone"} <= fields
    first = error.value.bilingual["category_code"][0]
    assert first["zh"] == "未知的热线分类代码。" and first["en"] == "Unknown hotline category code."
    assert not WorkOrder.objects.exists() and not Request.objects.exists()


def test_a_missing_content_is_a_required_field_error(city_key, guoyuan):
    with pytest.raises(OrderError) as error:
        receive_work_order(api_key_or_user=city_key, data=order_data(content=None))
    assert error.value.bilingual["content"][0]["en"] == "This field is required."


def test_a_district_key_cannot_place_an_order_in_another_district(nankai_key, guoyuan):
    with pytest.raises(OrderError) as error:
        receive_work_order(api_key_or_user=nankai_key, data=order_data())
    assert "community_code" in error.value.bilingual
    assert not WorkOrder.objects.exists()


def test_a_district_key_cannot_read_another_districts_ticket_by_posting_it_again(
    city_key, nankai_key, guoyuan
):
    receive_work_order(api_key_or_user=city_key, data=order_data())
    with pytest.raises(OrderError) as error:
        receive_work_order(api_key_or_user=nankai_key, data=order_data())
    assert "ticket_no" in error.value.bilingual


def test_the_district_centre_dispatches_an_unplaced_order_to_one_of_its_stations(
    beichen_key, guoyuan, jixianli, district_user
):
    order, _ = receive_work_order(
        api_key_or_user=beichen_key, data=order_data(community_code="", address="某路")
    )
    dispatch_work_order(acting_user=district_user, order=order, station=jixianli)
    order.refresh_from_db()
    assert order.state == WorkOrder.State.RECEIVED
    assert order.request.station == jixianli and order.request.channel == "hotline"
    assert order.request.due_at == order.reply_due_at


def test_only_the_orders_own_district_centre_dispatches(
    beichen_key, guoyuan, guangkai, other_district_user, district_user, worker
):
    order, _ = receive_work_order(
        api_key_or_user=beichen_key, data=order_data(community_code="", address="某路")
    )
    for user in (other_district_user, worker):
        with pytest.raises(PermissionDenied):
            dispatch_work_order(acting_user=user, order=order, station=guoyuan)
    with pytest.raises(OrderError):
        dispatch_work_order(acting_user=district_user, order=order, station=guangkai)
    order.refresh_from_db()
    assert order.state == WorkOrder.State.UNPLACED and not Request.objects.exists()
