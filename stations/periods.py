"""The monthly lock's one check, for every service and form that creates or changes a dated record.

A station's month is locked once its monthly report is approved (`LockedMonth`, written by
`sws.reports.cycle`). Records dated in it can then no longer be created or changed, except under a
late-entry permit (补录) the district approved, and each such record is written down (`LateEntry`) so
the next month's report lists it. Admins are not blocked (they correct; the approved report keeps its
snapshot whatever they change).
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from stations import access
from stations.models.periods import LateEntry, LateEntryPermit, LockedMonth

LOCKED_MESSAGE = "该月报表已审核锁定，如需补录请申请"


def month_of(day) -> datetime.date:
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return day.replace(day=1)


def check_open(user, station, day, *, kind: str = "", label: str = "", field: str | None = None):
    """Refuse (ValidationError, LOCKED_MESSAGE) a record dated `day` of `station` when its month is
    locked, unless `user` is an admin or the station holds an open late-entry permit for the month.
    Under a permit, the record is written down as a late entry (`kind`, `label`) and the permit returned.

    A month is locked only after it ends, so a day of the current month asks nothing of the database
    (intake, today's visits and activities pay no query for the lock)."""
    if day is None or station is None:
        return None
    month = month_of(day)
    today = timezone.localdate()
    if month >= today.replace(day=1):
        return None
    if user is not None and access.is_admin(user):
        return None
    station_id = getattr(station, "pk", station)
    if not LockedMonth.objects.filter(station_id=station_id, month=month).exists():
        return None
    permit = (
        LateEntryPermit.objects.open_on(today)
        .filter(station_id=station_id, month=month)
        .order_by("-pk")
        .first()
    )
    if permit is None or user is None:
        raise ValidationError({field: LOCKED_MESSAGE} if field else LOCKED_MESSAGE, code="locked")
    if kind:
        late_entry(permit, user, day, kind=kind, label=label).save()
    return permit


def late_entry(permit, user, day, *, kind: str, label: str = "") -> LateEntry:
    """The (unsaved) late entry of one record dated `day` written under `permit`: for a caller that has
    checked a month once (`check_open` without `kind`) and saves many records (bulk_create)."""
    if isinstance(day, datetime.datetime):
        day = timezone.localdate(day)
    return LateEntry(
        permit=permit,
        station_id=permit.station_id,
        month=month_of(day),
        day=day,
        kind=kind,
        label=str(label)[:200],
        recorded_by=user,
    )
