"""What the station-work models share: money fields and the station-scoped queryset."""

from decimal import Decimal

from stations.access import ScopedQuerySet

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class StationScopedQuerySet(ScopedQuerySet):
    station_lookup = "station"
    district_lookup = "station__district"
