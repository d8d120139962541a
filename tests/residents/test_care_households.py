"""Households (one at a time, moves dated) and dated support statuses (as of a date)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from residents import care
from residents.models import HouseholdMembership, SupportStatus
from residents.services import WorkflowError
from tests.residents.care_factories import status_type
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def household(worker, chaoyangli):
    return care.create_household(acting_user=worker, community=chaoyangli, address="3号楼2门301")


def test_a_move_ends_the_old_membership_the_day_before(worker, chaoyangli, resident, household):
    care.move_into_household(
        acting_user=worker, household=household, resident=resident, relation="head", on=D(2020, 1, 1)
    )
    other = care.create_household(acting_user=worker, community=chaoyangli, address="5号楼1门102")
    care.move_into_household(
        acting_user=worker, household=other, resident=resident, relation="parent", on=D(2025, 6, 1)
    )
    rows = list(
        HouseholdMembership.objects.filter(resident=resident)
        .order_by("start_date")
        .values_list("household", "start_date", "end_date")
    )
    assert rows == [(household.pk, D(2020, 1, 1), D(2025, 5, 31)), (other.pk, D(2025, 6, 1), None)]
    assert [m.resident for m in household.members_on(D(2024, 1, 1))] == [resident]
    assert list(household.members_on(D(2025, 6, 1))) == []
    assert other.lives_alone(D(2025, 6, 2))


def test_a_resident_is_in_one_household_at_a_time_in_the_database(resident, household, worker, chaoyangli):
    other = care.create_household(acting_user=worker, community=chaoyangli, address="5号楼1门102")
    HouseholdMembership.objects.create(
        household=household, resident=resident, relation="head", start_date=D(2020, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdMembership.objects.create(
            household=other, resident=resident, relation="head", start_date=D(2021, 1, 1)
        )


def test_moving_in_twice_and_moving_out_before_moving_in_are_refused(worker, resident, household):
    care.move_into_household(
        acting_user=worker, household=household, resident=resident, relation="head", on=D(2020, 1, 1)
    )
    with pytest.raises(WorkflowError, match="已是本户成员"):
        care.move_into_household(
            acting_user=worker, household=household, resident=resident, relation="head", on=D(2021, 1, 1)
        )
    with pytest.raises(WorkflowError, match="不能早于迁入日期"):
        care.move_out_of_household(acting_user=worker, resident=resident, on=D(2019, 1, 1))


def test_another_stations_worker_cannot_touch_the_household(other_worker, resident, household, tailaixili):
    with pytest.raises(WorkflowError):
        care.move_into_household(
            acting_user=other_worker,
            household=household,
            resident=resident,
            relation="head",
            on=D(2020, 1, 1),
        )
    with pytest.raises(WorkflowError):
        care.create_household(acting_user=other_worker, community=household.community, address="x")
    assert not HouseholdMembership.objects.exists()


def test_support_status_as_of_a_date(worker, resident, chaoyangli):
    dibao = status_type("dibao")
    status = care.record_support_status(
        acting_user=worker, resident=resident, kind=dibao, start_date=D(2023, 1, 1), source="civil_affairs"
    )
    care.end_support_status(acting_user=worker, status=status, end_date=D(2024, 12, 31))
    other = make_resident(chaoyangli, name="王建华")
    care.record_support_status(
        acting_user=worker, resident=other, kind=dibao, start_date=D(2024, 7, 1), source="import"
    )
    counts = {
        day: SupportStatus.objects.in_force(day).filter(kind=dibao).count()
        for day in (D(2022, 12, 31), D(2024, 12, 31), D(2025, 1, 1))
    }
    assert counts == {D(2022, 12, 31): 0, D(2024, 12, 31): 2, D(2025, 1, 1): 1}


def test_overlapping_status_and_missing_grade_are_refused(worker, resident):
    dibao = status_type("dibao")
    care.record_support_status(
        acting_user=worker, resident=resident, kind=dibao, start_date=D(2023, 1, 1), source="visit"
    )
    with pytest.raises(WorkflowError, match="已有“低保”记录"):
        care.record_support_status(
            acting_user=worker, resident=resident, kind=dibao, start_date=D(2024, 1, 1), source="visit"
        )
    with pytest.raises(Exception, match="需填写等级"):
        care.record_support_status(
            acting_user=worker,
            resident=resident,
            kind=status_type("disability"),
            start_date=D(2024, 1, 1),
            source="visit",
        )
    assert SupportStatus.objects.count() == 1
