"""Session lifetime: 30 idle minutes end a session, and so do 12 hours since login however busy."""

import datetime

from django.urls import reverse
from freezegun import freeze_time

from tests.security.conftest import PASSWORD, login

START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
PAGE = "/account/two-factor/"  # any page that needs login and answers 200 to every role


def at(minutes):
    return START + datetime.timedelta(minutes=minutes)


def test_activity_keeps_the_session_alive(client, worker):
    with freeze_time(at(0)):
        assert login(client, worker.username).status_code == 302
    for minute in (29, 58, 87):  # each request within 30 minutes of the previous one
        with freeze_time(at(minute)):
            assert client.get(PAGE).status_code == 200


def test_30_idle_minutes_end_the_session(client, worker):
    with freeze_time(at(0)):
        login(client, worker.username)
        assert client.get(PAGE).status_code == 200
    with freeze_time(at(30) + datetime.timedelta(seconds=1)):
        response = client.get(PAGE)
        assert response.status_code == 302
        assert response.url.startswith("/login/?next=")
        assert "_auth_user_id" not in client.session
        page = client.get(response.url).content.decode()
    assert "30分钟未操作" in page


def test_idle_timeout_also_for_force_login(client, worker):
    with freeze_time(at(0)):
        client.force_login(worker)
        assert client.get(PAGE).status_code == 200
    with freeze_time(at(31)):
        assert client.get(PAGE).status_code == 302


def test_the_absolute_lifetime_ends_a_busy_session_after_12_hours(client, worker):
    with freeze_time(at(0)):
        login(client, worker.username)
    minute = 0
    while minute < 12 * 60 - 20:
        minute += 20
        with freeze_time(at(minute)):
            assert client.get(PAGE).status_code == 200, minute
    with freeze_time(at(12 * 60)):
        response = client.get(PAGE)
        assert response.status_code == 302
        page = client.get(response.url).content.decode()
    assert "登录已超过12小时" in page


def test_logging_in_again_restarts_the_absolute_lifetime(client, worker):
    with freeze_time(at(0)):
        login(client, worker.username)
    with freeze_time(at(11 * 60)):
        client.post("/logout/")
        login(client, worker.username, PASSWORD)
    for minute in (11 * 60 + 25, 11 * 60 + 50, 12 * 60 + 10):  # past 12 hours since the first login
        with freeze_time(at(minute)):
            assert client.get(PAGE).status_code == 200


def test_htmx_requests_are_told_to_load_the_login_page(client, worker):
    with freeze_time(at(0)):
        client.force_login(worker)
        client.get(PAGE)
    with freeze_time(at(30) + datetime.timedelta(seconds=30)):
        response = client.get(PAGE, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/"


def test_the_inbox_badges_poll_does_not_keep_an_idle_session_alive(client, worker):
    """An open tab polls the unread count every minute; that is not someone at the screen."""
    badge = reverse("notifications:badge")
    with freeze_time(at(0)):
        client.force_login(worker)
        assert client.get(PAGE).status_code == 200
    for minute in (5, 15, 25):
        with freeze_time(at(minute)):
            assert client.get(badge, HTTP_HX_REQUEST="true").status_code == 200
    with freeze_time(at(30) + datetime.timedelta(seconds=1)):
        response = client.get(badge, HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/login/"
    assert "_auth_user_id" not in client.session


def test_htmx_after_logging_out_loads_the_login_page_not_into_the_fragment(client, worker):
    """Logged out elsewhere (another tab): the badge's next poll must not swap the login page into the top
    bar, but load it."""
    client.force_login(worker)
    client.logout()
    response = client.get(reverse("notifications:badge"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/login/"
    # Without htmx, login_required's ordinary redirect with ?next=.
    assert client.get(reverse("notifications:badge")).status_code == 302


def test_the_session_cookie_ends_with_the_browser(client, worker):
    response = login(client, worker.username)
    cookie = response.cookies["sessionid"]
    assert cookie["max-age"] == "" and cookie["expires"] == ""
    assert cookie["httponly"]
