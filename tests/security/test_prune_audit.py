"""prune_audit deletes audit records older than the retention period (at least 180 days), and only
those."""

import datetime
import io

import pytest
from auditlog.context import set_actor
from axes.models import AccessFailureLog, AccessLog
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from freezegun import freeze_time

from stations.audit import AccessedResident, AuditLogEntry, PersonalDataAccess, record_access
from tests.security.conftest import make_resident

NOW = datetime.datetime(2026, 9, 1, 12, 0, tzinfo=datetime.UTC)


def _records(worker, guoyuan, chaoyangli, days_ago, label):
    with freeze_time(NOW - datetime.timedelta(days=days_ago)):
        with set_actor(worker):
            guoyuan.address = label
            guoyuan.save()
        request = RequestFactory().get("/residents/")
        request.user = worker
        record_access(request, "view", residents=make_resident(chaoyangli, name=label))
        AccessLog.objects.create(username=label, attempt_time=NOW - datetime.timedelta(days=days_ago))
        AccessFailureLog.objects.create(username=label, attempt_time=NOW - datetime.timedelta(days=days_ago))


@pytest.fixture
def history(worker, guoyuan, chaoyangli):
    _records(worker, guoyuan, chaoyangli, 200, "old")
    _records(worker, guoyuan, chaoyangli, 179, "young")
    _records(worker, guoyuan, chaoyangli, 1, "recent")


def counts():
    return (
        AuditLogEntry.objects.filter(
            content_type__model="station", action=AuditLogEntry.Action.UPDATE
        ).count(),
        PersonalDataAccess.objects.count(),
        AccessedResident.objects.count(),
        AccessLog.objects.count(),
        AccessFailureLog.objects.count(),
    )


def run(*args):
    out = io.StringIO()
    with freeze_time(NOW):
        call_command("prune_audit", *args, stdout=out)
    return out.getvalue()


def test_deletes_only_records_older_than_180_days(history):
    assert counts() == (3, 3, 3, 3, 3)
    output = run()
    assert counts() == (2, 2, 2, 2, 2)
    assert "personal-data access: 1 to delete, 2 kept" in output
    assert "residents in them: 1 to delete, 2 kept" in output
    assert not PersonalDataAccess.objects.filter(residents__resident_id__isnull=True).exists()
    assert set(AccessLog.objects.values_list("username", flat=True)) == {"young", "recent"}
    station_changes = AuditLogEntry.objects.filter(content_type__model="station", action=1)
    assert {e.changes_dict["address"][1] for e in station_changes} == {"young", "recent"}
    # The run is in the trail: it is the one way records leave it.
    record = AuditLogEntry.objects.get(object_pk="prune_audit")
    assert record.changes["删除数据变更记录"] == ["", "2"] and record.changes["删除个人信息访问记录"] == [
        "",
        "1",
    ]
    assert record.changes["保留天数"] == ["", "180"]


def test_a_longer_retention_keeps_more(history):
    run("--days", "365")
    assert counts() == (3, 3, 3, 3, 3)


def test_dry_run_deletes_nothing_and_shows_counts(history):
    output = run("--dry-run")
    assert counts() == (3, 3, 3, 3, 3)
    assert "personal-data access: 1 to delete, 2 kept" in output
    assert "Dry run" in output
    assert not AuditLogEntry.objects.filter(object_pk="prune_audit").exists()


def test_refuses_a_retention_below_180_days(history):
    with pytest.raises(CommandError, match="180"):
        run("--days", "179")
    assert counts() == (3, 3, 3, 3, 3)
