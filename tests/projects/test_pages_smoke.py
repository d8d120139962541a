import pytest
from django.urls import reverse

LISTS = [
    "projects:project-list",
    "projects:activity-list",
    "projects:resource-list",
    "projects:partner-list",
    "projects:group-list",
    "projects:fund-list",
    "projects:plan-list",
    "projects:plan-pending",
]
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


@pytest.mark.parametrize("name", LISTS)
def test_lists_render(client, world, worker, name):
    client.force_login(worker)
    response = client.get(reverse(name))
    assert response.status_code == 200


@pytest.mark.parametrize("kind", DETAILS)
def test_details_render(client, world, worker, kind):
    client.force_login(worker)
    response = client.get(reverse(DETAILS[kind], args=[world["own"][kind].pk]))
    assert response.status_code == 200
