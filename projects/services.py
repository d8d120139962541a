"""Workflows of station work. Each takes the acting user explicitly and records who did what.

- `save_versioned` (`stations.locking`): saves a model form only if nobody changed the record since it
  was loaded.
- `resolve_project_requests`: a project resolves the requests it addresses, through the residents workflow.
- `complete_project`: 结项, and the requests it addresses resolved.
- `create_activities`: a month of activities in one go, all rows or none.
- `record_fund_entry`: a ledger line; an outflow larger than the balance is refused, race-safe.
- `create_plan`, `update_plan`, `submit_plan`, `approve_plan`, `return_plan`: the annual plan's life.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from notifications import dispatch, recipients
from notifications.events import Event
from projects.models import Activity, AnnualPlan, CommunityFund, FundEntry, PlanEvent, Project
from residents import services as request_services
from residents.models import Request
from stations import access, locking, periods
from stations.models import LateEntry

# The record was changed by someone else since the form was loaded (`stations.locking`, its one message).
StaleVersionError = locking.StaleVersionError
save_versioned = locking.save_versioned


# --- Projects and requests ---------------------------------------------------------------------------


@dataclass
class ResolveOutcome:
    resolved: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (request, reason)


def resolve_project_requests(*, acting_user, project: Project, note: str) -> ResolveOutcome:
    """Resolve the open requests `project` addresses (e.g. the e-bike charging project at 广开街道).

    Each request goes through the residents workflow (`residents.services.start_request` then
    `resolve_request`, with their version checks and timeline events): a request not yet in hand is
    started first, then resolved with a note naming the project; follow-up (回访) falls due as for any
    resolved request. A request changed by someone else meanwhile, or in a state the workflow does not
    allow, is skipped and reported, never overwritten; the others are still resolved.
    """
    access.require(access.may_change, acting_user, project)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "请填写解决情况说明。"})
    outcome = ResolveOutcome()
    text = f"服务项目“{project.title}”：{note}"
    requests = (
        project.requests.filter(station_id=project.station_id, status__in=Request.OPEN_STATUSES)
        .select_related("station")
        .order_by("pk")
    )
    for request in requests:
        try:
            # Each request in its own transaction: one stale request does not undo the others.
            with transaction.atomic():
                if request.can("start") and not request.can("resolve"):
                    request_services.start_request(acting_user=acting_user, request=request)
                request_services.resolve_request(acting_user=acting_user, request=request, note=text)
        except request_services.StaleVersionError:
            outcome.skipped.append((request, "已被他人更新"))
        except request_services.WorkflowError as exc:
            outcome.skipped.append((request, "；".join(exc.messages)))
        else:
            outcome.resolved.append(request)
    return outcome


def complete_project(*, acting_user, project: Project, note: str, version=None) -> ResolveOutcome:
    """结项: the project is closed (ending today unless it has an end date) and the open requests it
    addresses are resolved, each with a timeline event naming the project (`resolve_project_requests`).

    The project's own change is version-checked; a request that cannot be resolved is reported, as
    when resolving without closing."""
    access.require(access.may_change, acting_user, project)
    if not (note or "").strip():
        raise ValidationError({"note": "请填写项目完成情况说明。"})
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if version is not None:
            locking.check(version, locked.version)
        if locked.status == Project.Status.CLOSED:
            raise ValidationError("项目已结项。")
        today = timezone.localdate()
        project.status = Project.Status.CLOSED
        project.end_date = locked.end_date or max(today, locked.start_date)
        project.version = locked.version + 1
        project.save(update_fields=["status", "end_date", "version", "updated_at"])
        return resolve_project_requests(acting_user=acting_user, project=project, note=note)


# --- Activities --------------------------------------------------------------------------------------


def create_activities(*, acting_user, station, formset) -> list[Activity]:
    """Save every filled row of a valid bulk-entry formset, or nothing at all. A month locked (approved)
    is asked once, however many rows it has; under a late-entry permit each row is written down as a
    late entry (补录), all in the one transaction."""
    access.require(access.works_at, acting_user, station)
    created = []
    permits = {}
    late_entries = []
    with transaction.atomic():
        for form in formset.filled_forms():
            activity = form.save(commit=False)
            month = periods.month_of(activity.date)
            if month not in permits:
                permits[month] = periods.check_open(acting_user, station, month)
            if permits[month] is not None:
                late_entries.append(
                    periods.late_entry(
                        permits[month], acting_user, activity.date, kind="服务活动", label=activity.title
                    )
                )
            activity.station = station
            activity.created_by = acting_user
            activity.save()
            form.save_m2m()
            created.append(activity)
        LateEntry.objects.bulk_create(late_entries)
    return created


# --- Community funds ---------------------------------------------------------------------------------


def record_fund_entry(
    *,
    acting_user,
    fund: CommunityFund,
    direction: str,
    amount: Decimal,
    date,
    channel: str = "",
    purpose: str = "",
    partner=None,
    project=None,
    note: str = "",
) -> FundEntry:
    """Add a line to the fund's ledger. An outflow larger than the current balance is refused.

    Race-safe: the fund row is locked (select_for_update) before the balance is read, so two outflows
    cannot both spend the same money; on SQLite, write transactions are serialised anyway.
    """
    access.require(access.may_change, acting_user, fund)
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": "金额须大于零。"})
    if direction == FundEntry.Direction.INFLOW:
        if not channel:
            raise ValidationError({"channel": "请选择筹集渠道。"})
        purpose = ""
    elif direction == FundEntry.Direction.OUTFLOW:
        if not purpose:
            raise ValidationError({"purpose": "请选择支出用途。"})
        channel = ""
    else:
        raise ValidationError({"direction": "请选择收入或支出。"})
    for name, obj in (("partner", partner), ("project", project)):
        if obj is not None and obj.station_id != fund.station_id:
            raise ValidationError({name: "只能选择本站的数据。"})
    with transaction.atomic():
        # A line dated in a locked (approved) month needs a late-entry permit.
        periods.check_open(
            acting_user, fund.station_id, date, kind="社区基金收支", label=str(fund), field="date"
        )
        locked = CommunityFund.objects.select_for_update().get(pk=fund.pk)
        if direction == FundEntry.Direction.OUTFLOW:
            balance = locked.balance()
            if amount > balance:
                raise ValidationError({"amount": f"支出金额超过基金余额（当前余额 ¥{balance:,.2f}）。"})
        return FundEntry.objects.create(
            fund=locked,
            direction=direction,
            channel=channel,
            purpose=purpose,
            amount=amount,
            date=date,
            partner=partner,
            project=project,
            note=note,
            recorded_by=acting_user,
        )


# --- Annual plans ------------------------------------------------------------------------------------


def _event(plan, *, acting_user, action, comment="", at=None):
    return PlanEvent.objects.create(
        plan=plan, action=action, actor=acting_user, comment=comment, at=at or timezone.now()
    )


def _transition(plan: AnnualPlan, *, to_status, from_statuses, version, updates):
    """Move the plan with a locked version check (none if `version` is None); the caller writes the event."""
    locked = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    if version is not None:
        locking.check(version, locked.version)
    if locked.status not in from_statuses:
        raise ValidationError(f"方案当前为“{locked.get_status_display()}”，不能执行此操作。")
    updates = {"status": to_status, "version": locked.version + 1, **updates}
    for key, value in updates.items():
        setattr(plan, key, value)
    plan.save(update_fields=[*updates, "updated_at"])
    return plan


def _notify(event, plan, people, acting_user):
    """Tell `people` of a step of the plan's approval, once per step (the plan's version names it)."""
    dispatch.notify(
        event,
        recipients=people,
        target=f"plan:{plan.pk}:{plan.version}",
        url=plan.get_absolute_url(),
        context={"station": plan.station.name, "year": plan.year},
        station=plan.station,
        actor=acting_user,
    )


def create_plan(*, acting_user, form) -> AnnualPlan:
    """Create a station's plan for a year (the form is bound to the user's station)."""
    if not access.is_station_user(acting_user):
        raise PermissionDenied
    with transaction.atomic():
        plan = form.save(commit=False)
        plan.station_id = acting_user.station_id
        plan.created_by = acting_user
        plan.save()
        _event(plan, acting_user=acting_user, action=PlanEvent.Action.CREATED)
    return plan


def update_plan(*, acting_user, form, version) -> AnnualPlan:
    """Save the plan's targets; only its own station, only in draft or returned."""
    plan = form.instance
    access.require(access.may_change, acting_user, plan)
    with transaction.atomic():
        status = AnnualPlan.objects.select_for_update().values_list("status", flat=True).get(pk=plan.pk)
        if status not in AnnualPlan.EDITABLE_STATUSES:
            raise ValidationError("方案已提交或已批准，不能修改。")
        save_versioned(form, version=version)
        _event(plan, acting_user=acting_user, action=PlanEvent.Action.EDITED)
    return plan


def submit_plan(*, acting_user, plan: AnnualPlan, version=None) -> AnnualPlan:
    access.require(access.works_at, acting_user, plan)
    now = timezone.now()
    with transaction.atomic():
        _transition(
            plan,
            to_status=AnnualPlan.Status.SUBMITTED,
            from_statuses=AnnualPlan.EDITABLE_STATUSES,
            version=version,
            updates={"submitted_at": now, "submitted_by": acting_user},
        )
        _event(plan, acting_user=acting_user, action=PlanEvent.Action.SUBMITTED, at=now)
        _notify(Event.PLAN_SUBMITTED, plan, recipients.district_centre(plan.station.district_id), acting_user)
    return plan


def approve_plan(*, acting_user, plan: AnnualPlan, comment: str = "", version=None) -> AnnualPlan:
    access.require(access.may_review, acting_user, plan)
    now = timezone.now()
    comment = (comment or "").strip()
    with transaction.atomic():
        _transition(
            plan,
            to_status=AnnualPlan.Status.APPROVED,
            from_statuses=(AnnualPlan.Status.SUBMITTED,),
            version=version,
            updates={"decided_at": now, "decided_by": acting_user, "review_comment": comment},
        )
        _event(plan, acting_user=acting_user, action=PlanEvent.Action.APPROVED, comment=comment, at=now)
        _notify(Event.PLAN_APPROVED, plan, recipients.station_staff(plan.station_id), acting_user)
    return plan


def return_plan(*, acting_user, plan: AnnualPlan, comment: str, version=None) -> AnnualPlan:
    """Send the plan back to its station with a comment saying what to change."""
    access.require(access.may_review, acting_user, plan)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": "退回时请填写修改意见。"})
    now = timezone.now()
    with transaction.atomic():
        _transition(
            plan,
            to_status=AnnualPlan.Status.RETURNED,
            from_statuses=(AnnualPlan.Status.SUBMITTED,),
            version=version,
            updates={"decided_at": now, "decided_by": acting_user, "review_comment": comment},
        )
        _event(plan, acting_user=acting_user, action=PlanEvent.Action.RETURNED, comment=comment, at=now)
        _notify(Event.PLAN_RETURNED, plan, recipients.station_staff(plan.station_id), acting_user)
    return plan
