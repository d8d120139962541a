"""The sws app's two historical migrations touch no other app's table: 0001 (once raw indexes on
residents_request) is a no-op, and 0002 still removes those raw indexes from a database that ran the
old 0001 but not 0002, by name, without naming the residents table. The indexes themselves are declared
by the residents app (Request.Meta.indexes, residents 0009/0010)."""

import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from residents.models import Request
from tests import factories as f

OLD_RAW = {
    "sws_request_station_resolved": "station_id, resolved_at",
    "sws_request_resolved": "resolved_at",
    "sws_request_station_closed": "station_id, closed_at",
    "sws_request_closed": "closed_at",
    "sws_request_open": "station_id, due_at, assignee_id",
}


def _indexes():
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, Request._meta.db_table))


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _migrate_to_latest():
    """Forward to the app's newest migration (the tables of the later ones, monthly reports and
    evaluations, must be back for the next test's flush)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes("sws"))


@pytest.mark.parametrize("name", ["0001_request_report_indexes", "0002_drop_raw_request_indexes"])
def test_the_sws_migrations_know_nothing_of_the_residents_app(name):
    migration = importlib.import_module(f"sws.migrations.{name}").Migration
    assert all(app == "sws" for app, _ in migration.dependencies)
    for operation in migration.operations:
        assert "residents" not in f"{operation.sql} {operation.reverse_sql}"


@pytest.mark.django_db(transaction=True, available_apps=f.installed_app_names())
def test_back_to_zero_and_forward_leaves_the_declared_indexes_alone():
    before = _indexes()
    try:
        _migrate(("sws", None))
        assert _indexes() == before
    finally:
        _migrate_to_latest()
    assert _indexes() == before
    assert not before & set(OLD_RAW)


@pytest.mark.django_db(transaction=True, available_apps=f.installed_app_names())
def test_a_database_that_ran_the_old_0001_loses_its_raw_indexes_in_0002():
    try:
        _migrate(("sws", "0001_request_report_indexes"))
        with connection.cursor() as cursor:  # what the old 0001 left behind
            for name, columns in OLD_RAW.items():
                cursor.execute(f"CREATE INDEX {name} ON {Request._meta.db_table} ({columns})")
        assert _indexes() >= set(OLD_RAW)
    finally:
        _migrate_to_latest()
    assert not _indexes() & set(OLD_RAW)
