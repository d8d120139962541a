"""评估: the case's evaluation at the end of intervention (goal attainment per goal, the client's view and
satisfaction, the worker's evaluation), and going back to intervention when it shows more work is needed."""

from django.db import transaction

from casework.models import Case, CaseEvaluation, CaseEvent, CasePlan, Goal, GoalAttainment
from casework.services.common import (
    CaseworkError,
    check_version,
    move_stage,
    record_event,
    require_case_worker,
)


def current_plan(case: Case) -> CasePlan | None:
    """The plan the case is served under: its latest approved version."""
    return case.plans.filter(status=CasePlan.Status.APPROVED).order_by("-number").first()


def evaluate_case(
    *,
    acting_user,
    case: Case,
    client_view: str,
    satisfaction: str,
    worker_evaluation: str,
    attainments: dict,
    version,
) -> CaseEvaluation:
    """Evaluate the case: from 介入 it moves to 评估; in 评估 a new evaluation is added (the earlier stays).

    `attainments` maps each goal of the current plan (its pk) to (attainment, note); every goal is rated,
    no goal of another plan or case is accepted."""
    require_case_worker(acting_user, case)
    client_view, worker_evaluation = (client_view or "").strip(), (worker_evaluation or "").strip()
    if not client_view or not worker_evaluation:
        raise CaseworkError("请填写服务对象的看法和社工评估。", code="text")
    if satisfaction not in CaseEvaluation.Satisfaction.values:
        raise CaseworkError("请选择满意度。", code="satisfaction")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        check_version(version, locked.version)
        case.stage, case.version = locked.stage, locked.version
        if case.stage not in (Case.Stage.INTERVENTION, Case.Stage.EVALUATION):
            raise CaseworkError("个案处于介入或评估阶段时才能评估。", code="transition")
        plan = current_plan(case)
        goals = {goal.pk: goal for goal in plan.goals.all()} if plan else {}
        try:
            rated = {int(pk): value for pk, value in attainments.items()}
        except (TypeError, ValueError):
            raise CaseworkError("所选目标不属于本个案当前的服务计划。", code="goals") from None
        if set(rated) - set(goals):
            raise CaseworkError("所选目标不属于本个案当前的服务计划。", code="goals")
        if set(goals) - set(rated):
            raise CaseworkError("请为服务计划的每个目标填写达成情况。", code="goals")
        if any(attainment not in Goal.Attainment.values for attainment, _note in rated.values()):
            raise CaseworkError("请选择目标达成情况。", code="attainment")
        evaluation = CaseEvaluation.objects.create(
            case=case,
            client_view=client_view,
            satisfaction=satisfaction,
            worker_evaluation=worker_evaluation,
            author=acting_user,
        )
        for goal_id, (attainment, note) in rated.items():
            GoalAttainment.objects.create(
                evaluation=evaluation,
                goal=goals[goal_id],
                attainment=attainment,
                note=(note or "").strip()[:300],
            )
        text = f"满意度：{evaluation.get_satisfaction_display()}。{worker_evaluation[:200]}"
        if case.stage == Case.Stage.INTERVENTION:
            move_stage(
                case,
                Case.Stage.EVALUATION,
                acting_user,
                CaseEvent.Kind.EVALUATION,
                text,
                evaluation=evaluation.pk,
            )
        else:
            record_event(case, CaseEvent.Kind.EVALUATION, acting_user, text, evaluation=evaluation.pk)
            case.version += 1
            Case.objects.filter(pk=case.pk).update(version=case.version)
    return evaluation


def resume_intervention(*, acting_user, case: Case, reason: str, version) -> Case:
    """The evaluation shows more work is needed: back to 介入, with the reason on the timeline."""
    require_case_worker(acting_user, case)
    reason = (reason or "").strip()
    if not reason:
        raise CaseworkError("请填写继续介入的原因。", code="reason")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        check_version(version, locked.version)
        case.stage, case.version = locked.stage, locked.version
        if case.stage != Case.Stage.EVALUATION:
            raise CaseworkError("只有评估阶段的个案可以继续介入。", code="transition")
        move_stage(case, Case.Stage.INTERVENTION, acting_user, CaseEvent.Kind.NOTE, f"继续介入：{reason}")
    return case
