"""Workflows of the stations app that span models: each takes the acting user and leaves an audit entry
where a bulk update leaves auditlog's signals blind."""

from django.db import transaction

from stations.audit import record_street_move
from stations.models import Street


def set_served_streets(station, streets, *, acting_user):
    """Point `streets` at `station` and release the streets it no longer serves, in one transaction.

    Two bulk updates (no signals), so every street whose station changes gets its change-log entry
    here: the street, the old and the new station, how many residents moved scope with it."""
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
        for street in Street.objects.filter(pk__in=chosen).order_by("code"):
            if current.get(street.pk) != station.pk:
                record_street_move(street, current.get(street.pk), station.pk, actor=acting_user)
