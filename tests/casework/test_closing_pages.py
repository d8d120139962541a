"""The closing pages through the browser's requests: a case from 介入 to 结案 and back, the head's and the
supervisor's decisions from the case page, 我的待办; outsiders (404), readers who do not work the case
(403), forged fields (another case's goal, another station's worker or closure), bounded query counts."""

import datetime

import pytest
from django.urls import reverse
from freezegun import freeze_time

from casework.models import Case, CaseEvaluation, CaseTask, Closure, ServiceRecord
from stations.audit import PersonalDataAccess
from tests.casework.closing import approved_plan, case_at, colleague
from tests.casework.factories import CASE_PAGE_QUERIES, make_supervisor
from tests.projects.factories import make_partner, make_resource

pytestmark = pytest.mark.django_db
Stage = Case.Stage


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-12-03 10:00"):
        yield


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    case = case_at(guoyuan, chaoyangli, worker2, stage=Stage.INTERVENTION)
    approved_plan(case, worker2)
    return case


def url(name, obj):
    return reverse(f"casework:{name}", args=[obj.pk])


def test_a_case_from_intervention_to_closed_and_reopened(client, case, worker, worker2, guoyuan):
    resource = make_resource(guoyuan, partner=make_partner(guoyuan), day=datetime.date(2026, 11, 1))
    goal_a, goal_b = case.plans.get().goals.all()
    client.force_login(worker2)
    assert client.get(url("service-record-new", case)).status_code == 200
    response = client.post(
        url("service-record-new", case),
        {
            "date": "2026-12-03",
            "form": "home_visit",
            "duration_minutes": "50",
            "person_times": "2",
            "content": "入户了解孩子近况",
            "progress": "情绪稳定",
            "goals": [goal_a.pk],
            "resources": [resource.pk],
        },
    )
    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    assert record.date == datetime.date(2026, 12, 3) and list(record.resources.all()) == [resource]

    case.refresh_from_db()
    response = client.post(
        url("evaluate", case),
        {
            "client_view": "好多了",
            "satisfaction": "very",
            "worker_evaluation": "目标达成",
            f"goal_{goal_a.pk}": "met",
            f"goal_{goal_b.pk}": "partly",
            "version": case.version,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.EVALUATION

    response = client.post(
        url("closure-request", case), {"reason": "goals_met", "summary": "目标达成", "version": case.version}
    )
    assert response.status_code == 302
    closure = Closure.objects.get()

    client.force_login(worker)  # the head approves from the case page
    page = client.get(url("case-detail", case)).content.decode()
    assert url("closure-approve", closure) in page
    response = client.post(
        url("closure-approve", closure), {"version": closure.version, "follow_up_due_on": "2027-01-05"}
    )
    assert response.status_code == 302
    closure.refresh_from_db()
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED and closure.follow_up_due_on == datetime.date(2027, 1, 5)

    client.force_login(worker2)
    response = client.post(
        url("closure-follow-up", closure),
        {"done_on": "2026-12-03", "notes": "状况良好", "version": closure.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    response = client.post(url("reopen", case), {"reason": "再次求助", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSMENT
    page = client.get(url("case-detail", case)).content.decode()
    assert "目标达成" in page and "状况良好" in page  # the earlier closure and its follow-up stay readable


def test_a_refused_step_shows_its_message_and_saves_nothing(client, case, worker2):
    client.force_login(worker2)
    response = client.post(
        url("service-record-new", case),
        {
            "date": "2026-12-09",
            "form": "phone",
            "duration_minutes": "10",
            "person_times": "1",
            "content": "电话",
        },
    )
    assert response.status_code == 400
    assert "服务日期不能晚于今天" in response.content.decode()
    assert not ServiceRecord.objects.exists()
    # A stale version: the project's one message.
    response = client.post(
        url("closure-request", case), {"reason": "goals_met", "summary": "x", "version": 99}
    )
    assert response.status_code == 400 and "已被他人修改" in response.content.decode()


def test_forged_goal_of_another_case_is_refused(client, case, worker2, guoyuan, chaoyangli):
    other = case_at(guoyuan, chaoyangli, worker2, client_name="赵四")
    foreign_goal = approved_plan(other, worker2).goals.first()
    client.force_login(worker2)
    response = client.post(
        url("service-record-new", case),
        {
            "date": "2026-12-03",
            "form": "phone",
            "duration_minutes": "10",
            "person_times": "1",
            "content": "电话",
            "goals": [foreign_goal.pk],
        },
    )
    assert response.status_code == 400 and not ServiceRecord.objects.exists()
    case.refresh_from_db()
    goals = {f"goal_{g.pk}": "met" for g in case.plans.get().goals.all()}
    response = client.post(
        url("evaluate", case),
        {
            "client_view": "好",
            "satisfaction": "very",
            "worker_evaluation": "好",
            f"goal_{foreign_goal.pk}": "met",
            **goals,
            "version": case.version,
        },
    )
    # The forged goal is not a field of the form: ignored, and the case's own goals are rated.
    evaluation = CaseEvaluation.objects.get()
    assert response.status_code == 302
    assert foreign_goal.pk not in set(evaluation.attainments.values_list("goal_id", flat=True))


def test_forged_task_owner_of_another_station_is_refused(client, case, worker2, other_worker):
    client.force_login(worker2)
    response = client.post(
        url("task-new", case), {"title": "联系学校", "owner": other_worker.pk, "due_on": "2026-12-10"}
    )
    assert response.status_code == 400 and not CaseTask.objects.exists()


def test_outsiders_get_404_and_readers_who_do_not_work_get_403(
    client, case, guoyuan, worker2, other_worker, far_worker, district_user, city_user, admin_user
):
    bystander = colleague(guoyuan)
    for user in (other_worker, far_worker, district_user, city_user, admin_user, bystander):
        client.force_login(user)
        for name in (
            "service-record-new",
            "evaluate",
            "closure-request",
            "task-new",
            "case-review",
            "reopen",
        ):
            assert client.get(url(name, case)).status_code == 404, (user, name)
    client.force_login(make_supervisor(district_user))  # reads the case, does not work it
    assert client.get(url("case-detail", case)).status_code == 200
    assert client.get(url("service-record-new", case)).status_code == 403
    assert client.post(url("task-new", case), {"title": "x"}).status_code == 403


def test_url_tampering_on_a_closure_of_another_district(
    client, far_worker, guangkai, hualinyuan, district_user, worker
):
    far_case = case_at(guangkai, hualinyuan, far_worker, stage=Stage.CLOSING, risk=Case.Risk.HIGH)
    closure = Closure.objects.create(
        case=far_case,
        reason="goals_met",
        summary="x",
        requested_by=far_worker,
        status=Closure.Status.PENDING_DISTRICT,
    )
    for user in (make_supervisor(district_user), worker):
        client.force_login(user)
        for decision in ("approve", "sign-off", "return"):
            response = client.post(
                url(f"closure-{decision}", closure), {"version": closure.version, "comment": "x"}
            )
            assert response.status_code == 404
    closure.refresh_from_db()
    assert closure.status == Closure.Status.PENDING_DISTRICT


def test_supervisor_signs_off_from_the_case_page(client, guoyuan, chaoyangli, worker, worker2, district_user):
    case = case_at(guoyuan, chaoyangli, worker2, stage=Stage.CLOSING, risk=Case.Risk.HIGH)
    closure = Closure.objects.create(
        case=case,
        reason="goals_met",
        summary="x",
        requested_by=worker2,
        status=Closure.Status.PENDING_DISTRICT,
        needs_district_signoff=True,
        head_approved_by=worker,
    )
    supervisor = make_supervisor(district_user)
    client.force_login(supervisor)
    page = client.get(url("case-detail", case)).content.decode()
    assert url("closure-sign-off", closure) in page and url("closure-approve", closure) not in page
    response = client.post(url("closure-return", closure), {"version": closure.version, "comment": ""})
    assert response.status_code == 302
    closure.refresh_from_db()
    assert closure.status == Closure.Status.PENDING_DISTRICT  # no comment, no return
    client.post(url("closure-sign-off", closure), {"version": closure.version, "comment": "同意"})
    closure.refresh_from_db()
    case.refresh_from_db()
    assert closure.status == Closure.Status.APPROVED and case.stage == Stage.CLOSED


def test_the_head_cannot_approve_from_the_page_when_she_requested(client, guoyuan, chaoyangli, worker):
    case = case_at(guoyuan, chaoyangli, worker, stage=Stage.CLOSING)
    closure = Closure.objects.create(case=case, reason="goals_met", summary="x", requested_by=worker)
    client.force_login(worker)
    assert url("closure-approve", closure) not in client.get(url("case-detail", case)).content.decode()
    client.post(url("closure-approve", closure), {"version": closure.version})
    closure.refresh_from_db()
    assert closure.status == Closure.Status.PENDING_HEAD


def _many(case, worker2, n):
    for i in range(n):
        ServiceRecord.objects.create(
            case=case,
            station=case.station,
            date=datetime.date(2026, 11, 1),
            form="phone",
            duration_minutes=10,
            content=f"电话{i}",
            worker=worker2,
        )
        CaseTask.objects.create(
            case=case,
            title=f"任务{i}",
            owner=worker2,
            created_by=worker2,
            due_on=datetime.date(2026, 11, 1 + i % 28),
        )
    CaseEvaluation.objects.create(
        case=case, client_view="好", satisfaction="very", worker_evaluation="好", author=worker2
    )
    Closure.objects.create(
        case=case, reason="goals_met", summary="x", requested_by=worker2, status=Closure.Status.RETURNED
    )


def test_case_page_and_my_tasks_have_bounded_query_counts(
    client, case, worker2, django_assert_max_num_queries
):
    client.force_login(worker2)
    _many(case, worker2, 3)
    # The case page, then 我的待办 (at most 12 of its own).
    with django_assert_max_num_queries(CASE_PAGE_QUERIES + 12) as few:
        assert client.get(url("case-detail", case)).status_code == 200
        assert client.get(reverse("casework:my-tasks")).status_code == 200
    _many(case, worker2, 30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url("case-detail", case)).status_code == 200
        assert client.get(reverse("casework:my-tasks")).status_code == 200


def test_my_tasks_lists_overdue_and_the_heads_figures(client, case, worker, worker2):
    CaseTask.objects.create(
        case=case, title="逾期的事", owner=worker2, created_by=worker2, due_on=datetime.date(2026, 12, 1)
    )
    CaseTask.objects.create(
        case=case, title="今天的事", owner=worker2, created_by=worker2, due_on=datetime.date(2026, 12, 3)
    )
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSING)
    Closure.objects.create(case=case, reason="goals_met", summary="x", requested_by=worker2)
    client.force_login(worker2)
    before = PersonalDataAccess.objects.count()
    response = client.get(reverse("casework:my-tasks"))
    page = response.content.decode()
    assert "逾期的事" in page and "今天的事" in page and response.context["overdue_mine"] == 1
    assert PersonalDataAccess.objects.count() == before + 1  # the clients' names: logged
    client.force_login(worker)
    response = client.get(reverse("casework:my-tasks"))
    assert response.context["station_overdue"] == 1
    assert [c.case_id for c in response.context["awaiting_approval"]] == [case.pk]


def test_my_tasks_is_for_station_staff(client, district_user, city_user):
    for user in (district_user, city_user):
        client.force_login(user)
        assert client.get(reverse("casework:my-tasks")).status_code == 403
