"""Reads of requests leave a trace (issue 14, 6a): the queue and the request exports show residents'
names, reporters' names and phones, so each view of the queue and each export writes a personal-data
access record (`stations.audit.PersonalDataAccess`) naming the residents it showed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from residents.models import Request
from stations.audit import AccessedResident, PersonalDataAccess
from tests.factories import make_request
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db

QUEUE = reverse("residents:request-queue")


def _export(fmt):
    return reverse("exports:list", args=["requests", fmt])


def _residents_of(access):
    return set(AccessedResident.objects.filter(access=access).values_list("resident_id", flat=True))


@pytest.fixture
def queue(guoyuan, jixianli, chaoyangli):
    """Two open requests of 果园新村 with residents, one without (a QR submission), one closed, and one
    of another station."""
    zhang = make_resident(chaoyangli, name="张桂兰", phone="13820135678")
    wang = make_resident(chaoyangli, name="王秀英")
    liu = make_resident(chaoyangli, name="刘建国")
    make_request(guoyuan, resident=zhang)
    make_request(guoyuan, resident=wang)
    make_request(guoyuan, reporter_name="李阿姨", reporter_phone="13912345678")
    make_request(guoyuan, resident=liu, status="closed")
    other = make_resident(jixianli.streets.get().communities.first(), name="赵丽")
    make_request(jixianli, resident=other)
    return {"zhang": zhang, "wang": wang, "liu": liu, "other": other}


def test_viewing_the_queue_is_recorded_with_the_residents_on_the_page(client, worker, queue):
    client.force_login(worker)
    assert client.get(QUEUE).status_code == 200
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.action, access.path) == (worker, "list", QUEUE)
    assert access.resident_count == 2
    assert _residents_of(access) == {queue["zhang"].pk, queue["wang"].pk}
    client.get(QUEUE, {"status": "closed"})
    assert _residents_of(PersonalDataAccess.objects.latest("pk")) == {queue["liu"].pk}


def test_an_empty_queue_records_nothing(client, other_district_user, queue):
    client.force_login(other_district_user)
    assert client.get(QUEUE).status_code == 200
    assert not PersonalDataAccess.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exporting_requests_is_recorded_with_every_resident_exported(client, worker, queue, fmt):
    client.force_login(worker)
    response = client.get(_export(fmt), {"status": "closed"})
    assert response.status_code == 200
    if fmt == "csv":
        b"".join(response.streaming_content)
    access = PersonalDataAccess.objects.get()
    assert (access.user, access.action, access.path) == (worker, "export", _export(fmt))
    assert _residents_of(access) == {queue["liu"].pk} and access.resident_count == 1
    client.get(_export(fmt))  # the default: open requests, the QR submission's reporter among them
    assert _residents_of(PersonalDataAccess.objects.latest("pk")) == {queue["zhang"].pk, queue["wang"].pk}


def test_a_district_export_records_the_whole_district(client, district_user, queue):
    client.force_login(district_user)
    b"".join(client.get(_export("csv")).streaming_content)
    access = PersonalDataAccess.objects.get()
    assert _residents_of(access) == {queue["zhang"].pk, queue["wang"].pk, queue["other"].pk}


def test_an_export_without_residents_is_recorded_too(client, worker, guoyuan):
    """A QR submission's reporter (name, phone) is personal data even with no resident linked."""
    make_request(guoyuan, reporter_name="李阿姨", reporter_phone="13912345678")
    client.force_login(worker)
    b"".join(client.get(_export("csv")).streaming_content)
    access = PersonalDataAccess.objects.get()
    assert (access.action, access.resident_count) == ("export", 0)


def test_recording_the_queue_costs_a_fixed_number_of_queries(client, worker, guoyuan, chaoyangli, queue):
    """Two INSERTs (the record, then its residents in one bulk INSERT) in a savepoint, however many rows
    the page shows; the queue's own queries are unchanged."""
    client.force_login(worker)

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return captured.captured_queries

    for n in range(25):  # more than a page already: the queue's figures take their own query
        make_request(guoyuan, resident=make_resident(chaoyangli, name=f"居民{n}"))
    client.get(QUEUE)
    few = count()
    for n in range(30):
        make_request(guoyuan, resident=make_resident(chaoyangli, name=f"居民{n}"))
    many = count()
    assert len(many) == len(few)
    inserts = [q["sql"] for q in many if q["sql"].startswith("INSERT")]
    assert len(inserts) == 2
    page = client.get(QUEUE).context["page"].object_list
    on_page = {r.resident_id for r in page if r.resident_id}
    # The page's residents, not the queue's 58 requests.
    assert _residents_of(PersonalDataAccess.objects.latest("pk")) == on_page and len(on_page) >= 24
    assert Request.objects.filter(station=guoyuan, status="new").count() == 58
