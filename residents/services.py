"""Workflows on residents and requests. Each takes the acting user explicitly and writes the timeline.

Every change to a request or a resident is a conditional UPDATE ... WHERE version = <the version the
user saw> (optimistic locking, the same on SQLite and PostgreSQL): when someone else changed the record
in between, nothing is written and `StaleVersionError` tells the user to look again. Transitions are
checked against `Request.ACTION_FROM`/`Request.TRANSITIONS`; anything else is a `WorkflowError` with a
message in Chinese. Each step appends its `TimelineEvent` in the same transaction, and its audit-trail
entry (`residents.auditing`: auditlog's signals never see a QuerySet.update()).
"""

import copy
import datetime
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from residents import auditing, notices, permissions, timeline
from residents.models import (
    ReferenceCounter,
    Referral,
    Request,
    Resident,
    ResidentEvent,
    ResponseTarget,
    Severity,
    TimelineEvent,
    Urgency,
    priority_for,
)
from residents.validators import normalise_id_number, phone_tail
from stations import access, locking
from stations.models import User

# Two people registering the same number at the same moment (the unique index refused the second): the
# next submit goes through `check_id_number`, which answers without disclosing where the number is.
ID_TAKEN_MESSAGE = "保存时该身份证号刚被登记，请重新提交。"
# A number registered within the worker's own scope: saying so discloses nothing they cannot see.
ID_TAKEN_IN_SCOPE_MESSAGE = (
    "该身份证号已登记为本站居民，请在居民库中用“按完整身份证号查找”找到该居民，不要重复登记。"
)
ID_CHECK_RATE_MESSAGE = "身份证号核验过于频繁，请稍后再试；如需批量登记，请联系区指导中心导入。"
# (checks, seconds) per user: registering, editing and looking up residents by a whole ID number.
ID_CHECK_LIMIT = (20, 10 * 60)


class WorkflowError(ValidationError):
    """A step the request's current state does not allow, or bad input for it."""


class StaleVersionError(WorkflowError, locking.StaleVersionError):
    """`stations.locking`'s refusal (its one message), caught with the other workflow errors."""

    def __init__(self, message=locking.STALE_MESSAGE):
        locking.StaleVersionError.__init__(self, message)


def next_reference(station, year: int) -> str:
    """The next reference number for `station` in `year`, e.g. 120113001-2026-00042.

    Unique under concurrent intake: the counter row is incremented in the database (a row lock on
    PostgreSQL); a rolled-back intake leaves a gap, which is fine.
    """
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.get_or_create(station=station, year=year)
        ReferenceCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        number = ReferenceCounter.objects.filter(pk=counter.pk).values_list("last_number", flat=True).get()
    return f"{station.code}-{year}-{number:05d}"


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


def create_request(
    *,
    acting_user,
    station,
    community,
    category,
    description,
    severity,
    urgency,
    channel,
    resident=None,
    reporter_name="",
    reporter_phone="",
    submission_token=None,
    sms_updates=False,
) -> Request:
    """Take a request in (intake). `acting_user` is None for the public QR form.

    A second submit of the same form (same `submission_token`) returns the first request instead of
    creating another.
    """
    return _create_request(
        acting_user=acting_user,
        station=station,
        community=community,
        category=category,
        description=description,
        severity=severity,
        urgency=urgency,
        channel=channel,
        resident=resident,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        submission_token=submission_token,
        sms_updates=sms_updates,
    )[0]


def _create_request(
    *,
    acting_user,
    station,
    community,
    category,
    description,
    severity,
    urgency,
    channel,
    resident,
    reporter_name,
    reporter_phone,
    submission_token,
    sms_updates=False,
) -> tuple[Request, bool]:
    if community.street.station_id != station.pk:
        raise ValidationError({"community": "该社区不在本站服务范围内。"})
    if (
        resident is not None
        and resident.community_id != community.pk
        and resident.community.street.station_id != station.pk
    ):
        raise ValidationError({"resident": "该居民不在本站服务范围内。"})
    if submission_token:
        existing = Request.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing, False
    now = timezone.now()
    request = Request(
        station=station,
        community=community,
        resident=resident,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        channel=channel,
        category=category,
        description=description,
        severity=severity,
        urgency=urgency,
        received_at=now,
        created_by=acting_user,
        submission_token=submission_token or None,
        sms_updates=sms_updates,
    )
    request.compute_priority()
    try:
        with transaction.atomic():
            request.reference = next_reference(station, timezone.localdate(now).year)
            request.save()
            record_event(
                request, actor=acting_user, kind=TimelineEvent.Kind.CREATED, to_status=request.status
            )
            notices.registered(request, actor=acting_user)
    except IntegrityError:
        # The same form submitted twice at once: the other submit won the token; return its request.
        if submission_token:
            existing = Request.objects.filter(submission_token=submission_token).first()
            if existing is not None:
                return existing, False
        raise
    return request, True


class _AlreadySubmitted(Exception):
    def __init__(self, request):
        self.request = request


def take_in_request(*, acting_user, station, new_resident=None, **request_fields) -> tuple[Request, bool]:
    """Intake by a worker: optionally register the resident inline, then create the request, in one
    transaction. Returns (request, created); a repeated submission token returns the first request and
    registers nobody twice."""
    token = request_fields.get("submission_token")
    if token:
        existing = Request.objects.filter(submission_token=token).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            if new_resident is not None:
                request_fields["resident"] = register_resident(acting_user=acting_user, **new_resident)
            fields = {"resident": None, "reporter_name": "", "reporter_phone": "", "submission_token": None}
            request, created = _create_request(
                acting_user=acting_user, station=station, **(fields | request_fields)
            )
            if not created and new_resident is not None:
                raise _AlreadySubmitted(request)  # undo the resident registered a moment ago
    except _AlreadySubmitted as already:
        return already.request, False
    return request, created


# --- Residents ----------------------------------------------------------------------------------------


def check_id_number(*, acting_user, id_number: str, http_request=None, exclude_pk=None, purpose="") -> bool:
    """Whether a (validated) ID number is registered to another resident outside the user's scope.

    The registry is city-wide and the number unique in it, but telling a worker "registered elsewhere"
    would let them probe who lives in the city. So: registered within their scope, they are told (they
    can see that resident); registered outside it, they are not (True is returned and the caller holds
    the number for the district centre to reconcile, answering as for a new number)."""
    matched = record_id_check(
        acting_user=acting_user,
        id_number=id_number,
        http_request=http_request,
        exclude_pk=exclude_pk,
        purpose=purpose,
    )
    if not matched:
        return False
    if Resident.objects.editable_by(acting_user).filter(pk__in=matched).exists():
        raise ValidationError(ID_TAKEN_IN_SCOPE_MESSAGE, code="id_taken")
    return True


def record_id_check(*, acting_user, id_number: str, http_request=None, exclude_pk=None, purpose="") -> list:
    """Every check of a whole ID number against the registry (registering, editing, looking up) is
    recorded (`PersonalDataAccess`, action 身份证号核验, with the residents it matched, in or out of
    scope: the auditor sees who probed which records) and limited per user (settings.
    ID_NUMBER_CHECK_LIMIT, refused attempts counted and recorded too). Returns the matching ids."""
    limit, window = getattr(settings, "ID_NUMBER_CHECK_LIMIT", ID_CHECK_LIMIT)
    key = f"sws:id-check:{acting_user.pk}"
    count = 1
    if not cache.add(key, 1, window):
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, window)
    matches = Resident.objects.with_id_number(id_number)
    if exclude_pk is not None:
        matches = matches.exclude(pk=exclude_pk)
    matched = list(matches.values_list("pk", flat=True)[:5])
    refused = count > limit
    _log_id_check(acting_user, http_request, matched, ("已超出频率限制：" if refused else "") + purpose)
    if refused:
        raise ValidationError(ID_CHECK_RATE_MESSAGE, code="id_rate")
    return matched


def _log_id_check(user, http_request, resident_ids, reason):
    from stations.audit import AccessedResident, PersonalDataAccess, client_ip

    with transaction.atomic():
        access = PersonalDataAccess.objects.create(
            user=user,
            action=PersonalDataAccess.Action.ID_CHECK,
            resident_count=len(resident_ids),
            reason=reason[:200],
            ip_address=client_ip(http_request) if http_request is not None else None,
            path=http_request.path[:300] if http_request is not None else "",
        )
        AccessedResident.objects.bulk_create(
            [AccessedResident(access=access, resident_id=pk) for pk in resident_ids]
        )


def held_duplicates(user):
    """Residents whose ID number a worker entered while it was registered outside their scope: the
    number is kept (encrypted, shown masked as usual) but out of the city-wide unique index until the
    district centre reconciles the two records (merge or transfer). Within `user`'s scope."""
    return (
        Resident.objects.visible_to(user)
        .filter(id_number_hash__isnull=True)
        .exclude(id_number_encrypted="")
        .select_related("community__street__station", "created_by")
        .prefetch_related("tags")
        .order_by("-created_at", "pk")
    )


RESIDENT_FIELDS = ("name", "gender", "birth_date", "id_number", "phone", "community", "address", "notes")


def register_resident(*, acting_user, tags=(), hold_id_number=False, **fields) -> Resident:
    """Add a resident to the registry (from the resident form or inline at intake). `hold_id_number`:
    the number is registered to a resident outside the user's scope (`check_id_number`); it is kept
    out of the unique index, for the district centre to reconcile (`held_duplicates`)."""
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    with transaction.atomic(), auditing.signals_off():
        resident = Resident(created_by=acting_user, **fields)
        if hold_id_number:
            resident.id_number_hash = None
        with _id_number_unique():
            resident.save()
        auditing.log_create(resident, actor=acting_user)
        if tags:
            resident.tags.set(tags)
            auditing.log_m2m(resident, "tags", added=tags, actor=acting_user)
        ResidentEvent.objects.create(resident=resident, kind=ResidentEvent.Kind.CREATED, actor=acting_user)
    return resident


@contextmanager
def _id_number_unique():
    """The form checks the ID number is new; two people registering it at the same moment both pass
    that check, and the unique keyed hash refuses the second: the same message, not an error page."""
    try:
        with transaction.atomic():
            yield
    except IntegrityError as error:
        if "id_number_hash" in str(error):
            raise ValidationError({"id_number": ID_TAKEN_MESSAGE}, code="id_taken") from None
        raise


def _resident_value(resident, name):
    if name == "community":
        return resident.community_id
    return getattr(resident, name)


def _given_value(name, value):
    return value.pk if name == "community" and value is not None else value


def update_resident(
    *, acting_user, resident, version: int, tags=None, hold_id_number=False, **fields
) -> Resident:
    """Save an edit made on `version` of the record; refuse it if someone saved in between.

    One conditional UPDATE, so the audit entry is written here (auditlog's signals do not see it)."""
    unknown = set(fields) - set(RESIDENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown resident fields: {sorted(unknown)}")
    if "id_number" in fields:
        fields["id_number"] = normalise_id_number(fields["id_number"]) or None
    changed = sorted(
        name for name, value in fields.items() if _resident_value(resident, name) != _given_value(name, value)
    )
    old_tags = {tag.pk: tag for tag in resident.tags.all()}
    new_tags = {tag.pk: tag for tag in tags} if tags is not None else old_tags
    tags_changed = set(new_tags) != set(old_tags)
    if tags_changed:
        changed.append("tags")
    version = _checked(version, resident.version)
    if not changed:
        return resident
    # Only what changed is written: an unchanged ID number keeps its ciphertext.
    columns = {name: fields[name] for name in changed if name not in ("id_number", "tags")}
    if "id_number" in changed:
        columns |= Resident.id_number_columns(fields["id_number"])
        if hold_id_number:
            columns["id_number_hash"] = None
    if "phone" in changed:
        columns["phone_tail"] = phone_tail(fields["phone"])
    columns["updated_at"] = timezone.now()
    before = copy.copy(resident)
    with transaction.atomic(), auditing.signals_off():
        with _id_number_unique(), _stale_as_workflow_error():
            locking.update_versioned(resident, version, **columns)
        auditing.log_update(resident, before, actor=acting_user)
        if tags_changed:
            resident.tags.set(list(new_tags.values()))
            auditing.log_m2m(
                resident,
                "tags",
                added=[tag for pk, tag in new_tags.items() if pk not in old_tags],
                removed=[tag for pk, tag in old_tags.items() if pk not in new_tags],
                actor=acting_user,
            )
        ResidentEvent.objects.create(
            resident=resident,
            kind=ResidentEvent.Kind.UPDATED,
            actor=acting_user,
            text="、".join(str(_field_label(name)) for name in changed),
            data={"fields": changed},
        )
    return resident


def _field_label(name):
    if name == "tags":
        return Resident._meta.get_field("tags").verbose_name
    if name == "id_number":
        return Resident._meta.get_field("id_number_encrypted").verbose_name
    return Resident._meta.get_field(name).verbose_name


def reveal_id_number(*, acting_user, resident, reason: str) -> str:
    """The full ID number, for a worker of the resident's station who gives a reason; recorded.

    A minor's or a sensitive record needs the extra permission too (the page refuses it earlier)."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError({"reason": "请填写查看完整身份证号的原因。"})
    if not (
        access.is_station_user(acting_user)
        and Resident.objects.editable_by(acting_user).filter(pk=resident.pk).exists()
    ):
        raise WorkflowError("只有本站社工可以查看完整身份证号。")
    if not permissions.can_open(acting_user, resident):
        raise WorkflowError(permissions.SENSITIVE_REFUSAL)
    if not resident.id_number:
        raise WorkflowError("该居民未登记身份证号。")
    ResidentEvent.objects.create(
        resident=resident, kind=ResidentEvent.Kind.REVEALED, actor=acting_user, text=reason[:500]
    )
    return resident.id_number


PHONE_REVEAL_REASON = "查看完整电话（回电）"


def reveal_phone(*, acting_user, resident=None, request=None) -> str:
    """The whole phone number to call back: of a resident, or of a request's caller (the resident, or
    the reporter of a QR or hotline request). Only for staff of the owning station; a minor's or a
    sensitive record needs the extra permission, as for the ID number. No reason is asked (calling back
    is the job), but the caller records the access (`record_access(..., "reveal")`)."""
    if request is not None:
        owned = access.is_station_user(acting_user) and request.station_id == acting_user.station_id
        resident = request.resident
    else:
        owned = (
            access.is_station_user(acting_user)
            and Resident.objects.editable_by(acting_user).filter(pk=resident.pk).exists()
        )
    if not owned:
        raise WorkflowError("只有本站社工可以查看完整电话。")
    if resident is not None and not permissions.can_open(acting_user, resident):
        raise WorkflowError(permissions.SENSITIVE_REFUSAL)
    phone = resident.phone if resident is not None else request.reporter_phone
    if not phone:
        raise WorkflowError("未登记联系电话。")
    return phone


# --- Request workflow ---------------------------------------------------------------------------------


def _check(request, action, version):
    """Refuse a step made on an old version, or one the current status does not allow."""
    version = _checked(request.version if version is None else version, request.version)
    if not request.can(action):
        raise WorkflowError(
            f"当前状态为“{request.get_status_display()}”，不能执行“{Request.ACTION_LABELS[action]}”。",
            code="transition",
        )
    return version


def _checked(version, current) -> int:
    with _stale_as_workflow_error():
        return locking.check(version, current)


@contextmanager
def _stale_as_workflow_error():
    """`stations.locking` refuses a stale version; here the refusal is also a `WorkflowError`."""
    try:
        yield
    except locking.StaleVersionError as error:
        raise StaleVersionError() from error


def _save(request, version, *, actor, **changes):
    """Conditional UPDATE ... WHERE version = N, and its audit entry; the caller holds the transaction."""
    before = copy.copy(request)
    with _stale_as_workflow_error():
        locking.update_versioned(request, version, **changes)
    auditing.log_update(request, before, actor=actor)


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
    version = _check(request, "triage", version)
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
    version = _check(request, "assign", version)
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
    version = _check(request, "start", version)
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
    version = _check(request, "refer", version)
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
    version = _check(request, "referral_outcome", version)
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
    version = _check(request, "resolve", version)
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
    version = _check(request, "follow_up", version)
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


def reopen_request(*, acting_user, request, reason, version=None) -> Request:
    """Back to work after resolution (the resident says it is not solved), with the reason."""
    version = _check(request, "reopen", version)
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
    version = _check(request, action, version)
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
    text = (text or "").strip()
    if not text:
        raise WorkflowError({"text": "备注不能为空。"})
    return record_event(request, actor=acting_user, kind=TimelineEvent.Kind.NOTE, text=text)


# --- a leaving worker's open requests ----------------------------------------------------------------
def open_requests_held(user_id, station_id):
    """The open requests `user_id` holds at `station_id` (the worker whose assignment ends)."""
    return Request.objects.filter(
        station_id=station_id, assignee_id=user_id, status__in=Request.OPEN_STATUSES
    )


def handover_colleagues(station_id, leaving_user_id, today=None):
    """Who may take over: the station's active accounts with an assignment there today, but the leaver."""
    from stations.models import Assignment

    posted = Assignment.objects.active(today).filter(station_id=station_id).values("user_id")
    return (
        User.objects.filter(pk__in=posted, is_active=True)
        .exclude(pk=leaving_user_id)
        .order_by("-role", "name", "username")
    )


def hand_over_open_requests(*, acting_user, assignment, to_user) -> int:
    """Give every open request the worker of `assignment` holds at its station to `to_user`, a colleague
    posted there today: one transaction, each change audited and on the request's timeline."""
    if (
        to_user is None
        or not handover_colleagues(assignment.station_id, assignment.user_id).filter(pk=to_user.pk).exists()
    ):
        raise WorkflowError({"to": "只能移交给本站在岗的其他社工。"})
    leaving = assignment.user
    with transaction.atomic():
        held = list(
            open_requests_held(leaving.pk, assignment.station_id)
            .filter(pk__in=Request.objects.editable_by(acting_user).values("pk"))
            .select_for_update()
            .order_by("pk")
        )
        for request in held:
            _save(request, request.version, actor=acting_user, assignee=to_user)
            event = record_event(
                request,
                actor=acting_user,
                kind=TimelineEvent.Kind.ASSIGNED,
                text=timeline.handed_over(to_user, leaving),
                assignee=to_user.pk,
                previous_assignee=leaving.pk,
            )
            notices.assigned(request, assignee=to_user, actor=acting_user, occurrence=event.pk)
    return len(held)
