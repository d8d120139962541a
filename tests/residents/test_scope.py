"""URL tampering: a worker of another station (same district or not) gets 404 for every resident and
request URL, GET and POST, htmx or not; nothing changes."""

import pytest
from django.urls import reverse

from residents.models import Referral, Request, Resident
from residents.views_requests import ACTIONS
from tests.factories import make_request


@pytest.fixture
def case(guoyuan, worker, resident):
    request = make_request(guoyuan, resident.community, user=worker, resident=resident, status="referred")
    referral = Referral.objects.create(request=request, organisation="司法所", reason="x", referred_by=worker)
    return request, referral


def _urls(resident, request, referral):
    get = [
        reverse("residents:resident-detail", args=[resident.pk]),
        reverse("residents:resident-edit", args=[resident.pk]),
        reverse("residents:request-detail", args=[request.pk]),
    ]
    post = [
        reverse("residents:resident-edit", args=[resident.pk]),
        reverse("residents:resident-reveal", args=[resident.pk]),
        reverse("residents:referral-outcome", args=[request.pk, referral.pk]),
    ] + [
        reverse(f"residents:request-{name.replace('_', '-')}", args=[request.pk])
        for name in ACTIONS
        if name != "referral_outcome"
    ]
    return get, post


FORGED = {
    "version": 1,
    "from": "queue",
    "severity": "severe",
    "urgency": "urgent",
    "reason": "篡改",
    "note": "篡改",
    "text": "篡改",
    "organisation": "篡改",
    "outcome": "done",
    "satisfaction": "satisfied",
    "kind": "other",
    "name": "篡改",
}


@pytest.mark.django_db
@pytest.mark.parametrize("outsider", ["other_worker", "far_worker"])
@pytest.mark.parametrize("htmx", [False, True])
def test_another_stations_worker_gets_404_everywhere(client, request, case, resident, outsider, htmx):
    req, referral = case
    user = request.getfixturevalue(outsider)
    client.force_login(user)
    headers = {"HX-Request": "true"} if htmx else {}
    get_urls, post_urls = _urls(resident, req, referral)
    for url in get_urls:
        assert client.get(url, headers=headers).status_code == 404, url
    for url in post_urls:
        assert client.post(url, {**FORGED, "assignee": user.pk}, headers=headers).status_code == 404, url
    req.refresh_from_db()
    resident.refresh_from_db()
    assert (req.version, req.status, req.events.count()) == (1, "referred", 1)
    assert (resident.version, resident.name) == (1, "张桂兰")
    assert Referral.objects.get().outcome == "pending"


@pytest.mark.django_db
def test_another_districts_centre_gets_404(client, other_district_user, case, resident):
    req, referral = case
    client.force_login(other_district_user)
    get_urls, _ = _urls(resident, req, referral)
    for url in get_urls[:1] + get_urls[2:]:
        assert client.get(url).status_code == 404, url


@pytest.mark.django_db
def test_intake_htmx_endpoints_do_not_leak_another_stations_data(client, other_worker, case, resident):
    req, _ = case
    client.force_login(other_worker)
    search = client.get(reverse("residents:resident-search"), {"q": "桂兰"}, headers={"HX-Request": "true"})
    assert f'value="{resident.pk}"' not in search.content.decode()
    duplicates = client.get(
        reverse("residents:intake-duplicates"),
        {"resident": resident.pk, "category": req.category_id},
        headers={"HX-Request": "true"},
    )
    assert req.reference not in duplicates.content.decode()
    # A forged resident in the intake form is refused like any invalid choice.
    response = client.post(
        reverse("residents:intake"),
        {
            "submission_token": "forged1",
            "mode": "existing",
            "resident": resident.pk,
            "channel": "walk_in",
            "category": req.category_id,
            "description": "伪造",
            "severity": "mild",
            "urgency": "urgent",
        },
    )
    assert response.status_code == 400 and "resident" in response.context["form"].errors
    assert Request.objects.count() == 1 and Resident.objects.count() == 1


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, case, resident):
    req, referral = case
    get_urls, post_urls = _urls(resident, req, referral)
    for url in get_urls + [reverse("residents:request-queue"), reverse("residents:resident-list")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url
    for url in post_urls:
        assert client.post(url, FORGED).status_code == 302
