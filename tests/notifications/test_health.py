"""/health/jobs/: the backlog and the age of the oldest undelivered message, for admins and monitoring."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db
URL = "/health/jobs/"


def message(key, status="pending", age_seconds=0, next_in_seconds=0):
    now = timezone.now()
    return OutboxMessage.objects.create(
        key=key,
        channel="sms",
        address="13820135678",
        body="…",
        status=status,
        next_attempt_at=now + datetime.timedelta(seconds=next_in_seconds),
    ), OutboxMessage.objects.filter(key=key).update(created_at=now - datetime.timedelta(seconds=age_seconds))


def test_the_url_is_named():
    assert reverse("health-jobs") == URL


def test_it_reports_backlog_due_dead_and_the_oldest_age(client, admin_user):
    client.force_login(admin_user)
    with freeze_time(timezone.now()):
        message("a", age_seconds=120)
        message("b", age_seconds=30, next_in_seconds=600)  # backing off: in the backlog, not due
        message("c", status="dead", age_seconds=9999)
        message("d", status="sent", age_seconds=99999)
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "backlog": 2,
        "due": 1,
        "dead": 1,
        "oldest_undelivered_age_seconds": 120,
        "status": "ok",
    }


def test_an_empty_outbox_is_healthy(client, admin_user):
    client.force_login(admin_user)
    assert client.get(URL).json() == {
        "backlog": 0,
        "due": 0,
        "dead": 0,
        "oldest_undelivered_age_seconds": 0,
        "status": "ok",
    }


def test_a_message_waiting_over_a_quarter_hour_makes_it_503(client, admin_user):
    client.force_login(admin_user)
    message("a", age_seconds=15 * 60 + 5)
    response = client.get(URL)
    assert response.status_code == 503
    assert response.json()["status"] == "late"


def test_monitoring_reads_it_with_the_token(client, settings):
    settings.JOBS_HEALTH_TOKEN = "tok-123"
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer tok-123").status_code == 200
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer tok-1234").status_code == 403


def test_no_token_configured_means_no_token_is_accepted(client, settings):
    settings.JOBS_HEALTH_TOKEN = ""
    assert client.get(URL, HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.parametrize("person", ["worker", "district_user", "city_user"])
def test_other_people_are_refused(client, person, request):
    client.force_login(request.getfixturevalue(person))
    assert client.get(URL).status_code == 403


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/health/jobs/")


def test_it_only_reads(client, admin_user):
    client.force_login(admin_user)
    assert client.post(URL).status_code == 405


def test_one_query_whatever_the_backlog(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    for n in range(50):
        message(f"m{n}", age_seconds=n)
    with django_assert_max_num_queries(6):  # the session and the user, then one aggregate
        assert client.get(URL).status_code == 200
