"""A resident's transfer to another station (moved house): the record with their open requests and visit
plan; until accepted the sender keeps everything; closed requests stay with the station that handled
them; both timelines show it; forged targets and URL tampering refused; bounded pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.inbox import Notification
from residents import care, services
from residents.models import (
    HouseholdMembership,
    Request,
    Resident,
    ResidentEvent,
    TimelineEvent,
    Transfer,
    VisitPlan,
)
from residents.services import resident_transfers
from tests.factories import make_request
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def moving(guoyuan, chaoyangli, worker, worker2):
    """张桂兰 of 朝阳里: two open requests, one closed, in the visit programme, in a household."""
    resident = make_resident(chaoyangli, name="张桂兰", phone="13820135678")
    open_ones = [make_request(guoyuan, chaoyangli, user=worker2, resident=resident, assignee=worker2)]
    open_ones.append(make_request(guoyuan, chaoyangli, user=worker2, resident=resident))
    closed = make_request(guoyuan, chaoyangli, user=worker2, resident=resident, status=Request.Status.CLOSED)
    VisitPlan.objects.create(resident=resident, tier=1, worker=worker2, next_due_on=timezone.localdate())
    household = care.create_household(acting_user=worker, community=chaoyangli, address="3号楼2门101")
    HouseholdMembership.objects.create(
        household=household, resident=resident, relation="head", start_date=datetime.date(2020, 1, 1)
    )
    return resident, open_ones, closed


def propose(resident, user, to_station, reason="moved", text="搬至泰来西里"):
    return resident_transfers.propose_resident_transfer(
        acting_user=user, resident=resident, to_station=to_station, reason=reason, reason_text=text
    )


def test_until_accepted_the_sender_keeps_everything(client, moving, worker2, other_worker, jixianli):
    resident, open_ones, _closed = moving
    client.force_login(worker2)
    url = reverse("residents:resident-transfer-propose", args=[resident.pk])
    page = client.get(url).content.decode()
    assert open_ones[0].reference in page and open_ones[1].reference in page
    response = client.post(url, {"to_station": jixianli.pk, "reason": "moved", "version": resident.version})
    assert response.status_code == 302
    transfer = Transfer.objects.get(resident=resident)
    assert transfer.is_pending and transfer.from_station == worker2.station
    detail = client.get(reverse("residents:resident-detail", args=[resident.pk])).content.decode()
    assert "转移待接收" in detail and "撤回转移申请" in detail
    for request in open_ones:
        request.refresh_from_db()
        assert request.station_id == worker2.station_id
    assert not Resident.objects.visible_to(other_worker).filter(pk=resident.pk).exists()
    client.force_login(other_worker)
    assert client.get(reverse("residents:resident-detail", args=[resident.pk])).status_code == 404
    inbox = client.get(reverse("residents:transfer-inbox")).content.decode()
    assert "居民档案 · 张**" in inbox and "张桂兰" not in inbox and "13820135678" not in inbox
    decide = client.get(reverse("residents:transfer-decide", args=[transfer.pk])).content.decode()
    assert "未办结诉求 2 件" in decide and "张桂兰" not in decide
    assert Notification.objects.filter(recipient=other_worker, event="transfer_proposed").exists()
    assert resident.events.filter(kind=ResidentEvent.Kind.TRANSFER, text__contains="提出转移").exists()
    # A request of a resident in transfer goes with the resident, not on its own.
    with pytest.raises(services.WorkflowError):
        services.propose_transfer(
            acting_user=worker2, request=open_ones[0], to_station=jixianli, reason="moved"
        )


def test_accepting_moves_the_resident_open_requests_and_visit_plan(
    client, moving, worker2, other_worker, jixianli, tailaixili
):
    resident, open_ones, closed = moving
    transfer = propose(resident, worker2, jixianli)
    client.force_login(other_worker)
    response = client.post(
        reverse("residents:transfer-decide", args=[transfer.pk]),
        {"decision": "accept", "community": tailaixili.pk, "note": "已入户核实"},
    )
    assert response.status_code == 302 and response.url == resident.get_absolute_url()
    resident.refresh_from_db()
    assert resident.community == tailaixili
    for request in open_ones:
        request.refresh_from_db()
        assert (request.station_id, request.community_id, request.assignee_id) == (
            jixianli.pk,
            tailaixili.pk,
            None,
        )
        assert request.events.filter(kind=TimelineEvent.Kind.TRANSFER, text__contains="已接收").exists()
    # The closed request stays with the station that handled it: its reports do not change.
    closed.refresh_from_db()
    assert closed.station_id == worker2.station_id
    plan = VisitPlan.objects.get(resident=resident)
    assert plan.active and plan.worker is None
    assert HouseholdMembership.objects.get(resident=resident).end_date == timezone.localdate()
    texts = list(resident.events.filter(kind=ResidentEvent.Kind.TRANSFER).values_list("text", flat=True))
    assert any("提出转移" in t for t in texts) and any("未办结诉求 2 件" in t for t in texts)
    # Scope moved: the receiver reads the record, its history and visit plan; the sender no longer does.
    assert client.get(reverse("residents:resident-detail", args=[resident.pk])).status_code == 200
    assert VisitPlan.objects.visible_to(other_worker).filter(resident=resident).exists()
    client.force_login(worker2)
    assert client.get(reverse("residents:resident-detail", args=[resident.pk])).status_code == 404
    assert client.get(reverse("residents:request-detail", args=[closed.pk])).status_code == 200
    assert "已接收" in client.get(reverse("residents:transfer-inbox")).content.decode()
    assert Notification.objects.filter(recipient=worker2, event="transfer_decided").exists()


def test_declining_or_withdrawing_leaves_everything(client, moving, worker2, other_worker, jixianli):
    resident, open_ones, _closed = moving
    transfer = propose(resident, worker2, jixianli)
    services.decline_transfer(acting_user=other_worker, transfer=transfer, note="不在本站辖区")
    assert resident.events.filter(text__contains="拒绝接收转移：不在本站辖区").exists()
    again = propose(resident, worker2, jixianli)
    client.force_login(worker2)
    assert client.post(reverse("residents:transfer-cancel", args=[again.pk])).status_code == 302
    again.refresh_from_db()
    assert again.status == Transfer.Status.CANCELLED
    resident.refresh_from_db()
    assert resident.community.street.station_id == worker2.station_id
    open_ones[0].refresh_from_db()
    assert open_ones[0].station_id == worker2.station_id


def test_forged_fields_and_url_tampering(
    client, moving, worker2, other_worker, guoyuan, jixianli, tailaixili, hualinyuan
):
    resident, _open, _closed = moving
    client.force_login(worker2)
    url = reverse("residents:resident-transfer-propose", args=[resident.pk])
    for forged in (guoyuan.pk, 10**30, "x"):
        response = client.post(url, {"to_station": forged, "reason": "moved", "version": resident.version})
        assert "请选择其他社工站" in response.content.decode()
    stale = client.post(url, {"to_station": jixianli.pk, "reason": "moved", "version": resident.version - 1})
    assert stale.status_code == 200
    assert not Transfer.objects.exists()
    # Another station's resident: 404, nothing written.
    theirs = make_resident(tailaixili, name="王芳")
    other_url = reverse("residents:resident-transfer-propose", args=[theirs.pk])
    assert client.get(other_url).status_code == 404
    assert (
        client.post(other_url, {"to_station": guoyuan.pk, "reason": "moved", "version": 1}).status_code == 404
    )
    # The receiver cannot place the resident in a community it does not serve.
    transfer = propose(resident, worker2, jixianli)
    client.force_login(other_worker)
    response = client.post(
        reverse("residents:transfer-decide", args=[transfer.pk]),
        {"decision": "accept", "community": hualinyuan.pk},
    )
    assert "请选择本站服务的社区" in response.content.decode()
    resident.refresh_from_db()
    assert resident.community.street.station_id == guoyuan.pk and Transfer.objects.get().is_pending


def test_decisions_are_once_only(moving, worker2, other_worker, jixianli, tailaixili):
    resident, _open, _closed = moving
    transfer = propose(resident, worker2, jixianli)
    stale_copy = Transfer.objects.get(pk=transfer.pk)
    services.decline_transfer(acting_user=other_worker, transfer=transfer, note="不在本站辖区")
    with pytest.raises(services.StaleVersionError):  # the answer a moment later finds it decided
        services.accept_transfer(acting_user=other_worker, transfer=stale_copy, community=tailaixili)
    resident.refresh_from_db()
    assert resident.community.street.station_id == worker2.station_id


def test_pages_have_bounded_query_counts(
    client, moving, worker2, other_worker, guoyuan, chaoyangli, jixianli, django_assert_max_num_queries
):
    resident, _open, _closed = moving
    for _ in range(6):
        make_request(guoyuan, chaoyangli, user=worker2, resident=resident)
    client.force_login(worker2)
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("residents:resident-transfer-propose", args=[resident.pk])).status_code == 200
        )
    transfer = propose(resident, worker2, jixianli)
    client.force_login(other_worker)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("residents:transfer-decide", args=[transfer.pk])).status_code == 200


def test_the_message_says_a_residents_record_is_moving_not_a_request(moving, worker2, other_worker, jixianli):
    """The shared transfer texts name what moves: 居民档案 and the masked name, not 诉求, not the name."""
    resident, _open_ones, _closed = moving
    propose(resident, worker2, jixianli)

    text = Notification.objects.get(recipient=other_worker, event="transfer_proposed").title
    assert "居民档案" in text and "张**" in text
    assert "诉求" not in text and "张桂兰" not in text
