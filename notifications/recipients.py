"""Who hears an event, by role and scope, computed from the stations app: the same people who can open
the object the message links to (a station's staff see its requests, a district centre its stations)."""

from stations.models import User


def _active():
    return User.objects.filter(is_active=True).order_by("pk")


def station_staff(station_id):
    """The station's workers and its head."""
    return _active().filter(station_id=station_id, role__in=User.STATION_ROLES)


def station_heads(station_id):
    return _active().filter(station_id=station_id, role=User.Role.STATION_HEAD)


def district_centre(district_id):
    return _active().filter(district_id=district_id, role=User.Role.DISTRICT_STAFF)
