"""The router against a real streaming replica (`make replica-test`: deploy/smoke/replica-test starts a
primary and a hot standby with deploy/smoke/pg-replica and runs these tests against them).

Each test writes on the primary and pauses, stops or delays the replica, then reads through the test
client: what a page shows says which database answered. A marked page is the requests' CSV export
(exports:list, streamed row by row); the queue is a page read from the primary.
"""

import contextlib
import csv
import io
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from sws import db_router
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
CLUSTER = os.environ.get("SWS_REPLICA_DIR", "")

pytestmark = [
    pytest.mark.replica,
    # Committed writes (the replica sees nothing of a test's open transaction), on both connections;
    # available_apps: the flush after each test truncates with CASCADE (the audit trail's references).
    pytest.mark.django_db(
        transaction=True, databases=["default", "replica"], available_apps=f.installed_app_names()
    ),
]


def sql(alias, query):
    with connections[alias].cursor() as cursor:
        cursor.execute(query)
        return cursor.fetchone()[0]


def wait_until_replayed():
    """Until the replica has replayed everything the primary has written so far."""
    target = sql("default", "SELECT pg_current_wal_lsn()::text")
    for _ in range(400):
        if sql("replica", f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay up to {target}")


@contextlib.contextmanager
def replay_paused():
    wait_until_replayed()
    sql("replica", "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        sql("replica", "SELECT pg_wal_replay_resume()")


def cluster(command):
    subprocess.run([ROOT / "deploy/smoke/pg-replica", command, CLUSTER], check=True, timeout=90)


@pytest.fixture(autouse=True)
def measured_every_time(settings, monkeypatch):
    assert CLUSTER, "run through `make replica-test` (SWS_REPLICA_DIR names the cluster)"
    assert connections["replica"].settings_dict["PORT"] != connections["default"].settings_dict["PORT"]
    # The tests change the replica's state between two requests: measure it at every routed read.
    settings.REPLICA_CHECK_SECONDS = 0
    settings.REPLICA_MAX_LAG_SECONDS = 30
    monkeypatch.setattr(db_router, "_probe", None)


@pytest.fixture
def station_worker(worker, chaoyangli):
    return worker


def export_references(client):
    response = client.get(reverse("exports:list", args=["requests", "csv"]))
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return {row["受理编号"]: row for row in csv.DictReader(io.StringIO(text))}


def queue_html(client):
    response = client.get(reverse("residents:request-queue"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_marked_page_reads_from_the_replica_and_a_normal_page_from_the_primary(
    client, station_worker, guoyuan
):
    before = f.make_request(guoyuan, user=station_worker)
    client.force_login(station_worker)  # not through a POST: no read-your-writes window
    with replay_paused():
        after = f.make_request(guoyuan, user=station_worker, description="写在主库、备库暂停回放时")
        assert sql("replica", "SELECT count(*) FROM residents_request") == 1  # the replica lags behind
        exported = export_references(client)
        assert before.reference in exported and after.reference not in exported
        assert after.reference in queue_html(client)  # the queue reads the primary
    wait_until_replayed()
    assert after.reference in export_references(client)


def test_after_a_post_the_writer_reads_their_write_from_the_primary(client, station_worker, guoyuan):
    req = f.make_request(guoyuan, user=station_worker, severity="mild", urgency="not_urgent")
    observer = type(client)()
    observer.force_login(station_worker)  # the same user in another browser, which wrote nothing
    client.force_login(station_worker)
    with replay_paused():
        response = client.post(
            reverse("residents:request-triage", args=[req.pk]),
            {"version": req.version, "severity": "severe", "urgency": "urgent"},
        )
        assert response.status_code in (200, 302)
        req.refresh_from_db()
        assert req.severity == "severe"
        assert "sws_primary" in response.cookies
        assert export_references(client)[req.reference]["轻重"] == req.get_severity_display()
        stale = export_references(observer)[req.reference]["轻重"]
        assert stale != req.get_severity_display()  # the other browser is served by the paused replica


def test_a_stopped_replica_leaves_every_page_answering_from_the_primary(
    client, station_worker, guoyuan, district_user, beichen
):
    f.make_request(guoyuan, user=station_worker)
    wait_until_replayed()
    client.force_login(station_worker)
    assert client.get(reverse("dashboards:station", args=[guoyuan.pk])).status_code == 200
    connections["replica"].close()
    cluster("stop-replica")
    try:
        written = f.make_request(guoyuan, user=station_worker)
        for url in (
            reverse("dashboards:station", args=[guoyuan.pk]),
            reverse("dashboards:station-export", args=[guoyuan.pk, "xlsx"]),
            reverse("residents:request-queue"),
        ):
            assert client.get(url).status_code == 200, url
        assert written.reference in export_references(client)  # from the primary
        assert db_router.replica_probe().state == db_router.DOWN
        ready = client.get("/readyz")
        assert ready.status_code == 200 and ready.json()["failed"] == []
        assert ready.json()["checks"]["replica"]["state"] == "down"
        # The same while the probe still believes the replica up (within REPLICA_CHECK_SECONDS): a page
        # fails on the replica, which is marked down, and is served again from the primary; a streamed
        # download measures the replica before its body.
        probe = db_router.replica_probe()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(type(probe), "refresh", _refresh_unless_forced)
            for check in (
                lambda: client.get(reverse("dashboards:station", args=[guoyuan.pk])).status_code == 200,
                lambda: written.reference in export_references(client),
            ):
                probe.state, probe._checked_at = db_router.OK, time.monotonic()
                assert check()
                assert probe.state == db_router.DOWN
    finally:
        connections["replica"].close()
        cluster("start-replica")
    wait_until_replayed()
    assert written.reference in export_references(client)
    assert db_router.replica_probe().state == db_router.OK


_measured_refresh = db_router.ReplicaProbe.refresh


def _refresh_unless_forced(self, force=False):
    # The cached "ok" of a probe that measured just before the outage.
    return _measured_refresh(self, force=True) if force else self.state


def test_replay_behind_the_limit_sends_reads_to_the_primary_and_an_idle_primary_is_no_lag(
    client, station_worker, guoyuan, settings
):
    settings.REPLICA_MAX_LAG_SECONDS = 1
    client.force_login(station_worker)
    f.make_request(guoyuan, user=station_worker)
    wait_until_replayed()
    time.sleep(1.5)  # nothing written for longer than the limit: caught up all the same
    assert db_router.replica_probe().refresh() == db_router.OK
    with replay_paused():
        written = f.make_request(guoyuan, user=station_worker)
        time.sleep(1.5)  # the primary's write waits on the replica for longer than the limit
        assert written.reference in export_references(client)  # read from the primary
        probe = db_router.replica_probe()
        assert probe.state == db_router.LAGGING and probe.lag > 1
        assert client.get("/readyz").json()["checks"]["replica"]["state"] == "lagging"
    wait_until_replayed()
    assert db_router.replica_probe().refresh() == db_router.OK
