"""计划: the service plan (goals with measurable indicators and target dates, interventions, the client's
agreement), written by the case's workers, submitted, then approved or returned by the station head —
never by its own author (a plan the head wrote goes to the district's casework supervisors)."""

import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from casework import notices
from casework.models import Case, CaseEvent, CasePlan, Goal, Intervention
from casework.permissions import is_case_supervisor
from casework.services.common import (
    CaseworkError,
    check_version,
    move_stage,
    record_event,
    require_case_worker,
)
from stations import access, locking

Status = CasePlan.Status
EDITABLE = (Status.DRAFT, Status.RETURNED)
# Stages in which a plan may be written: the first in 计划, a revision while the work goes on.
PLANNING_STAGES = (Case.Stage.PLANNING, Case.Stage.INTERVENTION, Case.Stage.EVALUATION)
MAX_ROWS = 20  # goals, interventions: a plan is read by people, not generated


def start_case_plan(*, acting_user, case: Case) -> CasePlan:
    """A new draft plan (the first, or a revision of the approved one, whose goals and interventions
    it starts from)."""
    require_case_worker(acting_user, case)
    if case.stage not in PLANNING_STAGES:
        raise CaseworkError(
            f"个案当前处于“{case.get_stage_display()}”阶段，不能制定服务计划。", code="transition"
        )
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).values_list("pk").get()
        unfinished = case.plans.exclude(status=Status.APPROVED).first()
        if unfinished is not None:
            raise CaseworkError(
                f"第{unfinished.number}版计划尚未批准（{unfinished.get_status_display()}），请在该版上修改。",
                code="draft",
            )
        last = case.plans.aggregate(last=Max("number"))["last"] or 0
        previous = case.plans.filter(number=last).prefetch_related("goals", "interventions").first()
        plan = CasePlan.objects.create(
            case=case, number=last + 1, author=acting_user, summary=previous.summary if previous else ""
        )
        if previous is not None:
            Goal.objects.bulk_create(
                Goal(plan=plan, text=g.text, indicator=g.indicator, target_date=g.target_date)
                for g in previous.goals.all()
            )
            Intervention.objects.bulk_create(
                Intervention(
                    plan=plan,
                    action=i.action,
                    responsible=i.responsible,
                    frequency=i.frequency,
                    resource=i.resource,
                )
                for i in previous.interventions.all()
            )
    return plan


def _clean_goals(goals) -> list[dict]:
    cleaned, errors = [], []
    for number, goal in enumerate(goals or (), start=1):
        text = (goal.get("text") or "").strip()
        indicator = (goal.get("indicator") or "").strip()
        target_date = goal.get("target_date")
        if not (text or indicator or target_date):
            continue
        if not text:
            errors.append(f"目标{number}：请填写目标。")
        if not indicator:
            errors.append(f"目标{number}：请填写可衡量的指标。")
        if not isinstance(target_date, datetime.date):
            errors.append(f"目标{number}：请填写目标日期。")
        elif target_date < timezone.localdate():
            errors.append(f"目标{number}：目标日期不能早于今天。")
        cleaned.append({"text": text[:300], "indicator": indicator[:300], "target_date": target_date})
    if len(cleaned) > MAX_ROWS:
        errors.append(f"目标最多 {MAX_ROWS} 项。")
    if errors:
        raise CaseworkError({"goals": errors})
    return cleaned


def _clean_interventions(interventions) -> list[dict]:
    cleaned, errors = [], []
    for number, item in enumerate(interventions or (), start=1):
        fields = {
            key: (item.get(key) or "").strip()[:size]
            for key, size in (("action", 300), ("responsible", 100), ("frequency", 50), ("resource", 200))
        }
        if not any(fields.values()):
            continue
        if not fields["action"]:
            errors.append(f"介入策略{number}：请填写介入内容。")
        if not fields["responsible"]:
            errors.append(f"介入策略{number}：请填写执行人。")
        cleaned.append(fields)
    if len(cleaned) > MAX_ROWS:
        errors.append(f"介入策略最多 {MAX_ROWS} 项。")
    if errors:
        raise CaseworkError({"interventions": errors})
    return cleaned


def _lock_plan(plan: CasePlan, version):
    """The plan's row under lock: its version checked, its status as the database has it."""
    row = CasePlan.objects.select_for_update().filter(pk=plan.pk).values_list("version", "status").first()
    if row is None:
        raise CaseworkError(locking.STALE_MESSAGE, code="stale")
    check_version(plan.version if version is None else version, row[0])
    plan.status = row[1]
    return row[0]


def save_case_plan(
    *,
    acting_user,
    plan: CasePlan,
    summary="",
    client_agreed=False,
    client_agreed_on=None,
    goals=(),
    interventions=(),
    version=None,
) -> CasePlan:
    """Write a draft (or returned) plan: its summary, the client's agreement, and all its goals and
    interventions (replacing what was there). A submitted or approved plan is not edited."""
    require_case_worker(acting_user, plan.case)
    goals, interventions = _clean_goals(goals), _clean_interventions(interventions)
    if client_agreed and not isinstance(client_agreed_on, datetime.date):
        raise CaseworkError({"client_agreed_on": "请填写服务对象同意计划的日期。"})
    if client_agreed and client_agreed_on > timezone.localdate():
        raise CaseworkError({"client_agreed_on": "同意日期不能晚于今天。"})
    with transaction.atomic():
        current = _lock_plan(plan, version)
        if plan.status not in EDITABLE:
            raise CaseworkError(f"计划{plan.get_status_display()}，不能修改。", code="locked")
        plan.summary = (summary or "").strip()[:4000]
        plan.client_agreed = bool(client_agreed)
        plan.client_agreed_on = client_agreed_on if client_agreed else None
        plan.version = current + 1
        plan.save(update_fields=["summary", "client_agreed", "client_agreed_on", "version"])
        plan.goals.all().delete()
        plan.interventions.all().delete()
        Goal.objects.bulk_create(Goal(plan=plan, **goal) for goal in goals)
        Intervention.objects.bulk_create(Intervention(plan=plan, **item) for item in interventions)
    return plan


def submit_case_plan(*, acting_user, plan: CasePlan, version=None) -> CasePlan:
    """Submit the plan for approval: it needs goals, interventions and the client's agreement. The
    station head hears of it (or, when the head wrote it, the district's supervisors)."""
    case = plan.case
    require_case_worker(acting_user, case)
    with transaction.atomic():
        current = _lock_plan(plan, version)
        if plan.status not in EDITABLE:
            raise CaseworkError(f"计划{plan.get_status_display()}，不能提交。", code="transition")
        missing = []
        if not plan.goals.exists():
            missing.append("服务目标")
        if not plan.interventions.exists():
            missing.append("介入策略")
        if not plan.client_agreed:
            missing.append("服务对象同意")
        if missing:
            raise CaseworkError(f"提交前请完成：{'、'.join(missing)}。", code="incomplete")
        plan.status = Status.SUBMITTED
        plan.submitted_at = timezone.now()
        plan.version = current + 1
        plan.save(update_fields=["status", "submitted_at", "version"])
        record_event(
            case,
            CaseEvent.Kind.PLAN_SUBMITTED,
            acting_user,
            f"第{plan.number}版服务计划提交审批",
            plan=plan.pk,
        )
        notices.plan_submitted(plan, actor=acting_user)
    return plan


def may_review_case_plan(user, plan: CasePlan) -> bool:
    """Who decides on a plan: the head of the case's station, not its author; a plan the head wrote
    goes to the casework supervisors of the station's district. Whatever the plan's status."""
    case = plan.case
    if not (user.is_authenticated and user.is_active) or user.pk == plan.author_id:
        return False
    if not access.may_open(user, case):
        return False
    if access.is_station_head(user) and access.works_at(user, case):
        return True
    author_is_head = _is_head_of(plan.author_id, case.station_id)
    return bool(author_is_head and is_case_supervisor(user) and case.station.district_id == user.district_id)


def _is_head_of(user_id, station_id) -> bool:
    from stations.models import User

    return User.objects.filter(
        pk=user_id, station_id=station_id, role=access.Role.STATION_HEAD, is_active=True
    ).exists()


def _review(acting_user, plan: CasePlan, version, to_status, comment):
    if not may_review_case_plan(acting_user, plan):
        if acting_user.pk == plan.author_id:
            raise CaseworkError("不能审批自己制定的服务计划。", code="own_plan")
        raise CaseworkError(
            "只有本站站长可以审批服务计划（站长制定的计划由区级个案督导审批）。", code="not_allowed"
        )
    current = _lock_plan(plan, version)
    if plan.status != Status.SUBMITTED:
        raise CaseworkError(f"计划{plan.get_status_display()}，不在待审批状态。", code="transition")
    plan.status = to_status
    plan.reviewed_by = acting_user
    plan.reviewed_at = timezone.now()
    plan.review_comment = comment
    plan.version = current + 1
    plan.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment", "version"])


def approve_case_plan(*, acting_user, plan: CasePlan, comment="", version=None) -> CasePlan:
    """Approve the plan: the case moves from 计划 to 介入 (a revised plan leaves the stage as it is)."""
    comment = (comment or "").strip()[:2000]
    with transaction.atomic():
        _review(acting_user, plan, version, Status.APPROVED, comment)
        case = Case.objects.select_for_update().get(pk=plan.case_id)
        text = f"第{plan.number}版服务计划批准" + (f"：{comment}" if comment else "")
        if case.stage == Case.Stage.PLANNING:
            move_stage(
                case, Case.Stage.INTERVENTION, acting_user, CaseEvent.Kind.PLAN_APPROVED, text, plan=plan.pk
            )
        else:
            record_event(case, CaseEvent.Kind.PLAN_APPROVED, acting_user, text, plan=plan.pk)
        plan.case = case
        notices.plan_reviewed(plan, actor=acting_user)
    return plan


def return_case_plan(*, acting_user, plan: CasePlan, comment, version=None) -> CasePlan:
    """Return the plan with comments: its workers revise and submit it again."""
    comment = (comment or "").strip()[:2000]
    if not comment:
        raise CaseworkError({"comment": "退回计划请填写修改意见。"})
    with transaction.atomic():
        _review(acting_user, plan, version, Status.RETURNED, comment)
        record_event(
            plan.case,
            CaseEvent.Kind.PLAN_RETURNED,
            acting_user,
            f"第{plan.number}版服务计划退回：{comment}",
            plan=plan.pk,
        )
        notices.plan_reviewed(plan, actor=acting_user)
    return plan
