"""record_access: every view, list, export and reveal of residents' personal data is recorded with
who, when, from which address, which residents and why."""

import pytest
from django.test import RequestFactory

from residents.models import Resident
from stations.audit import AccessedResident, PersonalDataAccess, record_access
from tests.security.conftest import make_resident


def http_request(user, **meta):
    request = RequestFactory().get("/residents/", **meta)
    request.user = user
    return request


def ids(access):
    return sorted(AccessedResident.objects.filter(access=access).values_list("resident_id", flat=True))


def test_a_profile_view(worker, chaoyangli):
    resident = make_resident(chaoyangli)
    access = record_access(http_request(worker, REMOTE_ADDR="10.1.1.9"), "view", residents=resident)
    access.refresh_from_db()
    assert (access.user, access.action, access.ip_address, access.resident_count) == (
        worker,
        "view",
        "10.1.1.9",
        1,
    )
    assert access.path == "/residents/"
    assert ids(access) == [resident.pk]


def test_a_list_page_records_the_residents_it_shows(worker, chaoyangli):
    shown = [make_resident(chaoyangli, name=f"居民{i}") for i in range(3)]
    access = record_access(http_request(worker), "list", residents=shown)
    assert access.resident_count == 3
    assert ids(access) == sorted(r.pk for r in shown)


def test_an_export_copies_the_ids_in_the_database(worker, chaoyangli, django_assert_num_queries):
    for i in range(5):
        make_resident(chaoyangli, name=f"居民{i}")
    queryset = Resident.objects.filter(community=chaoyangli).order_by("name")
    with django_assert_num_queries(5):  # savepoint, count, insert, insert … select, release
        access = record_access(http_request(worker), "export", residents=queryset)
    for i in range(40):
        make_resident(chaoyangli, name=f"更多{i}")
    with django_assert_num_queries(5):
        bigger = record_access(http_request(worker), "export", residents=queryset)
    assert access.resident_count == 5 and bigger.resident_count == 45
    assert PersonalDataAccess.objects.get(pk=bigger.pk).resident_count == 45
    assert ids(bigger) == sorted(queryset.values_list("pk", flat=True))


def test_a_sliced_queryset_and_ids_work_too(worker, chaoyangli):
    residents = [make_resident(chaoyangli, name=f"居民{i}") for i in range(4)]
    page = Resident.objects.order_by("pk")[:2]
    assert ids(record_access(http_request(worker), "list", residents=page)) == [r.pk for r in residents[:2]]
    assert ids(record_access(http_request(worker), "view", residents=residents[3].pk)) == [residents[3].pk]


def test_a_reveal_needs_a_reason(worker, chaoyangli):
    resident = make_resident(chaoyangli)
    with pytest.raises(ValueError, match="事由"):
        record_access(http_request(worker), "reveal", residents=resident, reason="  ")
    assert not PersonalDataAccess.objects.exists()
    access = record_access(http_request(worker), "reveal", residents=resident, reason="办理低保复核")
    assert access.reason == "办理低保复核"


def test_the_address_behind_our_proxy(worker, chaoyangli, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = http_request(worker, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.8.8.8")
    assert record_access(request, "view", residents=make_resident(chaoyangli)).ip_address == "10.8.8.8"


def test_a_forged_forwarded_for_is_not_recorded(worker, chaoyangli, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = http_request(worker, REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert record_access(request, "view", residents=make_resident(chaoyangli)).ip_address == "10.1.1.1"


def test_an_unknown_action_or_anonymous_user_is_refused(worker, chaoyangli, db):
    from django.contrib.auth.models import AnonymousUser

    resident = make_resident(chaoyangli)
    with pytest.raises(ValueError):
        record_access(http_request(worker), "print", residents=resident)
    with pytest.raises(ValueError):
        record_access(http_request(AnonymousUser()), "view", residents=resident)
