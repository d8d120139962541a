"""The station's answers to a work order (签收, 退回, 延期申请, 办结回复), the district centre's decision
on an extension, and the caller's satisfaction from the hotline. Each checks who acts, changes the
order on the version seen, writes the request's timeline and the audit entry, and writes the
callback to the outbox, in one transaction."""

import copy
import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from hotline import callbacks
from hotline.models import ApiKey, ExtensionRequest, WorkOrder
from hotline.services.errors import OrderError
from residents import auditing
from residents import services as residents_services
from residents.models import Request, TimelineEvent
from stations import access, figures, locking, workdays

HOTLINE = "12345热线"


def _check(acting_user, order, action):
    access.require(access.works_at, acting_user, order)
    if not order.can(action):
        raise OrderError.one(
            "state",
            f"工单当前为“{order.get_state_display()}”，不能{WorkOrder.ACTION_LABELS[action]}。",
            f"The order is {order.state}: it cannot be answered so.",
        )


def _update(order, version, *, actor, **changes):
    before = copy.copy(order)
    try:
        locking.update_versioned(order, order.version if version is None else version, **changes)
    except locking.StaleVersionError:
        raise OrderError.one("version", locking.STALE_MESSAGE, "Changed by someone else meanwhile.") from None
    auditing.log_update(order, before, actor=actor)


def _note(order, actor, text, **data):
    return residents_services.record_event(
        order.request, actor=actor, kind=TimelineEvent.Kind.NOTE, text=text, ticket_no=order.ticket_no, **data
    )


def sign_work_order(*, acting_user, order, version=None) -> WorkOrder:
    """签收: the station takes the order; its request is started."""
    _check(acting_user, order, "sign")
    now = timezone.now()
    with transaction.atomic():
        _update(order, version, actor=acting_user, state=WorkOrder.State.SIGNED, signed_at=now)
        request = Request.objects.get(pk=order.request_id)
        if request.can("start"):
            residents_services.start_request(acting_user=acting_user, request=request)
        late = "（超过签收期限）" if now > order.sign_due_at else ""
        event = _note(order, acting_user, f"12345工单已签收{late}。")
        callbacks.enqueue_answer(order, "signed", at=now, sequence=event.pk)
    return order


def return_work_order(*, acting_user, order, reason, to_district=False, version=None) -> WorkOrder:
    """退回: the order goes back to the hotline (answered with the reason), or up to the district centre's
    未能定位 queue for re-dispatch (no answer to the hotline yet). Its request here is withdrawn."""
    _check(acting_user, order, "return")
    reason = (reason or "").strip()
    if not reason:
        raise OrderError.one("reason", "请填写退回原因。", "Give the reason for the return.")
    now = timezone.now()
    with transaction.atomic():
        request = Request.objects.get(pk=order.request_id)
        where = "退回区级指导中心重新派单" if to_district else "退回12345热线"
        event = _note(order, acting_user, f"12345工单{where}：{reason}")
        if request.can("withdraw"):
            residents_services.withdraw_request(
                acting_user=acting_user,
                request=request,
                kind=Request.CloseKind.OTHER,
                reason=f"工单{where}：{reason}",
            )
        if to_district:
            _update(
                order,
                version,
                actor=acting_user,
                state=WorkOrder.State.UNPLACED,
                return_reason=reason,
                station=None,
                community=None,
                request=None,
                signed_at=None,
            )
        else:
            _update(order, version, actor=acting_user, state=WorkOrder.State.RETURNED, return_reason=reason)
            callbacks.enqueue_answer(order, "returned", at=now, sequence=event.pk, reason=reason)
    return order


def request_extension(*, acting_user, order, reason, new_due_on, version=None) -> ExtensionRequest:
    """延期申请: the station asks the district centre for a later reply date."""
    _check(acting_user, order, "extend")
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = [("请填写延期原因。", "Give the reason.")]
    if not isinstance(new_due_on, datetime.date) or new_due_on <= timezone.localdate(order.reply_due_at):
        errors["new_due_on"] = [
            ("申请的日期应晚于当前办结期限。", "The new date must be after the current limit.")
        ]
    if errors:
        raise OrderError(errors)
    with transaction.atomic():
        _update(order, version, actor=acting_user, state=WorkOrder.State.EXTENSION_REQUESTED)
        extension = ExtensionRequest.objects.create(
            work_order=order, reason=reason, new_due_on=new_due_on, requested_by=acting_user
        )
        auditing.log_create(extension, actor=acting_user)
        _note(order, acting_user, f"申请延期至 {new_due_on:%Y-%m-%d}：{reason}（待区级指导中心审核）")
    return extension


def may_decide(user, extension) -> bool:
    """The guidance centre of the order's own district decides its extensions."""
    return bool(
        user.is_authenticated
        and user.is_active
        and access.is_district_user(user)
        and extension.work_order.district_id == user.district_id
    )


def decide_extension(*, acting_user, extension, approve: bool, note="") -> ExtensionRequest:
    """The district centre approves (the reply limit moves, the hotline is told) or refuses an extension."""
    if not may_decide(acting_user, extension):
        raise PermissionDenied
    if extension.state != ExtensionRequest.State.PENDING:
        raise OrderError.one("state", "该延期申请已审核。", "This extension has been decided already.")
    order = extension.work_order
    now = timezone.now()
    note = (note or "").strip()
    with transaction.atomic():
        updated = ExtensionRequest.objects.filter(
            pk=extension.pk, state=ExtensionRequest.State.PENDING
        ).update(
            state=ExtensionRequest.State.APPROVED if approve else ExtensionRequest.State.REFUSED,
            decided_by=acting_user,
            decided_at=now,
            decision_note=note,
        )
        if not updated:
            raise OrderError.one("state", "该延期申请已审核。", "This extension has been decided already.")
        before = copy.copy(extension)
        extension.refresh_from_db()
        auditing.log_update(extension, before, actor=acting_user)
        changes = {"state": WorkOrder.State.SIGNED}
        if approve:
            changes["reply_due_at"] = timezone.make_aware(
                datetime.datetime.combine(extension.new_due_on, workdays.WORKDAY_END)
            )
        _update(order, None, actor=acting_user, **changes)
        verdict = "同意" if approve else "不同意"
        event = _note(
            order, acting_user, f"区级指导中心{verdict}延期至 {extension.new_due_on:%Y-%m-%d}。{note}"
        )
        if approve:
            request = Request.objects.get(pk=order.request_id)
            before_request = copy.copy(request)
            locking.update_versioned(request, request.version, due_at=order.reply_due_at)
            auditing.log_update(request, before_request, actor=acting_user)
            figures.changed(Request, request.figure_days())  # on time or not: its resolved day
            callbacks.enqueue_answer(
                order,
                "extended",
                at=now,
                sequence=event.pk,
                reason=extension.reason,
                new_due_at=timezone.localtime(order.reply_due_at).isoformat(),
            )
    return extension


def reply_work_order(*, acting_user, order, result, version=None) -> WorkOrder:
    """办结回复: the result goes back to the hotline; the request is resolved (回访 follows)."""
    _check(acting_user, order, "reply")
    result = (result or "").strip()
    if not result:
        raise OrderError.one("result", "请填写办结回复内容。", "Give the result.")
    if len(result) > 2000:
        raise OrderError.one("result", "最多2000个字符。", "At most 2000 characters.")
    now = timezone.now()
    with transaction.atomic():
        _update(
            order,
            version,
            actor=acting_user,
            state=WorkOrder.State.REPLIED,
            replied_at=now,
            reply_text=result,
        )
        request = Request.objects.get(pk=order.request_id)
        if request.can("resolve"):
            residents_services.resolve_request(acting_user=acting_user, request=request, note=result)
        late = "（超过办结期限）" if now > order.reply_due_at else ""
        event = _note(order, acting_user, f"12345工单已办结回复{late}。")
        callbacks.enqueue_answer(order, "replied", at=now, sequence=event.pk, result=result)
    return order


def record_satisfaction(*, api_key: ApiKey, order, satisfaction, comment="") -> WorkOrder:
    """The hotline's satisfaction call (满意/基本满意/不满意 and the caller's words), on a replied order: it
    lands on the request as a 回访 (closing it), or beside ours when we already called back."""
    if api_key.district_id not in (None, order.district_id):
        raise PermissionDenied
    errors = {}
    if satisfaction not in WorkOrder.Satisfaction.values:
        errors["satisfaction"] = [
            ("满意度应为 satisfied、fairly 或 dissatisfied。", "Must be satisfied, fairly or dissatisfied.")
        ]
    comment = (comment or "").strip() if isinstance(comment, str) else ""
    if "\x00" in comment:
        errors["comment"] = [("含有不允许的字符。", "Contains a character that is not allowed (NUL).")]
    elif len(comment) > 500:
        errors["comment"] = [("最多500个字符。", "At most 500 characters.")]
    if not errors and order.state != WorkOrder.State.REPLIED:
        errors["state"] = [
            (
                f"工单当前为“{order.get_state_display()}”，办结回复后才能评价。",
                "Only a replied order can be rated.",
            )
        ]
    if errors:
        raise OrderError(errors)
    with transaction.atomic():
        _update(
            order,
            None,
            actor=None,
            state=WorkOrder.State.CLOSED,
            satisfaction=satisfaction,
            satisfaction_comment=comment,
        )
        request = Request.objects.get(pk=order.request_id)
        if request.can("follow_up"):
            residents_services.record_outside_follow_up(
                request=request, satisfaction=satisfaction, note=comment, source=HOTLINE
            )
        else:
            label = WorkOrder.Satisfaction(satisfaction).label
            _note(order, None, f"{HOTLINE}回访：{label}" + (f"。{comment}" if comment else ""))
    return order
