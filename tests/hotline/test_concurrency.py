"""The same work order posted by eight clients at once (the hotline retrying over a slow line): one
order, one request; one client is told 201, the others 200 with the same order.

PostgreSQL only: there the threads really race (a barrier), each on its own connection, and the unique
ticket number decides; SQLite takes one writer at a time, so the race cannot happen there.
"""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from tests.hotline.conftest import order_data

THREADS = 8


@pytest.fixture
def committed_hotline(django_db_setup, django_db_blocker):
    """A district, station, community, the hotline's tables and a key, committed so that the threads'
    connections see them, and removed afterwards (audit logging off: audit rows cannot be deleted)."""
    from auditlog.context import disable_auditlog

    from hotline.models import ApiCall, ApiKey, DeadlineRule, HotlineCategory, WorkOrder
    from residents.models import ReferenceCounter, Request
    from stations.models import Community, District, Municipality, Station, Street
    from tests import factories as f
    from tests.residents.factories import category

    with django_db_blocker.unblock(), disable_auditlog():
        had_city = Municipality.objects.filter(code="120000000000").exists()
        district = f.make_district("120198000000", "并发热线区")
        street = f.make_street("120198001000", "并发热线街道", district)
        station = f.make_station(street)
        community = f.make_community("120198001001", "并发热线社区居委会", street)
        mapping = HotlineCategory.objects.create(code="C-RACE", name="并发", category=category("照明灯具"))
        rule = DeadlineRule.objects.create(
            deadline_class="race", name="并发", sign_within_minutes=60, reply_within_working_days=3
        )
        key, plain = ApiKey.issue(name="并发热线")
        try:
            yield plain, community
        finally:
            requests = Request.objects.filter(station=station)
            WorkOrder.objects.filter(district=district).delete()
            requests.delete()
            ReferenceCounter.objects.filter(station=station).delete()
            ApiCall.objects.filter(api_key=key).delete()
            key.delete()
            mapping.delete()
            rule.delete()
            Community.objects.filter(pk=community.pk).delete()
            Street.objects.filter(pk=street.pk).delete()
            Station.objects.filter(pk=station.pk).delete()
            District.objects.filter(pk=district.pk).delete()
            if not had_city:
                Municipality.objects.filter(code="120000000000").delete()


def test_concurrent_duplicate_posts_make_one_order_and_one_request(request, django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("a race between connections: PostgreSQL only")
    committed_hotline = request.getfixturevalue("committed_hotline")
    from auditlog.context import disable_auditlog

    from hotline.models import WorkOrder
    from residents.models import Request

    plain, community = committed_hotline
    data = order_data(
        "GD-RACE-1", community_code=community.code, category_code="C-RACE", deadline_class="race", address=""
    )
    barrier = threading.Barrier(THREADS)
    answers, errors = [], []

    def post(_i):
        try:
            with disable_auditlog():
                client = Client(HTTP_AUTHORIZATION=f"Api-Key {plain}")
                barrier.wait(timeout=30)
                response = client.post("/api/v1/work-orders/", data, content_type="application/json")
                answers.append((response.status_code, response.json()))
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=post, args=(i,)) for i in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        statuses = sorted(status for status, _body in answers)
        assert statuses == [200] * (THREADS - 1) + [201]
        assert len({body["reference"] for _status, body in answers}) == 1
        assert WorkOrder.objects.filter(ticket_no="GD-RACE-1").count() == 1
        assert Request.objects.filter(community=community).count() == 1


def test_the_race_is_decided_by_the_databases_unique_ticket_number(city_key, guoyuan):
    """What the concurrent test relies on, on every backend: a second row with the same ticket number is
    refused by the database itself. (A test using `db` here also makes pytest-django set up the test
    database when this module runs alone.)"""
    from django.db import IntegrityError, transaction

    from hotline.models import WorkOrder
    from hotline.services import receive_work_order

    order, _ = receive_work_order(api_key_or_user=city_key, data=order_data("GD-U"))
    clone = WorkOrder.objects.get(pk=order.pk)
    clone.pk, clone.request = None, None
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
