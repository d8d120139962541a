"""The lockout under a burst: 40 simultaneous wrong passwords for one username check exactly 5, and a
right password sent while they are in flight does not log in (sws.security.lockout.LockoutBackend).

On PostgreSQL the threads really race (a barrier); SQLite allows one writer at a time, so there they
take turns, and the test checks the same outcome on both backends (the race itself only exists on
PostgreSQL, where this test proves the fix)."""

import threading
import time

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.db import connection
from django.test import Client

from stations.models import User
from tests.factories import installed_app_names
from tests.security.conftest import PASSWORD, login

BURST = 40
HASH_SECONDS = 0.05  # a production hasher's time per check (the test settings hash with MD5)


@pytest.mark.django_db(transaction=True, available_apps=installed_app_names())
def test_forty_concurrent_bad_logins_check_five_passwords_and_a_right_one_is_refused(worker, monkeypatch):
    checks = []
    counter = threading.Lock()
    original = User.check_password

    def counted_check(self, raw_password):
        with counter:
            checks.append(raw_password)
        time.sleep(HASH_SECONDS)
        return original(self, raw_password)

    monkeypatch.setattr(User, "check_password", counted_check)
    parallel = connection.vendor == "postgresql"
    barrier, turn = threading.Barrier(BURST), threading.Lock()
    results, right = [], []

    def attempt():
        try:
            barrier.wait(timeout=30)
            if parallel:
                results.append(login(Client(), worker.username, "wrong-Password-1").status_code)
            else:
                with turn:
                    results.append(login(Client(), worker.username, "wrong-Password-1").status_code)
        finally:
            connection.close()

    def right_password():
        try:
            deadline = time.monotonic() + 30
            while len(checks) < 5 and time.monotonic() < deadline:
                time.sleep(0.001)
            client = Client()
            if parallel:
                response = login(client, worker.username, PASSWORD)
            else:
                with turn:
                    response = login(client, worker.username, PASSWORD)
            right.append((response.status_code, client.session.get("_auth_user_id")))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(BURST)]
    threads.append(threading.Thread(target=right_password))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == BURST
    assert right == [(429, None)]  # the right password did not log in …
    assert PASSWORD not in checks  # … and was never even checked
    assert checks.count("wrong-Password-1") == 5
    assert sorted(results) == [200] * 4 + [429] * (BURST - 4)
    assert AccessFailureLog.objects.filter(username=worker.username).count() == 5
    assert AccessAttempt.objects.filter(username=worker.username).count() == 1
