"""The registry's care workflows (issue #20): households, support statuses, risk tiers and visits.

Each step takes the acting user, checks it may change the resident (station staff of the resident's
station, or an admin: `editable_by`), writes in one transaction with the audit entry, and refuses bad
input with a Chinese message (`WorkflowError`) before anything is written.
"""

import copy
import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from residents import auditing, services
from residents.models import (
    Category,
    Household,
    HouseholdMembership,
    Request,
    RiskTier,
    RiskTierChange,
    RiskTierRule,
    SupportStatus,
    Visit,
    VisitPlan,
    VisitRule,
)
from residents.models.visits import ESCALATE_AFTER_FAILED
from residents.services import WorkflowError
from stations import access, locking, periods

OUT_OF_SCOPE = "该居民不在您可办理的范围内。"
FUTURE_DATE = "日期不能晚于今天。"
ESCALATION_TEXT = "探访连续{count}次未遇（{dates}），请尽快联系本人或家属核实安全。"
# The category an escalation is filed under (first found), and the P1 it is given.
ESCALATION_CATEGORIES = ("紧急看护", "居家照护")


def _check_editable(user, *objects):
    for obj in objects:
        if not access.may_change(user, obj):
            raise WorkflowError(OUT_OF_SCOPE)


def _not_future(day: datetime.date, field: str):
    if day > timezone.localdate():
        raise WorkflowError({field: FUTURE_DATE})


def _created(instance, actor):
    """Save a new row with its audit entry, written here with the acting user."""
    with auditing.signals_off():
        instance.save()
        auditing.log_create(instance, actor=actor)
    return instance


# --- Households ---------------------------------------------------------------------------------------


def create_household(*, acting_user, community, address, notes="") -> Household:
    address = (address or "").strip()
    if not address:
        raise WorkflowError({"address": "请填写住址。"})
    _check_editable(acting_user, community)
    household = Household(community=community, address=address, notes=notes, created_by=acting_user)
    with transaction.atomic():
        return _created(household, acting_user)


def move_into_household(
    *, acting_user, household, resident, relation, on: datetime.date
) -> HouseholdMembership:
    """The resident joins `household` on `on`; a current membership elsewhere ends the day before (a move)."""
    _check_editable(acting_user, household, resident)
    _not_future(on, "start_date")
    with transaction.atomic():
        current = (
            HouseholdMembership.objects.select_for_update()
            .filter(resident=resident, end_date__isnull=True)
            .first()
        )
        if current is not None:
            if current.household_id == household.pk:
                raise WorkflowError({"resident": "该居民已是本户成员。"})
            if on <= current.start_date:
                raise WorkflowError({"start_date": "迁入日期须晚于其在原户的迁入日期。"})
            before = copy.copy(current)
            HouseholdMembership.objects.filter(pk=current.pk).update(end_date=on - datetime.timedelta(days=1))
            current.end_date = on - datetime.timedelta(days=1)
            auditing.log_update(current, before, actor=acting_user)
        membership = HouseholdMembership(
            household=household, resident=resident, relation=relation, start_date=on
        )
        return _created(membership, acting_user)


def move_out_of_household(*, acting_user, resident, on: datetime.date) -> HouseholdMembership:
    """The resident leaves their household; `on` is the last day there."""
    _check_editable(acting_user, resident)
    _not_future(on, "end_date")
    with transaction.atomic():
        current = (
            HouseholdMembership.objects.select_for_update()
            .filter(resident=resident, end_date__isnull=True)
            .first()
        )
        if current is None:
            raise WorkflowError("该居民目前不在任何一户中。")
        if on < current.start_date:
            raise WorkflowError({"end_date": "迁出日期不能早于迁入日期。"})
        before = copy.copy(current)
        HouseholdMembership.objects.filter(pk=current.pk).update(end_date=on)
        current.end_date = on
        auditing.log_update(current, before, actor=acting_user)
    return current


# --- Support statuses ---------------------------------------------------------------------------------


def record_support_status(
    *, acting_user, resident, kind, start_date, source, end_date=None, category="", grade=""
) -> SupportStatus:
    _check_editable(acting_user, resident)
    status = SupportStatus(
        resident=resident,
        kind=kind,
        start_date=start_date,
        end_date=end_date,
        source=source,
        category=category,
        grade=grade,
        recorded_by=acting_user,
    )
    status.clean()
    overlapping = (
        SupportStatus.objects.filter(
            resident=resident, kind=kind, start_date__lte=end_date or datetime.date.max
        )
        .exclude(end_date__lt=start_date)
        .exists()
    )
    if overlapping:
        raise WorkflowError({"start_date": f"该居民在此期间已有“{kind.name}”记录，请先终止原记录。"})
    with transaction.atomic():
        return _created(status, acting_user)


def end_support_status(*, acting_user, status, end_date) -> SupportStatus:
    _check_editable(acting_user, status.resident)
    if end_date < status.start_date:
        raise WorkflowError({"end_date": "终止日期不能早于起始日期。"})
    before = copy.copy(status)
    with transaction.atomic():
        SupportStatus.objects.filter(pk=status.pk).update(end_date=end_date)
        status.end_date = end_date
        auditing.log_update(status, before, actor=acting_user)
    return status


# --- Risk tiers ---------------------------------------------------------------------------------------


def set_risk_tier(*, acting_user, resident, tier, reason, worker=None, version=None) -> VisitPlan:
    """Set (or change) the resident's tier, with a reason; puts the resident in the visit programme.

    The rules' suggestion is recorded beside the worker's decision, never applied by itself. A tier
    change recounts the next due date from the last visit (`VisitPlan.due_for_tier`). `version` is the
    plan's version the worker saw (required when the resident is already in the programme)."""
    _check_editable(acting_user, resident)
    tier = RiskTier(int(tier))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError({"reason": "请填写评定理由。"})
    suggested, _rule = RiskTierRule.suggest(resident)
    interval = VisitRule.interval_for(tier)
    with transaction.atomic():
        plan = VisitPlan.objects.select_for_update().filter(resident=resident).first()
        previous = plan.tier if plan is not None else None
        if plan is None:
            today = timezone.localdate()
            plan = VisitPlan(resident=resident, tier=tier, worker=worker or acting_user, next_due_on=today)
            _created(plan, acting_user)
        else:
            changes = {"tier": tier, "active": True, "next_due_on": plan.due_for_tier(interval)}
            if worker is not None:
                changes["worker"] = worker
            _versioned(plan, version, acting_user, **changes)
        RiskTierChange.objects.create(
            resident=resident,
            tier=tier,
            previous_tier=previous,
            suggested_tier=suggested,
            reason=reason,
            actor=acting_user,
        )
    return plan


def _versioned(plan, version, acting_user, **changes):
    before = copy.copy(plan)
    try:
        locking.update_versioned(plan, plan.version if version is None else version, **changes)
    except locking.StaleVersionError:
        raise services.StaleVersionError from None
    auditing.log_update(plan, before, actor=acting_user)


# --- Visits -------------------------------------------------------------------------------------------


def log_visit(
    *,
    acting_user,
    resident,
    visited_on=None,
    form=Visit.Form.HOME,
    outcome=Visit.Outcome.SEEN,
    volunteer_name="",
    health="",
    living_conditions="",
    safety_hazards="",
    mood="",
    need_found="",
    need_category=None,
    version=None,
) -> Visit:
    """Log a visit (or a failed attempt) and move the plan's next due date.

    "Need found" opens exactly one request linked to the visit, in the same transaction. The second
    failed visit in a row escalates: a P1 request in the station's queue, linked to that visit."""
    _check_editable(acting_user, resident)
    visited_on = visited_on or timezone.localdate()
    _not_future(visited_on, "visited_on")
    need_found = (need_found or "").strip()
    if need_found and need_category is None:
        raise WorkflowError({"need_category": "发现需求时请选择诉求分类。"})
    if form == Visit.Form.NEIGHBOUR and not volunteer_name.strip():
        raise WorkflowError({"volunteer_name": "邻里代访请填写代访志愿者姓名。"})
    if outcome == Visit.Outcome.NOBODY_HOME and need_found:
        raise WorkflowError({"need_found": "未遇时无法了解需求；如有线索请另行登记诉求。"})
    with transaction.atomic():
        plan = VisitPlan.objects.select_for_update().filter(resident=resident, active=True).first()
        if plan is None:
            raise WorkflowError("该居民不在探访名单中，请先评定风险等级。")
        if version is not None and int(version) != plan.version:
            raise services.StaleVersionError
        interval = VisitRule.interval_for(plan.tier)
        visit = Visit(
            resident=resident,
            visited_on=visited_on,
            due_on=plan.next_due_on,
            form=form,
            outcome=outcome,
            visitor=acting_user,
            volunteer_name=volunteer_name.strip(),
            health=health,
            living_conditions=living_conditions,
            safety_hazards=safety_hazards,
            mood=mood,
            need_found=need_found,
        )
        if outcome == Visit.Outcome.SEEN:
            last = max(filter(None, [plan.last_visited_on, visited_on]))
            changes = {
                "last_visited_on": last,
                "next_due_on": VisitPlan.due_after_visit(last, interval),
                "failed_in_row": 0,
            }
        else:
            changes = {
                "next_due_on": VisitPlan.due_after_failed(visited_on, interval),
                "failed_in_row": plan.failed_in_row + 1,
            }
        station = resident.community.street.station
        try:  # a visit dated in a locked (approved) month needs a late-entry permit
            periods.check_open(
                acting_user, station, visited_on, kind="探访记录", label=visit.get_form_display()
            )
        except ValidationError as error:
            raise WorkflowError({"visited_on": periods.LOCKED_MESSAGE}) from error
        if need_found:
            visit.request = _visit_request(acting_user, station, resident, need_category, need_found)
        elif changes.get("failed_in_row") == ESCALATE_AFTER_FAILED:
            visit.request = _escalation_request(acting_user, station, resident, plan, visited_on)
            visit.escalated = True
        _versioned(plan, plan.version, acting_user, **changes)
        visit.save()
    return visit


def _visit_request(acting_user, station, resident, category, text):
    return services.create_request(
        acting_user=acting_user,
        station=station,
        community=resident.community,
        category=category,
        description=f"探访发现：{text}",
        severity=category.default_severity,
        urgency=category.default_urgency,
        channel=Request.Channel.HOME_VISIT,
        resident=resident,
    )


def _escalation_request(acting_user, station, resident, plan, visited_on):
    earlier = list(
        Visit.objects.filter(resident=resident, outcome=Visit.Outcome.NOBODY_HOME)
        .order_by("-visited_on", "-pk")
        .values_list("visited_on", flat=True)[: ESCALATE_AFTER_FAILED - 1]
    )
    dates = "、".join(f"{d:%m-%d}" for d in sorted([*earlier, visited_on]))
    category = (
        Category.objects.selectable().filter(name__in=ESCALATION_CATEGORIES).order_by("pk").first()
        or Category.objects.selectable().order_by("pk").first()
    )
    if category is None:
        raise ValidationError("没有可用的诉求分类，无法升级处理，请联系管理员。")
    return services.create_request(
        acting_user=acting_user,
        station=station,
        community=resident.community,
        category=category,
        description=ESCALATION_TEXT.format(count=ESCALATE_AFTER_FAILED, dates=dates),
        severity="severe",
        urgency="urgent",
        channel=Request.Channel.HOME_VISIT,
        resident=resident,
    )


def join_household(*, acting_user, resident, relation, on, household=None, address="") -> HouseholdMembership:
    """Move the resident into `household`, or into a new one at `address` in their community: one step."""
    with transaction.atomic():
        if household is None:
            household = create_household(
                acting_user=acting_user, community=resident.community, address=address
            )
        return move_into_household(
            acting_user=acting_user, household=household, resident=resident, relation=relation, on=on
        )
