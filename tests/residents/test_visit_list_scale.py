"""The 本周待探访 list answers in the same number of queries at a few plans and at hundreds (more than a
page of them, overdue and due, two workers, the station's requests and visit history around them): the
bound the benchmark's city (1,000,000 requests, 300,000 residents in the programme) relies on. Its time
at that size is measured by bench.run (page "visits-due"; docs/performance.md), never here."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from residents.models import Request, Resident, RiskTierChange, Visit, VisitPlan
from residents.views_care import PAGE_SIZE, week_end
from tests import factories as f
from tests.residents.care_factories import ensure_care_defaults

pytestmark = pytest.mark.django_db


def seed(community, station, workers, plans, requests):
    """`plans` residents in the programme (a third overdue), each with a tier record and a visit, and
    `requests` requests of the station, written in bulk."""
    ensure_care_defaults()
    today = timezone.localdate()
    start = Resident.objects.count()
    residents = Resident.objects.bulk_create(
        Resident(
            community=community,
            name=f"居民{start + i}",
            address=f"{i % 9 + 1}号楼{i % 4 + 1}门{100 + i % 30}",
            birth_date=datetime.date(1935 + i % 30, 1 + i % 12, 1 + i % 28),
        )
        for i in range(plans)
    )
    VisitPlan.objects.bulk_create(
        VisitPlan(
            resident=r,
            community=community,
            tier=1 + i % 3,
            worker=workers[i % len(workers)],
            last_visited_on=today - datetime.timedelta(days=10),
            # due from three days ago to this Sunday at the latest, whatever the weekday: all on the list
            next_due_on=min(today + datetime.timedelta(days=(i % 9) - 3), week_end(today)),
        )
        for i, r in enumerate(residents)
    )
    RiskTierChange.objects.bulk_create(
        RiskTierChange(resident=r, tier=1, reason="高龄", actor=workers[0]) for r in residents
    )
    Visit.objects.bulk_create(
        Visit(resident=r, visited_on=today - datetime.timedelta(days=10), visitor=workers[0], health="尚可")
        for r in residents
    )
    for _ in range(requests):
        f.make_request(station)


@freeze_time("2026-12-04 16:30:00")  # 00:30 on a Saturday in Tianjin: 本周 has one day left
@pytest.mark.parametrize("query", [{}, {"who": "mine"}, {"page": 2}])
def test_the_visit_list_has_the_same_query_count_at_scale(
    client, guoyuan, chaoyangli, worker, worker2, django_assert_max_num_queries, query
):
    client.force_login(worker)
    url = reverse("residents:visit-due")
    seed(chaoyangli, guoyuan, [worker, worker2], plans=4, requests=2)
    with django_assert_max_num_queries(40) as small:
        assert client.get(url, query).status_code == 200

    seed(chaoyangli, guoyuan, [worker, worker2], plans=3 * PAGE_SIZE + 17, requests=40)
    assert VisitPlan.objects.count() > 3 * PAGE_SIZE and Request.objects.count() >= 42
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url, query)
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert len(rows) == PAGE_SIZE  # a page, however long the list
    today = timezone.localdate()
    dues = [plan.next_due_on for plan in rows]
    if "page" not in query:
        assert dues[0] < today and dues == sorted(dues)  # overdue first
