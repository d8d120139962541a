"""A dashboard's scope (one station, one district or the city, within the user's) and the grouping helpers
every dashboard query uses."""

from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Q

from residents.models import Request
from stations.models import Station
from sws.dashboards.periods import Period

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# Closed months' trend figures are cached (`rollup.request_months`): a late change to a month that is over (a
# request reopened, a back-dated intake) shows on the dashboards after at most this long.
CLOSED_MONTH_TTL = 60 * 60
# Part of every cache key: bump it when what a cached figure means changes, so old entries are never read.
CLOSED_MONTH_VERSION = 1
# Its own cache alias (sws/settings.py), so clearing the page caches (the benchmark does) keeps it.
DASHBOARD_CACHE = "dashboards"


@dataclass(frozen=True)
class Scope:
    """Whose data a dashboard reads: one station, one district or the city, always within `user`'s scope."""

    user: object
    station: Station | None = None
    district: object | None = None

    def narrow(self, queryset):
        queryset = queryset.visible_to(self.user)
        if self.station is not None:
            return queryset.filter(**{queryset.station_lookup: self.station.pk})
        if self.district is not None:
            # By the district's station ids rather than through a join to the stations table: the
            # database then reads each station's slice of the (station, date) indexes instead of the
            # whole city's rows for the period (measured: 100 ms → 10 ms at 100,000 requests).
            return queryset.filter(
                **{
                    queryset.district_lookup: self.district.pk,
                    f"{queryset.station_lookup}__in": self.station_ids,
                }
            )
        return queryset

    @property
    def cache_key(self) -> str:
        """Names the scope's rows in cache keys: the same for every user who may open the dashboard.

        Views build a Scope only after checking the user sees the station or district (404 otherwise) or
        the whole city (403 otherwise), and `narrow` then selects the same rows whoever the user is.
        """
        if self.station is not None:
            return f"station:{self.station.pk}"
        if self.district is not None:
            return f"district:{self.district.pk}"
        return "city"

    @cached_property
    def station_ids(self) -> list[int]:
        """The district's stations visible to the user (one query, once per dashboard)."""
        return list(
            Station.objects.visible_to(self.user).filter(district=self.district).values_list("pk", flat=True)
        )

    @cached_property
    def rolled_through(self):
        """The last day the daily rollup holds (sws/dashboards/rollup.py), read once per dashboard."""
        from sws.models import RollupState

        return RollupState.objects.values_list("rolled_through", flat=True).first()

    def requests(self):
        return self.narrow(Request.objects.all())


def group_lookup(queryset, by: str) -> str:
    """The lookup that names a row's station or district, e.g. "station" or "station__district"."""
    return {"station": queryset.station_lookup, "district": queryset.district_lookup}[by]


def in_period(field_name: str, period: Period) -> Q:
    return Q(**{f"{field_name}__gte": period.start, f"{field_name}__lt": period.end})


def _grouped(queryset, by: str, **aggregates) -> dict:
    key = group_lookup(queryset, by)
    return {row.pop(key): row for row in queryset.order_by().values(key).annotate(**aggregates)}


def ratio(part, whole) -> float | None:
    return part / whole if whole else None
