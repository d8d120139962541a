"""Workflows on residents and requests. Each takes the acting user explicitly and writes the timeline."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from residents.models import ReferenceCounter, Request, TimelineEvent


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
) -> Request:
    """Take a request in (intake). `acting_user` is None for the public QR form.

    A second submit of the same form (same `submission_token`) returns the first request instead of
    creating another.
    """
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
            return existing
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
    )
    request.compute_priority()
    try:
        with transaction.atomic():
            request.reference = next_reference(station, timezone.localdate(now).year)
            request.save()
            record_event(
                request, actor=acting_user, kind=TimelineEvent.Kind.CREATED, to_status=request.status
            )
    except IntegrityError:
        # The same form submitted twice at once: the other submit won the token; return its request.
        if submission_token:
            existing = Request.objects.filter(submission_token=submission_token).first()
            if existing is not None:
                return existing
        raise
    return request
