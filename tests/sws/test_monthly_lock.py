"""The lock of an approved month: each kind of dated record is refused to station staff in it (and to a
district supervisor's session), allowed to an admin, and allowed under an approved late-entry permit
(补录), which writes the entry down for the next month's report. Clock: 2026-04-10; March is locked."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from freezegun import freeze_time

from casework import services as casework_services
from casework.models import Case, ServiceRecord, SupervisionSession
from notifications.events import Event
from notifications.inbox import Notification
from projects import services as project_services
from projects.forms import ActivityForm
from projects.models import Activity, CommunityFund, FundEntry
from residents import care
from residents.models import Request, Visit
from residents.services import WorkflowError
from residents.services.intake import take_in_request
from stations.models import LateEntry, LateEntryPermit
from stations.periods import LOCKED_MESSAGE
from sws.reports import builders, cycle
from tests.casework.factories import make_case
from tests.casework.super_factories import designate
from tests.factories import category
from tests.residents.care_factories import enrol
from tests.residents.factories import make_resident
from tests.sws import factories as sf
from tests.sws.factories import IN_MARCH, MARCH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-04-10 04:00:00"):
        yield


def activity_form(user, station, day, instance=None):
    data = {
        "date": day.isoformat(),
        "title": "长者生日会",
        "method": "group",
        "sessions": 1,
        "person_times": 20,
    }
    data["volunteers"] = 0
    if instance is not None:
        data["version"] = instance.version
    return ActivityForm(data, station=station, user=user, instance=instance)


# --- refused in a locked month ----------------------------------------------------------------------


def test_activity_form_refuses_a_date_in_a_locked_month(locked, worker2, guoyuan):
    form = activity_form(worker2, guoyuan, IN_MARCH)
    assert not form.is_valid()
    assert form.errors["date"] == [LOCKED_MESSAGE]
    assert activity_form(worker2, guoyuan, datetime.date(2026, 2, 20)).is_valid()  # February is open


def test_activity_cannot_be_moved_out_of_a_locked_month(locked, worker2, guoyuan):
    activity = sf.make_activity(guoyuan, IN_MARCH)
    form = activity_form(worker2, guoyuan, datetime.date(2026, 4, 2), instance=activity)
    assert not form.is_valid() and form.errors["date"] == [LOCKED_MESSAGE]


def test_bulk_activities_refused_nothing_saved(locked, worker2, guoyuan, client):
    client.force_login(worker2)
    response = client.post(
        "/projects/activities/bulk/?rows=2",
        {
            "month": "2026-03",
            "rows-TOTAL_FORMS": "1",
            "rows-INITIAL_FORMS": "0",
            "rows-0-date": "2026-03-20",
            "rows-0-title": "义诊",
            "rows-0-method": "group",
            "rows-0-sessions": "1",
            "rows-0-person_times": "10",
            "rows-0-volunteers": "0",
        },
    )
    assert response.status_code == 200
    assert LOCKED_MESSAGE in response.content.decode()
    assert not Activity.objects.exists()


def test_fund_entry_refused(locked, worker2, guoyuan):
    fund = CommunityFund.objects.create(
        station=guoyuan, name="果园新村社区基金", established_on=datetime.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError) as refused:
        project_services.record_fund_entry(
            acting_user=worker2,
            fund=fund,
            direction="in",
            amount=Decimal("100"),
            date=IN_MARCH,
            channel="charity",
        )
    assert refused.value.message_dict["date"] == [LOCKED_MESSAGE]
    assert not FundEntry.objects.exists()


def test_visit_refused(locked, worker2, guoyuan, chaoyangli):
    resident = make_resident(chaoyangli, name="刘桂芝")
    enrol(resident, worker2)
    with pytest.raises(WorkflowError) as refused:
        care.log_visit(acting_user=worker2, resident=resident, visited_on=IN_MARCH)
    assert refused.value.message_dict["visited_on"] == [LOCKED_MESSAGE]
    assert not Visit.objects.exists()
    assert care.log_visit(acting_user=worker2, resident=resident, visited_on=datetime.date(2026, 4, 9))


def test_request_received_in_a_locked_month_refused(locked, worker2, guoyuan, chaoyangli):
    cat = category()
    fields = {
        "community": chaoyangli,
        "category": cat,
        "description": "路灯不亮",
        "severity": cat.default_severity,
        "urgency": cat.default_urgency,
        "channel": Request.Channel.WALK_IN,
    }
    with pytest.raises(ValidationError, match=LOCKED_MESSAGE):
        take_in_request(acting_user=worker2, station=guoyuan, received_at=sf.at(2026, 3, 20, 9), **fields)
    assert not Request.objects.exists()
    request, created = take_in_request(acting_user=worker2, station=guoyuan, **fields)  # today: open
    assert created


def test_service_record_refused(locked, worker2, guoyuan, chaoyangli):
    client = make_resident(chaoyangli, name="孙秀英")
    case = make_case(guoyuan, client, worker2, stage=Case.Stage.INTERVENTION)
    Case.objects.filter(pk=case.pk).update(opened_at=sf.at(2026, 2, 1))
    case.refresh_from_db()
    with pytest.raises(casework_services.CaseworkError, match=LOCKED_MESSAGE):
        casework_services.record_service(
            acting_user=worker2,
            case=case,
            date=IN_MARCH,
            form="home_visit",
            duration_minutes=30,
            content="家访",
        )
    assert not ServiceRecord.objects.exists()


def test_supervision_session_refused(locked, worker2, guoyuan, district_user):
    supervisor = designate(district_user)
    with pytest.raises(casework_services.CaseworkError, match=LOCKED_MESSAGE):
        casework_services.record_supervision_session(
            acting_user=supervisor,
            station=guoyuan,
            date=IN_MARCH,
            form="individual",
            topics="个案督导",
            workers=[worker2],
        )
    assert not SupervisionSession.objects.exists()


def test_other_stations_and_admins_are_not_blocked(locked, other_worker, jixianli, admin_user, guoyuan):
    assert activity_form(other_worker, jixianli, IN_MARCH).is_valid()  # 集贤里's March is not locked
    assert activity_form(admin_user, guoyuan, IN_MARCH).is_valid()


# --- 补录 ------------------------------------------------------------------------------------------


ACTIVITY_POST = {
    "date": "2026-03-20",
    "title": "长者生日会",
    "method": "group",
    "sessions": 1,
    "person_times": 20,
    "volunteers": 0,
}


def test_late_entry_permit_opens_the_month_and_the_entry_shows_next_month(
    permit, worker, worker2, guoyuan, client
):
    assert Notification.objects.filter(recipient=worker, event=Event.LATE_ENTRY_DECIDED).exists()
    form = activity_form(worker2, guoyuan, IN_MARCH)
    assert form.is_valid(), form.errors
    assert not LateEntry.objects.exists()  # validating writes nothing: the save does
    client.force_login(worker2)
    assert client.post("/projects/activities/new/", ACTIVITY_POST).status_code == 302
    entry = LateEntry.objects.get()
    assert (entry.station, entry.month, entry.kind, entry.label) == (guoyuan, MARCH, "服务活动", "长者生日会")
    april = builders.station_report(worker, guoyuan, 2026, 4)
    assert [(e["month"], e["kind"], e["label"]) for e in april.late_entries] == [
        ("2026年3月", "服务活动", "长者生日会")
    ]
    assert builders.station_report(worker, guoyuan, 2026, 3).late_entries == []
    assert "补录" in [sheet.title for sheet in april.sheets()]


def test_a_late_entry_is_written_only_when_the_record_is_saved(permit, worker2, guoyuan, client):
    """Valid under the permit, but the volunteers' hours rows are wrong: nothing is saved, and no late
    entry is left for next month's report to list."""
    client.force_login(worker2)
    bad_hours = {
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-0-volunteer": "999999",
        "hours-0-hours": "-1",
    }
    assert client.post("/projects/activities/new/", {**ACTIVITY_POST, **bad_hours}).status_code == 200
    assert not Activity.objects.filter(station=guoyuan, date=IN_MARCH).exists()
    assert not LateEntry.objects.exists()


def test_the_window_closes(permit, worker2, guoyuan):
    with freeze_time("2026-04-16 04:00:00"):
        assert not activity_form(worker2, guoyuan, IN_MARCH).is_valid()


def test_a_refused_or_pending_permit_keeps_the_month_closed(locked, worker, worker2, guoyuan, district_user):
    pending = cycle.request_late_entry(acting_user=worker, month=MARCH, reason="漏录")
    assert Notification.objects.filter(recipient=district_user, event=Event.LATE_ENTRY_REQUESTED).exists()
    assert not activity_form(worker2, guoyuan, IN_MARCH).is_valid()
    with pytest.raises(ValidationError):
        cycle.decide_late_entry(
            acting_user=district_user, permit=pending, approve=False, version=pending.version
        )
    cycle.decide_late_entry(
        acting_user=district_user, permit=pending, approve=False, comment="证据不足", version=pending.version
    )
    assert LateEntryPermit.objects.get().status == LateEntryPermit.Status.REFUSED
    assert not activity_form(worker2, guoyuan, IN_MARCH).is_valid()


def test_who_may_ask_and_decide(
    locked, worker, worker2, district_user, other_district_user, city_user, guoyuan
):
    with pytest.raises(PermissionDenied):
        cycle.request_late_entry(acting_user=worker2, month=MARCH, reason="漏录")  # a worker, not the head
    with pytest.raises(ValidationError):
        cycle.request_late_entry(
            acting_user=worker, month=datetime.date(2026, 2, 1), reason="漏录"
        )  # not locked
    permit = cycle.request_late_entry(acting_user=worker, month=MARCH, reason="漏录")
    for user in (worker, other_district_user, city_user):
        with pytest.raises(PermissionDenied):
            cycle.decide_late_entry(
                acting_user=user,
                permit=permit,
                approve=True,
                open_until=datetime.date(2026, 4, 12),
                version=1,
            )
    assert LateEntryPermit.objects.get().status == LateEntryPermit.Status.REQUESTED
