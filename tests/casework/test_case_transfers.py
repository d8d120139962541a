"""A case's transfer to another station (issue #21): proposed by the lead worker or head, accepted by the
receiving head who names the lead worker; the case's records, tasks and parties go with it, and its client
(with their open requests and visit plan) when the case is all they have open; forged fields refused."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import Case, CaseEvent, CaseParty, CaseTask, CaseTransfer
from notifications.inbox import Notification
from residents.models import Request, VisitPlan
from residents.services import resident_transfers
from residents.services.errors import WorkflowError
from tests import factories as f
from tests.casework.factories import make_case
from tests.factories import make_request
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver_worker(jixianli):
    user = f.make_user("st-120113002-2", f.User.Role.STATION_WORKER, station=jixianli, name="赵敏")
    f.make_assignment(user, jixianli)
    return user


@pytest.fixture
def case(guoyuan, chaoyangli, worker, worker2):
    """李静 leads 张桂兰's case, opened from her request; an open task, a party, a visit plan."""
    client = make_resident(chaoyangli, name="张桂兰")
    request = make_request(guoyuan, chaoyangli, user=worker2, resident=client, assignee=worker2)
    case = make_case(
        guoyuan, client, worker2, stage=Case.Stage.INTERVENTION, co_worker=worker, request=request
    )
    CaseTask.objects.create(
        case=case, title="电话回访", owner=worker2, due_on=timezone.localdate(), created_by=worker2
    )
    CaseParty.objects.create(case=case, name="刘建国", relation="儿子")
    VisitPlan.objects.create(resident=client, tier=1, worker=worker2, next_due_on=timezone.localdate())
    return case


def propose(case, user, to_station):
    return services.propose_case_transfer(acting_user=user, case=case, to_station=to_station, reason="moved")


def test_until_accepted_the_sender_keeps_the_case(client, case, worker2, other_worker, jixianli):
    client.force_login(worker2)
    url = reverse("casework:case-transfer-propose", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"to_station": jixianli.pk, "reason": "moved", "version": case.version})
    assert response.status_code == 302
    transfer = CaseTransfer.objects.get(case=case)
    assert transfer.is_pending
    case.refresh_from_db()
    assert case.station_id == worker2.station_id
    page = client.get(reverse("casework:case-detail", args=[case.pk])).content.decode()
    assert "转移待接收" in page  # pending transfers block nobody from reading
    client.force_login(other_worker)
    assert client.get(reverse("casework:case-detail", args=[case.pk])).status_code == 404
    inbox = client.get(reverse("casework:case-transfer-inbox")).content.decode()
    assert case.reference in inbox and "张**" in inbox and "张桂兰" not in inbox
    assert Notification.objects.filter(recipient=other_worker, event="transfer_proposed").exists()


def test_accepting_moves_the_case_its_work_and_its_client(
    client, case, worker, worker2, other_worker, receiver_worker, jixianli, tailaixili
):
    transfer = propose(case, worker2, jixianli)
    client.force_login(other_worker)
    response = client.post(
        reverse("casework:case-transfer-decide", args=[transfer.pk]),
        {
            "decision": "accept",
            "lead_worker": receiver_worker.pk,
            "community": tailaixili.pk,
            "note": "已对接",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.station_id, case.lead_worker_id, case.co_worker_id) == (
        jixianli.pk,
        receiver_worker.pk,
        None,
    )
    assert case.tasks.get().owner == receiver_worker
    assert case.parties.count() == 1
    assert case.events.filter(kind=CaseEvent.Kind.TRANSFER, text__contains="已接收").exists()
    case.client.refresh_from_db()
    assert case.client.community == tailaixili
    request = Request.objects.get(pk=case.request_id)
    assert (request.station_id, request.assignee_id) == (jixianli.pk, None)
    assert VisitPlan.objects.get(resident=case.client).worker is None
    # The case is the receiver's to read now, and no longer the sender's.
    assert client.get(reverse("casework:case-detail", args=[case.pk])).status_code == 200
    client.force_login(receiver_worker)
    assert client.get(reverse("casework:case-detail", args=[case.pk])).status_code == 200
    for sender in (worker, worker2):
        client.force_login(sender)
        assert client.get(reverse("casework:case-detail", args=[case.pk])).status_code == 404
    assert Notification.objects.filter(recipient=worker2, event="transfer_decided").exists()


def test_other_open_work_of_the_client_refuses_naming_it(case, worker2, guoyuan, chaoyangli, jixianli):
    other = make_request(guoyuan, chaoyangli, user=worker2, resident=case.client)
    with pytest.raises(services.CaseworkError) as refused:
        propose(case, worker2, jixianli)
    assert other.reference in str(refused.value) and "无法随个案转移" in str(refused.value)
    assert not CaseTransfer.objects.exists()


def test_a_client_with_an_open_case_is_not_transferred_alone(case, worker2, jixianli):
    with pytest.raises(WorkflowError) as refused:
        resident_transfers.propose_resident_transfer(
            acting_user=worker2, resident=case.client, to_station=jixianli, reason="moved"
        )
    assert case.reference in str(refused.value)


def test_only_the_lead_or_the_head_proposes(client, case, worker, guoyuan, chaoyangli, jixianli):
    co = f.make_user("st-120113001-3", f.User.Role.STATION_WORKER, station=guoyuan, name="陈晨")
    f.make_assignment(co, guoyuan)
    Case.objects.filter(pk=case.pk).update(co_worker=co)
    case.refresh_from_db()
    with pytest.raises(PermissionDenied):
        propose(case, co, jixianli)
    client.force_login(co)
    assert client.get(reverse("casework:case-transfer-propose", args=[case.pk])).status_code == 403
    assert propose(case, worker, jixianli).is_pending  # the head may


def test_url_tampering_and_forged_fields(
    client,
    case,
    worker2,
    other_worker,
    receiver_worker,
    far_worker,
    guoyuan,
    jixianli,
    tailaixili,
    hualinyuan,
):
    # Another station's case: 404 for the page and the post.
    theirs = make_case(jixianli, make_resident(tailaixili, name="王芳"), other_worker)
    client.force_login(worker2)
    url = reverse("casework:case-transfer-propose", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"to_station": guoyuan.pk, "reason": "moved", "version": 1}).status_code == 404
    # The own station as the target, or no such station.
    own_url = reverse("casework:case-transfer-propose", args=[case.pk])
    for forged in (guoyuan.pk, 10**30):
        response = client.post(own_url, {"to_station": forged, "reason": "moved", "version": case.version})
        assert "请选择其他社工站" in response.content.decode()
    transfer = propose(case, worker2, jixianli)
    client.force_login(other_worker)
    decide = reverse("casework:case-transfer-decide", args=[transfer.pk])
    for lead, community, message in (
        (far_worker.pk, tailaixili.pk, "请选择本站在岗的社工担任主责社工"),  # a worker of another station
        (receiver_worker.pk, hualinyuan.pk, "请选择本站服务的社区"),  # a community it does not serve
    ):
        response = client.post(decide, {"decision": "accept", "lead_worker": lead, "community": community})
        assert message in response.content.decode()
    # A worker of the receiving station who is not its head may not decide.
    client.force_login(receiver_worker)
    assert client.get(decide).status_code == 403
    with pytest.raises(PermissionDenied):
        services.accept_case_transfer(
            acting_user=receiver_worker, transfer=transfer, lead_worker=receiver_worker, community=tailaixili
        )
    case.refresh_from_db()
    assert case.station_id == guoyuan.pk and CaseTransfer.objects.get().is_pending


def test_decline_withdraw_and_answers_once(
    client, case, worker2, other_worker, receiver_worker, jixianli, tailaixili
):
    transfer = propose(case, worker2, jixianli)
    stale = CaseTransfer.objects.get(pk=transfer.pk)
    services.decline_case_transfer(acting_user=other_worker, transfer=transfer, note="不在本站辖区")
    with pytest.raises(services.CaseworkError):
        services.accept_case_transfer(
            acting_user=other_worker, transfer=stale, lead_worker=receiver_worker, community=tailaixili
        )
    case.refresh_from_db()
    assert case.station_id == worker2.station_id
    assert case.events.filter(text__contains="拒绝接收转移：不在本站辖区").exists()
    again = propose(case, worker2, jixianli)
    client.force_login(worker2)
    assert client.post(reverse("casework:case-transfer-cancel", args=[again.pk])).status_code == 302
    again.refresh_from_db()
    assert again.status == "cancelled"


def test_pages_have_bounded_query_counts(
    client, case, worker2, other_worker, guoyuan, chaoyangli, jixianli, django_assert_max_num_queries
):
    propose(case, worker2, jixianli)
    for n in range(5):
        resident = make_resident(chaoyangli, name=f"李{n}")
        CaseTransfer.objects.create(
            case=make_case(guoyuan, resident, worker2),
            from_station=guoyuan,
            to_station=jixianli,
            reason="moved",
            proposed_by=worker2,
        )
    client.force_login(other_worker)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("casework:case-transfer-inbox")).status_code == 200
    transfer = CaseTransfer.objects.filter(case=case).get()
    with django_assert_max_num_queries(15):
        assert client.get(reverse("casework:case-transfer-decide", args=[transfer.pk])).status_code == 200
    client.force_login(worker2)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("casework:case-transfer-propose", args=[case.pk])).status_code == 200


def test_across_districts_both_centres_see_it_and_the_receiving_one_is_told(
    client, case, worker2, far_worker, district_user, other_district_user, guangkai
):
    transfer = propose(case, worker2, guangkai)
    assert Notification.objects.filter(recipient=far_worker, event="transfer_proposed").exists()
    assert Notification.objects.filter(recipient=other_district_user, event="transfer_proposed").exists()
    for centre in (district_user, other_district_user):
        client.force_login(centre)
        assert case.reference in client.get(reverse("casework:case-transfer-inbox")).content.decode()
        assert client.get(reverse("casework:case-transfer-decide", args=[transfer.pk])).status_code == 403
