"""结案: requesting a closure, the station head's approval, the district supervisor's sign-off (a high-risk
case or a minor's), returning it, the 结案回访 after it, and reopening a closed case.

A closure moves through `Closure.Status`: pending_head → (pending_district →) approved, or → returned at
either step. The requester never approves their own closure; when the requester is the station head (there
is no other head to ask) the closure goes straight to the district supervisors, who sign it off instead.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from casework import notices
from casework.models import Case, CaseEvent, Closure
from casework.models.cases import REVIEW_INTERVAL
from casework.permissions import is_case_supervisor
from casework.services.common import (
    CaseworkError,
    check_version,
    move_stage,
    record_event,
    require_case_worker,
)
from stations import access

FOLLOW_UP_AFTER = datetime.timedelta(days=30)  # 结案回访 a month after closing, unless the head picks a day

Status = Closure.Status


def _locked_case(case: Case) -> Case:
    """The case's row under a lock (two steps on one case cannot interleave), copied onto `case`."""
    locked = Case.objects.select_for_update().select_related("client", "station").get(pk=case.pk)
    for name in ("stage", "stage_since", "version", "risk", "closed_at", "review_due_on"):
        setattr(case, name, getattr(locked, name))
    return case


def _locked_closure(closure: Closure, version) -> Closure:
    current = Closure.objects.select_for_update().values_list("status", "version").get(pk=closure.pk)
    closure.status = current[0]
    check_version(version, current[1])
    closure.version = current[1]
    return closure


def _require_status(closure: Closure, *statuses) -> None:
    if closure.status not in statuses:
        raise CaseworkError(
            f"该结案申请当前为“{Status(closure.status).label}”，不能执行此操作。", code="closure_status"
        )


def require_head_of(user, case: Case) -> None:
    """The station head of the case's own station, who may open it (the approver of its closure)."""
    if not (access.is_station_head(user) and access.works_at(user, case) and access.may_open(user, case)):
        raise PermissionDenied


def may_sign_off(user, case: Case) -> bool:
    """A designated supervisor (督导) of the case's own district, who may open the case."""
    return bool(
        is_case_supervisor(user)
        and user.district_id == case.station.district_id
        and access.may_open(user, case)
    )


def _save_closure(closure: Closure, **changes) -> Closure:
    for name, value in changes.items():
        setattr(closure, name, value)
    closure.version += 1
    closure.save(update_fields=[*changes, "version"])
    return closure


def _close_case(case: Case, closure: Closure, actor, follow_up_due_on=None) -> None:
    """The last approval: the case is closed, its review date gone, its 结案回访 scheduled."""
    move_stage(case, Case.Stage.CLOSED, actor, CaseEvent.Kind.CLOSED, closure.summary, closure=closure.pk)
    case.closed_at = timezone.now()
    case.review_due_on = None
    case.save(update_fields=["closed_at", "review_due_on"])
    due = follow_up_due_on or timezone.localdate() + FOLLOW_UP_AFTER
    _save_closure(closure, status=Status.APPROVED, follow_up_due_on=due)


def request_closure(*, acting_user, case: Case, reason: str, summary: str, version) -> Closure:
    """The worker asks to close the case after its evaluation; the station head approves (or, for a
    head's own request, the district supervisors)."""
    require_case_worker(acting_user, case)
    summary = (summary or "").strip()
    if reason not in Closure.Reason.values:
        raise CaseworkError("请选择结案原因。", code="reason")
    if not summary:
        raise CaseworkError("请填写结案小结。", code="summary")
    with transaction.atomic():
        _locked_case(case)
        check_version(version, case.version)
        if case.stage != Case.Stage.EVALUATION:
            raise CaseworkError("完成个案评估后才能申请结案。", code="transition")
        by_head = access.is_station_head(acting_user)
        closure = Closure.objects.create(
            case=case,
            reason=reason,
            summary=summary,
            requested_by=acting_user,
            needs_district_signoff=case.needs_district_signoff or by_head,
            status=Status.PENDING_DISTRICT if by_head else Status.PENDING_HEAD,
        )
        move_stage(
            case,
            Case.Stage.CLOSING,
            acting_user,
            CaseEvent.Kind.CLOSURE_REQUESTED,
            f"{closure.get_reason_display()}：{summary}",
            closure=closure.pk,
        )
        notices.closure_pending(closure, actor=acting_user)
    return closure


def approve_closure(*, acting_user, closure: Closure, version, comment: str = "", follow_up_due_on=None):
    """The station head approves; a case that needs the district's sign-off then waits for it, any other
    closes now with its 结案回访 scheduled."""
    case = closure.case
    require_head_of(acting_user, case)
    if closure.requested_by_id == acting_user.pk:
        raise CaseworkError("不能批准本人提出的结案申请。", code="own_closure")
    comment = (comment or "").strip()
    with transaction.atomic():
        _locked_closure(closure, version)
        _require_status(closure, Status.PENDING_HEAD)
        _locked_case(case)
        # The risk may have risen since the request: the rule is asked again at approval.
        needs_district = closure.needs_district_signoff or case.needs_district_signoff
        _save_closure(
            closure,
            head_approved_by=acting_user,
            head_approved_at=timezone.now(),
            needs_district_signoff=needs_district,
            status=Status.PENDING_DISTRICT if needs_district else closure.status,
        )
        record_event(case, CaseEvent.Kind.CLOSURE_APPROVED, acting_user, comment, closure=closure.pk)
        if needs_district:
            notices.closure_pending(closure, actor=acting_user)
        else:
            _close_case(case, closure, acting_user, follow_up_due_on)
            notices.closure_decided(closure, actor=acting_user)
    return closure


def sign_off_closure(*, acting_user, closure: Closure, version, comment: str = "", follow_up_due_on=None):
    """The district supervisor's sign-off (督导签批) of a closure the station head approved: the case
    closes. Only a designated supervisor of the case's own district."""
    case = closure.case
    if not may_sign_off(acting_user, case):
        raise PermissionDenied
    comment = (comment or "").strip()
    with transaction.atomic():
        _locked_closure(closure, version)
        _require_status(closure, Status.PENDING_DISTRICT)
        _locked_case(case)
        _save_closure(closure, signed_off_by=acting_user, signed_off_at=timezone.now())
        record_event(case, CaseEvent.Kind.CLOSURE_SIGNED, acting_user, comment, closure=closure.pk)
        _close_case(case, closure, acting_user, follow_up_due_on)
        notices.closure_decided(closure, actor=acting_user)
    return closure


def return_closure(*, acting_user, closure: Closure, comment: str, version) -> Closure:
    """Send the closure back with a comment (the head at its step, a supervisor at theirs): the case
    returns to 评估 for the worker to continue."""
    case = closure.case
    comment = (comment or "").strip()
    if not (may_sign_off(acting_user, case) or access.is_station_head(acting_user)):
        raise PermissionDenied
    with transaction.atomic():
        _locked_closure(closure, version)
        # Whose step it is depends on where the closure stands, read under the lock.
        if closure.status == Status.PENDING_DISTRICT:
            if not may_sign_off(acting_user, case):
                raise PermissionDenied
        else:
            require_head_of(acting_user, case)
            _require_status(closure, Status.PENDING_HEAD)
        if not comment:
            raise CaseworkError("退回时请填写退回意见。", code="comment")
        _locked_case(case)
        _save_closure(closure, status=Status.RETURNED, returned_comment=comment)
        move_stage(
            case,
            Case.Stage.EVALUATION,
            acting_user,
            CaseEvent.Kind.CLOSURE_RETURNED,
            comment,
            closure=closure.pk,
        )
        notices.closure_decided(closure, actor=acting_user)
    return closure


def record_closure_follow_up(*, acting_user, closure: Closure, done_on, notes: str, version) -> Closure:
    """结案回访: how the client is doing after the close, on or after the closing day."""
    case = closure.case
    require_case_worker(acting_user, case)
    notes = (notes or "").strip()
    if not notes:
        raise CaseworkError("请填写回访情况。", code="notes")
    if done_on is None or done_on > timezone.localdate():
        raise CaseworkError("回访日期不能晚于今天。", code="done_on")
    with transaction.atomic():
        _locked_closure(closure, version)
        _require_status(closure, Status.APPROVED)
        _locked_case(case)
        if case.stage != Case.Stage.CLOSED:
            raise CaseworkError("个案已重新开案，不能再登记这次结案的回访。", code="reopened")
        if case.closed_at and done_on < timezone.localdate(case.closed_at):
            raise CaseworkError("回访日期不能早于结案日期。", code="done_on")
        if closure.follow_up_done_on:
            raise CaseworkError("该结案的回访已登记。", code="done")
        _save_closure(closure, follow_up_done_on=done_on, follow_up_notes=notes)
        record_event(case, CaseEvent.Kind.FOLLOW_UP, acting_user, notes, closure=closure.pk, on=str(done_on))
    return closure


def reopen_case(*, acting_user, case: Case, reason: str, version) -> Case:
    """A closed case opens again at 预估, with a reason; its closures and timeline stay as they were."""
    require_case_worker(acting_user, case)
    reason = (reason or "").strip()
    if not reason:
        raise CaseworkError("请填写重新开案的原因。", code="reason")
    with transaction.atomic():
        _locked_case(case)
        check_version(version, case.version)
        if case.stage != Case.Stage.CLOSED:
            raise CaseworkError("只有已结案的个案可以重新开案。", code="transition")
        move_stage(case, Case.Stage.ASSESSMENT, acting_user, CaseEvent.Kind.REOPENED, reason)
        case.closed_at = None
        case.review_due_on = timezone.localdate() + REVIEW_INTERVAL
        case.save(update_fields=["closed_at", "review_due_on"])
    return case


def pending_closure(case: Case) -> Closure | None:
    """The closure awaiting a decision on this case, if any (a case in 结案审批 has exactly one)."""
    return case.closures.filter(status__in=(Status.PENDING_HEAD, Status.PENDING_DISTRICT)).first()
