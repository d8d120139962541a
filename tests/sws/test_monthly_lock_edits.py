"""The lock on CHANGES to dated records, not only on creating them (issue #22): station staff cannot
change a record dated in a locked month, nor move one out of or into it; under a late-entry permit
(补录) the change is saved and listed in the next month's report; an admin is not blocked. Also the
month's bulk entry, which asks the lock once per month, not per row. Clock: 2026-04-10; 果园新村's
March is locked (tests/sws/conftest.py `locked`)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from projects import volunteering
from projects.models import Activity, Resource, ServiceHours, VolunteerTeam
from residents import care
from stations.models import LateEntry
from stations.periods import LOCKED_MESSAGE
from sws.reports import builders
from sws.reports.forms import LateEntryDecisionForm
from tests.projects import factories as pf
from tests.residents.care_factories import enrol
from tests.residents.factories import make_resident
from tests.sws import factories as sf
from tests.sws.factories import IN_MARCH

pytestmark = pytest.mark.django_db
APRIL_2 = datetime.date(2026, 4, 2)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-04-10 04:00:00"):
        yield


def listed_in_april(user, station):
    """The late entries April's report lists: (kind, label, day)."""
    return [(e["kind"], e["label"]) for e in builders.station_report(user, station, 2026, 4).late_entries]


def refused(response):
    return response.status_code == 200 and LOCKED_MESSAGE in response.content.decode()


# --- Activities ----------------------------------------------------------------------------------------


def activity_post(activity, day, title="长者生日会（改）"):
    return {
        "date": day,
        "title": title,
        "method": "group",
        "sessions": 2,
        "person_times": 30,
        "volunteers": 0,
        "version": activity.version,
    }


def test_an_activity_in_a_locked_month_cannot_be_changed_nor_moved_in_or_out(locked, client, worker, guoyuan):
    in_march = sf.make_activity(guoyuan, IN_MARCH, title="三月活动")
    in_april = sf.make_activity(guoyuan, APRIL_2, title="四月活动")
    client.force_login(worker)
    for activity, day in ((in_march, "2026-03-20"), (in_march, "2026-04-03"), (in_april, "2026-03-21")):
        url = reverse("projects:activity-edit", args=[activity.pk])
        assert refused(client.post(url, activity_post(activity, day)))
    assert set(Activity.objects.values_list("title", "date", "sessions")) == {
        ("三月活动", IN_MARCH, 1),
        ("四月活动", APRIL_2, 1),
    }
    assert not LateEntry.objects.exists()


def test_an_activity_changed_under_a_permit_is_listed(permit, client, worker, guoyuan):
    activity = sf.make_activity(guoyuan, IN_MARCH, title="三月活动")
    client.force_login(worker)
    url = reverse("projects:activity-edit", args=[activity.pk])
    assert client.post(url, activity_post(activity, "2026-03-21")).status_code == 302
    activity.refresh_from_db()
    assert (activity.date, activity.sessions) == (datetime.date(2026, 3, 21), 2)
    # One entry per locked day the change touched (the old and the new are both in March).
    assert listed_in_april(worker, guoyuan) == [("服务活动", "长者生日会（改）")] * 2


def test_an_admin_changes_a_locked_months_activity(locked, client, admin_user, guoyuan):
    activity = sf.make_activity(guoyuan, IN_MARCH)
    client.force_login(admin_user)
    url = reverse("projects:activity-edit", args=[activity.pk])
    assert client.post(url, activity_post(activity, "2026-03-22")).status_code == 302
    assert Activity.objects.get().date == datetime.date(2026, 3, 22)
    assert not LateEntry.objects.exists()


# --- Resources mobilised (链接资源: the month's money and goods) -----------------------------------------


def resource_post(resource, partner, day, amount="200.00"):
    data = {"partner": partner.pk, "date": day, "kind": "money", "amount": amount, "notes": ""}
    if resource is not None:
        data["version"] = resource.version
    return data


def test_a_resource_in_a_locked_month_cannot_be_created_changed_or_moved(locked, client, worker, guoyuan):
    in_march = sf.make_resource(guoyuan, IN_MARCH, "100.00")
    in_april = sf.make_resource(guoyuan, APRIL_2, "50.00")
    partner = in_march.partner
    client.force_login(worker)
    assert refused(
        client.post(reverse("projects:resource-create"), resource_post(None, partner, "2026-03-20"))
    )
    for resource, day in ((in_march, "2026-03-20"), (in_march, "2026-04-03"), (in_april, "2026-03-21")):
        url = reverse("projects:resource-edit", args=[resource.pk])
        assert refused(client.post(url, resource_post(resource, partner, day)))
    assert set(Resource.objects.values_list("date", "amount")) == {
        (IN_MARCH, Decimal("100.00")),
        (APRIL_2, Decimal("50.00")),
    }
    assert not LateEntry.objects.exists()


def test_a_resource_under_a_permit_is_listed_and_an_admin_is_not_blocked(
    permit, client, worker, admin_user, guoyuan
):
    resource = sf.make_resource(guoyuan, IN_MARCH, "100.00")
    client.force_login(worker)
    url = reverse("projects:resource-edit", args=[resource.pk])
    # Moved out of March into April: the change touches March once.
    assert client.post(url, resource_post(resource, resource.partner, "2026-04-01")).status_code == 302
    assert listed_in_april(worker, guoyuan) == [("链接资源", f"{resource.partner} ¥200.00")]
    resource.refresh_from_db()
    client.force_login(admin_user)
    assert client.post(url, resource_post(resource, resource.partner, "2026-03-05", "300")).status_code == 302
    assert Resource.objects.get().amount == Decimal("300")
    assert LateEntry.objects.count() == 1  # the admin's correction is no late entry


# --- Teams and organisations founded in a month (新增 in that month's figures) ---------------------------


def team_post(team, founded_on, status="active"):
    return {"name": team.name, "founded_on": founded_on, "status": status, "version": team.version}


def test_a_team_founded_in_a_locked_month(locked, client, worker, guoyuan):
    """Its founding date cannot move out of or into the month (the month's count of new teams), nor can
    a team be created there; its other fields stay editable (a team lives on after its founding)."""
    team = pf.make_team(guoyuan, "邻里串门", founded_on=datetime.date(2026, 3, 5), status="registered")
    client.force_login(worker)
    url = reverse("projects:team-edit", args=[team.pk])
    assert refused(client.post(url, team_post(team, "2026-04-05")))
    assert refused(
        client.post(reverse("projects:team-create"), {"name": "便民维修", **team_post(team, "2026-03-09")})
    )
    assert VolunteerTeam.objects.get().founded_on == datetime.date(2026, 3, 5)
    assert client.post(url, team_post(team, "2026-03-05", status="active")).status_code == 302
    assert VolunteerTeam.objects.get().status == "active"
    assert not LateEntry.objects.exists()


# --- A visit's volunteer hours (dated by the visit) ------------------------------------------------------


@pytest.fixture
def march_visit(admin_user, worker, chaoyangli):
    resident = make_resident(chaoyangli, name="刘桂芝")
    enrol(resident, worker)
    return care.log_visit(acting_user=admin_user, resident=resident, visited_on=IN_MARCH)


def hours_post(volunteer, hours="1.5"):
    return {
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-0-volunteer": volunteer.pk,
        "hours-0-hours": hours,
        "hours-0-content": "陪同探访",
    }


def test_a_locked_months_visit_hours(locked, march_visit, client, worker, guoyuan):
    volunteer = pf.make_volunteer(guoyuan, "王秀英")
    client.force_login(worker)
    url = reverse("projects:visit-hours", args=[march_visit.pk])
    response = client.post(url, hours_post(volunteer))
    assert response.status_code == 400 and LOCKED_MESSAGE in response.content.decode()
    assert not ServiceHours.objects.exists()


def test_a_locked_months_visit_hours_under_a_permit(permit, march_visit, client, worker, admin_user, guoyuan):
    volunteer = pf.make_volunteer(guoyuan, "王秀英")
    client.force_login(worker)
    url = reverse("projects:visit-hours", args=[march_visit.pk])
    assert client.post(url, hours_post(volunteer)).status_code == 302
    assert ServiceHours.objects.get().hours == Decimal("1.5")
    assert listed_in_april(worker, guoyuan) == [("探访志愿服务时长", march_visit.get_form_display())]
    volunteering.record_hours(acting_user=admin_user, rows=[], visit=march_visit, station=guoyuan)
    assert not ServiceHours.objects.exists() and LateEntry.objects.count() == 1


# --- The month's bulk entry: one look at the lock per month, each row reported ---------------------------


def bulk_post(rows, month="2026-03"):
    data = {"month": month, "rows-TOTAL_FORMS": str(rows), "rows-INITIAL_FORMS": "0"}
    for i in range(rows):
        data.update(
            {
                f"rows-{i}-date": f"{month}-{10 + i:02d}",
                f"rows-{i}-title": f"义诊{i}" if i != 1 else "",  # row 1 also lacks its title
                f"rows-{i}-method": "group",
                f"rows-{i}-sessions": "1",
                f"rows-{i}-person_times": "10",
            }
        )
    return data


def lock_queries(client, data):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"{reverse('projects:activity-bulk')}?rows={data['rows-TOTAL_FORMS']}", data)
    return response, sum("lockedmonth" in q["sql"].lower() for q in queries.captured_queries)


def test_bulk_rows_in_a_locked_month_are_each_refused_with_one_look_at_the_lock(locked, client, worker):
    client.force_login(worker)
    response, looks = lock_queries(client, bulk_post(5))
    forms = response.context["formset"].forms
    assert [form.errors["date"] for form in forms] == [[LOCKED_MESSAGE]] * 5
    assert "title" in forms[1].errors  # a row's own error is still reported
    assert looks == 1
    assert not Activity.objects.exists()


def test_bulk_rows_under_a_permit_are_each_listed(permit, client, worker, guoyuan):
    client.force_login(worker)
    data = bulk_post(4)
    data["rows-1-title"] = "义诊1"
    response, looks = lock_queries(client, data)
    assert response.status_code == 302
    assert looks == 2  # the formset's check and the save's, once each for the month's four rows
    assert Activity.objects.count() == 4
    assert listed_in_april(worker, guoyuan) == [("服务活动", f"义诊{i}") for i in range(4)]


# --- The late-entry window's default end is Shanghai's date, not the server's ---------------------------


def test_the_permit_windows_default_end_follows_shanghai():
    with freeze_time("2026-04-10 20:00:00"):  # 2026-04-11 04:00 in Asia/Shanghai
        assert LateEntryDecisionForm().fields["open_until"].initial == datetime.date(2026, 4, 18)
