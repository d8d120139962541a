"""预估 (versions, locked once submitted) and 计划 (goals, interventions, agreement; approved or returned by
the station head, never by its author)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework import services
from casework.models import Assessment, Case, CaseEvent, CasePlan
from notifications.inbox import Notification
from stations.locking import STALE_MESSAGE
from tests import factories as f
from tests.casework.factories import make_supervisor
from tests.casework.open_factories import DOMAINS, assessed, open_accepted, planned
from tests.residents.factories import make_resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_resident(chaoyangli):
    return make_resident(chaoyangli, name="孙秀英", birth_date=datetime.date(1950, 3, 8))


@pytest.fixture
def case(worker2, client_resident):
    return open_accepted(worker2, client_resident)


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


# --- 预估 ---------------------------------------------------------------------------------------------


def test_submitting_the_first_assessment_locks_it_sets_the_risk_and_moves_to_planning(worker2, case):
    assessment = services.start_assessment(acting_user=worker2, case=case)
    services.save_assessment(
        acting_user=worker2,
        assessment=assessment,
        overall_risk="high",
        needs="心理疏导\n法律援助",
        domains=DOMAINS,
    )
    services.submit_assessment(acting_user=worker2, assessment=assessment, version=assessment.version)
    assessment = _fresh(assessment)
    case = _fresh(case)
    assert assessment.locked and case.risk == Case.Risk.HIGH and case.stage == Case.Stage.PLANNING
    assert assessment.domains.count() == len(DOMAINS)
    assert case.events.filter(kind=CaseEvent.Kind.ASSESSMENT, to_stage=Case.Stage.PLANNING).count() == 1


def test_an_incomplete_assessment_is_not_submitted(worker2, case):
    assessment = services.start_assessment(acting_user=worker2, case=case)
    partial = {k: v for k, v in DOMAINS.items() if k != "safety"}
    services.save_assessment(
        acting_user=worker2, assessment=assessment, overall_risk="low", needs="x", domains=partial
    )
    with pytest.raises(services.CaseworkError, match="安全与风险"):
        services.submit_assessment(acting_user=worker2, assessment=_fresh(assessment))
    assert not _fresh(assessment).locked and _fresh(case).stage == Case.Stage.ASSESSMENT


def test_a_bad_rating_is_refused_and_nothing_is_saved(worker2, case):
    assessment = services.start_assessment(acting_user=worker2, case=case)
    with pytest.raises(services.CaseworkError, match="1–5"):
        services.save_assessment(
            acting_user=worker2,
            assessment=assessment,
            overall_risk="low",
            needs="x",
            domains={**DOMAINS, "health": ("卧床", 9)},
        )
    assert not _fresh(assessment).domains.exists() and _fresh(assessment).needs == ""


def test_a_locked_assessment_cannot_be_edited_or_submitted_again(worker, worker2, case):
    assessment = assessed(worker2, case)
    before = (assessment.needs, list(assessment.domains.values_list("domain", "findings", "rating")))
    for user in (worker2, worker):
        with pytest.raises(services.CaseworkError, match="已提交锁定"):
            services.save_assessment(
                acting_user=user,
                assessment=assessment,
                overall_risk="low",
                needs="改写",
                domains=DOMAINS,
                version=assessment.version,
            )
        with pytest.raises(services.CaseworkError, match="已提交锁定"):
            services.submit_assessment(acting_user=user, assessment=assessment, version=assessment.version)
    # Even with an object in hand that does not know it was submitted (a stale copy).
    stale_copy = Assessment.objects.get(pk=assessment.pk)
    stale_copy.submitted_at = None
    with pytest.raises(services.CaseworkError, match="已提交锁定"):
        services.save_assessment(
            acting_user=worker2, assessment=stale_copy, overall_risk="low", needs="改写", domains=DOMAINS
        )
    assessment = _fresh(assessment)
    assert (assessment.needs, list(assessment.domains.values_list("domain", "findings", "rating"))) == before


def test_a_reassessment_is_a_new_version_and_the_earlier_stays_readable(worker2, case):
    first = assessed(worker2, case)
    second = services.start_assessment(acting_user=worker2, case=_fresh(case))
    assert second.number == 2 and not second.locked and second.needs == first.needs
    with pytest.raises(services.CaseworkError, match="未提交的第2次预估"):
        services.start_assessment(acting_user=worker2, case=_fresh(case))
    services.save_assessment(
        acting_user=worker2, assessment=second, overall_risk="medium", needs="复评需求", domains=DOMAINS
    )
    services.submit_assessment(acting_user=worker2, assessment=_fresh(second))
    assert list(case.assessments.order_by("number").values_list("number", "needs", "overall_risk")) == [
        (1, first.needs, first.overall_risk),
        (2, "复评需求", "medium"),
    ]
    assert _fresh(case).risk == Case.Risk.MEDIUM and _fresh(case).stage == Case.Stage.PLANNING


def test_assessment_steps_refuse_outsiders(worker2, other_worker, district_user, case):
    for outsider in (other_worker, make_supervisor(district_user)):
        with pytest.raises(PermissionDenied):
            services.start_assessment(acting_user=outsider, case=case)
    assert not case.assessments.exists()


def test_no_assessment_before_acceptance(worker2, client_resident, chaoyangli):
    case = open_accepted(worker2, make_resident(chaoyangli, name="周大爷"), accept=False)
    with pytest.raises(services.CaseworkError, match="不能开展预估"):
        services.start_assessment(acting_user=worker2, case=case)


def test_a_stale_assessment_save_is_refused(worker2, case):
    assessment = services.start_assessment(acting_user=worker2, case=case)
    services.save_assessment(
        acting_user=worker2, assessment=assessment, overall_risk="low", needs="a", domains={}
    )
    with pytest.raises(services.CaseworkError, match=STALE_MESSAGE):
        services.save_assessment(
            acting_user=worker2, assessment=assessment, overall_risk="low", needs="b", domains={}, version=1
        )
    assert _fresh(assessment).needs == "a"


# --- 计划 ---------------------------------------------------------------------------------------------


def test_submitting_a_plan_needs_goals_interventions_and_agreement(worker2, case):
    assessed(worker2, case)
    plan = services.start_case_plan(acting_user=worker2, case=_fresh(case))
    with pytest.raises(services.CaseworkError, match="服务目标、介入策略、服务对象同意"):
        services.submit_case_plan(acting_user=worker2, plan=plan)
    with pytest.raises(services.CaseworkError, match="目标日期"):
        services.save_case_plan(
            acting_user=worker2,
            plan=plan,
            goals=[
                {
                    "text": "改善情绪",
                    "indicator": "量表",
                    "target_date": timezone.localdate() - datetime.timedelta(1),
                }
            ],
        )
    assert _fresh(plan).status == CasePlan.Status.DRAFT and not plan.goals.exists()


def test_the_head_approves_a_workers_plan_and_the_case_moves_to_intervention(worker, worker2, case):
    plan = planned(worker2, case)
    assert Notification.objects.filter(recipient=worker, event="case_plan_submitted").count() == 1
    services.approve_case_plan(acting_user=worker, plan=plan, comment="同意", version=plan.version)
    plan, case = _fresh(plan), _fresh(case)
    assert plan.status == CasePlan.Status.APPROVED and plan.reviewed_by == worker
    assert case.stage == Case.Stage.INTERVENTION
    assert Notification.objects.filter(recipient=worker2, event="case_plan_approved").count() == 1


def test_a_worker_cannot_approve_their_own_plan_nor_a_colleague_a_plan(worker, worker2, guoyuan, case):
    third = f.make_user("st-120113001-3", f.User.Role.STATION_WORKER, station=guoyuan, name="王芳")
    f.make_assignment(third, guoyuan)
    services.share_case(acting_user=worker2, case=case, colleague=third)
    plan = planned(worker2, case)
    with pytest.raises(services.CaseworkError, match="不能审批自己"):
        services.approve_case_plan(acting_user=worker2, plan=plan)
    with pytest.raises(services.CaseworkError, match="只有本站站长"):
        services.approve_case_plan(acting_user=third, plan=plan)
    assert _fresh(plan).status == CasePlan.Status.SUBMITTED and _fresh(case).stage == Case.Stage.PLANNING


def test_the_heads_own_plan_is_refused_to_the_head_and_goes_to_the_district_supervisor(
    worker, district_user, other_district_user, client_resident
):
    case = open_accepted(worker, client_resident)
    plan = planned(worker, case)
    with pytest.raises(services.CaseworkError, match="不能审批自己"):
        services.approve_case_plan(acting_user=worker, plan=plan)
    with pytest.raises(services.CaseworkError):  # district staff not designated supervisors
        services.approve_case_plan(acting_user=district_user, plan=plan)
    with pytest.raises(services.CaseworkError):  # another district's supervisor
        services.approve_case_plan(acting_user=make_supervisor(other_district_user), plan=plan)
    supervisor = make_supervisor(district_user)
    assert Notification.objects.filter(event="case_plan_submitted", recipient=district_user).count() == 0
    services.approve_case_plan(acting_user=supervisor, plan=plan)
    assert _fresh(case).stage == Case.Stage.INTERVENTION


def test_a_returned_plan_is_revised_and_submitted_again(worker, worker2, case):
    plan = planned(worker2, case)
    with pytest.raises(services.CaseworkError, match="修改意见"):
        services.return_case_plan(acting_user=worker, plan=plan, comment="")
    services.return_case_plan(acting_user=worker, plan=plan, comment="目标需更具体")
    plan = _fresh(plan)
    assert plan.status == CasePlan.Status.RETURNED and _fresh(case).stage == Case.Stage.PLANNING
    with pytest.raises(services.CaseworkError, match="不在待审批"):
        services.approve_case_plan(acting_user=worker, plan=plan)
    services.save_case_plan(
        acting_user=worker2,
        plan=plan,
        summary="修改后",
        client_agreed=True,
        client_agreed_on=timezone.localdate(),
        goals=[
            {
                "text": "每周外出两次",
                "indicator": "外出次数",
                "target_date": timezone.localdate() + datetime.timedelta(30),
            }
        ],
        interventions=[{"action": "陪同外出", "responsible": "李静", "frequency": "每周"}],
    )
    services.submit_case_plan(acting_user=worker2, plan=_fresh(plan))
    services.approve_case_plan(acting_user=worker, plan=_fresh(plan))
    assert _fresh(plan).status == CasePlan.Status.APPROVED


def test_a_submitted_or_approved_plan_is_not_edited(worker, worker2, case):
    plan = planned(worker2, case)
    with pytest.raises(services.CaseworkError, match="不能修改"):
        services.save_case_plan(acting_user=worker2, plan=plan, summary="偷改")
    services.approve_case_plan(acting_user=worker, plan=_fresh(plan))
    with pytest.raises(services.CaseworkError, match="不能修改"):
        services.save_case_plan(acting_user=worker2, plan=_fresh(plan), summary="偷改")
    assert _fresh(plan).summary != "偷改"


def test_a_revision_starts_from_the_approved_plan(worker, worker2, case):
    plan = planned(worker2, case)
    services.approve_case_plan(acting_user=worker, plan=plan)
    revision = services.start_case_plan(acting_user=worker2, case=_fresh(case))
    assert revision.number == 2 and revision.status == CasePlan.Status.DRAFT
    assert list(revision.goals.values_list("text", flat=True)) == list(
        plan.goals.values_list("text", flat=True)
    )
    with pytest.raises(services.CaseworkError, match="尚未批准"):
        services.start_case_plan(acting_user=worker2, case=_fresh(case))


def test_plan_steps_refuse_outsiders(worker2, other_worker, case):
    assessed(worker2, case)
    with pytest.raises(PermissionDenied):
        services.start_case_plan(acting_user=other_worker, case=_fresh(case))
