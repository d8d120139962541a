"""Login lockout: 5 failures within 15 minutes lock the username for 30 minutes; the answers are the
same for existing and unknown usernames; failures, locks and logins are recorded."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from freezegun import freeze_time

from sws.security.forms import INVALID_LOGIN
from sws.security.lockout import LOCKOUT_MESSAGE
from tests.security.conftest import PASSWORD, login, without_csrf

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def fail(client, username, times=1):
    for _ in range(times):
        response = login(client, username, "wrong-Password-1")
    return response


def at(minutes):
    return START + datetime.timedelta(minutes=minutes)


def test_a_wrong_password_shows_the_generic_message(client, worker):
    response = fail(client, worker.username)
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_unknown_user_and_wrong_password_get_the_same_page(client, worker):
    known = fail(client, worker.username)
    unknown = fail(client, "nobody-here")
    assert known.status_code == unknown.status_code == 200
    known_html = without_csrf(known.content.decode()).replace(worker.username, "USERNAME")
    unknown_html = without_csrf(unknown.content.decode()).replace("nobody-here", "USERNAME")
    assert known_html == unknown_html


def test_five_failures_lock_even_the_right_password(client, worker):
    with freeze_time(at(0)):
        responses = [fail(client, worker.username) for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429  # the fifth failure locks
    assert LOCKOUT_MESSAGE in responses[4].content.decode()
    with freeze_time(at(1)):
        response = login(client, worker.username, PASSWORD)
    assert response.status_code == 429
    assert LOCKOUT_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_the_same_for_an_unknown_username(client, worker):
    with freeze_time(at(0)):
        known = fail(client, worker.username, times=5)
        unknown = fail(client, "nobody-here", times=5)
    assert known.status_code == unknown.status_code == 429
    known_html = without_csrf(known.content.decode()).replace(worker.username, "USERNAME")
    unknown_html = without_csrf(unknown.content.decode()).replace("nobody-here", "USERNAME")
    assert known_html == unknown_html


def test_the_lock_ends_after_30_minutes(client, worker):
    with freeze_time(at(0)):
        fail(client, worker.username, times=5)
    with freeze_time(at(29)):
        assert login(client, worker.username, PASSWORD).status_code == 429
    with freeze_time(at(30) + datetime.timedelta(seconds=1)):
        response = login(client, worker.username, PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(worker.pk)


def test_attempts_during_the_lock_do_not_extend_it(client, worker):
    with freeze_time(at(0)):
        fail(client, worker.username, times=5)
    for minute in (10, 20, 29):
        with freeze_time(at(minute)):
            assert fail(client, worker.username).status_code == 429
    with freeze_time(at(31)):
        assert login(client, worker.username, PASSWORD).status_code == 302


def test_failures_spread_over_more_than_15_minutes_do_not_lock(client, worker):
    for minute in (0, 4, 8, 12, 16):  # never five within 15 minutes
        with freeze_time(at(minute)):
            assert fail(client, worker.username).status_code == 200
    with freeze_time(at(17)):
        assert login(client, worker.username, PASSWORD).status_code == 302


def test_five_failures_within_15_minutes_lock_at_the_fifth(client, worker):
    for minute in (0, 5, 10, 14):
        with freeze_time(at(minute)):
            assert fail(client, worker.username).status_code == 200
    with freeze_time(at(14) + datetime.timedelta(seconds=59)):
        assert fail(client, worker.username).status_code == 429


def test_a_sliding_window_counts_the_last_15_minutes(client, worker):
    # 0 falls out of the window by 16; 6, 10, 14, 16 and 17 are five within 15 minutes.
    for minute in (0, 6, 10, 14, 16):
        with freeze_time(at(minute)):
            assert fail(client, worker.username).status_code == 200
    with freeze_time(at(17)):
        assert fail(client, worker.username).status_code == 429


def test_a_successful_login_clears_earlier_failures(client, worker):
    with freeze_time(at(0)):
        fail(client, worker.username, times=4)
    with freeze_time(at(1)):
        assert login(client, worker.username, PASSWORD).status_code == 302
        client.post("/logout/")
    with freeze_time(at(2)):
        assert fail(client, worker.username).status_code == 200
        assert fail(client, worker.username, times=3).status_code == 200
        assert fail(client, worker.username).status_code == 429


def test_failures_locks_and_logins_are_recorded(client, worker):
    with freeze_time(at(0)):
        login(client, worker.username, PASSWORD, REMOTE_ADDR="10.1.2.3")
        client.post("/logout/")
    with freeze_time(at(1)):
        fail(client, worker.username, times=5)
    assert AccessLog.objects.filter(username=worker.username, ip_address="10.1.2.3").count() == 1
    failures = AccessFailureLog.objects.filter(username=worker.username).order_by("attempt_time", "pk")
    assert [f.locked_out for f in failures] == [False, False, False, False, True]
    assert AccessAttempt.objects.filter(username=worker.username).count() == 1


def test_deleting_the_lock_unlocks_at_once_and_keeps_the_failure_log(client, worker):
    with freeze_time(at(0)):
        fail(client, worker.username, times=5)
    AccessAttempt.objects.filter(username=worker.username).delete()
    with freeze_time(at(1)):
        assert login(client, worker.username, PASSWORD).status_code == 302
    assert AccessFailureLog.objects.filter(username=worker.username).count() == 5


def test_the_other_usernames_are_not_locked(client, worker, worker2):
    with freeze_time(at(0)):
        fail(client, worker.username, times=5)
        assert login(client, worker2.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_test_clients_login_and_force_login_still_work(client, worker):
    assert client.login(username=worker.username, password=PASSWORD)
    client.logout()
    client.force_login(worker)
    assert client.get("/account/two-factor/").status_code == 200
