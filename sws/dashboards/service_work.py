"""Figures of the service work (the projects app): activities, resources, cultivated groups, projects and the
annual plans' progress, per station or district."""

import datetime
from collections import defaultdict

from django.core.cache import caches
from django.db.models import Count, Q, Sum
from django.utils import timezone

from projects.models import Activity, AnnualPlan, CommunityOrganisation, Project, Resource, VolunteerTeam
from projects.progress import PLAN_PROGRESS_FIELDS, ProgressRow, progress_for_plans
from residents.models import Resident
from sws.dashboards import case_sessions
from sws.dashboards.periods import Period
from sws.dashboards.scope import (
    CENT,
    CLOSED_MONTH_TTL,
    CLOSED_MONTH_VERSION,
    DASHBOARD_CACHE,
    ZERO,
    Scope,
    _grouped,
)


# --- service work (projects app) ------------------------------------------------------------------------
def in_days(field_name: str, period: Period) -> Q:
    """For date fields (activities, resources): the period's calendar days, inclusive."""
    return Q(**{f"{field_name}__gte": period.first_day, f"{field_name}__lte": period.last_day})


def activity_counts(scope: Scope, period: Period, by: str) -> dict:
    """{group: {"activities", "sessions", "person_times"}} for activities dated in the period; sessions and
    person-times include the casework service records of the period (case_sessions), counted once."""
    counts = _grouped(
        scope.narrow(Activity.objects.filter(in_days("date", period))),
        by,
        activities=Count("pk"),
        sessions=Sum("sessions"),
        person_times=Sum("person_times"),
    )
    return case_sessions.added(counts, case_sessions.session_counts(scope, period, by))


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


def activities_by_method(scope: Scope, period: Period) -> list[dict]:
    """Activities dated in the period per method (个案/小组/社区), every method listed; the casework row's
    sessions and person-times include the period's casework service records (case_sessions)."""
    rows = {
        row["method"]: row
        for row in scope.narrow(Activity.objects.filter(in_days("date", period)))
        .order_by()
        .values("method")
        .annotate(activities=Count("pk"), sessions=Sum("sessions"), person_times=Sum("person_times"))
    }
    methods = [
        {
            "label": label,
            "activities": rows.get(value, {}).get("activities", 0),
            "sessions": rows.get(value, {}).get("sessions") or 0,
            "person_times": rows.get(value, {}).get("person_times") or 0,
        }
        for value, label in Activity.Method.choices
    ]
    casework = case_sessions.session_counts(scope, period, None)[None]
    for row, value in zip(methods, Activity.Method.values, strict=True):
        if value == Activity.Method.CASEWORK:
            row["sessions"] += casework["sessions"]
            row["person_times"] += casework["person_times"]
    return methods


def founded_in(scope: Scope, period: Period) -> dict:
    """{"teams": n, "organisations": n} founded during the period."""
    return {
        name: scope.narrow(model.objects.filter(in_days("founded_on", period))).count()
        for model, name in ((VolunteerTeam, "teams"), (CommunityOrganisation, "organisations"))
    }
