"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit tables (and UPDATE on the case
records that are append-only), whatever SQL reaches it: a trigger on the table of every model built on
stations.audit.AppendOnlyModel. The retention prune and the one-off redaction switch it off for their own
transaction only, and record that they ran.

PostgreSQL-only by nature (SQLite has no such guard here; the ORM guard is tested in test_append_only)."""

import datetime
import io

import pytest
from auditlog.context import set_actor
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from freezegun import freeze_time

from projects.models import FundEntry, PlanEvent
from residents.models import ResidentEvent, TimelineEvent
from stations.audit import (
    AccessedResident,
    AppendOnlyModel,
    AuditLogEntry,
    PersonalDataAccess,
    append_only_guard_off,
    append_only_models,
    install_database_guards,
    record_access,
)
from tests.factories import make_request
from tests.residents.factories import make_resident

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger"),
]

AUDIT_TABLES = [AuditLogEntry, PersonalDataAccess, AccessedResident]
CASE_TABLES = [TimelineEvent, ResidentEvent, PlanEvent, FundEntry]


def raw(sql, params=()):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def table(model):
    return connection.ops.quote_name(model._meta.db_table)


@pytest.fixture
def recorded(worker, guoyuan, chaoyangli):
    with set_actor(worker):
        guoyuan.address = "北辰区果园新村街道1号"
        guoyuan.save()
    request = RequestFactory().get("/residents/")
    request.user = worker
    record_access(request, "view", residents=make_resident(chaoyangli))
    make_request(guoyuan, user=worker)


def test_every_append_only_model_is_guarded():
    """The list comes from the base class, so a model added on it later is covered by the next migrate."""
    models = set(append_only_models())
    assert set(AUDIT_TABLES + CASE_TABLES) <= models
    assert all(issubclass(model, AppendOnlyModel) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT event_object_table FROM information_schema.triggers WHERE trigger_name = %s",
            ["sws_append_only"],
        )
        guarded = {row[0] for row in cursor.fetchall()}
    assert guarded == {model._meta.db_table for model in models}
    assert set(install_database_guards()) == guarded  # idempotent


@pytest.mark.parametrize("model", AUDIT_TABLES, ids=lambda m: m.__name__)
def test_raw_update_and_delete_on_an_audit_table_fail(recorded, model):
    before = model.objects.count()
    assert before > 0
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"UPDATE {table(model)} SET id = id")
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"DELETE FROM {table(model)}")
    assert model.objects.count() == before


@pytest.mark.parametrize("model", CASE_TABLES, ids=lambda m: m.__name__)
def test_raw_update_on_a_case_record_table_fails(model):
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"UPDATE {table(model)} SET id = id")


def test_the_guard_is_off_only_inside_the_block(recorded):
    entry = AuditLogEntry.objects.first()
    with transaction.atomic():
        with append_only_guard_off(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table(AuditLogEntry)} SET remote_addr = NULL WHERE id = %s", [entry.pk])
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(f"UPDATE {table(AuditLogEntry)} SET remote_addr = NULL WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        raw(f"DELETE FROM {table(AuditLogEntry)}")


def test_an_exports_access_record_still_gets_its_count(worker, chaoyangli):
    from residents.models import Resident

    make_resident(chaoyangli)
    make_resident(chaoyangli, name="李四")
    request = RequestFactory().get("/exports/residents.csv")
    request.user = worker
    access = record_access(request, "export", residents=Resident.objects.all())
    assert PersonalDataAccess.objects.get(pk=access.pk).resident_count == 2


def test_the_retention_prune_still_works_and_is_recorded(worker, guoyuan, chaoyangli):
    now = datetime.datetime(2026, 9, 1, 12, 0, tzinfo=datetime.UTC)
    with freeze_time(now - datetime.timedelta(days=200)), set_actor(worker):
        guoyuan.address = "旧地址"
        guoyuan.save()
    with freeze_time(now):
        call_command("prune_audit", stdout=io.StringIO())
    assert not AuditLogEntry.objects.filter(
        content_type__model="station", action=AuditLogEntry.Action.UPDATE
    ).exists()
    run = AuditLogEntry.objects.get(object_pk="prune_audit")
    assert run.changes["删除数据变更记录"] == ["", "1"]
    with pytest.raises(DatabaseError, match="append-only"):  # and the guard is back on
        raw(f"DELETE FROM {table(AuditLogEntry)}")


def test_the_one_off_redaction_still_works(worker, chaoyangli):
    with set_actor(worker):
        resident = make_resident(chaoyangli, name="王秀英")
    entry = AuditLogEntry.objects.get(content_type__model="resident", object_id=resident.pk)
    with transaction.atomic(), append_only_guard_off(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table(AuditLogEntry)} SET object_repr = %s WHERE id = %s", ["王秀英", entry.pk]
        )
    call_command("redact_audit_history", stdout=io.StringIO())
    assert AuditLogEntry.objects.get(pk=entry.pk).object_repr == f"#{resident.pk}"
    assert AuditLogEntry.objects.filter(object_pk="redact_audit_history").count() == 1
