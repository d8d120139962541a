"""Scope: a station edits its own; district centre staff read their district's; municipal staff read all;
everything else is a 404 (the same answer as for a missing record), wrong roles get 403 on create pages."""

import pytest
from django.urls import reverse

DETAILS = {
    "project": "projects:project-detail",
    "activity": "projects:activity-detail",
    "resource": "projects:resource-detail",
    "partner": "projects:partner-detail",
    "team": "projects:team-detail",
    "organisation": "projects:organisation-detail",
    "fund": "projects:fund-detail",
    "plan": "projects:plan-detail",
}
EDITS = {
    "project": "projects:project-edit",
    "activity": "projects:activity-edit",
    "resource": "projects:resource-edit",
    "partner": "projects:partner-edit",
    "team": "projects:team-edit",
    "organisation": "projects:organisation-edit",
    "fund": "projects:fund-edit",
    "plan": "projects:plan-edit",
}
CREATES = [
    "projects:project-create",
    "projects:activity-create",
    "projects:activity-bulk",
    "projects:resource-create",
    "projects:partner-create",
    "projects:team-create",
    "projects:organisation-create",
    "projects:fund-create",
    "projects:plan-create",
]
LISTS = [
    ("projects:project-list", "project"),
    ("projects:activity-list", "activity"),
    ("projects:resource-list", "resource"),
    ("projects:partner-list", "partner"),
    ("projects:fund-list", "fund"),
    ("projects:plan-list", "plan"),
]


@pytest.mark.parametrize("kind", DETAILS)
@pytest.mark.parametrize(
    "who, owner, status",
    [
        ("worker", "own", 200),
        ("worker", "neighbour", 404),  # another station of the same district
        ("worker", "far", 404),
        ("district_user", "own", 200),
        ("district_user", "neighbour", 200),
        ("district_user", "far", 404),  # another district
        ("other_district_user", "own", 404),
        ("city_user", "far", 200),
    ],
)
def test_detail_pages_are_scoped(client, world, request, kind, who, owner, status):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(DETAILS[kind], args=[world[owner][kind].pk]))
    assert response.status_code == status


@pytest.mark.parametrize("kind", EDITS)
@pytest.mark.parametrize(
    "who, owner, status",
    [
        ("worker", "own", 200),
        ("worker2", "own", 200),  # a colleague at the same station
        ("worker", "neighbour", 404),
        ("worker", "far", 404),
        ("district_user", "own", 404),  # district staff read, never edit
        ("city_user", "own", 404),
    ],
)
def test_edit_pages_are_for_the_owning_station_only(
    client, world, request, worker2, kind, who, owner, status
):
    client.force_login(request.getfixturevalue(who))
    url = reverse(EDITS[kind], args=[world[owner][kind].pk])
    assert client.get(url).status_code == status
    if status == 404:
        assert client.post(url, {"title": "改名", "name": "改名"}).status_code == 404


def test_district_staff_cannot_change_a_record_by_posting(client, world, district_user):
    project = world["own"]["project"]
    client.force_login(district_user)
    client.post(reverse("projects:project-edit", args=[project.pk]), {"title": "区里改的"})
    project.refresh_from_db()
    assert project.title != "区里改的"


@pytest.mark.parametrize("name", CREATES)
@pytest.mark.parametrize("who", ["district_user", "city_user"])
def test_create_pages_are_for_station_staff(client, world, request, name, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse(name), {}).status_code == 403


@pytest.mark.parametrize("name", CREATES)
def test_create_pages_work_for_station_staff(client, worker, name):
    client.force_login(worker)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name, kind", LISTS)
@pytest.mark.parametrize(
    "who, sees",
    [
        ("worker", {"own"}),
        ("district_user", {"own", "neighbour"}),
        ("other_district_user", {"far"}),
        ("city_user", {"own", "neighbour", "far"}),
    ],
)
def test_lists_show_only_what_is_in_scope(client, world, request, name, kind, who, sees):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse(name))
    shown = {
        obj.pk if not isinstance(obj, dict) else obj["plan"].pk
        for obj in response.context["page"].object_list
    }
    assert shown == {world[owner][kind].pk for owner in sees}


def test_group_list_is_scoped(client, world, district_user):
    client.force_login(district_user)
    response = client.get(reverse("projects:group-list"))
    teams = {t.pk for t in response.context["team_page"].object_list}
    organisations = {o.pk for o in response.context["organisation_page"].object_list}
    assert teams == {world["own"]["team"].pk, world["neighbour"]["team"].pk}
    assert organisations == {world["own"]["organisation"].pk, world["neighbour"]["organisation"].pk}


def test_a_station_filter_cannot_reach_outside_the_scope(client, world, district_user):
    """Forging ?station=<a station of another district> is refused by the filter, not honoured."""
    client.force_login(district_user)
    far = world["far"]["station"]
    response = client.get(reverse("projects:project-list"), {"station": far.pk})
    assert world["far"]["project"] not in response.context["page"].object_list
    assert response.context["filter"].errors


@pytest.mark.parametrize(
    "name, kind",
    [
        ("projects:project-resolve-requests", "project"),
        ("projects:fund-entry-create", "fund"),
        ("projects:plan-submit", "plan"),
    ],
)
def test_actions_on_another_stations_records_are_404(client, world, other_worker, name, kind):
    client.force_login(other_worker)
    response = client.post(
        reverse(name, args=[world["own"][kind].pk]),
        {"note": "x", "direction": "in", "amount": "1", "date": "2023-01-01", "channel": "residents"},
    )
    assert response.status_code == 404


def test_anonymous_users_are_sent_to_login(client, world):
    response = client.get(reverse("projects:project-detail", args=[world["own"]["project"].pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
