"""The read replica's router (sws/db_router.py): which database a read goes to, and when it falls back.

SQLite has no replica, so these tests give the router the alias "replica" and a probe whose measurement is
scripted (the lag query is PostgreSQL's); every decision is the router's own. tests/replica runs the same
rules against a real streaming replica (`make replica-test`).
"""

import datetime
import json
import logging
import os
import subprocess
import sys

import pytest
from django.core.signing import get_cookie_signer
from django.db import DatabaseError, OperationalError, transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from freezegun import freeze_time

from residents.models import Request
from sws import db_router
from sws.db_router import (
    DOWN,
    LAGGING,
    OK,
    STICKY_COOKIE,
    STICKY_SALT,
    ReplicaProbe,
    ReplicaRouter,
    replica_reads,
)
from tests import factories as f

# Not in the test's own transaction: the router sends every read inside one to the primary.
pytestmark = pytest.mark.django_db(transaction=True, available_apps=f.installed_app_names())


class ScriptedProbe(ReplicaProbe):
    """The real probe (its cache, states and logging) with the measurement scripted: a lag or an error."""

    def __init__(self, lag=0.0):
        self.now = 1000.0
        super().__init__("replica", clock=lambda: self.now)
        self.next_lag = lag
        self.measured = 0

    def measure(self):
        self.measured += 1
        if isinstance(self.next_lag, Exception):
            raise self.next_lag
        return self.next_lag


@pytest.fixture
def probe(monkeypatch, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 5
    settings.REPLICA_CHECK_SECONDS = 3
    settings.READ_YOUR_WRITES_SECONDS = 10
    scripted = ScriptedProbe()
    monkeypatch.setattr(db_router, "_probe", scripted)  # the process's probe, as the decorator and readyz see
    return scripted


@pytest.fixture
def router(probe):
    return ReplicaRouter(replica="replica")


def read_db(router, method="GET", cookies=None):
    """The database the router picks for a read made inside a marked view, for this request."""
    chosen = []

    @replica_reads
    def view(request):
        chosen.append(router.db_for_read(Request))
        return HttpResponse()

    request = RequestFactory().generic(method, "/dashboards/city/")
    request.COOKIES.update(cookies or {})
    view(request)
    return chosen[0]


def sticky_cookie():
    return {STICKY_COOKIE: get_cookie_signer(salt=STICKY_COOKIE + STICKY_SALT).sign("1")}


def test_without_a_replica_the_router_has_no_opinion():
    # SQLite (and PostgreSQL without REPLICA_DATABASE_URL): the router Django made sees no replica.
    router = ReplicaRouter()
    assert router.replica is None
    assert read_db(router) is None
    assert router.db_for_write(Request) is None
    assert db_router.replica_probe() is None


def test_marked_pages_read_from_the_replica_everything_else_from_the_primary(router):
    assert read_db(router) == "replica"
    assert read_db(router, "HEAD") == "replica"
    assert router.db_for_read(Request) == "default"  # outside a marked view
    assert read_db(router, "POST") == "default"
    assert router.db_for_write(Request) == "default"


def test_reads_inside_a_transaction_go_to_the_primary(router):
    chosen = []

    @replica_reads
    def view(request):
        with transaction.atomic():
            chosen.append(router.db_for_read(Request))
        chosen.append(router.db_for_read(Request))
        return HttpResponse()

    view(RequestFactory().get("/"))
    assert chosen == ["default", "replica"]


def test_a_browser_that_just_wrote_reads_from_the_primary_for_the_window(router):
    start = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.UTC)
    with freeze_time(start):
        cookie = sticky_cookie()
        assert read_db(router, cookies=cookie) == "default"
    with freeze_time(start + datetime.timedelta(seconds=9)):
        assert read_db(router, cookies=cookie) == "default"
    with freeze_time(start + datetime.timedelta(seconds=11)):
        assert read_db(router, cookies=cookie) == "replica"
    # A cookie not signed by the app is ignored (it could only keep its own browser on the primary).
    assert read_db(router, cookies={STICKY_COOKIE: "1"}) == "replica"


def test_lag_over_the_limit_or_unknown_and_an_outage_fall_back_to_the_primary(router, probe):
    probe.next_lag = 5.0
    assert read_db(router) == "replica"  # at the limit
    probe.next_lag, probe.now = 5.5, probe.now + 3
    assert read_db(router) == "default"
    assert (probe.state, probe.lag) == (LAGGING, 5.5)
    probe.next_lag, probe.now = None, probe.now + 3  # WAL waits and nothing was ever replayed
    assert read_db(router) == "default"
    probe.next_lag, probe.now = OperationalError("connection refused"), probe.now + 3
    assert read_db(router) == "default"
    assert (probe.state, probe.lag, probe.error) == (DOWN, None, "OperationalError")
    probe.next_lag, probe.now = 0.0, probe.now + 3
    assert read_db(router) == "replica"


def test_the_probe_measures_at_most_once_per_interval_and_logs_each_change_once(probe, caplog):
    caplog.set_level(logging.INFO, logger="sws.db_router")
    for _ in range(5):
        assert probe.refresh() == OK
    assert probe.measured == 1
    probe.now += 2.9
    probe.next_lag = 60.0
    assert probe.refresh() == OK  # still cached
    probe.now += 0.2
    assert probe.refresh() == LAGGING
    probe.now += 3
    assert probe.refresh() == LAGGING  # measured again, same state: not logged again
    probe.next_lag, probe.now = DatabaseError("no route to host 10.0.0.7"), probe.now + 3
    assert probe.refresh() == DOWN
    probe.next_lag, probe.now = 0.0, probe.now + 3
    assert probe.refresh() == OK
    assert probe.measured == 5
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "replica: serving dashboard, report and export reads (lag 0.0 s)",
        "replica: lag 60.0 s over 5 s, reads from the primary",
        "replica: down (DatabaseError), reads from the primary",
        "replica: serving dashboard, report and export reads (lag 0.0 s)",
    ]
    assert "10.0.0.7" not in caplog.text  # the error's class only


def test_a_streamed_export_reads_its_rows_from_the_replica(router):
    chosen = []

    def rows():
        chosen.append(router.db_for_read(Request))  # runs while the body is sent, after the view returned
        yield b"a,b\n"

    response = replica_reads(lambda request: StreamingHttpResponse(rows()))(RequestFactory().get("/"))
    assert chosen == []
    assert b"".join(response.streaming_content) == b"a,b\n"
    assert chosen == ["replica"]
    assert router.db_for_read(Request) == "default"  # and nothing leaked out of the body's steps


def test_a_page_whose_replica_read_fails_is_served_from_the_primary(router, probe):
    calls = []

    @replica_reads
    def view(request):
        chosen = router.db_for_read(Request)
        calls.append(chosen)
        if chosen == "replica":
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse("from the primary")

    probe.refresh()  # cached as ok …
    probe.next_lag = OperationalError("connection refused")  # … and then the replica went away
    response = view(RequestFactory().get("/"))
    assert response.content == b"from the primary"
    assert calls == ["replica", "default"]
    assert probe.state == DOWN


def test_a_database_error_with_the_replica_up_is_not_hidden(router, probe):
    @replica_reads
    def view(request):
        raise OperationalError("the primary refused")

    with pytest.raises(OperationalError):
        view(RequestFactory().get("/"))
    assert probe.state == OK


def test_the_replica_is_never_migrated(router):
    assert router.allow_migrate("replica", "residents") is False
    assert router.allow_migrate("default", "residents") is None
    assert ReplicaRouter().allow_migrate("replica", "residents") is False


def test_a_non_safe_request_sets_the_signed_window_cookie(client, settings, worker):
    settings.READ_YOUR_WRITES_SECONDS = 10
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "sws.db_router.ReadYourWritesMiddleware"]
    client.force_login(worker)
    assert STICKY_COOKIE not in client.get(reverse("home")).cookies
    response = client.post(reverse("logout"))
    morsel = response.cookies[STICKY_COOKIE]
    assert morsel["max-age"] == 10 and morsel["httponly"] and morsel["samesite"] == "Lax"
    request = RequestFactory().get("/")
    request.COOKIES[STICKY_COOKIE] = morsel.value
    assert db_router.wrote_recently(request)


SETTINGS_PROBE = """
import json
from django.conf import settings
replica = settings.DATABASES.get("replica")
print(json.dumps({
    "replica": replica and {k: replica[k] for k in ("ENGINE", "HOST", "PORT", "NAME", "TEST", "OPTIONS")},
    "default_engine": settings.DATABASES["default"]["ENGINE"],
    "middleware": "sws.db_router.ReadYourWritesMiddleware" in settings.MIDDLEWARE,
}))
"""


def _settings_with(**variables):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REPLICA_"))}
    env.update(variables, DJANGO_SETTINGS_MODULE="sws.test_settings")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + SETTINGS_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_settings_define_the_replica_from_its_url_and_only_on_postgresql():
    plain = json.loads(_settings_with(DATABASE_URL="postgres://sws@db1:5432/sws").stdout)
    assert plain["replica"] is None and plain["middleware"] is False
    both = json.loads(
        _settings_with(
            DATABASE_URL="postgres://sws@db1:5432/sws", REPLICA_DATABASE_URL="postgres://sws@db2:5433/sws"
        ).stdout
    )
    replica = both["replica"]
    assert (replica["HOST"], replica["PORT"], replica["NAME"]) == ("db2", 5433, "sws")
    assert replica["ENGINE"] == both["default_engine"]  # the same (metrics-counting) backend
    assert replica["TEST"]["MIRROR"] == "default" and replica["OPTIONS"]["connect_timeout"] == 3
    assert both["middleware"] is True
    sqlite = _settings_with(DATABASE_URL="sqlite:///x.db", REPLICA_DATABASE_URL="postgres://sws@db2/sws")
    assert sqlite.returncode != 0 and "REPLICA_DATABASE_URL needs PostgreSQL" in sqlite.stderr


def test_readyz_reports_the_replica_but_stays_ready_without_it(client, probe):
    probe.next_lag = OperationalError("connection refused")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert body["checks"]["replica"] == {
        "ok": False,
        "state": "down",
        "lag_seconds": None,
        "max_lag_seconds": 5,
        "error": "OperationalError",
    }
    probe.next_lag, probe.now = 1.25, probe.now + 3
    assert client.get("/readyz").json()["checks"]["replica"] == {
        "ok": True,
        "state": "ok",
        "lag_seconds": 1.25,
        "max_lag_seconds": 5,
    }


def _views(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, pattern.namespace or namespace)  # no nested namespaces here
        elif isinstance(pattern, URLPattern):
            yield namespace, pattern.name, pattern.callback


def test_only_dashboards_reports_and_exports_are_marked_and_all_of_them_are():
    marked, unmarked = set(), set()
    for namespace, name, view in _views(get_resolver()):
        (marked if getattr(view, "replica_reads", False) else unmarked).add(f"{namespace}:{name}")
    # Everything that reads a dashboard, a report or a download; the monthly cycle's pages (forms that
    # submit and approve) and the indexes that only link are read from the primary.
    expected_marked = {
        "dashboards:station",
        "dashboards:station-export",
        "dashboards:district",
        "dashboards:district-export",
        "dashboards:city",
        "dashboards:city-export",
        "reports:index",
        "reports:station",
        "reports:station-xlsx",
        "reports:district",
        "reports:district-xlsx",
        "reports:city",
        "reports:city-xlsx",
        "exports:case-register",
        "exports:list",
        "five_forces:station",
        "five_forces:station-xlsx",
        "five_forces:district",
        "five_forces:district-xlsx",
        "five_forces:city",
        "five_forces:city-xlsx",
    }
    assert marked == expected_marked
    assert "reports:station-cycle" in unmarked and "reports:late-entry-decide" in unmarked
