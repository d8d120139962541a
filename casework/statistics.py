"""Casework's service records as counts for the statistics of other apps (registered in apps.py): each
record is one casework (个案) session with its person-times."""

from django.db.models import Count, Sum

from casework.models import ServiceRecord


def sessions_by_station(station_ids, first_day, last_day) -> dict:
    """{station_id: {"sessions", "person_times"}} of the records dated between the days (one query)."""
    rows = (
        ServiceRecord.objects.filter(station__in=list(station_ids), date__gte=first_day, date__lte=last_day)
        .order_by()
        .values("station")
        .annotate(sessions=Count("pk"), person_times=Sum("person_times"))
    )
    return {
        row["station"]: {"sessions": row["sessions"], "person_times": row["person_times"] or 0}
        for row in rows
    }
