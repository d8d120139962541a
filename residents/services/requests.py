"""The request workflow: triage, assign, start, refer, resolve, follow up, reopen, close (a leaving
worker's handover is residents.handover).

Each step is checked against `Request.ACTION_FROM`/`Request.TRANSITIONS`, changes the request with a
conditional UPDATE on the version the user saw, and appends its `TimelineEvent` and audit entry in the
same transaction.
"""

import copy
import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from residents import auditing, notices, timeline
from residents.models import Referral, Request, ResponseTarget, Severity, TimelineEvent, Urgency, priority_for
from residents.services.errors import StaleVersionError, WorkflowError, _checked, _stale_as_workflow_error
from stations import access, figures, locking
from stations.models import User


def record_event(request, *, actor, kind, text="", from_status="", to_status="", **data) -> TimelineEvent:
    return TimelineEvent.objects.create(
        request=request,
        actor=actor,
        kind=kind,
        text=text,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )


def _check(acting_user, request, action, version):
    """Refuse a step by someone who may not change the request (PermissionDenied, whatever the view
    checked before), made on an old version, or one the current status does not allow."""
    access.require(access.may_change, acting_user, request)
    version = _checked(request.version if version is None else version, request.version)
    if not request.can(action):
        raise WorkflowError(
            f"当前状态为“{request.get_status_display()}”，不能执行“{Request.ACTION_LABELS[action]}”。",
            code="transition",
        )
    return version


def _save(request, version, *, actor, **changes):
    """Conditional UPDATE ... WHERE version = N, and its audit entry; the caller holds the transaction."""
    before = copy.copy(request)
    with _stale_as_workflow_error():
        locking.update_versioned(request, version, **changes)
    auditing.log_update(request, before, actor=actor)
    figures.changed(Request, before.figure_days() | request.figure_days())


def _move(request, version, to_status, *, actor, kind=TimelineEvent.Kind.STATUS, text="", extra=None, **data):
    """Change status (checked against TRANSITIONS) with other field changes, and log it."""
    from_status = request.status
    if to_status != from_status and not request.can_move_to(to_status):
        raise WorkflowError(
            f"不能从“{request.get_status_display()}”变为“{Request.Status(to_status).label}”。",
            code="transition",
        )
    _save(request, version, actor=actor, status=to_status, **(extra or {}))
    record_event(
        request,
        actor=actor,
        kind=kind,
        text=text,
        from_status=from_status if to_status != from_status else "",
        to_status=to_status if to_status != from_status else "",
        **data,
    )


def station_workers(station):
    """Who a request of `station` can be assigned to: its active station staff."""
    return User.objects.filter(station=station, role__in=User.STATION_ROLES, is_active=True).order_by(
        "-role", "name", "username"
    )


def triage_request(*, acting_user, request, severity, urgency, version=None) -> Request:
    """Set 轻重缓急; priority and due time follow. A new request becomes triaged; later, re-prioritise."""
    version = _check(acting_user, request, "triage", version)
    try:
        priority = priority_for(severity, urgency)
    except ValueError:
        raise WorkflowError("请选择轻重和缓急。") from None
    due_at = request.received_at + datetime.timedelta(hours=ResponseTarget.hours_for(priority))
    to_status = Request.Status.TRIAGED if request.status == Request.Status.NEW else request.status
    with transaction.atomic():
        _move(
            request,
            version,
            to_status,
            actor=acting_user,
            kind=TimelineEvent.Kind.TRIAGED,
            text=timeline.triaged(
                Severity(severity).label, Urgency(urgency).label, priority, request.priority
            ),
            extra={"severity": severity, "urgency": urgency, "priority": priority, "due_at": due_at},
            severity=severity,
            urgency=urgency,
            priority=priority,
        )
        notices.became_p1(request, actor=acting_user)
    return request


def assign_request(*, acting_user, request, assignee, version=None) -> Request:
    """Give the request to a worker of its station."""
    version = _check(acting_user, request, "assign", version)
    if assignee is None or not station_workers(request.station_id).filter(pk=assignee.pk).exists():
        raise WorkflowError({"assignee": "只能指派给本站在岗社工。"})
    if assignee.pk == request.assignee_id:
        raise WorkflowError({"assignee": f"该诉求已由{assignee}承办。"})
    previous = request.assignee
    with transaction.atomic():
        _save(request, version, actor=acting_user, assignee=assignee)
        event = record_event(
            request,
            actor=acting_user,
            kind=TimelineEvent.Kind.ASSIGNED,
            text=timeline.assigned(assignee, previous),
            assignee=assignee.pk,
            previous_assignee=previous.pk if previous else None,
        )
        notices.assigned(request, assignee=assignee, actor=acting_user, occurrence=event.pk)
    return request


def start_request(*, acting_user, request, version=None) -> Request:
    """Start work (or resume after a referral). An unassigned request goes to whoever starts it."""
    version = _check(acting_user, request, "start", version)
    extra = {}
    if request.assignee_id is None and station_workers(request.station_id).filter(pk=acting_user.pk).exists():
        extra["assignee"] = acting_user
    with transaction.atomic():
        _move(
            request,
            version,
            Request.Status.IN_PROGRESS,
            actor=acting_user,
            text=timeline.RESUMED_AFTER_REFERRAL if request.status == Request.Status.REFERRED else "",
            extra=extra,
        )
    return request


def refer_request(*, acting_user, request, organisation, reason, version=None) -> Referral:
    """转介: hand the request to an organisation or resource, with the reason."""
    version = _check(acting_user, request, "refer", version)
    organisation, reason = (organisation or "").strip(), (reason or "").strip()
    if not organisation or not reason:
        raise WorkflowError("请填写转介单位/资源和转介原因。")
    with transaction.atomic():
        referral = Referral.objects.create(
            request=request, organisation=organisation, reason=reason, referred_by=acting_user
        )
        _move(
            request,
            version,
            Request.Status.REFERRED,
            actor=acting_user,
            kind=TimelineEvent.Kind.REFERRAL,
            text=timeline.referred(organisation, reason),
            referral=referral.pk,
        )
    return referral


def record_referral_outcome(*, acting_user, referral, outcome, note="", version=None) -> Referral:
    """What came of a referral: accepted, done or declined, with a note."""
    request = referral.request
    version = _check(acting_user, request, "referral_outcome", version)
    if outcome not in Referral.Outcome.values or outcome == Referral.Outcome.PENDING:
        raise WorkflowError({"outcome": "请选择转介结果。"})
    if referral.outcome in (Referral.Outcome.DONE, Referral.Outcome.DECLINED):
        raise WorkflowError("该转介已有最终结果，不能再修改。")
    note = (note or "").strip()
    with transaction.atomic():
        _save(request, version, actor=acting_user)
        before = copy.copy(referral)
        updated = Referral.objects.filter(pk=referral.pk, outcome=referral.outcome).update(
            outcome=outcome, outcome_note=note
        )
        if not updated:
            raise StaleVersionError()
        referral.outcome, referral.outcome_note = outcome, note
        auditing.log_update(referral, before, actor=acting_user)
        record_event(
            request,
            actor=acting_user,
            kind=TimelineEvent.Kind.REFERRAL_OUTCOME,
            text=timeline.referral_outcome(referral.organisation, referral.get_outcome_display(), note),
            referral=referral.pk,
            outcome=outcome,
        )
    return referral


def resolve_request(*, acting_user, request, note, version=None) -> Request:
    """办结: resolved now; follow-up (回访) falls due FOLLOW_UP_DAYS later."""
    version = _check(acting_user, request, "resolve", version)
    note = (note or "").strip()
    if not note:
        raise WorkflowError({"note": "请填写办理结果。"})
    now = timezone.now()
    due_on = timezone.localdate(now) + datetime.timedelta(days=settings.FOLLOW_UP_DAYS)
    with transaction.atomic():
        _move(
            request,
            version,
            Request.Status.RESOLVED,
            actor=acting_user,
            text=note,
            extra={"resolved_at": now, "follow_up_due_on": due_on},
        )
        notices.resolved(request)
    return request


def follow_up_request(*, acting_user, request, satisfaction, note="", version=None) -> Request:
    """回访: record satisfaction and close the case."""
    version = _check(acting_user, request, "follow_up", version)
    if satisfaction not in Request.Satisfaction.values:
        raise WorkflowError({"satisfaction": "请选择满意度。"})
    note = (note or "").strip()
    label = Request.Satisfaction(satisfaction).label
    with transaction.atomic():
        _move(
            request,
            version,
            Request.Status.CLOSED,
            actor=acting_user,
            kind=TimelineEvent.Kind.FOLLOW_UP,
            text=timeline.followed_up(label, note),
            extra={"satisfaction": satisfaction, "closed_at": timezone.now()},
            satisfaction=satisfaction,
        )
    return request


def record_outside_follow_up(*, request, satisfaction, note, source) -> Request:
    """回访 made outside SWS (the 12345 hotline calls the caller back): recorded as our own 回访 is, with no
    acting user; `source` names who asked (e.g. "12345热线"). The caller (hotline.services) has checked
    the sender's scope. Only a resolved request is closed so; anything else is refused."""
    if not request.can("follow_up"):
        raise WorkflowError(f"当前状态为“{request.get_status_display()}”，不能登记回访。", code="transition")
    if satisfaction not in Request.Satisfaction.values:
        raise WorkflowError({"satisfaction": "请选择满意度。"})
    label = Request.Satisfaction(satisfaction).label
    note = f"{source}回访：{(note or '').strip()}".rstrip("：")
    with transaction.atomic():
        _move(
            request,
            request.version,
            Request.Status.CLOSED,
            actor=None,
            kind=TimelineEvent.Kind.FOLLOW_UP,
            text=timeline.followed_up(label, note),
            extra={"satisfaction": satisfaction, "closed_at": timezone.now()},
            satisfaction=satisfaction,
            source=source,
        )
    return request


def reopen_request(*, acting_user, request, reason, version=None) -> Request:
    """Back to work after resolution (the resident says it is not solved), with the reason."""
    version = _check(acting_user, request, "reopen", version)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError({"reason": "请填写重新办理的原因。"})
    with transaction.atomic():
        _move(
            request,
            version,
            Request.Status.IN_PROGRESS,
            actor=acting_user,
            kind=TimelineEvent.Kind.REOPENED,
            text=reason,
            extra={"resolved_at": None, "follow_up_due_on": None},
        )
    return request


def _close(action, to_status, *, acting_user, request, kind, reason, version):
    version = _check(acting_user, request, action, version)
    reason = (reason or "").strip()
    allowed = WITHDRAW_KINDS if action == "withdraw" else REJECT_KINDS
    if kind not in allowed:
        raise WorkflowError({"kind": "请选择原因类型。"})
    if not reason:
        raise WorkflowError({"reason": "请填写原因说明。"})
    with transaction.atomic():
        _move(
            request,
            version,
            to_status,
            actor=acting_user,
            text=timeline.closed(Request.CloseKind(kind).label, reason),
            extra={"close_kind": kind, "close_reason": reason[:200], "closed_at": timezone.now()},
            close_kind=kind,
        )
    return request


WITHDRAW_KINDS = (Request.CloseKind.RESIDENT, Request.CloseKind.DUPLICATE, Request.CloseKind.OTHER)
REJECT_KINDS = (Request.CloseKind.DUPLICATE, Request.CloseKind.OUT_OF_SCOPE, Request.CloseKind.OTHER)


def withdraw_request(*, acting_user, request, kind, reason, version=None) -> Request:
    """撤回 (the resident no longer needs it, or it duplicates another), with a reason."""
    return _close(
        "withdraw",
        Request.Status.WITHDRAWN,
        acting_user=acting_user,
        request=request,
        kind=kind,
        reason=reason,
        version=version,
    )


def reject_request(*, acting_user, request, kind, reason, version=None) -> Request:
    """不予受理 (duplicate, out of scope, other), with a reason."""
    return _close(
        "reject",
        Request.Status.REJECTED,
        acting_user=acting_user,
        request=request,
        kind=kind,
        reason=reason,
        version=version,
    )


def add_note(*, acting_user, request, text) -> TimelineEvent:
    """A note on the case. Notes only append, so two people writing at once never clash: no version."""
    access.require(access.may_change, acting_user, request)
    text = (text or "").strip()
    if not text:
        raise WorkflowError({"text": "备注不能为空。"})
    return record_event(request, actor=acting_user, kind=TimelineEvent.Kind.NOTE, text=text)
