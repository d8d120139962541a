"""The fixed registry of computed indicators: each a function over a station and a period.

Additive figures (requests, satisfaction answers, activities) are summed over the period's monthly
figures (`sources.month_figures`), so an evaluation reads what the monthly reports said; plan completion is
the last month's (as it stood at the period's end). Visits, casework, supervision and volunteers are
counted over the whole period by their own figure functions (a coverage is not a sum of months);
volunteer hours by the 五社联动 report's one sum (`partners.contributions.volunteer_hours`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from partners import contributions
from stations import access
from stations.models import Station
from sws.dashboards import figures as f
from sws.dashboards import supervision
from sws.dashboards.periods import Period, add_months
from sws.evaluation.sources import month_figures
from sws.models.evaluation import Computation

FOUR = Decimal("0.0001")


def _decimal(value):
    if value is None:
        return None
    return Decimal(str(value)).quantize(FOUR, ROUND_HALF_UP)


def _share(part, whole):
    return _decimal(part / whole) if whole else None


@dataclass
class Measurements:
    """Every computed value of a station over a period, and the months they were read from."""

    values: dict  # Computation value → Decimal or None (no data)
    actuals: dict  # deliverable figure → int (ServiceContract.DELIVERABLES)
    months: list = field(default_factory=list)  # [{"year", "month", "locked"}]


def _months(first: datetime.date, last: datetime.date, today: datetime.date) -> list[tuple[int, int]]:
    """The months the period touches, up to this month (a month not begun has no figures)."""
    last = min(last, today).replace(day=1)
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append((month.year, month.month))
        month = add_months(month, 1)
    return months


def measure(station: Station, first: datetime.date, last: datetime.date, today=None) -> Measurements:
    """All the computations for `station` over first…last (inclusive)."""
    today = today or timezone.localdate()
    reader = access.station_reader(station)
    sums = dict.fromkeys(["resolved", "resolved_on_time", "rated", "satisfied", "activities"], 0)
    months, plan_completion = [], None
    for year, month in _months(first, last, today):
        figures, locked = month_figures(station, year, month)
        for key in sums:
            sums[key] += figures.get(key) or 0
        plan_completion = figures.get("plan_completion")
        months.append({"year": year, "month": month, "locked": locked})
    period = Period.custom(first, last)
    care = f.care_figures(reader, period, station=station, today=today)["totals"]
    cases = f.casework_figures(reader, period, station=station, today=today)["totals"]
    rows = supervision.station_rows(reader, period, Station.objects.filter(pk=station.pk), today)
    # Volunteer service hours as the 五社联动 report counts them (the volunteers' own records and the hours
    # a team gave as a resource), not the activities' volunteer person-times.
    volunteer_hours = contributions.volunteer_hours(
        contributions.Scope(station=station), contributions.Period(first, last)
    )
    values = {
        Computation.REQUESTS_ON_TIME: _share(sums["resolved_on_time"], sums["resolved"]),
        Computation.SATISFACTION: _share(sums["satisfied"], sums["rated"]),
        Computation.VISIT_COVERAGE: _decimal(care.get("coverage")),
        Computation.CASES_GOALS_MET: _decimal(cases.get("goal_attainment")),
        Computation.ACTIVITIES: Decimal(sums["activities"]),
        Computation.VOLUNTEER_HOURS: _decimal(volunteer_hours),
        Computation.SUPERVISION_SESSIONS: Decimal(rows[0]["sessions"] if rows else 0),
        Computation.PLAN_COMPLETION: _decimal(plan_completion),
    }
    actuals = {
        "cases": cases.get("opened", 0),
        "activities": sums["activities"],
        "visits": care.get("visits_seen", 0),
        "requests": sums["resolved"],
    }
    return Measurements(values=values, actuals=actuals, months=months)
