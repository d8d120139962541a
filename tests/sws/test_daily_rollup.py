"""The daily per-station rollup (sws/dashboards/rollup.py): the figures read from it equal the figures
counted straight from the base tables, for random periods (today included, a past month, periods across
a reopen and a late entry), after every write path that changes a counted day, and after the nightly step.

The truth is the same scope read with no rollup (`_live`): every day counted from the base tables, the
queries the dashboards ran before the rollup existed.
"""

import datetime
import random
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time

from casework.models import ServiceRecord
from residents import care
from residents.models import Request, Resident, Visit
from residents.services import requests as workflow
from residents.services.transfers import move_request
from stations.models import Station
from stations.services import set_served_streets
from sws.dashboards import queries as q
from sws.dashboards import rollup, visits
from sws.dashboards.figures import city_figures, district_figures, station_figures
from sws.dashboards.periods import Period
from sws.models import RollupState, StationDay
from tests.casework.factories import make_case
from tests.residents.care_factories import enrol
from tests.sws import factories as sf
from tests.sws.factories import at

TODAY = datetime.date(2026, 4, 10)  # the data set's frozen clock (tests/sws/conftest.py)
ROLLED = datetime.date(2026, 4, 8)  # two days before today
COMPARED = [*rollup.FIGURES, "sessions", "person_times", "avg_resolution"]


def _scopes(worker, district_user, city_user, guoyuan, beichen):
    return [
        (q.Scope(worker, station=guoyuan), "station"),
        (q.Scope(district_user, district=beichen), "station"),
        (q.Scope(city_user), "district"),
        (q.Scope(city_user), "station"),
    ]


def _live(scope):
    """The same scope, every day counted from the base tables."""
    live = q.Scope(scope.user, station=scope.station, district=scope.district)
    live.__dict__["rolled_through"] = None  # what the rollup-less dashboards read
    return live


def _value(station, day, name) -> int:
    """A figure of the rollup's row (a day left with nothing to count has no row: 0)."""
    row = StationDay.objects.filter(station=station, day=day).first()
    return getattr(row, name) if row else 0


def _fresh(scope):
    return q.Scope(scope.user, station=scope.station, district=scope.district)


def _close(a, b):
    if isinstance(a, datetime.timedelta) and isinstance(b, datetime.timedelta):
        return abs(a - b) <= datetime.timedelta(microseconds=1)  # a mean's rounding
    return a == b


def _same(scope, by, period):
    read = rollup.period_figures(_fresh(scope), period, by)
    truth = rollup.period_figures(_live(scope), period, by)
    assert set(read) == set(truth), period
    for group, figures in truth.items():
        for name in COMPARED:
            assert _close(read[group][name], figures[name]), (
                period,
                group,
                name,
                read[group][name],
                figures[name],
            )


def _visits(scope, by, period):
    """The care programme's visit counts by group, groups with none left out."""
    return {
        group: dict(values)
        for group, values in visits.visit_counts(scope, period, by).items()
        if any(values.values())
    }


def _periods(rng, count=25):
    """Random periods between November 2025 and today, plus the ones the pages offer."""
    first = datetime.date(2025, 11, 1)
    span = (TODAY - first).days
    periods = [
        Period.month(TODAY),
        Period.month(datetime.date(2026, 3, 1)),
        Period.quarter(TODAY),
        Period.year(TODAY),
        Period.custom(TODAY, TODAY),
        Period.custom(ROLLED, TODAY),
        Period.custom(datetime.date(2026, 2, 28), datetime.date(2026, 3, 1)),
    ]
    for _ in range(count):
        a = first + datetime.timedelta(days=rng.randrange(span + 1))
        b = a + datetime.timedelta(days=rng.randrange((TODAY - a).days + 1))
        periods.append(Period.custom(a, b))
    return periods


@pytest.fixture
def built(dataset):
    rollup.rebuild()
    return dataset


@pytest.fixture
def check(worker, district_user, city_user, guoyuan, beichen):
    def run(seed=7):
        rng = random.Random(seed)
        periods = _periods(rng)
        months = Period.month(TODAY).trend_months(14)
        for scope, by in _scopes(worker, district_user, city_user, guoyuan, beichen):
            for period in periods:
                _same(scope, by, period)
                assert _visits(_fresh(scope), by, period) == _visits(_live(scope), by, period), period
            # The 12-month trend (no cache): the rollup's days and the live days, month by month.
            assert rollup.request_months(_fresh(scope), months) == rollup.request_months(_live(scope), months)

    return run


def test_the_rollup_holds_the_days_up_to_two_before_today(built, guoyuan):
    assert rollup.rolled_through() == ROLLED
    march = StationDay.objects.filter(station=guoyuan, day__month=3, day__year=2026)
    assert sum(row.received for row in march) == 5  # r1, r3, r4, r6, r7 (conftest.py)
    assert sum(row.resolved for row in march) == 3  # r1, r2, r3; r7 was reopened
    assert sum((row.resolution_time for row in march), datetime.timedelta()) == datetime.timedelta(hours=84)
    assert sum(row.resources_total for row in march) == Decimal("1500.35")
    # r5, received at 00:00 on 1 April, is April's; nothing after 8 April is in the rollup.
    assert _value(guoyuan, datetime.date(2026, 4, 1), "received") == 1
    assert not StationDay.objects.filter(day__gt=ROLLED).exists()


def test_figures_from_the_rollup_equal_the_base_tables(built, check):
    check()


def test_the_pages_figures_are_unchanged(built, worker, district_user, city_user, guoyuan, beichen):
    march = Period.month(datetime.date(2026, 3, 1))
    # tests/sws/test_dashboard_figures.py and test_report_figures.py hold these figures by hand.
    figures = station_figures(q.Scope(worker, station=guoyuan), guoyuan, march, TODAY)
    assert (figures["received"], figures["received_previous"], figures["resolved"]) == (5, 1, 3)
    assert figures["avg_resolution"] == datetime.timedelta(hours=28)
    assert (figures["sessions"], figures["person_times"]) == (5, 100)
    district, _table = district_figures(district_user, beichen, march, TODAY)
    assert district["avg_resolution"] == datetime.timedelta(hours=24, minutes=48)
    city, _table = city_figures(city_user, march, TODAY)
    assert city["resources_total"] == Decimal("1800.35")


def test_a_past_period_reads_the_rollup_not_the_requests(built, city_user):
    march = Period.month(datetime.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as queries:
        figures = rollup.period_figures(q.Scope(city_user), march, "district")
    sql = " ".join(query["sql"] for query in queries)
    assert "sws_stationday" in sql
    for table in ("residents_request", "projects_activity", "projects_resource", "casework_servicerecord"):
        assert table not in sql
    live = rollup.period_figures(_live(q.Scope(city_user)), march, "district")
    assert (
        sum(row["received"] for row in figures.values()) == sum(row["received"] for row in live.values()) > 0
    )


# --- every write path ------------------------------------------------------------------------------------
def test_a_request_reopened_leaves_the_day_it_was_resolved(built, check, dataset, worker, guoyuan):
    r3 = Request.objects.get(pk=dataset.r3.pk)  # resolved 12 March, not followed up
    workflow.reopen_request(acting_user=worker, request=r3, reason="居民反映问题未解决")
    assert _value(guoyuan, datetime.date(2026, 3, 12), "resolved") == 0
    check()
    # …and resolved again today: today's figure, live.
    r3.refresh_from_db()
    workflow.resolve_request(acting_user=worker, request=r3, note="已修复")
    check()


def test_a_follow_up_and_a_withdrawal(built, check, dataset, worker):
    r3 = Request.objects.get(pk=dataset.r3.pk)
    workflow.follow_up_request(acting_user=worker, request=r3, satisfaction=Request.Satisfaction.FAIRLY)
    r6 = Request.objects.get(pk=dataset.r6.pk)
    workflow.withdraw_request(
        acting_user=worker, request=r6, kind=Request.CloseKind.RESIDENT, reason="居民已自行解决"
    )
    check()


def test_a_request_transferred_moves_its_past_days(built, check, dataset, worker, guoyuan, jixianli):
    r6 = Request.objects.get(pk=dataset.r6.pk)  # received 5 March at 果园新村
    community = jixianli.streets.first().communities.first()
    move_request(r6, r6.version, actor=worker, station=jixianli, community=community)
    assert _value(guoyuan, datetime.date(2026, 3, 5), "received") == 0
    assert _value(jixianli, datetime.date(2026, 3, 5), "received") == 1
    check()


def test_a_back_dated_request_and_a_deleted_one(built, check, guoyuan):
    late = sf.store_request(
        guoyuan,
        received_at=at(2026, 3, 18, 9),
        resolved_at=at(2026, 3, 19, 9),
        due_at=at(2026, 3, 20),
        status=Request.Status.RESOLVED,
    )
    check()
    Request.objects.filter(pk=late.pk).delete()
    check()


def test_late_entries_and_moved_dates_of_activities_resources_and_service_records(
    built, check, guoyuan, jixianli, worker, locked, permit
):
    activity = sf.make_activity(guoyuan, datetime.date(2026, 3, 25), sessions=4, person_times=44)
    resource = sf.make_resource(jixianli, datetime.date(2026, 1, 9), "88.80")
    check()
    activity.date = datetime.date(2026, 2, 2)
    activity.save()
    resource.station = guoyuan
    resource.partner = sf.make_partner(guoyuan)
    resource.save()
    check()
    case = make_case(guoyuan, sf.make_resident(guoyuan.streets.first().communities.first()), worker)
    record = ServiceRecord.objects.create(
        case=case,
        station=guoyuan,
        date=datetime.date(2026, 3, 3),
        form="phone",
        duration_minutes=20,
        content="电话回访",
        person_times=3,
        worker=worker,
    )
    check()
    activity.delete()
    record.delete()
    check()


def test_writes_dated_today_or_yesterday_do_not_touch_the_rollup(built, guoyuan):
    with CaptureQueriesContext(connection) as queries:
        rollup.touch({(guoyuan.pk, TODAY), (guoyuan.pk, TODAY - datetime.timedelta(days=1))})
    assert len(queries) == 0


def test_the_nightly_step_takes_in_the_next_days(
    built, check, guoyuan, worker, district_user, city_user, beichen
):
    sf.store_request(guoyuan, received_at=at(2026, 4, 9, 10), due_at=at(2026, 4, 20))  # yesterday: live
    with freeze_time("2026-04-12 04:00:00"):  # two days on
        assert rollup.roll_up() > 0
        assert rollup.rolled_through() == datetime.date(2026, 4, 10)
        assert _value(guoyuan, datetime.date(2026, 4, 9), "received") == 1
        assert rollup.roll_up() == 0  # nothing more until tomorrow
    check()


def test_no_rollup_counts_everything_live(dataset, check):
    assert rollup.rolled_through() is None
    check()  # both sides live: the reader needs no rollup to be right


def test_the_rebuild_command_and_the_nightly_job_agree(built, check):
    before = {(row.station_id, row.day): row.received for row in StationDay.objects.all()}
    RollupState.objects.update(rolled_through=datetime.date(2026, 3, 31))
    StationDay.objects.filter(day__gt=datetime.date(2026, 3, 31)).delete()
    rollup.roll_up()
    assert {(row.station_id, row.day): row.received for row in StationDay.objects.all()} == before
    check()


def test_the_district_dashboard_query_count_is_the_same_with_the_rollup(
    client, dataset, district_user, beichen
):
    from django.urls import reverse

    from tests.sws.conftest import MARCH

    client.force_login(district_user)
    url = reverse("dashboards:district", args=[beichen.pk])

    def count(params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        return len(queries)

    live_month, live_march = count({}), count(MARCH)
    rollup.rebuild()
    # This month: the rollup's days in one query, the last two days live as before; March: the rollup only.
    assert count({}) <= live_month + 1
    assert count(MARCH) < live_march
    assert Station.objects.count() == 3


# --- the care programme's visits --------------------------------------------------------------------------
@pytest.fixture
def visited(dataset, worker, guoyuan):
    """Two residents of 朝阳里 (果园新村) in the programme, visited in February, March and April (the last
    two days live), then the rollup built."""
    chaoyangli = guoyuan.streets.first().communities.get(code="120113001009")
    residents = [sf.make_resident(chaoyangli, name=name) for name in ("王淑芬", "李德顺")]
    for resident in residents:
        enrol(resident, worker, tier=2)
    seen, away = Visit.Outcome.SEEN, Visit.Outcome.NOBODY_HOME
    for resident, day, due, outcome in [
        (residents[0], datetime.date(2026, 2, 27), datetime.date(2026, 3, 1), seen),  # on time
        (residents[0], datetime.date(2026, 3, 2), datetime.date(2026, 3, 1), seen),  # late
        (residents[0], datetime.date(2026, 3, 20), None, away),
        (residents[1], datetime.date(2026, 3, 20), datetime.date(2026, 3, 25), seen),
        (residents[1], ROLLED, datetime.date(2026, 4, 20), seen),
        (residents[1], TODAY - datetime.timedelta(days=1), None, away),  # yesterday: live
        (residents[0], TODAY, datetime.date(2026, 4, 1), seen),  # today, late: live
    ]:
        Visit.objects.create(resident=resident, visited_on=day, due_on=due, outcome=outcome, visitor=worker)
    rollup.rebuild()
    return SimpleNamespace(residents=residents, chaoyangli=chaoyangli)


def test_visits_are_rolled_up_under_the_residents_station(visited, check, guoyuan):
    assert _value(guoyuan, datetime.date(2026, 3, 20), "visits_seen") == 1
    assert _value(guoyuan, datetime.date(2026, 3, 20), "visits_failed") == 1
    assert _value(guoyuan, datetime.date(2026, 3, 2), "visits_on_time") == 0  # seen a day after it was due
    assert _value(guoyuan, datetime.date(2026, 2, 27), "visits_on_time") == 1
    assert not StationDay.objects.filter(day__gt=ROLLED).exists()
    check()


def test_a_visit_recorded_late_recounts_its_day(visited, check, worker, guoyuan):
    resident = Resident.objects.get(pk=visited.residents[1].pk)
    late = datetime.date(2026, 3, 20)
    care.log_visit(acting_user=worker, resident=resident, visited_on=late, outcome=Visit.Outcome.SEEN)
    assert _value(guoyuan, datetime.date(2026, 3, 20), "visits_seen") == 2
    check()


def test_a_resident_moved_to_another_station_takes_their_visits_days(visited, check, guoyuan, jixianli):
    resident = Resident.objects.get(pk=visited.residents[0].pk)
    resident.community = jixianli.streets.first().communities.first()
    resident.save()
    assert _value(guoyuan, datetime.date(2026, 2, 27), "visits_seen") == 0
    assert _value(jixianli, datetime.date(2026, 2, 27), "visits_seen") == 1
    assert _value(jixianli, datetime.date(2026, 3, 20), "visits_failed") == 1
    assert _value(guoyuan, datetime.date(2026, 3, 20), "visits_seen") == 1  # the other resident's
    check()


def test_a_community_given_to_another_station_moves_its_residents_visits(visited, check, guoyuan, jixianli):
    chaoyangli = visited.chaoyangli
    chaoyangli.street = jixianli.streets.first()
    chaoyangli.save()
    assert _value(guoyuan, datetime.date(2026, 3, 20), "visits_seen") == 0
    assert _value(jixianli, datetime.date(2026, 3, 20), "visits_seen") == 1
    assert _value(jixianli, datetime.date(2026, 1, 5), "resources_total") == 0  # 果园新村's stays there
    assert _value(guoyuan, datetime.date(2026, 1, 5), "resources_total") == Decimal("10000.00")
    check()


def test_a_resident_deleted_takes_their_visits_out(visited, check, guoyuan):
    Resident.objects.filter(pk=visited.residents[1].pk).delete()
    assert _value(guoyuan, datetime.date(2026, 3, 20), "visits_seen") == 0
    check()


def test_the_visit_figures_of_a_past_month_read_no_visits(visited, city_user):
    march = Period.month(datetime.date(2026, 3, 1))
    with CaptureQueriesContext(connection) as queries:
        counted = visits.visit_counts(q.Scope(city_user), march, "district")
    assert "residents_visit" not in " ".join(query["sql"] for query in queries)
    assert sum(row["visits_seen"] for row in counted.values()) == 2
    assert sum(row["on_time"] for row in counted.values()) == 1


def test_streets_handed_to_another_station_take_their_residents_visits(
    visited, check, guoyuan, jixianli, worker
):
    street = visited.chaoyangli.street
    set_served_streets(jixianli, [*jixianli.streets.all(), street], acting_user=worker)
    assert _value(guoyuan, datetime.date(2026, 3, 20), "visits_seen") == 0
    assert _value(jixianli, datetime.date(2026, 3, 20), "visits_seen") == 1
    assert _value(guoyuan, datetime.date(2026, 1, 5), "resources_total") == Decimal("10000.00")  # stays
    check()
