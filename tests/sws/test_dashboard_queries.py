"""Each dashboard answers with the same number of SQL queries for small and for much larger data.

"Larger" means more of everything that could tempt a per-row query: more stations in the district (and
the city), more requests, activities, resources, teams, plans and workers.
"""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.models import SupervisionActionItem, SupervisionSession
from stations.models import User
from tests import factories as f
from tests.hotline.factories import store_work_order
from tests.sws import factories as sf
from tests.sws.conftest import MARCH
from tests.sws.factories import at


def _grow(beichen, nankai, stations=6, requests_each=12):
    """Add stations to both districts, each with staff, requests in every state, and station work."""
    for index in range(stations):
        district, prefix = (beichen, "120113") if index % 2 == 0 else (nankai, "120104")
        street = f.make_street(f"{prefix}{200 + index:03d}000", f"新街道{index}", district)
        f.make_community(f"{prefix}{200 + index:03d}001", f"新社区{index}居委会", street)
        station = f.make_station(street)
        for n in range(2):
            user = f.make_user(f"grow-{index}-{n}", User.Role.STATION_WORKER, station=station)
            f.make_assignment(user, station)
            if n == 0:
                f.make_certificate(user)
        for n in range(requests_each):
            day = 1 + n % 28
            resolved = n % 3 == 0
            sf.store_request(
                station,
                received_at=at(2026, 3, day, 9),
                resolved_at=at(2026, 3, day, 15) if resolved else None,
                closed_at=at(2026, 3, day, 20) if resolved else None,
                status="closed" if resolved else "in_progress",
                satisfaction="satisfied" if resolved else "",
                priority=1 + n % 4,
            )
        sf.make_activity(station, datetime.date(2026, 3, 5), sessions=2, person_times=30)
        sf.make_resource(station, datetime.date(2026, 3, 6), "99.90")
        sf.make_team(station, datetime.date(2025, 1, 1))
        sf.make_organisation(station, datetime.date(2025, 1, 1))
        sf.make_project(station)
        sf.make_plan(station, 2026, target_volunteer_teams=2, target_person_times=100)
        # Supervision coverage (casework): a session of the month with action items, done and not.
        supervisor = f.make_user(f"grow-sup-{index}", User.Role.DISTRICT_STAFF, district=district)
        session = SupervisionSession.objects.create(
            district=district,
            station=station,
            supervisor=supervisor,
            date=datetime.date(2026, 3, 9),
            form="group",
        )
        for due, done in (
            (datetime.date(2026, 3, 20), None),
            (datetime.date(2026, 3, 25), datetime.date(2026, 3, 24)),
        ):
            SupervisionActionItem.objects.create(
                session=session, text="事项", owner=supervisor, due_on=due, done_on=done
            )
        # 12345 work orders: answered, late, returned, extended, and one the district has yet to place.
        for n in range(4):
            received = at(2026, 3, 2 + n, 9)
            store_work_order(
                district=district,
                station=station,
                received_at=received,
                signed_at=received + datetime.timedelta(hours=n),
                replied_at=received + datetime.timedelta(days=3) if n % 2 else None,
                return_reason="退回" if n == 3 else "",
                satisfaction="satisfied" if n == 1 else "",
                extended_by=user if n == 2 else None,
                extended_to=received + datetime.timedelta(days=20) if n == 2 else None,
            )
        store_work_order(district=district, received_at=at(2026, 3, 9, 9))


def _count(client, url, params=MARCH):
    # Counted with nothing cached: closed months' trend figures would otherwise come from the cache the
    # first request filled (tests/sws/test_dashboard_cache.py covers that).
    caches["dashboards"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "who,url_name",
    [("worker", "station"), ("district_user", "district"), ("city_user", "city")],
)
def test_query_count_does_not_grow_with_data(
    request, client, dataset, beichen, nankai, guoyuan, who, url_name
):
    user = request.getfixturevalue(who)
    args = {"station": [guoyuan.pk], "district": [beichen.pk], "city": []}[url_name]
    url = reverse(f"dashboards:{url_name}", args=args)
    client.force_login(user)
    small = _count(client, url)
    _grow(beichen, nankai)
    large = _count(client, url)
    assert small == large
    # 40; casework (six queries, and its district's station ids: one), supervision coverage, 12345 work
    # orders, last month's reports (2); the district's overdue rectifications (one); the rollup's extent
    assert large <= 57


@pytest.mark.parametrize("url_name,args", [("district-export", "district"), ("city-export", None)])
def test_export_query_count_does_not_grow_with_data(
    client, dataset, district_user, city_user, beichen, nankai, url_name, args
):
    user = district_user if args else city_user
    url = reverse(f"dashboards:{url_name}", args=[beichen.pk, "xlsx"] if args else ["xlsx"])
    client.force_login(user)
    small = _count(client, url)
    _grow(beichen, nankai)
    assert _count(client, url) == small
