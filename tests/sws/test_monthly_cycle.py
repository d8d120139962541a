"""The monthly report cycle: submit, approve, return, lock; who may take each step; the district waits for
its stations; the snapshot stays what was approved. Clock frozen at 2026-04-10 (tests/sws/conftest.py);
the month reported is March 2026."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from notifications.events import Event
from notifications.inbox import Notification
from stations.append_only import AppendOnlyError
from stations.models import LockedMonth
from sws.models import MonthlyReport, ReportDecision
from sws.reports import cycle, snapshots
from tests.sws import factories as sf
from tests.sws.factories import at

MARCH = datetime.date(2026, 3, 1)
pytestmark = pytest.mark.django_db


def station_report(station, month=MARCH):
    return cycle.report_for(month=month, station=station)


def approve_station(station, head, district_user, month=MARCH):
    report = cycle.submit_report(acting_user=head, report=station_report(station, month), highlights="亮点")
    return cycle.approve_report(acting_user=district_user, report=report, version=report.version)


def test_station_head_submits_and_district_approves(frozen, worker, guoyuan, district_user):
    sf.store_request(guoyuan, received_at=at(2026, 3, 5))
    report = cycle.submit_report(
        acting_user=worker, report=station_report(guoyuan), highlights="开展重阳节活动", problems="人手不足"
    )
    assert report.status == MonthlyReport.Status.SUBMITTED
    assert report.snapshot["figures"]["received"] == 1
    assert Notification.objects.filter(recipient=district_user, event=Event.REPORT_SUBMITTED).exists()
    report = cycle.approve_report(
        acting_user=district_user, report=report, comment="同意", version=report.version
    )
    assert report.status == MonthlyReport.Status.APPROVED
    assert LockedMonth.objects.filter(station=guoyuan, month=MARCH).exists()
    assert Notification.objects.filter(recipient=worker, event=Event.REPORT_APPROVED).exists()
    trail = list(report.decisions.values_list("action", "actor_name", "comment"))
    assert trail == [("submitted", "徐芃泽", ""), ("approved", "北辰区指导中心", "同意")]


def test_return_needs_a_comment_and_reopens_the_report(frozen, worker, guoyuan, district_user):
    report = cycle.submit_report(acting_user=worker, report=station_report(guoyuan))
    with pytest.raises(ValidationError):
        cycle.return_report(acting_user=district_user, report=report, comment=" ", version=report.version)
    report = cycle.return_report(
        acting_user=district_user, report=report, comment="请补充亮点", version=report.version
    )
    assert report.status == MonthlyReport.Status.RETURNED and report.snapshot is None
    assert not LockedMonth.objects.exists()
    assert Notification.objects.filter(recipient=worker, event=Event.REPORT_RETURNED).exists()
    report = cycle.submit_report(
        acting_user=worker, report=report, highlights="已补充", version=report.version
    )
    assert report.status == MonthlyReport.Status.SUBMITTED
    assert [d.action for d in report.decisions.all()] == ["submitted", "returned", "submitted"]


def test_a_month_not_over_cannot_be_submitted(frozen, worker, guoyuan):
    with pytest.raises(ValidationError, match="本月尚未结束"):
        cycle.submit_report(acting_user=worker, report=station_report(guoyuan, datetime.date(2026, 4, 1)))


def test_submitting_twice_and_approving_a_draft_are_refused(frozen, worker, guoyuan, district_user):
    report = cycle.submit_report(acting_user=worker, report=station_report(guoyuan))
    with pytest.raises(ValidationError):
        cycle.submit_report(acting_user=worker, report=report, version=report.version)
    draft = station_report(guoyuan, datetime.date(2026, 2, 1))
    with pytest.raises(ValidationError):
        cycle.approve_report(acting_user=district_user, report=draft)


def test_a_stale_version_is_refused(frozen, worker, guoyuan, district_user):
    report = cycle.submit_report(acting_user=worker, report=station_report(guoyuan))
    stale = report.version - 1
    with pytest.raises(ValidationError):
        cycle.approve_report(acting_user=district_user, report=report, version=stale)
    assert MonthlyReport.objects.get().status == MonthlyReport.Status.SUBMITTED


@pytest.mark.parametrize(
    "who",
    [
        "worker2",
        "other_worker",
        "far_worker",
        "district_user",
        "other_district_user",
        "city_user",
        "admin_user",
    ],
)
def test_only_the_station_head_submits(frozen, request, guoyuan, worker, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        cycle.submit_report(acting_user=user, report=station_report(guoyuan))
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("who", ["worker", "worker2", "other_worker", "other_district_user", "city_user"])
def test_only_the_district_centre_of_the_station_approves_or_returns(frozen, request, guoyuan, worker, who):
    report = cycle.submit_report(acting_user=worker, report=station_report(guoyuan))
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        cycle.approve_report(acting_user=user, report=report, version=report.version)
    with pytest.raises(PermissionDenied):
        cycle.return_report(acting_user=user, report=report, comment="不行", version=report.version)
    assert MonthlyReport.objects.get().status == MonthlyReport.Status.SUBMITTED


def test_district_report_waits_for_all_its_stations(
    frozen, worker, other_worker, guoyuan, jixianli, beichen, district_user, city_user
):
    approve_station(guoyuan, worker, district_user)
    district_report = cycle.report_for(month=MARCH, district=beichen)
    with pytest.raises(ValidationError) as refused:
        cycle.submit_report(acting_user=district_user, report=district_report)
    assert jixianli.name in refused.value.messages[0] and guoyuan.name not in refused.value.messages[0]
    assert not MonthlyReport.objects.filter(level="district").exists()
    approve_station(jixianli, other_worker, district_user)
    report = cycle.submit_report(
        acting_user=district_user, report=cycle.report_for(month=MARCH, district=beichen)
    )
    assert report.status == MonthlyReport.Status.SUBMITTED
    assert Notification.objects.filter(recipient=city_user, event=Event.REPORT_SUBMITTED).exists()
    report = cycle.approve_report(acting_user=city_user, report=report, version=report.version)
    assert report.status == MonthlyReport.Status.APPROVED
    assert Notification.objects.filter(recipient=district_user, event=Event.REPORT_APPROVED).exists()


def test_district_report_only_by_its_own_centre(frozen, beichen, other_district_user, worker):
    with pytest.raises(PermissionDenied):
        cycle.submit_report(
            acting_user=other_district_user, report=cycle.report_for(month=MARCH, district=beichen)
        )
    with pytest.raises(PermissionDenied):
        cycle.submit_report(acting_user=worker, report=cycle.report_for(month=MARCH, district=beichen))


def test_city_report_approved_once_every_district_is(frozen, beichen, nankai, city_user, district_user):
    city = cycle.report_for(month=MARCH)
    with pytest.raises(ValidationError, match=nankai.name):
        cycle.approve_report(acting_user=city_user, report=city)
    with pytest.raises(PermissionDenied):
        cycle.approve_report(acting_user=district_user, report=city)
    for district in (beichen, nankai):  # set-up: both districts approved
        MonthlyReport.objects.create(level="district", district=district, month=MARCH, status="approved")
    city = cycle.approve_report(acting_user=city_user, report=cycle.report_for(month=MARCH))
    assert city.status == MonthlyReport.Status.APPROVED and city.snapshot["unit_name"] == "天津市"


def test_snapshot_does_not_change_when_records_are_added_after_locking(
    frozen, worker, guoyuan, district_user, admin_user
):
    sf.store_request(guoyuan, received_at=at(2026, 3, 5))
    sf.make_activity(guoyuan, datetime.date(2026, 3, 6), sessions=2, person_times=30)
    report = approve_station(guoyuan, worker, district_user)
    frozen_figures = dict(report.snapshot["figures"])
    # An admin (not blocked by the lock) adds a request and an activity dated in the locked month.
    sf.store_request(guoyuan, received_at=at(2026, 3, 20))
    from projects.forms import ActivityForm

    form = ActivityForm(
        {
            "date": "2026-03-21",
            "title": "补充活动",
            "method": "group",
            "sessions": 3,
            "person_times": 40,
            "volunteers": 0,
        },
        station=guoyuan,
        user=admin_user,
    )
    assert form.is_valid(), form.errors
    form.instance.station = guoyuan
    form.save()
    live = cycle.build(report, admin_user)
    assert live.figures["received"] == 2 and live.figures["sessions"] == 5
    report.refresh_from_db()
    shown = cycle.shown(report, admin_user)
    assert shown.figures["received"] == 1 and shown.figures["sessions"] == 2
    assert report.snapshot["figures"] == frozen_figures


def test_snapshot_round_trip_keeps_every_section(frozen, dataset, worker, guoyuan, district_user, beichen):
    live = cycle.build(station_report(guoyuan), worker)
    thawed = snapshots.thaw(snapshots.freeze(live))
    # A record the figures carry (the year's plan) is kept by its name: the report shows nothing more of it.
    assert thawed.figures == {**live.figures, "plan": str(live.figures["plan"])}
    assert thawed.summary == live.summary and thawed.period == live.period
    assert thawed.categories == live.categories and thawed.workers == live.workers
    assert thawed.care == live.care and thawed.casework == live.casework and thawed.hotline == live.hotline
    assert [s.rows for s in thawed.sheets()] == [s.rows for s in live.sheets()]
    district = cycle.build(cycle.report_for(month=MARCH, district=beichen), district_user)
    thawed = snapshots.thaw(snapshots.freeze(district))
    assert [s.rows for s in thawed.sheets()] == [s.rows for s in district.sheets()]
    assert [r.name for r in thawed.table.rows] == [r.name for r in district.table.rows]
    assert thawed.table.totals.figures["received"] == district.table.totals.figures["received"]


def test_trail_is_append_only(frozen, worker, guoyuan):
    cycle.submit_report(acting_user=worker, report=station_report(guoyuan))
    decision = ReportDecision.objects.get()
    decision.comment = "改写"
    with pytest.raises(AppendOnlyError):
        decision.save()
    with pytest.raises(AppendOnlyError):
        ReportDecision.objects.all().delete()


def test_due_reminder_reaches_those_who_have_not_submitted(worker, other_worker, guoyuan, district_user):
    with freeze_time("2026-04-04 04:00:00"):
        cycle.submit_report(acting_user=worker, report=station_report(guoyuan))
        reached = cycle.remind_due()
        again = cycle.remind_due()
    assert reached == 1 and again == 0  # only 集贤里's head; once
    assert Notification.objects.filter(recipient=other_worker, event=Event.REPORT_DUE).count() == 1
    assert not Notification.objects.filter(recipient=worker, event=Event.REPORT_DUE).exists()
    with freeze_time("2026-04-09 04:00:00"):
        assert cycle.remind_due() == 1  # the district centre, before the 10th
    assert Notification.objects.filter(recipient=district_user, event=Event.REPORT_DUE).exists()
    with freeze_time("2026-04-20 04:00:00"):
        assert cycle.remind_due() == 0
