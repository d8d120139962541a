"""A service record shows up in the casework statistics exactly once: as one casework (个案) session with its
person-times on the dashboards, in the monthly reports (figures and the 个案 method row), in the charts and
in the annual plan's progress, without anyone typing an activity; and never counted twice."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from casework import services
from casework.models import Case, ServiceRecord
from projects.models import Activity
from projects.progress import plan_progress
from sws.dashboards import figures as f
from sws.dashboards import queries as q
from sws.dashboards.periods import Period
from sws.reports import builders
from tests.casework.closing import case_at
from tests.casework.factories import make_supervisor
from tests.sws import factories as sf

pytestmark = pytest.mark.django_db
MARCH = Period.month(datetime.date(2026, 3, 1))


@pytest.fixture
def work(guoyuan, chaoyangli, worker2):
    """March 2026 at 果园新村: a group activity (3 sessions, 30 person-times), a casework activity someone
    did type (2, 10), and two service records (1 session each, 2 and 1 person-times); one more in April."""
    sf.make_activity(guoyuan, datetime.date(2026, 3, 4), sessions=3, person_times=30)
    sf.make_activity(
        guoyuan, datetime.date(2026, 3, 6), sessions=2, person_times=10, method=Activity.Method.CASEWORK
    )
    case = case_at(guoyuan, chaoyangli, worker2, stage=Case.Stage.INTERVENTION)
    Case.objects.filter(pk=case.pk).update(opened_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))
    case.refresh_from_db()
    with freeze_time("2026-04-02 10:00"):
        for day, people in (
            (datetime.date(2026, 3, 5), 2),
            (datetime.date(2026, 3, 10), 1),
            (datetime.date(2026, 4, 1), 4),
        ):
            services.record_service(
                acting_user=worker2,
                case=case,
                date=day,
                form=ServiceRecord.Form.HOME_VISIT,
                duration_minutes=45,
                content="家访",
                person_times=people,
            )
    return case


def test_station_dashboard_counts_each_record_once(client, work, guoyuan, worker):
    figures = f.station_figures(
        q.Scope(worker, station=guoyuan), guoyuan, MARCH, today=datetime.date(2026, 4, 2)
    )
    assert (figures["sessions"], figures["person_times"]) == (3 + 2 + 2, 30 + 10 + 3)
    assert figures["activities"] == 2  # records are sessions, not typed activities
    assert (figures["casework_sessions"], figures["casework_person_times"]) == (2, 3)
    client.force_login(worker)
    with freeze_time("2026-03-20 10:00"):
        response = client.get(reverse("dashboards:station", args=[guoyuan.pk]))
    assert response.status_code == 200
    assert (response.context["figures"]["sessions"], response.context["figures"]["person_times"]) == (7, 43)


def test_district_and_city_figures_count_each_record_once(work, district_user, city_user, beichen):
    figures, table = f.district_figures(district_user, beichen, MARCH, today=datetime.date(2026, 4, 2))
    assert (figures["sessions"], figures["person_times"]) == (7, 43)
    guoyuan_row = next(row for row in table.rows if row.key == work.station_id)
    assert (guoyuan_row.figures["sessions"], guoyuan_row.figures["person_times"]) == (7, 43)
    # The municipal centre reads no case record, but it sees the counts.
    city, _table = f.city_figures(city_user, MARCH, today=datetime.date(2026, 4, 2))
    assert (city["sessions"], city["person_times"]) == (7, 43)


def test_monthly_reports_count_each_record_once(work, guoyuan, beichen, worker, district_user, city_user):
    today = datetime.date(2026, 4, 2)
    for report in (
        builders.station_report(worker, guoyuan, 2026, 3, today=today),
        builders.district_report(district_user, beichen, 2026, 3, today=today),
        builders.city_report(city_user, 2026, 3, today=today),
    ):
        assert (report.figures["sessions"], report.figures["person_times"]) == (7, 43), report.title
        methods = {row["label"]: row for row in report.methods}
        # The 个案 row: the typed casework activity and the two records; group work untouched.
        assert (
            methods["个案"]["activities"],
            methods["个案"]["sessions"],
            methods["个案"]["person_times"],
        ) == (1, 4, 13)
        assert (methods["小组"]["sessions"], methods["小组"]["person_times"]) == (3, 30)
        assert sum(row["sessions"] for row in report.methods) == report.figures["sessions"]


def test_charts_count_each_record_once(work, guoyuan, worker):
    months = [datetime.date(2026, 3, 1), datetime.date(2026, 4, 1)]
    rows = q.monthly_activities(q.Scope(worker, station=guoyuan), months, today=datetime.date(2026, 4, 2))
    assert [(m["sessions"], m["person_times"]) for m in rows] == [(7, 43), (1, 4)]


def test_plan_progress_counts_each_record_once(work, guoyuan):
    plan = sf.make_plan(guoyuan, 2026, target_activity_sessions=20, target_person_times=100)
    rows = {row.key: row for row in plan_progress(plan)}
    # The year: both activities and all three records (March and April).
    assert rows["activity_sessions"].actual == 3 + 2 + 3
    assert rows["person_times"].actual == 30 + 10 + 7


def test_only_the_scopes_records_are_counted(work, jixianli, other_worker, far_worker, guangkai):
    figures = f.station_figures(
        q.Scope(other_worker, station=jixianli), jixianli, MARCH, today=datetime.date(2026, 4, 2)
    )
    assert (figures["sessions"], figures["person_times"]) == (0, 0)
    far = f.station_figures(
        q.Scope(far_worker, station=guangkai), guangkai, MARCH, today=datetime.date(2026, 4, 2)
    )
    assert far["sessions"] == 0


def test_a_supervisor_sees_the_same_counts(work, district_user, beichen):
    supervisor = make_supervisor(district_user)
    figures, _table = f.district_figures(supervisor, beichen, MARCH, today=datetime.date(2026, 4, 2))
    assert (figures["sessions"], figures["person_times"]) == (7, 43)
