"""The aggregate queries behind the dashboards and monthly reports.

Rules that keep every dashboard fast at city scale (millions of requests):
- Everything is counted in the database (`values(group).annotate(Count/Sum/Avg(filter=Q(...)))`); Python
  only receives one row per group (station, district, month, category).
- Each measure is one query for all groups at once, so a dashboard's query count does not depend on the
  amount of data nor on the number of stations or districts.
- Every query starts from `Model.objects.visible_to(user)` and is narrowed to the dashboard's scope
  (`Scope.narrow`), so a district dashboard only ever reads its own district's rows.
- Each query is restricted by one indexed column range (received_at, resolved_at, closed_at, status),
  never an OR across columns, so the database can use one index per query.

Grouping uses the lookups that every `ScopedQuerySet` declares (`station_lookup`, `district_lookup`), so
the same function groups requests, activities or resources by station or by district.

Median resolution time (`median_durations`): PostgreSQL has `percentile_cont`, SQLite has no median at
all. We use one portable query instead: window functions (SQL:2003, SQLite >= 3.25) number each group's
resolved requests in order of duration, `ROW_NUMBER() OVER (PARTITION BY group ORDER BY duration)`, next to
the group size `COUNT(*) OVER (PARTITION BY group)`; the outer query keeps only the one or two middle rows
(position between (n+1)/2 and (n+2)/2, integer division). The database sorts; Python receives at most two
rows per group and averages them (the usual median of an even count). Same SQL on both databases.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.core.cache import caches
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth
from django.utils import timezone

from projects.models import (
    Activity,
    AnnualPlan,
    CommunityOrganisation,
    Project,
    Resource,
    VolunteerTeam,
)
from projects.progress import PLAN_PROGRESS_FIELDS, ProgressRow, progress_for_plans
from residents.models import Request, Resident
from stations.models import Assignment, CertificationState, Community, Station, Street
from sws.dashboards.periods import Period

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RESOLVED_STATUSES = (Request.Status.RESOLVED, Request.Status.CLOSED)
SATISFIED_ANSWERS = (Request.Satisfaction.SATISFIED, Request.Satisfaction.FAIRLY)
LOW_SATISFACTION = 0.8  # a station below 80 % satisfied (满意+基本满意) needs attention

# Closed months' trend figures are cached (`monthly_requests`): a late change to a month that is over (a
# request reopened, a back-dated intake) shows on the dashboards after at most this long.
CLOSED_MONTH_TTL = 60 * 60
# Part of every cache key: bump it when what a cached figure means changes, so old entries are never read.
CLOSED_MONTH_VERSION = 1
# Its own cache alias (sws/settings.py), so clearing the page caches (the benchmark does) keeps it.
DASHBOARD_CACHE = "dashboards"

RESOLUTION_TIME = ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())


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


# --- requests: one query per measure, all groups at once ------------------------------------------------
def received_counts(requests, period: Period, by: str) -> dict:
    """{group: {"received": n}} for requests received in the period."""
    # COUNT(*) rather than COUNT(id): the (station, received_at) index alone answers it.
    return _grouped(requests.filter(in_period("received_at", period)), by, received=Count("*"))


def resolved_in(requests, period: Period):
    """Requests resolved in the period and still resolved or closed (a reopened request does not count)."""
    return requests.filter(in_period("resolved_at", period), status__in=RESOLVED_STATUSES)


def resolved_counts(requests, period: Period, by: str) -> dict:
    """{group: {"resolved", "resolved_on_time", "avg_resolution"}} for requests resolved in the period."""
    return _grouped(
        resolved_in(requests, period),
        by,
        resolved=Count("pk"),
        resolved_on_time=Count("pk", filter=Q(resolved_at__lte=F("due_at"))),
        avg_resolution=Avg(RESOLUTION_TIME),
    )


def median_durations(requests, period: Period, by: str | None) -> dict:
    """{group: timedelta}: median resolution time of the requests resolved in the period (see module doc).

    With `by=None`, one median over all the requests (the city's), under the key None.
    """
    resolved = resolved_in(requests, period)
    key = group_lookup(resolved, by) if by else None
    partition = [F(key)] if key else None
    rows = (
        resolved.annotate(duration=RESOLUTION_TIME)
        .annotate(
            position=Window(
                RowNumber(), partition_by=partition, order_by=[F("duration").asc(), F("pk").asc()]
            ),
            size=Window(Count("pk"), partition_by=partition),
        )
        .filter(position__gte=(F("size") + 1) / 2, position__lte=(F("size") + 2) / 2)
        .order_by()
    )
    if key:
        rows = rows.values_list(key, "duration")
    else:
        rows = ((None, duration) for duration in rows.values_list("duration", flat=True))
    middles = defaultdict(list)
    for group, duration in rows:
        middles[group].append(duration)
    return {group: sum(values, datetime.timedelta()) / len(values) for group, values in middles.items()}


def open_counts(requests, by: str, now: datetime.datetime | None = None) -> dict:
    """{group: {"open", "overdue", "unassigned"}}: the queue as it stands now."""
    now = now or timezone.now()
    # COUNT(due_at), never NULL, rather than COUNT(id): the partial index of open requests holds
    # station, due_at and assignee, so the counts come from the index alone (at 1,000,000 requests the
    # city's open counts took 140 ms through the table, 20 ms from the index).
    return _grouped(
        requests.filter(status__in=Request.OPEN_STATUSES),
        by,
        open=Count("due_at"),
        overdue=Count("due_at", filter=Q(due_at__lt=now)),
        unassigned=Count("due_at", filter=Q(assignee__isnull=True)),
    )


def satisfaction_counts(requests, period: Period, by: str) -> dict:
    """{group: {"rated", "satisfied"}}: follow-ups closed in the period with a satisfaction answer."""
    return _grouped(
        requests.filter(in_period("closed_at", period)).exclude(satisfaction=""),
        by,
        # COUNT(closed_at), not COUNT(id): (closed_at, station, satisfaction) is an index of its own.
        rated=Count("closed_at"),
        satisfied=Count("closed_at", filter=Q(satisfaction__in=SATISFIED_ANSWERS)),
    )


def open_matrix(requests) -> dict:
    """{(status, priority): n} of open requests."""
    rows = (
        requests.filter(status__in=Request.OPEN_STATUSES)
        .order_by()
        .values_list("status", "priority")
        .annotate(n=Count("pk"))
    )
    return {(status, priority): n for status, priority, n in rows}


def monthly_requests(
    requests, months: list[datetime.date], *, cache_key: str | None = None, today: datetime.date | None = None
) -> list[dict]:
    """Requests received and resolved per month, one dict per month in `months`.

    Each of the two queries counts every month at once with one filtered count per month between fixed
    local-midnight bounds. Comparing the indexed timestamp with constants keeps the count index-only and
    costs far less per row than truncating each row's timestamp to its month in the local time zone
    (TruncMonth), which dominated the city trend at 1,000,000 requests (docs/performance.md).

    With `cache_key` (the dashboard's `Scope.cache_key`), months that are over come from the cache
    (`closed_months_cached`). Only the months not found are counted, still in two queries.
    """
    return closed_months_cached(
        "trend", months, lambda missing: _count_months(requests, missing), cache_key=cache_key, today=today
    )


def monthly_activities(
    scope: Scope, months: list[datetime.date], *, cached: bool = False, today: datetime.date | None = None
) -> list[dict]:
    """Sessions and person-times of activities per month, one dict per month in `months` (one query).

    With `cached`, months that are over come from the cache under the scope's key (`closed_months_cached`).
    """

    def count(missing):
        first, last = min(missing), Period.month(max(missing)).last_day
        rows = (
            scope.narrow(Activity.objects.filter(date__gte=first, date__lte=last))
            .annotate(month=TruncMonth("date"))
            .order_by()
            .values("month")
            .annotate(sessions=Sum("sessions"), person_times=Sum("person_times"))
        )
        by_month = {row.pop("month"): row for row in rows}
        return {
            month: {name: (by_month.get(month) or {}).get(name) or 0 for name in ("sessions", "person_times")}
            for month in missing
        }

    return closed_months_cached(
        "activities", months, count, cache_key=scope.cache_key if cached else None, today=today
    )


def closed_months_cached(
    kind: str,
    months: list[datetime.date],
    count,
    *,
    cache_key: str | None,
    today: datetime.date | None = None,
) -> list[dict]:
    """[{"month": m, **figures}] for each month in `months`, `count(missing months)` giving the figures.

    With `cache_key`, months that are over come from the dashboards cache when they were counted less than
    CLOSED_MONTH_TTL ago, and are kept there when counted; the current month (and any later one) is always
    counted live. Without it every month is counted (reports, tests).
    """
    today = today or timezone.localdate()
    current = today.replace(day=1)
    cache = caches[DASHBOARD_CACHE]

    def key(month):
        return f"{kind}:v{CLOSED_MONTH_VERSION}:{cache_key}:{month.isoformat()}"

    closed = [m for m in months if m < current] if cache_key else []
    cached = cache.get_many([key(m) for m in closed]) if closed else {}
    figures = {m: cached[key(m)] for m in closed if key(m) in cached}
    missing = [m for m in months if m not in figures]
    if missing:
        counted = count(missing)
        figures.update(counted)
        to_cache = {key(m): counted[m] for m in missing if m in closed}
        if to_cache:
            cache.set_many(to_cache, CLOSED_MONTH_TTL)
    return [{"month": month, **figures[month]} for month in months]


def _count_months(requests, months: list[datetime.date]) -> dict:
    """{month: {"received", "resolved"}} for the given months (two queries)."""
    periods = [Period.month(month) for month in months]
    first, end = min(p.start for p in periods), max(p.end for p in periods)

    def per_month(queryset, field_name):
        # COUNT(<the timestamp>) rather than COUNT(id): the index holds the timestamp, not the id.
        counts = queryset.filter(**{f"{field_name}__gte": first, f"{field_name}__lt": end}).aggregate(
            **{
                f"m{i}": Count(
                    field_name, filter=Q(**{f"{field_name}__gte": p.start, f"{field_name}__lt": p.end})
                )
                for i, p in enumerate(periods)
            }
        )
        return [counts[f"m{i}"] for i in range(len(periods))]

    received = per_month(requests, "received_at")
    resolved = per_month(requests.filter(status__in=RESOLVED_STATUSES), "resolved_at")
    return {
        month: {"received": r, "resolved": d} for month, r, d in zip(months, received, resolved, strict=True)
    }


def category_breakdown(requests, period: Period) -> list[dict]:
    """Requests received in the period per top-level category, largest first."""
    rows = (
        requests.filter(in_period("received_at", period))
        .annotate(top=Coalesce("category__parent__name", "category__name"))
        .order_by()
        .values_list("top")
        .annotate(n=Count("received_at"))  # index-only: received_at, station, category, priority
    )
    return sorted(({"name": name, "count": n} for name, n in rows), key=lambda r: (-r["count"], r["name"]))


def priority_mix(requests, period: Period) -> list[dict]:
    """Requests received in the period per priority P1..P4 (every priority listed, zeros included)."""
    rows = dict(
        requests.filter(in_period("received_at", period))
        .order_by()
        .values_list("priority")
        .annotate(n=Count("received_at"))  # index-only, as in category_breakdown
    )
    return [{"priority": p, "label": f"P{p}", "count": rows.get(p, 0)} for p in (1, 2, 3, 4)]


def request_measures(requests, period: Period, by: str, now=None) -> dict:
    """All request figures of the period per group, merged: six queries whatever the number of groups."""
    merged = defaultdict(dict)
    for part in (
        received_counts(requests, period, by),
        resolved_counts(requests, period, by),
        open_counts(requests, by, now),
        satisfaction_counts(requests, period, by),
    ):
        for group, values in part.items():
            merged[group].update(values)
    for group, median in median_durations(requests, period, by).items():
        merged[group]["median_resolution"] = median
    return merged


# --- staffing ---------------------------------------------------------------------------------------------
def workforce(scope: Scope, by: str, today: datetime.date | None = None) -> dict:
    """{group: {"workers", "certified", "deadline_near", "deadline_passed"}} of the active workers.

    One query returning one row per active assignment (a few hundred in the whole city, however much
    case data there is); each worker's state is the one rule (`stations.models.CertificationState.of`).
    """
    today = today or timezone.localdate()
    assignments = scope.narrow(Assignment.objects.active(today))
    key = group_lookup(assignments, by)
    rows = (
        assignments.annotate(
            certified=Count("user__certificates", filter=Q(user__certificates__issued_on__lte=today))
        )
        .order_by()
        .values_list(key, "start_date", "certified")
    )
    result = defaultdict(lambda: {"workers": 0, "certified": 0, "deadline_near": 0, "deadline_passed": 0})
    for group, start_date, certificates in rows:
        figures = result[group]
        figures["workers"] += 1
        state = CertificationState.of(certified=bool(certificates), start_date=start_date, today=today)
        if state == CertificationState.CERTIFIED:
            figures["certified"] += 1
        elif state == CertificationState.PASSED:
            figures["deadline_passed"] += 1
        elif state == CertificationState.NEAR:
            figures["deadline_near"] += 1
    return result


# --- coverage (municipal) ---------------------------------------------------------------------------------
def coverage(user) -> dict:
    """Streets with a station out of the 252 townships; committees with a workroom out of the committees of
    those townships (`CommunityQuerySet.coverage_base`, the one definition the districts page uses too).

    Two grouped queries, per district; the city totals are their sums.
    """
    streets = _grouped(
        Street.objects.visible_to(user).townships(),
        "district",
        streets=Count("pk"),
        covered=Count("pk", filter=Q(station__isnull=False)),
    )
    committees = _grouped(
        Community.objects.visible_to(user).coverage_base(),
        "district",
        committees=Count("pk"),
        workrooms=Count("pk", filter=Q(workroom_opened_on__isnull=False)),
    )
    per_district = defaultdict(lambda: {"streets": 0, "covered": 0, "committees": 0, "workrooms": 0})
    for part in (streets, committees):
        for district, values in part.items():
            per_district[district].update(values)
    totals = {
        k: sum(d[k] for d in per_district.values()) for k in ("streets", "covered", "committees", "workrooms")
    }
    return {"per_district": per_district, "totals": totals}


# --- service work (projects app) ------------------------------------------------------------------------
def in_days(field_name: str, period: Period) -> Q:
    """For date fields (activities, resources): the period's calendar days, inclusive."""
    return Q(**{f"{field_name}__gte": period.first_day, f"{field_name}__lte": period.last_day})


def activity_counts(scope: Scope, period: Period, by: str) -> dict:
    """{group: {"activities", "sessions", "person_times"}} for activities dated in the period."""
    return _grouped(
        scope.narrow(Activity.objects.filter(in_days("date", period))),
        by,
        activities=Count("pk"),
        sessions=Sum("sessions"),
        person_times=Sum("person_times"),
    )


def resource_sums(scope: Scope, period: Period, by: str) -> dict:
    """{group: {"resources_total", "resources_money"}}: yuan mobilised in the period (Decimal, exact)."""
    rows = _grouped(
        scope.narrow(Resource.objects.filter(in_days("date", period))),
        by,
        resources_total=Sum("amount"),
        resources_money=Sum("amount", filter=Q(kind=Resource.Kind.MONEY)),
    )
    # SQLite sums decimals with extra digits (1500.35000000000): back to fen, the unit of the ledger.
    for values in rows.values():
        for name, value in values.items():
            values[name] = (value or ZERO).quantize(CENT)
    return rows


def cultivated_counts(scope: Scope, day: datetime.date, by: str) -> dict:
    """{group: {"teams", "organisations"}}: volunteer teams and organisations founded by `day`."""
    merged = defaultdict(dict)
    for model, name in ((VolunteerTeam, "teams"), (CommunityOrganisation, "organisations")):
        rows = _grouped(scope.narrow(model.objects.founded_by(day)), by, n=Count("pk"))
        for group, values in rows.items():
            merged[group][name] = values["n"]
    return merged


def active_project_counts(scope: Scope, by: str) -> dict:
    """{group: {"projects_active"}}: projects being carried out now."""
    return _grouped(
        scope.narrow(Project.objects.filter(status=Project.Status.ACTIVE)), by, projects_active=Count("pk")
    )


def registered_before(station_ids: list[int], moment: datetime.datetime) -> dict[int, int]:
    """{station_id: residents of its communities registered before `moment`} (the start of this month), kept
    in the dashboards cache for CLOSED_MONTH_TTL like the trend's closed months: plan progress then counts
    only this month's registrations live, not the whole registry (333,000 residents at 1,000,000 requests).
    A resident removed or moved since shows within the hour. Stations not cached are counted in one query.
    """
    cache = caches[DASHBOARD_CACHE]

    def key(station_id):
        return f"registry:v{CLOSED_MONTH_VERSION}:{station_id}:{moment.isoformat()}"

    cached = cache.get_many([key(pk) for pk in station_ids]) if station_ids else {}
    counts = {pk: cached[key(pk)] for pk in station_ids if key(pk) in cached}
    missing = [pk for pk in station_ids if pk not in counts]
    if missing:
        counted = dict(
            Resident.objects.filter(community__street__station__in=missing, created_at__lt=moment)
            .values_list("community__street__station")
            .annotate(n=Count("created_at"))
            .values_list("community__street__station", "n")
        )
        fresh = {pk: counted.get(pk, 0) for pk in missing}
        cache.set_many({key(pk): n for pk, n in fresh.items()}, CLOSED_MONTH_TTL)
        counts.update(fresh)
    return counts


def plan_completion(rows: list[ProgressRow]) -> float | None:
    """One figure for a plan: the mean share of each set target reached, each capped at 100 %."""
    shares = [min(row.actual / row.target, 1.0) for row in rows if row.target]
    return sum(shares) / len(shares) if shares else None


def plan_progress_by_station(scope: Scope, year: int, until: datetime.date | None = None) -> dict:
    """{station_id: {"plan", "plan_rows", "plan_completion"}} for the stations with a plan for `year`.

    `projects.progress.progress_for_plans` computes every plan at once (5 grouped queries), plus one
    query for the plans themselves. With `until` (a period's last day), progress as it stood at the end of
    that day: a closed month's figures do not change when the next month's data arrives.
    """
    plans = list(scope.narrow(AnnualPlan.objects.filter(year=year).only(*PLAN_PROGRESS_FIELDS)))
    # The registry size before this month comes from the cache, and only this month's registrations are
    # counted live; for a period over before this month, the size at the period's end (cached alike).
    moment = Period.month(timezone.localdate()).start
    if until is not None:
        moment = min(moment, Period.custom(until, until).end)
    registry_base = (moment, registered_before(sorted({p.station_id for p in plans}), moment))
    progress = progress_for_plans(plans, registry_base=registry_base, until=until)
    return {
        plan.station_id: {
            "plan": plan,
            "plan_rows": progress[plan.pk],
            "plan_completion": plan_completion(progress[plan.pk]),
        }
        for plan in plans
    }


# --- monthly report breakdowns ----------------------------------------------------------------------------
def channel_breakdown(requests, period: Period) -> list[dict]:
    """Requests received in the period per channel (every channel listed, zeros included)."""
    rows = dict(
        requests.filter(in_period("received_at", period))
        .order_by()
        .values_list("channel")
        .annotate(n=Count("pk"))
    )
    return [{"label": label, "count": rows.get(value, 0)} for value, label in Request.Channel.choices]


def activities_by_method(scope: Scope, period: Period) -> list[dict]:
    """Activities dated in the period per method (个案/小组/社区), every method listed."""
    rows = {
        row["method"]: row
        for row in scope.narrow(Activity.objects.filter(in_days("date", period)))
        .order_by()
        .values("method")
        .annotate(activities=Count("pk"), sessions=Sum("sessions"), person_times=Sum("person_times"))
    }
    return [
        {
            "label": label,
            "activities": rows.get(value, {}).get("activities", 0),
            "sessions": rows.get(value, {}).get("sessions") or 0,
            "person_times": rows.get(value, {}).get("person_times") or 0,
        }
        for value, label in Activity.Method.choices
    ]


def founded_in(scope: Scope, period: Period) -> dict:
    """{"teams": n, "organisations": n} founded during the period."""
    return {
        name: scope.narrow(model.objects.filter(in_days("founded_on", period))).count()
        for model, name in ((VolunteerTeam, "teams"), (CommunityOrganisation, "organisations"))
    }
