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

from django.core.cache import caches
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Window
from django.db.models.functions import Coalesce, RowNumber, TruncMonth
from django.utils import timezone

from projects.models import Activity
from residents.models import Request
from sws.dashboards import case_sessions
from sws.dashboards.periods import Period

# The scope, the staffing and the service-work figures have modules of their own; re-exported here, where
# the dashboards and reports find every figure (`queries.workforce`, `queries.Scope` …).
from sws.dashboards.scope import (  # noqa: F401
    CENT,
    CLOSED_MONTH_TTL,
    CLOSED_MONTH_VERSION,
    DASHBOARD_CACHE,
    ZERO,
    Scope,
    _grouped,
    group_lookup,
    in_period,
    ratio,
)
from sws.dashboards.service_work import (  # noqa: F401
    active_project_counts,
    activities_by_method,
    activity_counts,
    cultivated_counts,
    founded_in,
    in_days,
    plan_completion,
    plan_progress_by_station,
    registered_before,
    resource_sums,
)
from sws.dashboards.staffing import coverage, workforce  # noqa: F401

RESOLVED_STATUSES = (Request.Status.RESOLVED, Request.Status.CLOSED)
SATISFIED_ANSWERS = (Request.Satisfaction.SATISFIED, Request.Satisfaction.FAIRLY)
LOW_SATISFACTION = 0.8  # a station below 80 % satisfied (满意+基本满意) needs attention

RESOLUTION_TIME = ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())


# --- requests: one query per measure, all groups at once ------------------------------------------------
def received_counts(requests, period: Period, by: str) -> dict:
    """{group: {"received": n}} for requests received in the period."""
    # COUNT(*) rather than COUNT(id): the (station, received_at) index alone answers it.
    return _grouped(requests.filter(in_period("received_at", period)), by, received=Count("*"))


def resolved_in(requests, period: Period):
    """Requests resolved in the period and still resolved or closed (a reopened request does not count)."""
    return requests.filter(in_period("resolved_at", period), status__in=RESOLVED_STATUSES)


def resolved_counts(requests, period: Period, by: str) -> dict:
    """{group: {"resolved", "resolved_on_time", "resolution_time"}} for requests resolved in the period
    (resolution_time: their durations summed; the mean is that over the count)."""
    return _grouped(
        resolved_in(requests, period),
        by,
        resolved=Count("pk"),
        resolved_on_time=Count("pk", filter=Q(resolved_at__lte=F("due_at"))),
        resolution_time=Sum(RESOLUTION_TIME),
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


def monthly_activities(
    scope: Scope, months: list[datetime.date], *, cached: bool = False, today: datetime.date | None = None
) -> list[dict]:
    """Sessions and person-times of activities and casework service records per month, one dict per month
    in `months` (two queries).

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
        cases = case_sessions.monthly_counts(scope, first, last)
        return {
            month: {
                name: ((by_month.get(month) or {}).get(name) or 0) + (cases.get(month) or {}).get(name, 0)
                for name in ("sessions", "person_times")
            }
            for month in missing
        }

    # "sessions": activities' and casework service records' together (a new cache kind, so months cached
    # before the records were counted are never read).
    return closed_months_cached(
        "sessions", months, count, cache_key=scope.cache_key if cached else None, today=today
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


def count_in_periods(requests, periods: dict) -> dict:
    """{key: {"received", "resolved"}} for each of `periods` ({key: Period}, e.g. a trend's months):
    two queries, whatever the number of periods.

    Each query counts every period at once with one filtered count per period between fixed
    local-midnight bounds. Comparing the indexed timestamp with constants keeps the count index-only and
    costs far less per row than truncating each row's timestamp to its month in the local time zone
    (TruncMonth), which dominated the city trend at 1,000,000 requests (docs/performance.md).
    """
    keys = list(periods)
    first, end = min(p.start for p in periods.values()), max(p.end for p in periods.values())

    def per_period(queryset, field_name):
        # COUNT(<the timestamp>) rather than COUNT(id): the index holds the timestamp, not the id.
        counts = queryset.filter(**{f"{field_name}__gte": first, f"{field_name}__lt": end}).aggregate(
            **{
                f"m{i}": Count(
                    field_name,
                    filter=Q(**{f"{field_name}__gte": periods[k].start, f"{field_name}__lt": periods[k].end}),
                )
                for i, k in enumerate(keys)
            }
        )
        return [counts[f"m{i}"] for i in range(len(keys))]

    received = per_period(requests, "received_at")
    resolved = per_period(requests.filter(status__in=RESOLVED_STATUSES), "resolved_at")
    return {key: {"received": r, "resolved": d} for key, r, d in zip(keys, received, resolved, strict=True)}


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
