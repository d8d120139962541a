"""Intake: a new request (诉求) with its reference number, and the public form's take-in."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from residents import notices
from residents.models import ReferenceCounter, Request, TimelineEvent
from residents.services.registry import register_resident
from residents.services.requests import record_event
from stations import access, periods


def next_reference(station, year: int) -> str:
    """The next reference number for `station` in `year`, e.g. 120113001-2026-00042.

    Unique under concurrent intake: the counter row is incremented in the database (a row lock on
    PostgreSQL); a rolled-back intake leaves a gap, which is fine.
    """
    number = next_in_sequence(ReferenceCounter, station=station, year=year)
    return f"{station.code}-{year}-{number:05d}"


def next_in_sequence(counter_model, **key) -> int:
    """The next number of the counter row `key` of `counter_model` (a model with `last_number`), made
    in the database: an UPDATE … SET last_number = last_number + 1 (a row lock on PostgreSQL), so two
    concurrent callers never get the same number. Also casework's case references (个案编号)."""
    with transaction.atomic():
        counter, _ = counter_model.objects.get_or_create(**key)
        counter_model.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
        return counter_model.objects.filter(pk=counter.pk).values_list("last_number", flat=True).get()


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
    if acting_user is not None:
        access.require(access.may_change, acting_user, station)
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
    received_at=None,
    due_at=None,
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
    now = received_at or timezone.now()
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
    if due_at is not None:  # a limit set by whoever dispatched it (the 12345 hotline's reply limit)
        request.due_at = due_at
    try:
        with transaction.atomic():
            request.reference = next_reference(station, timezone.localdate(now).year)
            if (
                acting_user is not None
            ):  # received in a locked (approved) month: only under a late-entry permit
                periods.check_open(acting_user, station, now, kind="诉求", label=request.reference)
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


def take_in_dispatched_request(*, dispatched_by, station, received_at, due_at, **request_fields) -> Request:
    """A request dispatched to `station` from outside (a 12345 work order): received when the hotline took
    it, due when the hotline says. `dispatched_by` is the district centre's user who placed it by hand, or
    None when the hotline's API key did; the caller (hotline.services) checked that key's or user's scope.
    """
    fields = {"resident": None, "reporter_name": "", "reporter_phone": "", "submission_token": None}
    return _create_request(
        acting_user=dispatched_by,
        station=station,
        received_at=received_at,
        due_at=due_at,
        **(fields | request_fields),
    )[0]


class _AlreadySubmitted(Exception):
    def __init__(self, request):
        self.request = request


def take_in_request(*, acting_user, station, new_resident=None, **request_fields) -> tuple[Request, bool]:
    """Intake by a worker: optionally register the resident inline, then create the request, in one
    transaction. Returns (request, created); a repeated submission token returns the first request and
    registers nobody twice."""
    access.require(access.may_change, acting_user, station)
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
