"""The dashboards' request indexes live in Request.Meta.indexes (residents migrations 0009/0010); the raw
copies sws migration 0001 created are gone (sws 0002), and the partial conditions match the statuses the
queries use, so the planner can use them."""

import pytest
from django.db import connection

from residents.models import OPEN_STATUSES_VALUES, RESOLVED_STATUSES, Request
from sws.dashboards import queries

RAW = {
    "sws_request_station_resolved",
    "sws_request_resolved",
    "sws_request_station_closed",
    "sws_request_closed",
}
DECLARED = {
    "request_station_resolved_idx",
    "request_resolved_idx",
    "request_station_closed_idx",
    "request_closed_idx",
    "request_open_queue_idx",
}


@pytest.mark.django_db
def test_the_declared_indexes_exist_and_the_raw_ones_are_gone():
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, Request._meta.db_table))
    assert names >= DECLARED
    assert not names & (RAW | {"sws_request_open"})


def test_partial_conditions_match_the_statuses_queried():
    assert set(OPEN_STATUSES_VALUES) == {str(s) for s in Request.OPEN_STATUSES}
    assert set(RESOLVED_STATUSES) == {str(s) for s in queries.RESOLVED_STATUSES}
    conditions = {index.name: index.condition for index in Request._meta.indexes}
    assert conditions["request_open_queue_idx"].children == [("status__in", OPEN_STATUSES_VALUES)]
    assert conditions["request_resolved_idx"].children == [("status__in", RESOLVED_STATUSES)]
