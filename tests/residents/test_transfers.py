"""Transfers of a request between stations (issue #21): proposal, acceptance, decline, withdrawal; who
reads the request before and after; forged targets; the inbox's query bound; the district's dispatch."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from notifications.inbox import Notification
from residents import services
from residents.models import Request, TimelineEvent, Transfer
from stations.audit import AuditLogEntry
from tests.factories import make_request
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def req(guoyuan, chaoyangli, worker2):
    resident = make_resident(chaoyangli, name="张桂兰", phone="13820135678")
    return make_request(guoyuan, chaoyangli, user=worker2, resident=resident)


def propose(req, user, to_station, reason="moved", text="居民搬至泰来西里"):
    return services.propose_transfer(
        acting_user=user, request=req, to_station=to_station, reason=reason, reason_text=text
    )


def test_until_accepted_the_sender_keeps_the_request(client, req, worker2, other_worker, jixianli):
    transfer = propose(req, worker2, jixianli)
    assert transfer.status == Transfer.Status.PENDING
    client.force_login(worker2)
    page = client.get(reverse("residents:request-detail", args=[req.pk])).content.decode()
    assert "转移待接收" in page and "撤回转移申请" in page
    client.force_login(other_worker)
    assert client.get(reverse("residents:request-detail", args=[req.pk])).status_code == 404
    # The receiver decides from a masked summary: no full name, no phone.
    inbox = client.get(reverse("residents:transfer-inbox")).content.decode()
    assert req.reference in inbox and "张**" in inbox and "张桂兰" not in inbox
    assert "13820135678" not in inbox
    assert Notification.objects.filter(recipient=other_worker, event="transfer_proposed").exists()


def test_accepting_moves_the_request_and_who_reads_it(
    client, req, worker, worker2, other_worker, jixianli, tailaixili
):
    transfer = propose(req, worker2, jixianli)
    client.force_login(other_worker)
    response = client.post(
        reverse("residents:transfer-decide", args=[transfer.pk]),
        {"decision": "accept", "community": tailaixili.pk, "note": "已联系居民"},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.station_id, req.community_id, req.assignee_id) == (jixianli.pk, tailaixili.pk, None)
    kinds = list(req.events.values_list("kind", flat=True))
    assert kinds.count(TimelineEvent.Kind.TRANSFER) == 2  # proposed, accepted: the history moved along
    assert kinds[0] == TimelineEvent.Kind.CREATED
    assert client.get(reverse("residents:request-detail", args=[req.pk])).status_code == 200
    assert req.pk in Request.objects.visible_to(other_worker).values_list("pk", flat=True)
    # The sender's staff lose it, and keep seeing the transfer in their inbox.
    for user in (worker, worker2):
        client.force_login(user)
        assert client.get(reverse("residents:request-detail", args=[req.pk])).status_code == 404
        inbox = client.get(reverse("residents:transfer-inbox")).content.decode()
        assert req.reference in inbox and "已接收" in inbox
    assert Notification.objects.filter(recipient=worker2, event="transfer_decided").exists()
    assert AuditLogEntry.objects.filter(object_pk=str(req.pk), changes__icontains="station").exists()


def test_declining_needs_a_reason_and_leaves_the_request(client, req, worker2, other_worker, jixianli):
    transfer = propose(req, worker2, jixianli)
    client.force_login(other_worker)
    url = reverse("residents:transfer-decide", args=[transfer.pk])
    response = client.post(url, {"decision": "decline", "note": ""})
    assert "请填写拒绝接收的原因" in response.content.decode()
    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.PENDING
    client.post(url, {"decision": "decline", "note": "居民仍住朝阳里"})
    transfer.refresh_from_db()
    req.refresh_from_db()
    assert transfer.status == Transfer.Status.DECLINED and req.station_id == worker2.station_id
    assert "拒绝接收转移：居民仍住朝阳里" in req.events.last().text
    # Answered once: a second answer is refused, nothing changes.
    with pytest.raises(services.WorkflowError):
        services.accept_transfer(acting_user=other_worker, transfer=transfer, community=None)


def test_the_sender_cannot_decide_and_may_withdraw(client, req, worker2, jixianli):
    transfer = propose(req, worker2, jixianli)
    client.force_login(worker2)
    assert client.get(reverse("residents:transfer-decide", args=[transfer.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.accept_transfer(acting_user=worker2, transfer=transfer, community=None)
    assert client.post(reverse("residents:transfer-cancel", args=[transfer.pk])).status_code == 302
    assert Transfer.objects.get(pk=transfer.pk).status == Transfer.Status.CANCELLED


def test_forged_targets_are_refused(client, req, worker2, guoyuan, jixianli, hualinyuan, other_worker):
    """The own station, a station that does not exist, or a community the receiver does not serve."""
    client.force_login(worker2)
    url = reverse("residents:transfer-propose", args=[req.pk])
    for forged in (guoyuan.pk, 10**30, "x"):
        response = client.post(url, {"to_station": forged, "reason": "moved", "version": req.version})
        assert response.status_code == 200
        assert "请选择其他社工站" in response.content.decode()
    assert not Transfer.objects.exists()
    with pytest.raises(services.WorkflowError):
        propose(req, worker2, guoyuan)
    transfer = propose(req, worker2, jixianli)
    client.force_login(other_worker)
    response = client.post(
        reverse("residents:transfer-decide", args=[transfer.pk]),
        {"decision": "accept", "community": hualinyuan.pk},
    )
    assert "请选择本站服务的社区" in response.content.decode()
    req.refresh_from_db()
    assert req.station_id == guoyuan.pk and Transfer.objects.get().is_pending


def test_a_transfer_into_another_district(
    client, req, worker2, far_worker, district_user, other_district_user, guangkai, hualinyuan
):
    """Any station of the city is offered; both district centres see the transfer, the receiving one is
    told, and on acceptance the request is the receiving district's to read."""
    client.force_login(worker2)
    url = reverse("residents:transfer-propose", args=[req.pk])
    page = client.get(url)
    assert "南开区 · " in page.content.decode()
    response = client.post(url, {"to_station": guangkai.pk, "reason": "moved", "version": req.version})
    assert response.status_code == 302
    transfer = Transfer.objects.get(request=req, to_station=guangkai)
    assert Notification.objects.filter(recipient=other_district_user, event="transfer_proposed").exists()
    assert not Notification.objects.filter(recipient=district_user, event="transfer_proposed").exists()
    for centre in (district_user, other_district_user):
        client.force_login(centre)
        assert req.reference in client.get(reverse("residents:transfer-inbox")).content.decode()
    assert not Request.objects.visible_to(other_district_user).filter(pk=req.pk).exists()
    services.accept_transfer(acting_user=far_worker, transfer=transfer, community=hualinyuan)
    assert Request.objects.visible_to(other_district_user).filter(pk=req.pk).exists()
    assert not Request.objects.visible_to(district_user).filter(pk=req.pk).exists()


def test_url_tampering_another_stations_request(client, jixianli, tailaixili, worker2, other_worker, guoyuan):
    theirs = make_request(jixianli, tailaixili, user=other_worker)
    client.force_login(worker2)
    url = reverse("residents:transfer-propose", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"to_station": guoyuan.pk, "reason": "moved", "version": 1}).status_code == 404
    assert not Transfer.objects.exists()


def test_a_closed_request_is_not_transferred(req, worker2, jixianli):
    services.withdraw_request(acting_user=worker2, request=req, kind="resident", reason="不需要了")
    with pytest.raises(services.WorkflowError):
        propose(req, worker2, jixianli)


def test_a_second_proposal_waits_for_the_first(req, worker2, jixianli):
    propose(req, worker2, jixianli)
    with pytest.raises(services.WorkflowError):
        propose(req, worker2, jixianli)


def test_a_proposal_racing_another_is_refused_not_a_500(req, worker2, jixianli, monkeypatch):
    """Two proposals at the same moment both pass the check before either is written: the database's
    one-pending-per-request constraint refuses the second, as a message."""
    propose(req, worker2, jixianli)
    monkeypatch.setattr("residents.services.transfers.pending_transfer", lambda request: None)
    with pytest.raises(services.WorkflowError) as refused:
        propose(req, worker2, jixianli)
    assert "已有待接收" in str(refused.value)
    assert Transfer.objects.filter(request=req).count() == 1


@pytest.mark.parametrize("count", [2, 12])
def test_inbox_queries_are_bounded(
    client, count, guoyuan, chaoyangli, worker2, other_worker, jixianli, django_assert_max_num_queries
):
    for _ in range(count):
        propose(make_request(guoyuan, chaoyangli, user=worker2), worker2, jixianli)
        theirs = make_request(jixianli, user=other_worker)
        propose(theirs, other_worker, guoyuan, reason="not_ours")
    for user in (worker2, other_worker):
        client.force_login(user)
        with django_assert_max_num_queries(20):
            response = client.get(reverse("residents:transfer-inbox"))
        assert response.status_code == 200


# --- the district centre's dispatch ------------------------------------------------------------------
def test_district_dispatches_a_declined_request(
    client, req, worker2, other_worker, district_user, other_district_user, jixianli, tailaixili, guangkai
):
    transfer = propose(req, worker2, jixianli)
    services.decline_transfer(acting_user=other_worker, transfer=transfer, note="不属本站")
    client.force_login(district_user)
    inbox = client.get(reverse("residents:transfer-inbox")).content.decode()
    assert reverse("residents:request-dispatch", args=[req.pk]) in inbox
    url = reverse("residents:request-dispatch", args=[req.pk])
    # Another district's station (a forged id) is refused.
    response = client.post(
        url, {"to_station": guangkai.pk, "community": tailaixili.pk, "version": req.version}
    )
    assert "只能派至本区的社工站" in response.content.decode()
    response = client.post(
        url,
        {"to_station": jixianli.pk, "community": tailaixili.pk, "note": "按实际住址", "version": req.version},
    )
    assert response.status_code == 302
    req.refresh_from_db()
    assert req.station_id == jixianli.pk
    event = req.events.last()
    assert event.kind == TimelineEvent.Kind.DISPATCHED and "派至" in event.text
    assert Transfer.objects.filter(request=req, dispatched=True, status="accepted").exists()
    client.force_login(other_district_user)
    assert client.get(url).status_code == 404


def test_station_staff_cannot_dispatch(client, req, worker2, jixianli, tailaixili):
    client.force_login(worker2)
    assert client.get(reverse("residents:request-dispatch", args=[req.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.dispatch_request(acting_user=worker2, request=req, to_station=jixianli, community=tailaixili)
