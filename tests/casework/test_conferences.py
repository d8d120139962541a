"""Case conferences (个案会议): recorded by the case's workers, follow-up tasks as CaseTasks of the
conference; the case's confidentiality rule; forged staff, owners and cases refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from casework import services
from casework.models import CaseConference, CaseEvent, CaseTask
from tests import factories as f
from tests.casework.super_factories import a_case, designate

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    return a_case(guoyuan, chaoyangli, worker2)


@pytest.fixture
def colleague(guoyuan):
    user = f.make_user("st-120113001-3", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    f.make_assignment(user, guoyuan)
    return user


def _hold(user, case, **extra):
    fields = {"date": TODAY(), "participants": "社工、居委会主任、女儿", "decisions": "申请司法救助。"}
    fields.update(extra)
    return services.hold_case_conference(acting_user=user, case=case, **fields)


def test_a_conference_with_follow_up_tasks(case, worker, worker2):
    due = TODAY() + datetime.timedelta(days=10)
    conference = _hold(worker2, case, staff=[worker, worker2], tasks=[("联系司法所", worker, due)])
    task = CaseTask.objects.get()
    assert (task.case, task.conference, task.owner, task.due_on, task.stage) == (
        case,
        conference,
        worker,
        due,
        case.stage,
    )
    assert set(conference.staff.all()) == {worker, worker2}
    event = case.events.get()
    assert event.kind == CaseEvent.Kind.CONFERENCE and event.data["conference"] == conference.pk


def test_forged_staff_owners_and_dates_are_refused_nothing_saved(case, worker2, other_worker, colleague):
    due = TODAY() + datetime.timedelta(days=3)
    tries = [
        ({"staff": [other_worker]}, "本站社工"),
        ({"tasks": [("跟进", other_worker, due)]}, "负责人"),
        ({"tasks": [("跟进", colleague, due)]}, "负责人"),  # a colleague not on the case does not read it
        ({"tasks": [("跟进", worker2, TODAY() - datetime.timedelta(days=1))]}, "截止日期"),
        ({"decisions": " "}, "会议决定"),
        ({"participants": ""}, "参会人员"),
        ({"date": TODAY() + datetime.timedelta(days=1)}, "晚于今天"),
    ]
    for fields, message in tries:
        with pytest.raises(services.CaseworkError, match=message):
            _hold(worker2, case, **fields)
    assert not CaseConference.objects.exists() and not CaseTask.objects.exists()


def test_only_the_cases_workers_and_head_hold_one(
    case, worker, colleague, other_worker, district_user, admin_user
):
    from django.core.exceptions import PermissionDenied

    for user in (colleague, other_worker, designate(district_user), admin_user):
        with pytest.raises(PermissionDenied):
            _hold(user, case)
    _hold(worker, case)  # the head
    case.shared_with.add(colleague)
    _hold(colleague, case)  # shared with her now


def test_a_closed_case_holds_no_conference(case, worker2):
    case.stage = "closed"
    case.save()
    with pytest.raises(services.CaseworkError, match="已结束"):
        _hold(worker2, case)


def test_the_conference_page_saves_and_shows_on_the_case(client, case, worker, worker2):
    client.force_login(worker2)
    url = reverse("casework:conference-create", args=[case.pk])
    assert client.get(url).status_code == 200
    due = TODAY() + datetime.timedelta(days=5)
    data = {
        "date": TODAY().isoformat(),
        "participants": "社工、居委会",
        "decisions": "先做家庭会谈。",
        "staff": [worker2.pk],
        "tasks-TOTAL_FORMS": "3",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-title": "约家庭会谈",
        "tasks-0-owner": str(worker.pk),
        "tasks-0-due_on": due.isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(case.get_absolute_url()).content.decode()
    assert "先做家庭会谈。" in page and "约家庭会谈" in page


def test_the_conference_page_refuses_a_forged_owner_with_the_form(client, case, worker2, other_worker):
    client.force_login(worker2)
    url = reverse("casework:conference-create", args=[case.pk])
    data = {
        "date": TODAY().isoformat(),
        "participants": "社工",
        "decisions": "决定",
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-title": "跟进",
        "tasks-0-owner": str(other_worker.pk),
        "tasks-0-due_on": TODAY().isoformat(),
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert not CaseConference.objects.exists()


def test_conference_page_outsiders(client, case, worker, colleague, other_worker, district_user, far_worker):
    url = reverse("casework:conference-create", args=[case.pk])
    for user, status in (
        (colleague, 404),
        (other_worker, 404),
        (far_worker, 404),
        (designate(district_user), 403),
    ):
        client.force_login(user)
        assert client.get(url).status_code == status, user
        assert client.post(url, {}).status_code == status, user
