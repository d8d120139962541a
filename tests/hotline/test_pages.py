"""The hotline's pages: the work order on its request's page with the station's answers, the district
centre's 未能定位 queue with dispatch and extension decisions; forged fields, scope, query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from hotline import services
from hotline.models import ExtensionRequest, WorkOrder
from residents.models import Request
from tests.hotline.conftest import order_data


@pytest.fixture
def order(city_key, guoyuan):
    return services.receive_work_order(api_key_or_user=city_key, data=order_data())[0]


def unplaced_order(key, ticket_no):
    data = order_data(ticket_no, community_code="", district_code="120113000000", address="某某路")
    return services.receive_work_order(api_key_or_user=key, data=data)[0]


def test_the_request_page_shows_both_deadlines_and_the_stations_answers(client, order, worker):
    client.force_login(worker)
    page = client.get(order.request.get_absolute_url()).content.decode()
    assert "12345工单" in page and order.ticket_no in page
    assert "签收期限" in page and "办结期限" in page
    for action in ("sign", "return"):
        assert reverse("hotline:answer", args=[order.pk, action]) in page
    assert reverse("hotline:answer", args=[order.pk, "reply"]) not in page  # sign first


def test_the_district_centre_reads_the_order_without_answer_forms(client, order, district_user):
    client.force_login(district_user)
    page = client.get(order.request.get_absolute_url()).content.decode()
    assert "签收期限" in page
    assert "/hotline/orders/" not in page


def test_signing_and_replying_from_the_page(client, order, worker):
    client.force_login(worker)
    url = reverse("hotline:answer", args=[order.pk, "sign"])
    response = client.post(url, {"version": order.version})
    assert response.status_code == 302 and response["Location"] == order.request.get_absolute_url()
    order.refresh_from_db()
    assert order.state == WorkOrder.State.SIGNED
    response = client.post(
        reverse("hotline:answer", args=[order.pk, "reply"]), {"version": order.version, "result": "已修复"}
    )
    order.refresh_from_db()
    assert order.state == WorkOrder.State.REPLIED


def test_a_stale_version_on_the_page_is_refused_with_the_one_message(client, order, worker):
    client.force_login(worker)
    url = reverse("hotline:answer", args=[order.pk, "sign"])
    response = client.post(url, {"version": order.version + 5}, follow=True)
    assert "该记录已被他人修改" in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.RECEIVED


def test_an_extension_date_round_trips_through_the_form(client, order, worker):
    services.sign_work_order(acting_user=worker, order=order)
    order.refresh_from_db()
    client.force_login(worker)
    new_date = timezone.localdate(order.reply_due_at) + datetime.timedelta(days=10)
    client.post(
        reverse("hotline:answer", args=[order.pk, "extend"]),
        {"version": order.version, "reason": "等配件", "new_due_on": new_date.isoformat()},
    )
    assert ExtensionRequest.objects.get().new_due_on == new_date
    page = client.get(order.request.get_absolute_url()).content.decode()
    assert f"至 {new_date:%Y-%m-%d}" in page


def test_another_stations_worker_gets_a_404_for_the_orders_answers(client, order, other_worker, far_worker):
    for user in (other_worker, far_worker):
        client.force_login(user)
        response = client.post(reverse("hotline:answer", args=[order.pk, "sign"]), {"version": order.version})
        assert response.status_code == 404
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.RECEIVED


def test_an_unknown_answer_is_a_404(client, order, worker):
    client.force_login(worker)
    assert client.post(reverse("hotline:answer", args=[order.pk, "close"]), {}).status_code == 404


def test_the_unplaced_queue_lists_the_districts_orders_only(
    client, beichen_key, nankai_key, guoyuan, guangkai, district_user, other_district_user
):
    mine = unplaced_order(beichen_key, "GD-BC")
    data = order_data("GD-NK", community_code="", district_code="120104000000", address="某路")
    theirs = services.receive_work_order(api_key_or_user=nankai_key, data=data)[0]
    client.force_login(district_user)
    page = client.get(reverse("hotline:unplaced")).content.decode()
    assert mine.ticket_no in page and theirs.ticket_no not in page
    assert reverse("hotline:dispatch", args=[mine.pk]) in page
    # The other district's order: a 404 to dispatch, whatever station is named.
    response = client.post(
        reverse("hotline:dispatch", args=[theirs.pk]), {"station": guoyuan.pk, "version": 1}
    )
    assert response.status_code == 404
    assert WorkOrder.objects.get(pk=theirs.pk).state == WorkOrder.State.UNPLACED


def test_dispatching_to_a_forged_station_of_another_district_places_nothing(
    client, beichen_key, guoyuan, guangkai, district_user
):
    order = unplaced_order(beichen_key, "GD-BC")
    client.force_login(district_user)
    url = reverse("hotline:dispatch", args=[order.pk])
    response = client.post(url, {"station": guangkai.pk, "version": order.version}, follow=True)
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.UNPLACED
    assert not Request.objects.exists()
    client.post(url, {"station": guoyuan.pk, "version": order.version})
    order.refresh_from_db()
    assert order.state == WorkOrder.State.RECEIVED and order.request.station == guoyuan


def test_the_district_centre_decides_an_extension_from_the_queue(client, order, worker, district_user):
    services.sign_work_order(acting_user=worker, order=order)
    order.refresh_from_db()
    extension = services.request_extension(
        acting_user=worker,
        order=order,
        reason="等配件",
        new_due_on=timezone.localdate(order.reply_due_at) + datetime.timedelta(days=3),
    )
    client.force_login(district_user)
    page = client.get(reverse("hotline:unplaced")).content.decode()
    assert reverse("hotline:decide", args=[extension.pk]) in page
    client.post(reverse("hotline:decide", args=[extension.pk]), {"decision": "approve", "note": "同意"})
    assert ExtensionRequest.objects.get().state == ExtensionRequest.State.APPROVED


def test_another_district_cannot_decide_the_extension(client, order, worker, other_district_user):
    services.sign_work_order(acting_user=worker, order=order)
    order.refresh_from_db()
    extension = services.request_extension(
        acting_user=worker,
        order=order,
        reason="等配件",
        new_due_on=timezone.localdate(order.reply_due_at) + datetime.timedelta(days=3),
    )
    client.force_login(other_district_user)
    response = client.post(reverse("hotline:decide", args=[extension.pk]), {"decision": "approve"})
    assert response.status_code == 404
    assert ExtensionRequest.objects.get().state == ExtensionRequest.State.PENDING


def test_the_queue_costs_the_same_queries_for_many_orders(
    client, beichen_key, guoyuan, jixianli, worker, district_user, django_assert_max_num_queries
):
    client.force_login(district_user)
    for n in range(3):
        unplaced_order(beichen_key, f"GD-A{n}")
    client.get(reverse("hotline:unplaced"))
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("hotline:unplaced"))
    for n in range(12):
        unplaced_order(beichen_key, f"GD-B{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("hotline:unplaced")).status_code == 200


def test_the_request_page_with_its_order_has_a_bounded_query_count(
    client, order, worker, django_assert_max_num_queries
):
    client.force_login(worker)
    url = order.request.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200


def _signed(order, worker):
    services.sign_work_order(acting_user=worker, order=order)
    order.refresh_from_db()
    return order


def test_a_refused_extension_keeps_what_was_typed_with_the_error_by_its_field(client, order, worker):
    order = _signed(order, worker)
    client.force_login(worker)
    too_early = timezone.localdate(order.reply_due_at).isoformat()
    response = client.post(
        reverse("hotline:answer", args=[order.pk, "extend"]),
        {"version": order.version, "reason": "等配件到货", "new_due_on": too_early},
        follow=True,
    )
    page = response.content.decode()
    assert "延期申请未完成" in page and not ExtensionRequest.objects.exists()
    # The reason and the date come back in the (opened) extension form, the error beside the date.
    assert '<details class="action-card" id="order-extend" open>' in page
    assert "\n等配件到货</textarea>" in page and f'value="{too_early}"' in page
    assert '<ul class="errorlist" id="wo_extend_new_due_on_error"><li>申请的日期应晚于当前办结期限。' in page
    # Shown once: the next visit has empty forms again, the first one open.
    again = client.get(order.request.get_absolute_url()).content.decode()
    assert "等配件到货" not in again and '<details class="action-card" id="order-reply" open>' in again


def test_an_empty_reply_is_refused_beside_its_field(client, order, worker):
    order = _signed(order, worker)
    client.force_login(worker)
    response = client.post(
        reverse("hotline:answer", args=[order.pk, "reply"]),
        {"version": order.version, "result": ""},
        follow=True,
    )
    page = response.content.decode()
    assert "办结回复未完成，请按提示修改。" in page
    assert 'id="wo_reply_result_error"' in page
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.SIGNED


def test_after_a_stale_version_the_kept_form_is_on_the_current_version(client, order, worker):
    order = _signed(order, worker)
    client.force_login(worker)
    url = reverse("hotline:answer", args=[order.pk, "reply"])
    page = client.post(
        url, {"version": order.version - 1, "result": "灯已修好"}, follow=True
    ).content.decode()
    assert "该记录已被他人修改" in page and "\n灯已修好</textarea>" in page
    assert f'name="version" value="{order.version}"' in page.split('id="order-reply"')[1].split("</form>")[0]
    assert client.post(url, {"version": order.version, "result": "灯已修好"}).status_code == 302
    assert WorkOrder.objects.get(pk=order.pk).state == WorkOrder.State.REPLIED


def test_a_kept_form_is_not_shown_on_another_orders_page(client, order, worker, city_key):
    order = _signed(order, worker)
    other = services.receive_work_order(api_key_or_user=city_key, data=order_data("GD-OTHER"))[0]
    client.force_login(worker)
    client.post(reverse("hotline:answer", args=[order.pk, "reply"]), {"version": order.version, "result": ""})
    page = client.get(other.request.get_absolute_url()).content.decode()
    assert "errorlist" not in page


def test_the_deadline_class_is_shown_by_its_name(client, order, worker):
    client.force_login(worker)
    page = client.get(order.request.get_absolute_url()).content.decode()
    assert "<dt>时限类别</dt><dd>一般</dd>" in page
