"""Plan progress is computed from recorded data, never typed: each actual equals what the data says."""

import datetime

from freezegun import freeze_time

from projects.models import Activity
from projects.progress import METRICS, plan_progress, progress_for_plans
from residents.models import Resident
from tests.projects import factories as pf

D = datetime.date


def _by_key(rows):
    return {row.key: row for row in rows}


def _record_year(station, community, other_community):
    """Data of 2023 that counts, plus data that must not count (another year, another station)."""
    pf.make_team(station, "针锋裁缝", founded_on=D(2022, 5, 1))
    pf.make_team(station, "爱心扫把", founded_on=D(2023, 12, 31))
    pf.make_team(station, "明年成立", founded_on=D(2024, 1, 1))  # not yet founded in 2023
    pf.make_organisation(station, "邻里串门", founded_on=D(2023, 2, 1))
    pf.make_activity(station, D(2023, 1, 1), sessions=3, person_times=40, communities=[community])
    pf.make_activity(station, D(2023, 12, 31), sessions=2, person_times=25)
    pf.make_activity(station, D(2023, 6, 1), sessions=4, person_times=60, for_community_workers=True)
    pf.make_activity(station, D(2022, 12, 31), sessions=9, person_times=900)  # last year
    pf.make_activity(station, D(2024, 1, 1), sessions=9, person_times=900)  # next year
    pf.make_project(station, "特色一", is_featured=True, start_date=D(2022, 3, 1), end_date=D(2023, 1, 1))
    pf.make_project(station, "特色二", is_featured=True, start_date=D(2023, 11, 1))
    pf.make_project(station, "普通项目", is_featured=False, start_date=D(2023, 3, 1))
    pf.make_project(station, "已结束", is_featured=True, start_date=D(2021, 1, 1), end_date=D(2022, 12, 31))
    with freeze_time("2023-05-01 09:00:00"):
        Resident.objects.create(name="张阿姨", community=community)
        Resident.objects.create(name="李大爷", community=community)


def test_plan_progress_equals_the_recorded_data(worker, chaoyangli, other_worker, tailaixili):
    station = worker.station
    _record_year(station, chaoyangli, tailaixili)
    # Another station's identical data must not leak into ours.
    _record_year(other_worker.station, tailaixili, chaoyangli)
    plan = pf.make_plan(
        station,
        2023,
        target_volunteer_teams=4,
        target_organisations=1,
        target_capacity_sessions=8,
        target_registered_residents=4,
        target_projects=2,
        target_activity_sessions=18,
        target_person_times=100,
    )
    rows = _by_key(plan_progress(plan))
    assert rows["volunteer_teams"].actual == 2
    assert rows["organisations"].actual == 1
    assert rows["capacity_sessions"].actual == 4
    assert rows["activity_sessions"].actual == 3 + 2 + 4
    assert rows["person_times"].actual == 40 + 25 + 60
    assert rows["projects"].actual == 2
    assert rows["registered_residents"].actual == 2
    assert rows["volunteer_teams"].percent == 50
    assert rows["organisations"].reached and rows["person_times"].reached
    assert rows["person_times"].percent == 125
    assert rows["person_times"].meter_value == 100  # the bar is full, not overflowing
    assert not rows["activity_sessions"].reached


def test_progress_follows_new_records(worker, chaoyangli):
    plan = pf.make_plan(worker.station, 2023, target_activity_sessions=5)
    assert _by_key(plan_progress(plan))["activity_sessions"].actual == 0
    pf.make_activity(worker.station, D(2023, 3, 3), sessions=5)
    row = _by_key(plan_progress(plan))["activity_sessions"]
    assert (row.actual, row.percent, row.reached) == (5, 100, True)


def test_residents_registered_after_the_year_do_not_count(worker, chaoyangli):
    with freeze_time("2023-06-01 10:00:00"):
        Resident.objects.create(name="早登记", community=chaoyangli)
    with freeze_time("2024-01-01 00:30:00+08:00"):
        Resident.objects.create(name="次年登记", community=chaoyangli)
    plan = pf.make_plan(worker.station, 2023)
    assert _by_key(plan_progress(plan))["registered_residents"].actual == 1


def test_a_target_left_empty_has_no_percent(worker):
    plan = pf.make_plan(worker.station, 2023)
    rows = plan_progress(plan)
    assert [r.key for r in rows] == [m.key for m in METRICS]
    assert all(r.target is None and r.percent is None and not r.reached for r in rows)


def test_progress_for_many_plans_matches_one_by_one_in_bounded_queries(
    worker, other_worker, far_worker, chaoyangli, tailaixili, hualinyuan, django_assert_max_num_queries
):
    plans = []
    for station, community in [
        (worker.station, chaoyangli),
        (other_worker.station, tailaixili),
        (far_worker.station, hualinyuan),
    ]:
        _record_year(station, community, community)
        plans.append(pf.make_plan(station, 2023, target_activity_sessions=10))
        plans.append(pf.make_plan(station, 2024, target_activity_sessions=10))
    Activity.objects.create(station=worker.station, date=D(2024, 5, 1), title="x", method="group", sessions=7)
    with django_assert_max_num_queries(
        12
    ):  # 6 per distinct year (casework's service records one), whatever the number of stations
        bulk = progress_for_plans(plans)
    for plan in plans:
        assert bulk[plan.pk] == plan_progress(plan)
    assert _by_key(bulk[plans[1].pk])["activity_sessions"].actual == 9 + 7
