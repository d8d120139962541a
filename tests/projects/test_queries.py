"""Every list and detail page answers in a bounded number of queries, the same for small and larger data."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from tests.factories import make_request
from tests.projects import factories as pf

D = datetime.date
PAGES = [
    ("projects:project-list", None),
    ("projects:activity-list", None),
    ("projects:resource-list", None),
    ("projects:partner-list", None),
    ("projects:group-list", None),
    ("projects:fund-list", None),
    ("projects:plan-list", None),
    ("projects:plan-pending", None),
    ("projects:project-detail", "project"),
    ("projects:activity-detail", "activity"),
    ("projects:resource-detail", "resource"),
    ("projects:partner-detail", "partner"),
    ("projects:team-detail", "team"),
    ("projects:organisation-detail", "organisation"),
    ("projects:fund-detail", "fund"),
    ("projects:plan-detail", "plan"),
    ("projects:project-edit", "project"),
    ("projects:activity-edit", "activity"),
    ("projects:plan-edit", "plan"),
    ("projects:project-create", None),
    ("projects:activity-create", None),
    ("projects:activity-bulk", None),
    ("projects:resource-create", None),
]
MAX_QUERIES = 30  # session, user, messages, page data: far below, but fixed whatever the data size


def _grow(station, communities, n, tag):
    """n more of everything, each with its many-to-many rows, all hanging off the first project."""
    project = pf.make_project(station, f"项目{tag}", communities=communities)
    fund = pf.make_fund(station, f"基金{tag}")
    for i in range(n):
        p = pf.make_project(station, f"项目{tag}-{i}", communities=communities)
        p.requests.set([make_request(station, communities[0], description=f"诉求{tag}-{i}")])
        pf.make_activity(station, project=project, communities=communities, title=f"活动{tag}-{i}")
        partner = pf.make_partner(station, f"单位{tag}-{i}")
        pf.make_resource(station, "10.00", partner=partner, project=project)
        pf.make_resource(station, "5.00", partner=partner)
        pf.make_team(station, f"队{tag}-{i}").communities.set(communities)
        pf.make_organisation(station, f"组织{tag}-{i}").communities.set(communities)
        pf.make_entry(fund, "30.00", day=D(2023, 1, 1) + datetime.timedelta(days=i))
        pf.make_entry(fund, "10.00", "out", day=D(2023, 1, 1) + datetime.timedelta(days=i))
        pf.make_fund(station, f"基金{tag}-{i}")
        project.requests.add(make_request(station, communities[0], description=f"项目诉求{tag}-{i}"))


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["worker", "district_user", "city_user"])
def test_query_counts_do_not_grow_with_the_data(client, request, world, worker, district_user, who):
    user = request.getfixturevalue(who)
    own = world["own"]
    station, communities = own["station"], [own["community"]]
    # The plan page shows the review form to the district: make the plan pending.
    services.submit_plan(acting_user=worker, plan=own["plan"])
    pages = [
        (name, kind)
        for name, kind in PAGES
        if who == "worker" or not (name.endswith(("-edit", "-create", "-bulk")))
    ]

    def urls():
        for name, kind in pages:
            yield reverse(name, args=[own[kind].pk] if kind else [])

    if who == "worker":
        own["plan"].status = "draft"
        own["plan"].save(update_fields=["status"])
    client.force_login(user)
    # The reviewers' menu count of plans waiting is cached until a plan changes: read it before counting.
    warm_up = next(urls())
    client.get(warm_up)
    small = {url: _count(client, url) for url in urls()}
    _grow(station, communities, 30, "A")
    _grow(world["neighbour"]["station"], [world["neighbour"]["community"]], 30, "B")
    client.get(warm_up)
    large = {url: _count(client, url) for url in urls()}
    for url in small:
        assert large[url] == small[url], f"{url}: {small[url]} → {large[url]} queries"
        assert large[url] <= MAX_QUERIES, f"{url}: {large[url]} queries"


def test_list_pages_with_many_rows_stay_within_the_bound(
    client, worker, chaoyangli, django_assert_max_num_queries
):
    _grow(worker.station, [chaoyangli], 40, "C")
    pf.make_plan(worker.station, 2023)
    client.force_login(worker)
    for name, kind in PAGES:
        if kind is None:
            with django_assert_max_num_queries(MAX_QUERIES):
                assert client.get(reverse(name)).status_code == 200


def test_bulk_entry_page_costs_the_same_for_10_or_60_rows(client, world, worker):
    client.force_login(worker)
    url = reverse("projects:activity-bulk")
    assert _count(client, f"{url}?rows=10") == _count(client, f"{url}?rows=60")
