"""Query counts at 50,000 cases: the case list, the case page, the case file, the register and the
dashboards answer with as many queries as with five cases (the cases written in bulk, cheaply: one client,
one lead worker, every stage)."""

import itertools

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from casework.models import Case, CaseEvent, CaseTask
from tests.casework.factories import make_case, make_supervisor
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db
MANY = 50_000
STAGES = itertools.cycle(list(Case.Stage))


def _grow(station, client, lead, n=MANY):
    now = timezone.now()
    cases = Case.objects.bulk_create(
        [
            Case(
                reference=f"BULK-{i:06d}",
                station=station,
                client=client,
                lead_worker=lead,
                source=Case.Source.OUTREACH,
                presenting_problem="批量",
                stage=next(STAGES),
                risk="high" if i % 3 == 0 else "low",
                opened_at=now,
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    CaseEvent.objects.bulk_create(
        [
            CaseEvent(case=c, kind="note", at=now, from_stage="intake", to_stage="assessment")
            for c in cases[::10]
        ],
        batch_size=5000,
    )
    CaseTask.objects.bulk_create(
        [CaseTask(case=c, title="家访", owner=lead, due_on=now.date(), created_by=lead) for c in cases[::10]],
        batch_size=5000,
    )


def _count(client, url, params=None):
    for cache in caches.all():  # the dashboards' closed months and the nav's badge counts: nothing cached
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(queries)


def test_pages_answer_in_as_many_queries_at_50000_cases(
    client, guoyuan, beichen, chaoyangli, worker, worker2, district_user
):
    resident = make_resident(chaoyangli, name="孙秀英")
    cases = [make_case(guoyuan, resident, worker2, stage=stage) for stage in list(Case.Stage)[:5]]
    one = cases[0]
    supervisor = make_supervisor(district_user)
    pages = [
        (worker, reverse("casework:case-list"), None),
        (worker, reverse("casework:case-detail", args=[one.pk]), None),
        (worker, reverse("casework:case-file", args=[one.pk]), None),
        (worker, reverse("exports:case-register"), {"q": one.reference}),
        (worker, reverse("dashboards:station", args=[guoyuan.pk]), None),
        (supervisor, reverse("casework:case-list"), None),
        (supervisor, reverse("dashboards:district", args=[beichen.pk]), None),
    ]

    def counts():
        result = []
        for user, url, params in pages:
            client.force_login(user)
            result.append(_count(client, url, params))
        return result

    small = counts()
    _grow(guoyuan, resident, worker2)
    assert Case.objects.count() == MANY + 5
    assert counts() == small
