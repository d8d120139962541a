"""Casework service records (casework.ServiceRecord, 介入) in the service-work figures: each record is one
casework (个案) session with its person-times, added to the activities' sessions and person-times on the
dashboards, in the monthly reports and in the charts, so nobody types a case's work again as an activity.
The annual plans' progress counts them through the hook casework registers with projects.progress.

These are counts, read by station scope (the stations the dashboard covers), not by the confidentiality
rule of case records (casework/permissions.py): the district and municipal centres see the numbers, never
the records.
"""

import datetime

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from casework.models import ServiceRecord
from stations.models import Station
from sws.dashboards.periods import Period

GROUP_LOOKUP = {"station": "station", "district": "station__district", None: None}
FIGURES = ("sessions", "person_times")


def records(scope):
    """The service records of the scope's stations (within the user's stations)."""
    queryset = ServiceRecord.objects.filter(station__in=Station.objects.visible_to(scope.user).values("pk"))
    if scope.station is not None:
        return queryset.filter(station_id=scope.station.pk)
    if scope.district is not None:
        return queryset.filter(station_id__in=scope.station_ids)
    return queryset


def in_days(queryset, first_day: datetime.date, last_day: datetime.date):
    return queryset.filter(date__gte=first_day, date__lte=last_day)


def _aggregates():
    return {"sessions": Count("pk"), "person_times": Sum("person_times")}


def session_counts(scope, period: Period, by: str | None) -> dict:
    """{group: {"sessions", "person_times"}} of the records dated in the period (one query); `by` None:
    one group, None, for the whole scope."""
    queryset = in_days(records(scope), period.first_day, period.last_day).order_by()
    key = GROUP_LOOKUP[by]
    if key is None:
        row = queryset.aggregate(**_aggregates())
        return {None: {"sessions": row["sessions"], "person_times": row["person_times"] or 0}}
    return {
        row.pop(key): {"sessions": row["sessions"], "person_times": row["person_times"] or 0}
        for row in queryset.values(key).annotate(**_aggregates())
    }


def monthly_counts(scope, first_day: datetime.date, last_day: datetime.date) -> dict:
    """{month (first day): {"sessions", "person_times"}} of the records dated between the days (one query)."""
    rows = (
        in_days(records(scope), first_day, last_day)
        .annotate(month=TruncMonth("date"))
        .order_by()
        .values("month")
        .annotate(**_aggregates())
    )
    return {
        row["month"]: {"sessions": row["sessions"], "person_times": row["person_times"] or 0} for row in rows
    }


def added(figures: dict, extra: dict) -> dict:
    """Add `extra`'s sessions and person-times into `figures` (both {group: {...}}), in place; each group
    also keeps the casework part apart (`casework_sessions`, `casework_person_times`)."""
    for group, values in extra.items():
        row = figures.setdefault(group, {})
        for name in FIGURES:
            row[name] = (row.get(name) or 0) + (values.get(name) or 0)
            row[f"casework_{name}"] = values.get(name) or 0
    return figures
