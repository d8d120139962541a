"""Activities: quick entry on a phone and a month's bulk entry that saves every row or none."""

import datetime

import pytest
from django.urls import reverse

from projects.models import Activity
from tests.projects import factories as pf

D = datetime.date


def _quick(**overrides):
    data = {
        "date": "2023-10-12",
        "title": "助老暖心车站意见征求会",
        "method": "community",
        "sessions": "1",
        "person_times": "46",
        "volunteers": "5",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_quick_entry(client, worker, chaoyangli):
    project = pf.make_project(worker.station)
    client.force_login(worker)
    response = client.post(
        reverse("projects:activity-create"), _quick(project=project.pk, communities=[chaoyangli.pk])
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert (activity.station, activity.project, activity.person_times) == (worker.station, project, 46)
    assert list(activity.communities.all()) == [chaoyangli]
    assert activity.created_by == worker


def test_quick_entry_and_add_another(client, worker):
    client.force_login(worker)
    response = client.post(reverse("projects:activity-create"), _quick(add_another="1"))
    assert response["Location"] == reverse("projects:activity-create")


def test_quick_entry_page_preselects_the_project(client, worker):
    project = pf.make_project(worker.station)
    client.force_login(worker)
    response = client.get(reverse("projects:activity-create"), {"project": project.pk})
    assert response.context["form"]["project"].value() == str(project.pk)


@pytest.mark.parametrize("field", ["project", "communities"])
def test_forged_project_or_community_of_another_station_is_refused(client, world, worker, field):
    forged = {"project": world["neighbour"]["project"].pk, "communities": [world["far"]["community"].pk]}
    client.force_login(worker)
    before = Activity.objects.count()
    response = client.post(reverse("projects:activity-create"), _quick(**{field: forged[field]}))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert Activity.objects.count() == before


def test_sessions_must_be_at_least_one(client, worker):
    client.force_login(worker)
    response = client.post(reverse("projects:activity-create"), _quick(sessions="0"))
    assert "sessions" in response.context["form"].errors
    assert not Activity.objects.exists()


def _bulk(rows, month="2023-10", total=10):
    data = {
        "month": month,
        "rows-TOTAL_FORMS": str(total),
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "62",
    }
    for i in range(total):
        data[f"rows-{i}-date"] = f"{month}-01"
        data[f"rows-{i}-sessions"] = "1"
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"rows-{i}-{key}"] = value
    return data


def _row(day, title="亲子手工小组", method="group", people="12", **extra):
    return {"date": day, "title": title, "method": method, "person_times": people, "volunteers": "1", **extra}


def test_bulk_entry_saves_every_filled_row(client, worker, chaoyangli):
    project = pf.make_project(worker.station)
    client.force_login(worker)
    rows = [
        _row("2023-10-03", community=str(chaoyangli.pk), project=str(project.pk)),
        _row("2023-10-17", "社区义诊", "community", "120", sessions="2"),
        _row("2023-10-31", "独居老人个案探访", "casework", "1"),
    ]
    response = client.post(reverse("projects:activity-bulk"), _bulk(rows))
    assert response.status_code == 302
    activities = list(Activity.objects.order_by("date"))
    assert [a.date for a in activities] == [D(2023, 10, 3), D(2023, 10, 17), D(2023, 10, 31)]
    assert sum(a.person_times for a in activities) == 133 and sum(a.sessions for a in activities) == 4
    assert list(activities[0].communities.all()) == [chaoyangli] and activities[0].project == project
    assert all(a.station == worker.station and a.created_by == worker for a in activities)


@pytest.mark.parametrize(
    "bad_row, field",
    [
        (_row("2023-11-01"), "date"),  # outside the month
        (_row("2023-10-05", title=""), "title"),
        (_row("2023-10-05", people="-3"), "person_times"),
        (_row("2023-10-05", method="讲座"), "method"),
    ],
)
def test_bulk_entry_is_all_or_nothing_with_errors_per_row(client, worker, bad_row, field):
    client.force_login(worker)
    rows = [_row("2023-10-03"), bad_row, _row("2023-10-20")]
    response = client.post(reverse("projects:activity-bulk"), _bulk(rows))
    assert response.status_code == 200
    assert not Activity.objects.exists()
    formset = response.context["formset"]
    assert field in formset.forms[1].errors
    assert not formset.forms[0].errors and not formset.forms[2].errors
    assert "全部未保存" in response.content.decode()


def test_bulk_entry_refuses_a_forged_project_or_community(client, world, worker):
    client.force_login(worker)
    before = Activity.objects.count()
    rows = [
        _row("2023-10-03", project=str(world["neighbour"]["project"].pk)),
        _row("2023-10-04", community=str(world["far"]["community"].pk)),
    ]
    response = client.post(reverse("projects:activity-bulk"), _bulk(rows))
    formset = response.context["formset"]
    assert "project" in formset.forms[0].errors and "community" in formset.forms[1].errors
    assert Activity.objects.count() == before


def test_bulk_entry_with_no_rows_says_so(client, worker):
    client.force_login(worker)
    response = client.post(reverse("projects:activity-bulk"), _bulk([]))
    assert response.status_code == 200 and "请至少填写一行活动" in response.content.decode()


def test_bulk_page_for_a_chosen_month(client, worker):
    client.force_login(worker)
    response = client.get(reverse("projects:activity-bulk"), {"month": "2023-02", "rows": "15"})
    assert response.context["month"] == D(2023, 2, 1)
    assert len(response.context["formset"].forms) == 15
    assert 'value="2023-02-01"' in response.content.decode()


def test_activity_list_totals_follow_the_filter(client, worker):
    pf.make_activity(worker.station, D(2023, 9, 30), sessions=5, person_times=100)
    pf.make_activity(worker.station, D(2023, 10, 1), sessions=2, person_times=30)
    client.force_login(worker)
    response = client.get(reverse("projects:activity-list"), {"date_from": "2023-10-01"})
    assert response.context["totals"] == {"count": 1, "sessions": 2, "person_times": 30, "volunteers": 0}
