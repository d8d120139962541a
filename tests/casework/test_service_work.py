"""介入 and 评估 on a case: service records (goals the case's own, resources the station's), evaluation per
goal, going back to intervention; tasks with owners and the overdue arithmetic; the case review date."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from freezegun import freeze_time

from casework import services
from casework.models import Case, CaseEvaluation, CaseEvent, CaseTask, ServiceRecord
from projects.models import Partner, Resource
from tests.casework.closing import approved_plan, case_at, colleague

pytestmark = pytest.mark.django_db
Stage = Case.Stage
TODAY = datetime.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-12-03 10:00"):
        yield


@pytest.fixture
def case(guoyuan, chaoyangli, worker2):
    case = case_at(guoyuan, chaoyangli, worker2, stage=Stage.INTERVENTION)
    Case.objects.filter(pk=case.pk).update(opened_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    case.refresh_from_db()
    return case


@pytest.fixture
def plan(case, worker2):
    return approved_plan(case, worker2)


def resource_of(station, amount="500.00"):
    partner = Partner.objects.create(station=station, name="爱心超市", kind=Partner.Kind.values[0])
    return Resource.objects.create(station=station, partner=partner, amount=amount, description="米面油")


def record(case, user, **fields):
    values = {
        "date": TODAY,
        "form": "home_visit",
        "duration_minutes": 60,
        "content": "家访，了解近况",
        "person_times": 2,
    }
    values.update(fields)
    return services.record_service(acting_user=user, case=case, **values)


def test_a_service_record_is_written_with_its_event(case, plan, worker2, guoyuan):
    resource = resource_of(guoyuan)
    goal = plan.goals.first()
    rec = record(case, worker2, goals=[goal.pk], resources=[resource.pk])
    assert rec.station_id == case.station_id and rec.worker == worker2
    assert list(rec.goals.all()) == [goal] and list(rec.resources.all()) == [resource]
    assert case.events.get(kind=CaseEvent.Kind.SERVICE).data["record"] == rec.pk


def test_forged_goal_or_resource_is_refused(case, plan, worker2, guoyuan, jixianli, chaoyangli):
    other_case = case_at(guoyuan, chaoyangli, worker2, client_name="赵四")
    other_goal = approved_plan(other_case, worker2).goals.first()
    with pytest.raises(services.CaseworkError, match="目标"):
        record(case, worker2, goals=[other_goal.pk])
    with pytest.raises(services.CaseworkError, match="资源"):
        record(case, worker2, resources=[resource_of(jixianli).pk])
    assert not ServiceRecord.objects.exists()


def test_bad_input_is_refused_with_nothing_saved(case, plan, worker2):
    for fields, message in (
        ({"date": TODAY + datetime.timedelta(days=1)}, "晚于今天"),
        ({"date": datetime.date(2026, 10, 1)}, "早于接案"),
        ({"content": "  "}, "服务内容"),
        ({"form": "email"}, "服务形式"),
        ({"person_times": 0}, "正整数"),
    ):
        with pytest.raises(services.CaseworkError, match=message):
            record(case, worker2, **fields)
    assert not ServiceRecord.objects.exists() and not case.events.exists()


@pytest.mark.parametrize(
    "stage", [Stage.INTAKE, Stage.ASSESSMENT, Stage.PLANNING, Stage.EVALUATION, Stage.CLOSED]
)
def test_service_records_only_in_intervention(stage, case, worker2):
    Case.objects.filter(pk=case.pk).update(stage=stage)
    with pytest.raises(services.CaseworkError, match="介入阶段"):
        record(case, worker2)


def test_outsiders_cannot_record(case, guoyuan, other_worker, district_user, admin_user):
    for outsider in (other_worker, district_user, admin_user, colleague(guoyuan)):
        with pytest.raises(PermissionDenied):
            record(case, outsider)


def evaluate(case, user, attainments, **fields):
    case.refresh_from_db()
    values = {"client_view": "感觉好多了", "satisfaction": "satisfied", "worker_evaluation": "目标基本达成"}
    values.update(fields)
    return services.evaluate_case(
        acting_user=user, case=case, attainments=attainments, version=case.version, **values
    )


def test_evaluation_rates_every_goal_and_moves_to_evaluation(case, plan, worker2):
    first, second = plan.goals.all()
    with pytest.raises(services.CaseworkError, match="每个目标"):
        evaluate(case, worker2, {first.pk: ("met", "")})
    evaluation = evaluate(case, worker2, {first.pk: ("met", "已恢复"), second.pk: ("partly", "")})
    case.refresh_from_db()
    assert case.stage == Stage.EVALUATION
    assert dict(evaluation.attainments.values_list("goal_id", "attainment")) == {
        first.pk: "met",
        second.pk: "partly",
    }
    # A second evaluation in 评估 adds a version; the first stays.
    evaluate(case, worker2, {first.pk: ("met", ""), second.pk: ("met", "")})
    assert CaseEvaluation.objects.filter(case=case).count() == 2


def test_evaluation_refuses_a_goal_of_another_case(case, plan, worker2, guoyuan, chaoyangli):
    other_goal = approved_plan(
        case_at(guoyuan, chaoyangli, worker2, client_name="赵四"), worker2
    ).goals.first()
    ratings = {goal.pk: ("met", "") for goal in plan.goals.all()} | {other_goal.pk: ("met", "")}
    with pytest.raises(services.CaseworkError, match="不属于"):
        evaluate(case, worker2, ratings)
    with pytest.raises(services.CaseworkError, match="达成情况"):
        evaluate(case, worker2, {goal.pk: ("perfect", "") for goal in plan.goals.all()})
    assert not CaseEvaluation.objects.exists()


def test_back_to_intervention_from_evaluation(case, plan, worker2):
    evaluate(case, worker2, {goal.pk: ("partly", "") for goal in plan.goals.all()})
    case.refresh_from_db()
    services.resume_intervention(acting_user=worker2, case=case, reason="仍需陪同就医", version=case.version)
    case.refresh_from_db()
    assert case.stage == Stage.INTERVENTION


# --- tasks ----------------------------------------------------------------------------------------------


def test_task_owner_must_be_on_the_case(case, worker, worker2, guoyuan, other_worker):
    bystander = colleague(guoyuan)
    due = TODAY + datetime.timedelta(days=3)
    for owner in (bystander, other_worker):
        with pytest.raises(services.CaseworkError, match="负责人"):
            services.add_case_task(acting_user=worker2, case=case, title="联系学校", owner=owner, due_on=due)
    case.shared_with.add(bystander)
    for owner in (worker, worker2, bystander):  # the head, the lead, a colleague it is shared with
        services.add_case_task(acting_user=worker2, case=case, title="联系学校", owner=owner, due_on=due)
    assert CaseTask.objects.filter(case=case).count() == 3
    assert set(CaseTask.objects.values_list("stage", flat=True)) == {Stage.INTERVENTION}


def test_task_due_date_not_in_the_past(case, worker2):
    with pytest.raises(services.CaseworkError, match="截止日期"):
        services.add_case_task(
            acting_user=worker2,
            case=case,
            title="x",
            owner=worker2,
            due_on=TODAY - datetime.timedelta(days=1),
        )


def test_overdue_arithmetic(case, worker, worker2):
    def task(days):
        return CaseTask.objects.create(
            case=case,
            title=f"任务{days}",
            owner=worker2,
            created_by=worker2,
            due_on=TODAY + datetime.timedelta(days=days),
        )

    yesterday, today, tomorrow = task(-1), task(0), task(1)
    done = task(-5)
    done.done_at = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)
    done.save()
    # Due today is not overdue; due yesterday is; a done task never is.
    assert list(services.overdue_tasks(worker2)) == [yesterday]
    assert list(services.overdue_tasks(worker)) == [yesterday]  # the head sees her station's
    assert list(services.overdue_tasks(worker2, today=TODAY + datetime.timedelta(days=2))) == [
        yesterday,
        today,
        tomorrow,
    ]
    assert list(services.open_tasks_of(worker2)) == [yesterday, today, tomorrow]


def test_complete_a_task_once(case, worker2):
    task = services.add_case_task(
        acting_user=worker2, case=case, title="电话回访", owner=worker2, due_on=TODAY
    )
    services.complete_case_task(acting_user=worker2, task=task, version=task.version)
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == worker2
    with pytest.raises(services.CaseworkError):
        services.complete_case_task(acting_user=worker2, task=task, version=task.version)
    with pytest.raises(services.CaseworkError, match="已被他人修改"):
        services.complete_case_task(acting_user=worker2, task=task, version=task.version - 1)


def test_no_task_on_an_ended_case(case, worker2):
    Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    with pytest.raises(services.CaseworkError, match="已结束"):
        services.add_case_task(acting_user=worker2, case=case, title="x", owner=worker2, due_on=TODAY)


def test_case_review_sets_the_next_date_90_days_on(case, worker, worker2):
    Case.objects.filter(pk=case.pk).update(review_due_on=TODAY - datetime.timedelta(days=1))
    case.refresh_from_db()
    assert list(services.reviews_due(worker2)) == [case]
    assert list(services.reviews_due(worker)) == [case]
    services.record_case_review(acting_user=worker2, case=case, note="进展顺利", version=case.version)
    case.refresh_from_db()
    assert case.review_due_on == TODAY + datetime.timedelta(days=90)
    assert list(services.reviews_due(worker2)) == []
