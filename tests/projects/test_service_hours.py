"""Service hours: recorded on the activity form and on a visit, summed per volunteer and period, per team
(while a member) and per station — by hand-built figures."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import ServiceHours, hours_in_team
from residents import care
from tests.projects import factories as pf
from tests.residents.care_factories import ensure_care_defaults
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db
D = datetime.date


def _visit(worker, community, day):
    ensure_care_defaults()
    resident = make_resident(community, name="张桂兰", phone="13820130000")
    care.set_risk_tier(acting_user=worker, resident=resident, tier=1, reason="独居高龄")
    return care.log_visit(acting_user=worker, resident=resident, visited_on=day)


def _activity_post(rows, **fields):
    data = {
        "date": "2023-10-10",
        "title": "爱心义剪",
        "method": "community",
        "sessions": "1",
        "person_times": "20",
        "volunteers": "2",
        "notes": "",
        "hours-TOTAL_FORMS": str(len(rows)),
        "hours-INITIAL_FORMS": "0",
        "hours-MIN_NUM_FORMS": "0",
        "hours-MAX_NUM_FORMS": "1000",
        **fields,
    }
    for i, (volunteer, hours, content) in enumerate(rows):
        data |= {f"hours-{i}-volunteer": volunteer, f"hours-{i}-hours": hours, f"hours-{i}-content": content}
    return data


def test_hours_sum_across_activities_and_visits(worker, chaoyangli):
    """王秀英: 2.5 + 3 on two activities in October, 1.5 on a visit in October, 4 in November.
    张桂兰: 2 on the first activity. October's totals: 王秀英 7.0, 张桂兰 2.0, the station 9.0."""
    wang = pf.make_volunteer(worker.station, "王秀英")
    zhang = pf.make_volunteer(worker.station, "张桂兰")
    haircut = pf.make_activity(worker.station, day=D(2023, 10, 10), title="爱心义剪")
    repair = pf.make_activity(worker.station, day=D(2023, 10, 20), title="便民维修")
    later = pf.make_activity(worker.station, day=D(2023, 11, 5), title="助老服务")
    visit = _visit(worker, chaoyangli, D(2023, 10, 15))
    pf.make_hours(wang, "2.5", activity=haircut)
    pf.make_hours(zhang, "2.0", activity=haircut)
    pf.make_hours(wang, "3.0", activity=repair)
    pf.make_hours(wang, "1.5", visit=visit)
    pf.make_hours(wang, "4.0", activity=later)
    october = ServiceHours.objects.between(D(2023, 10, 1), D(2023, 10, 31))
    per_volunteer = {row["volunteer__name"]: row["total_hours"] for row in october.per_volunteer()}
    assert per_volunteer == {"王秀英": Decimal("7.0"), "张桂兰": Decimal("2.0")}
    assert october.filter(station=worker.station).total() == Decimal("9.0")
    assert wang.service_hours.all().total() == Decimal("11.0")


def test_team_hours_count_only_while_a_member(worker):
    team = pf.make_team(worker.station, "爱心扫把")
    wang = pf.make_volunteer(worker.station, "王秀英", teams=[team], joined_on=D(2023, 10, 12))
    outsider = pf.make_volunteer(worker.station, "刘建国")
    before = pf.make_activity(worker.station, day=D(2023, 10, 10))
    after = pf.make_activity(worker.station, day=D(2023, 10, 20))
    pf.make_hours(wang, "2.0", activity=before)  # before joining: not the team's
    pf.make_hours(wang, "3.0", activity=after)
    pf.make_hours(outsider, "5.0", activity=after)
    assert hours_in_team(team).total() == Decimal("3.0")
    wang.memberships.update(left_on=D(2023, 10, 15))
    assert hours_in_team(team).total() == Decimal("0")


def test_activity_form_records_hours_with_the_activity(client, worker):
    wang = pf.make_volunteer(worker.station, "王秀英")
    zhang = pf.make_volunteer(worker.station, "张桂兰")
    client.force_login(worker)
    response = client.post(
        reverse("projects:activity-create"),
        _activity_post([(wang.pk, "2.5", "理发"), (zhang.pk, "2", ""), ("", "", "")]),
    )
    assert response.status_code == 302
    rows = {h.volunteer.name: (h.hours, h.date, h.content) for h in ServiceHours.objects.all()}
    assert rows == {
        "王秀英": (Decimal("2.5"), D(2023, 10, 10), "理发"),
        "张桂兰": (Decimal("2.0"), D(2023, 10, 10), ""),
    }


def test_editing_replaces_the_rows(client, worker):
    wang = pf.make_volunteer(worker.station, "王秀英")
    zhang = pf.make_volunteer(worker.station, "张桂兰")
    activity = pf.make_activity(worker.station, day=D(2023, 10, 10), title="爱心义剪")
    pf.make_hours(wang, "2.5", activity=activity)
    client.force_login(worker)
    response = client.post(
        reverse("projects:activity-edit", args=[activity.pk]),
        _activity_post([(zhang.pk, "1.5", "")], version=activity.version),
    )
    assert response.status_code == 302
    assert [(h.volunteer, h.hours) for h in activity.service_hours.all()] == [(zhang, Decimal("1.5"))]


@pytest.mark.parametrize(
    "rows, message",
    [
        ("foreign", "选择一个有效的选项"),
        ("twice", "填写了两次"),
        ("no_hours", "请填写服务时长"),
        ("too_long", "24"),
    ],
)
def test_bad_rows_save_nothing(client, worker, other_worker, rows, message):
    wang = pf.make_volunteer(worker.station, "王秀英")
    foreign = pf.make_volunteer(other_worker.station, "王海")
    data = {
        "foreign": [(foreign.pk, "2", "")],
        "twice": [(wang.pk, "2", ""), (wang.pk, "1", "")],
        "no_hours": [(wang.pk, "", "")],
        "too_long": [(wang.pk, "25", "")],
    }[rows]
    client.force_login(worker)
    response = client.post(reverse("projects:activity-create"), _activity_post(data, title="外站志愿者"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ServiceHours.objects.exists()
    assert not worker.station.activities.filter(title="外站志愿者").exists()  # nothing half-saved


def test_visit_hours_page(client, worker, other_worker, chaoyangli):
    wang = pf.make_volunteer(worker.station, "王秀英")
    visit = _visit(worker, chaoyangli, D(2023, 10, 15))
    url = reverse("projects:visit-hours", args=[visit.pk])
    data = {
        "hours-TOTAL_FORMS": "1",
        "hours-INITIAL_FORMS": "0",
        "hours-0-volunteer": wang.pk,
        "hours-0-hours": "1.5",
        "hours-0-content": "陪同探访",
    }
    client.force_login(other_worker)
    assert client.post(url, data).status_code == 404
    client.force_login(worker)
    response = client.post(url, data)
    assert response.status_code == 302
    entry = ServiceHours.objects.get()
    assert (entry.visit, entry.date, entry.hours, entry.station) == (
        visit,
        visit.visited_on,
        Decimal("1.5"),
        worker.station,
    )
    care_page = client.get(reverse("residents:resident-care", args=[visit.resident_id])).content.decode()
    assert url in care_page  # the care page's visit row links to it (through projects_tags)


def test_a_minors_visit_hours_need_the_sensitive_permission(client, worker, worker2, chaoyangli):
    """As on the care page: 李静 (a worker, no sensitive-records permission) is refused a minor's visit;
    the head, who holds it, opens it."""
    visit = _visit(worker, chaoyangli, D(2023, 10, 15))
    type(visit.resident).objects.filter(pk=visit.resident_id).update(birth_date=D(2020, 5, 1))
    url = reverse("projects:visit-hours", args=[visit.pk])
    client.force_login(worker2)
    refused = client.get(url)
    assert refused.status_code == 403 and "张桂兰" not in refused.content.decode()
    client.force_login(worker)
    assert client.get(url).status_code == 200
