"""The queue's station filter: a district or city user who follows a dashboard's overdue or unassigned link
(station=<pk>) sees that station's requests only; choices are limited to the stations they can see."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from residents.models import Request
from sws.dashboards.views import queue_url
from tests.factories import make_request

pytestmark = pytest.mark.django_db

QUEUE = reverse("residents:request-queue")


@pytest.fixture
def requests(guoyuan, jixianli, guangkai):
    overdue = timezone.now() - datetime.timedelta(days=3)
    ours = make_request(guoyuan, due_at=overdue)
    theirs = make_request(jixianli, due_at=overdue)
    far = make_request(guangkai, due_at=overdue)
    return ours, theirs, far


def refs(response):
    return {r.reference for r in response.context["page"].object_list}


def test_a_district_user_narrows_the_queue_to_one_station(client, district_user, guoyuan, jixianli, requests):
    ours, theirs, _ = requests
    client.force_login(district_user)
    assert refs(client.get(QUEUE)) == {ours.reference, theirs.reference}
    response = client.get(QUEUE, {"station": jixianli.pk})
    assert refs(response) == {theirs.reference}
    assert response.context["stats"] == {"overdue": 1, "unassigned": 1}
    choices = {pk for pk, _ in response.context["filter"].form.fields["station"].choices if pk}
    assert {int(str(pk)) for pk in choices} == {guoyuan.pk, jixianli.pk}


def test_the_dashboards_links_show_that_stations_requests_only(client, district_user, jixianli, requests):
    _, theirs, _ = requests
    client.force_login(district_user)
    for params in ({"overdue": "on"}, {"assignee": "null"}):
        assert refs(client.get(queue_url(jixianli, **params))) == {theirs.reference}


def test_a_station_of_another_district_is_refused(client, district_user, guangkai, requests):
    ours, theirs, far = requests
    client.force_login(district_user)
    response = client.get(QUEUE, {"station": guangkai.pk})
    assert "station" in response.context["filter"].form.errors
    assert far.reference not in refs(response)
    assert refs(client.get(QUEUE, {"station": "99999999999999999999999"})) <= {
        ours.reference,
        theirs.reference,
    }


def test_a_city_user_narrows_the_queue_to_any_station(client, city_user, guangkai, requests):
    client.force_login(city_user)
    assert refs(client.get(QUEUE, {"station": guangkai.pk})) == {requests[2].reference}


def test_station_staff_are_not_offered_the_filter(client, worker, jixianli, requests):
    ours, _, _ = requests
    client.force_login(worker)
    response = client.get(QUEUE, {"station": jixianli.pk})
    assert "station" not in response.context["filter"].form.fields
    assert refs(response) == {ours.reference}  # their own queue, whatever the link says


def test_the_requests_export_honours_the_station_filter(client, district_user, jixianli, requests):
    _, theirs, _ = requests
    client.force_login(district_user)
    response = client.get(reverse("exports:list", args=["requests", "csv"]), {"station": jixianli.pk})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert theirs.reference in text and requests[0].reference not in text
    assert Request.objects.count() == 3
