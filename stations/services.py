"""Workflows of the stations app that span models; each takes the acting user where one acts.

Streets served: `set_served_streets` leaves an audit entry where a bulk update leaves auditlog's signals
blind.

Station membership: one source, the assignments (驻站安排, with dates); the user's station follows.

`User.station` is what scoping reads (one column); it is derived here from the user's assignments and is
read-only in the admin. Every change to an assignment (admin, inline, service) calls
`sync_station_membership` through the signals connected in `StationsConfig.ready`.

Ending an assignment may leave open work behind (requests assigned to the worker). This app knows nothing
of requests (the arrows point residents → stations), so the residents app registers a `handover`: how
many open requests a worker has at a station, and the page where they are handed to a colleague.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from stations import access, figures
from stations.audit import record_street_move


def membership_station_id(user, today: datetime.date | None = None):
    """The station a station-role user belongs to on `today`: the one of her active assignment (the
    latest started when several overlap); with none active, the one she was last posted to, or her
    current station when she has no assignment at all."""
    from stations.models import Assignment

    today = today or timezone.localdate()
    rows = list(
        Assignment.objects.filter(user=user)
        .order_by("-start_date", "-pk")
        .values_list("station_id", "start_date", "end_date")
    )
    for station_id, start, end in rows:
        if start <= today and (end is None or end >= today):
            return station_id
    past = [row for row in rows if row[1] <= today]
    if past:
        return past[0][0]
    return user.station_id


def sync_station_membership(user, today: datetime.date | None = None) -> bool:
    """Set `user.station` from her assignments (station roles only); True when it changed."""
    if user.role not in user.STATION_ROLES:
        return False
    station_id = membership_station_id(user, today)
    if station_id is None or station_id == user.station_id:
        return False
    user.station_id = station_id
    user.save(update_fields=["station"])
    return True


def ensure_first_assignment(user, start: datetime.date | None = None):
    """A station-role user created with a station and no assignment gets one there, from `start`."""
    from stations.models import Assignment

    if access.is_station_user(user) and not user.assignments.exists():
        return Assignment.objects.create(
            user=user,
            station_id=user.station_id,
            start_date=start or timezone.localdate(),
            is_head=access.is_station_head(user),
        )
    return None


# --- open work left behind -------------------------------------------------------------------------
@dataclass
class Handover:
    open_count: Callable  # (user, station_id) -> int
    url: Callable  # (assignment) -> str


_handover: Handover | None = None


def register_handover(open_count, url):
    global _handover
    _handover = Handover(open_count, url)


def open_work(assignment) -> tuple[int, str | None]:
    """How many open requests the worker of `assignment` holds at its station, and the handover page."""
    if _handover is None:
        return 0, None
    count = _handover.open_count(assignment.user_id, assignment.station_id)
    return count, (_handover.url(assignment) if count else None)


def _on_assignment_change(sender, instance, **kwargs):
    user = type(instance.user).objects.filter(pk=instance.user_id).first()
    if user is not None:
        sync_station_membership(user)


def connect_signals():
    from django.db.models.signals import post_delete, post_save

    from stations.models import Assignment

    post_save.connect(_on_assignment_change, sender=Assignment, dispatch_uid="stations.membership.save")
    post_delete.connect(_on_assignment_change, sender=Assignment, dispatch_uid="stations.membership.delete")


# --- streets served ---------------------------------------------------------------------------------
def set_served_streets(station, streets, *, acting_user):
    """Point `streets` at `station` and release the streets it no longer serves, in one transaction.

    Two bulk updates (no signals), so every street whose station changes gets its change-log entry
    here: the street, the old and the new station, how many residents moved scope with it."""
    from stations.models import Street

    chosen = {street.pk for street in streets}
    with transaction.atomic():
        current = dict(
            Street.objects.select_for_update().filter(pk__in=chosen).values_list("pk", "station_id")
        )
        released = list(Street.objects.select_for_update().filter(station=station).exclude(pk__in=chosen))
        Street.objects.filter(pk__in=[street.pk for street in released]).update(station=None)
        Street.objects.filter(pk__in=chosen).update(station=station)
        for street in released:
            record_street_move(street, station.pk, None, actor=acting_user)
        moved_from = set()
        for street in Street.objects.filter(pk__in=chosen).order_by("code"):
            if current.get(street.pk) != station.pk:
                record_street_move(street, current.get(street.pk), station.pk, actor=acting_user)
                moved_from.add(current.get(street.pk))
        if released or moved_from:
            figures.restated(Street, {station.pk, *moved_from})
