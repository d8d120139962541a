"""Annual plan progress: each target beside the actual figure computed from recorded data.

Nothing is typed twice: the actual numbers come from volunteer teams, organisations, activities (and the
casework service records, through `count_sessions`), registered residents and projects as recorded.
`plan_progress(plan)` serves one plan page; `progress_for_plans(plans)` serves a dashboard of many stations
with a constant number of queries per plan year (one grouped aggregate per figure), never one query per plan.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from projects.models import Activity, AnnualPlan, CommunityOrganisation, Project, VolunteerTeam
from residents.models import Resident


@dataclass(frozen=True)
class Metric:
    key: str  # the actual figure's key, and the plan's target field is f"target_{key}"
    area: str
    label: str
    unit: str


METRICS = [
    Metric("volunteer_teams", "发展社区志愿服务", "志愿服务队", "个"),
    Metric("organisations", "培育社区社会组织", "社区社会组织", "个"),
    Metric("capacity_sessions", "提升社区工作人员专业能力", "能力提升活动", "场次"),
    Metric("registered_residents", "摸清民政服务基本底数", "建档居民", "人"),
    Metric("projects", "领办特色服务项目", "特色服务项目", "个"),
    Metric("activity_sessions", "领办特色服务项目", "服务活动", "场次"),
    Metric("person_times", "领办特色服务项目", "服务人次", "人次"),
]

# What progress reads of a plan: not its texts (up to 4,000 characters each), which a dashboard listing
# every station's plan would otherwise load for nothing (the city's 249 plans: 25 → 5 ms).
PLAN_PROGRESS_FIELDS = ("station", "year", "status", *(f"target_{m.key}" for m in METRICS))

# Which free-text field of the plan describes each area, in the report's order.
AREAS = [
    ("发展社区志愿服务", "volunteer_text"),
    ("培育社区社会组织", "organisations_text"),
    ("提升社区工作人员专业能力", "capacity_text"),
    ("摸清民政服务基本底数", "baseline_text"),
    ("领办特色服务项目", "projects_text"),
]


@dataclass(frozen=True)
class ProgressRow:
    key: str
    area: str
    label: str
    unit: str
    target: int | None
    actual: int

    @property
    def percent(self) -> int | None:
        """Whole percent of the target reached (may pass 100); None without a target."""
        if not self.target:
            return None
        value = Decimal(self.actual * 100) / Decimal(self.target)
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def meter_value(self) -> int:
        """For <meter max=target>: the actual, capped at the target so the bar is full, not overflowing."""
        return min(self.actual, self.target or 0)

    @property
    def reached(self) -> bool:
        return bool(self.target) and self.actual >= self.target


# Sessions recorded outside projects that count as service activity (casework registers its service records,
# each a casework session): `counter(station_ids, first_day, last_day) -> {station_id: {"sessions",
# "person_times"}}`. projects may not import casework (arrows: casework → projects), so casework registers.
_session_counters = []


def count_sessions(counter):
    """Register a counter of sessions and person-times recorded outside activities (see above)."""
    _session_counters.append(counter)
    return counter


def _year_bounds(year: int):
    tz = timezone.get_current_timezone()
    end_day = datetime.date(year, 12, 31)
    next_year_start = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    return end_day, next_year_start


def actuals_for_year(station_ids, year: int, *, registry_base=None, until=None) -> dict[int, dict[str, int]]:
    """{station_id: {metric key: actual}} for `year`, with one grouped query per figure (5 in all, and one
    per registered session counter: casework's service records).

    `registry_base`, when given, is `(moment, {station_id: residents registered before moment})`, e.g. kept
    in a cache by the dashboards: then only residents registered from `moment` on are counted, not the whole
    registry (which grows with every year of the city). Ignored for a year that ended before `moment`.
    `until` (a day of `year`): the progress as it stood at the end of that day, nothing dated or registered
    later (a report of a closed month).
    """
    station_ids = list(station_ids)
    end_day, next_year_start = _year_bounds(year)
    if until is not None and until < end_day:
        end_day = until
        next_year_start = datetime.datetime.combine(
            until + datetime.timedelta(days=1), datetime.time.min, tzinfo=timezone.get_current_timezone()
        )
    result = {sid: {m.key: 0 for m in METRICS} for sid in station_ids}
    if not station_ids:
        return result

    def fill(rows, key, value_field="n"):
        for row in rows:
            result[row["station"]][key] = row[value_field] or 0

    # Teams and organisations cultivated by the end of the year (all that exist by then).
    fill(
        VolunteerTeam.objects.filter(station__in=station_ids)
        .founded_by(end_day)
        .values("station")
        .annotate(n=Count("pk")),
        "volunteer_teams",
    )
    fill(
        CommunityOrganisation.objects.filter(station__in=station_ids)
        .founded_by(end_day)
        .values("station")
        .annotate(n=Count("pk")),
        "organisations",
    )
    activity_rows = (
        Activity.objects.filter(station__in=station_ids, date__lte=end_day)
        .in_year(year)
        .values("station")
        .annotate(
            total_sessions=Sum("sessions"),
            total_person_times=Sum("person_times"),
            capacity=Sum("sessions", filter=Q(for_community_workers=True)),
        )
    )
    for row in activity_rows:
        figures = result[row["station"]]
        figures["activity_sessions"] = row["total_sessions"] or 0
        figures["person_times"] = row["total_person_times"] or 0
        figures["capacity_sessions"] = row["capacity"] or 0
    for counter in _session_counters:
        for station_id, counted in counter(station_ids, datetime.date(year, 1, 1), end_day).items():
            result[station_id]["activity_sessions"] += counted.get("sessions") or 0
            result[station_id]["person_times"] += counted.get("person_times") or 0
    # The baseline: residents of the station's communities registered by the end of the year.
    registered = Resident.objects.filter(
        community__street__station__in=station_ids, created_at__lt=next_year_start
    )
    base = {}
    if registry_base and registry_base[0] <= next_year_start:
        moment, base = registry_base
        registered = registered.filter(created_at__gte=moment)
    fill(
        registered.values(station=F("community__street__station")).annotate(
            n=Count("created_at")  # not COUNT(id): (community, created_at) answers it alone
        ),
        "registered_residents",
    )
    for station_id, n in base.items():
        if station_id in result:
            result[station_id]["registered_residents"] += n
    fill(
        Project.objects.running_in(year)
        .filter(station__in=station_ids, is_featured=True, start_date__lte=end_day)
        .values("station")
        .annotate(n=Count("pk")),
        "projects",
    )
    return result


def _rows(plan: AnnualPlan, figures: dict[str, int]) -> list[ProgressRow]:
    return [
        ProgressRow(
            key=m.key,
            area=m.area,
            label=m.label,
            unit=m.unit,
            target=getattr(plan, f"target_{m.key}"),
            actual=figures[m.key],
        )
        for m in METRICS
    ]


def plan_progress(plan: AnnualPlan) -> list[ProgressRow]:
    """Target vs actual for each countable target of `plan` (5 aggregate queries)."""
    figures = actuals_for_year([plan.station_id], plan.year)[plan.station_id]
    return _rows(plan, figures)


def progress_for_plans(plans, *, registry_base=None, until=None) -> dict[int, list[ProgressRow]]:
    """{plan.pk: rows} for many plans: 5 grouped queries per distinct year, however many stations
    (`registry_base`, `until`: see actuals_for_year; `until` applies to the plans of its own year)."""
    plans = list(plans)
    by_year: dict[int, list[AnnualPlan]] = {}
    for plan in plans:
        by_year.setdefault(plan.year, []).append(plan)
    result = {}
    for year, year_plans in by_year.items():
        cut = until if until is not None and until.year == year else None
        figures = actuals_for_year(
            {p.station_id for p in year_plans}, year, registry_base=registry_base, until=cut
        )
        for plan in year_plans:
            result[plan.pk] = _rows(plan, figures[plan.station_id])
    return result
