"""Handing a leaving worker's open requests to a colleague of the station: one step, audited."""

import datetime

from django.urls import reverse
from django.utils import timezone

from residents.models import Request, TimelineEvent
from stations.audit import AuditLogEntry
from tests import factories as f
from tests.factories import make_request


def _leaving(worker2):
    assignment = worker2.assignments.get()
    assignment.end_date = timezone.localdate()
    assignment.save()
    return assignment


def test_the_head_hands_over_every_open_request_in_one_step(client, worker, worker2, guoyuan, chaoyangli):
    open_ones = [make_request(guoyuan, chaoyangli, user=worker, assignee=worker2) for _ in range(3)]
    done = make_request(guoyuan, chaoyangli, user=worker, assignee=worker2, status=Request.Status.CLOSED)
    assignment = _leaving(worker2)
    client.force_login(worker)
    url = reverse("residents:handover", args=[assignment.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 件未办结诉求" in html and open_ones[0].reference in html and done.reference not in html
    response = client.post(url, {"to": worker.pk})
    assert response.status_code == 302
    for request in open_ones:
        request.refresh_from_db()
        assert request.assignee == worker
        event = request.events.get(kind=TimelineEvent.Kind.ASSIGNED, text__contains="移交")
        assert event.actor == worker
    done.refresh_from_db()
    assert done.assignee == worker2
    assert AuditLogEntry.objects.filter(object_pk__in=[str(r.pk) for r in open_ones]).count() >= 3


def test_only_a_colleague_of_the_station_can_take_them(
    client, worker, worker2, other_worker, guoyuan, chaoyangli
):
    request = make_request(guoyuan, chaoyangli, user=worker, assignee=worker2)
    assignment = _leaving(worker2)
    client.force_login(worker)
    url = reverse("residents:handover", args=[assignment.pk])
    for bad in (other_worker.pk, worker2.pk, "abc"):
        response = client.post(url, {"to": bad})
        assert response.status_code == 200
        assert response.context["form"].errors
    request.refresh_from_db()
    assert request.assignee == worker2


def test_another_station_or_another_district_cannot_hand_over(
    client, worker2, other_worker, other_district_user, city_user, guoyuan, chaoyangli
):
    request = make_request(guoyuan, chaoyangli, user=worker2, assignee=worker2)
    assignment = _leaving(worker2)
    url = reverse("residents:handover", args=[assignment.pk])
    for outsider in (other_worker, other_district_user, city_user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
        assert client.post(url, {"to": other_worker.pk}).status_code == 404
    request.refresh_from_db()
    assert request.assignee == worker2


def test_the_district_centre_hands_over_in_one_audited_step(
    client, worker, worker2, district_user, guoyuan, chaoyangli
):
    request = make_request(guoyuan, chaoyangli, user=worker2, assignee=worker2)
    assignment = _leaving(worker2)
    client.force_login(district_user)
    url = reverse("residents:handover", args=[assignment.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"to": worker.pk}).status_code == 302
    request.refresh_from_db()
    assert request.assignee == worker
    assert request.events.get(kind=TimelineEvent.Kind.ASSIGNED, text__contains="移交").actor == district_user
    entry = AuditLogEntry.objects.get(object_pk=str(assignment.pk), additional_data__handover=True)
    assert entry.actor == district_user


def test_the_district_centre_hands_over_only_to_a_colleague_of_that_station(
    client, worker2, other_worker, district_user, guoyuan, chaoyangli
):
    request = make_request(guoyuan, chaoyangli, user=worker2, assignee=worker2)
    assignment = _leaving(worker2)
    client.force_login(district_user)
    response = client.post(reverse("residents:handover", args=[assignment.pk]), {"to": other_worker.pk})
    assert response.status_code == 200 and response.context["form"].errors
    request.refresh_from_db()
    assert request.assignee == worker2


def test_the_handover_page_has_a_bounded_query_count(
    client, worker, worker2, guoyuan, chaoyangli, django_assert_max_num_queries
):
    for _ in range(8):
        make_request(guoyuan, chaoyangli, user=worker, assignee=worker2)
    assignment = _leaving(worker2)
    client.force_login(worker)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("residents:handover", args=[assignment.pk])).status_code == 200


def test_a_colleague_who_left_is_not_offered(client, worker, worker2, guoyuan, chaoyangli):
    make_request(guoyuan, chaoyangli, user=worker, assignee=worker2)
    assignment = _leaving(worker2)
    gone = f.make_user("st-120113001-8", f.User.Role.STATION_WORKER, station=guoyuan, name="已离任")
    f.make_assignment(gone, guoyuan, end_date=timezone.localdate() - datetime.timedelta(days=3))
    client.force_login(worker)
    page = client.get(reverse("residents:handover", args=[assignment.pk]))
    offered = [str(pk) for pk, _ in page.context["form"].fields["to"].choices if pk]
    assert offered == [str(worker.pk)]
