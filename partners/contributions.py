"""What the five forces (五社联动) contributed, for a station, a district or the city over a period: the
figures of the 五社联动 report (sws composes the page and the export). Every figure takes a fixed number
of queries, whatever the number of rows.

A resolved request counts under each force that took part in it: the kind of each partner that accepted
or completed a referral of it (or of the case it became), or whose resources it (or the service records
of the case it became) used; 社区 also when the 居委会 passed it on (channel 居委会转办), 社区志愿者 when a
volunteer reported it. 社工 counts the requests the station's social workers resolved with no other
force (every request is the social workers' work; the other forces are what 五社联动 adds). Money, goods
and hours count what requests, activities and cases' service records used alike.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partners.models import Force, Partner, PartnerReferral, ResourceUse, outcome_in
from projects.models import ServiceHours
from residents.models import RESOLVED_STATUSES, Referral, Request
from stations.models import District, Station

ZERO = Decimal("0")


@dataclass(frozen=True)
class Scope:
    """A station, a district, or the city (neither)."""

    station: Station | None = None
    district: District | None = None

    @property
    def label(self) -> str:
        if self.station is not None:
            return self.station.name
        return self.district.name if self.district is not None else "天津市"

    def filter(self, queryset, station_field="station"):
        if self.station is not None:
            return queryset.filter(**{station_field: self.station.pk})
        if self.district is not None:
            # By the district's station ids, not a join to the stations table: PostgreSQL then reads each
            # station's slice of the (station, date) indexes instead of every request of the district
            # (the month's resolved requests at 1,000,000 requests: 82 ms → 2 ms, docs/performance.md).
            return queryset.filter(**{f"{station_field}__in": self.district_station_ids})
        return queryset

    @cached_property
    def district_station_ids(self) -> list[int]:
        return list(Station.objects.filter(district=self.district).values_list("pk", flat=True))


@dataclass(frozen=True)
class Period:
    """First and last day, both included (local dates)."""

    first: datetime.date
    last: datetime.date

    @property
    def label(self) -> str:
        return f"{self.first:%Y-%m-%d} 至 {self.last:%Y-%m-%d}"


def _midnight(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _resolved(scope: Scope, period: Period):
    """Requests resolved in the period and still resolved or closed, as the dashboards count them (a
    reopened request does not count), read through the partial indexes of resolved requests."""
    return scope.filter(Request.objects.all()).filter(
        resolved_at__gte=_midnight(period.first),
        resolved_at__lt=_midnight(period.last + datetime.timedelta(days=1)),
        status__in=RESOLVED_STATUSES,
    )


TOOK_PART = (Referral.Outcome.ACCEPTED, Referral.Outcome.DONE)  # the partner took the referral up


# A request's channel that is itself a force's part in it.
CHANNEL_FORCE = {Request.Channel.COMMITTEE: Force.COMMUNITY, Request.Channel.VOLUNTEER: Force.VOLUNTEER}
OTHER_FORCES = (Force.COMMUNITY, Force.SOCIAL_ORG, Force.VOLUNTEER, Force.CHARITY)


def resolved_by_force(scope: Scope, period: Period) -> dict:
    """{"total": n, force: n …}: the requests resolved in the period, by the forces that took part.

    Five queries whatever the data: the period's resolved requests counted by channel, then each way a
    partner takes part (a referral of the request it took up, a resource the request used, and the same
    two for the case the request became) as (request, channel, partner kind) rows of those requests
    only, put together here. Not one aggregate with a correlated EXISTS per way and force: that probed
    sixteen subqueries (thirty-two with 社工's "none of them") for every request resolved in the city's
    month, seconds at city scale (docs/performance.md)."""
    resolved = _resolved(scope, period)
    by_channel = dict(resolved.order_by().values_list("channel").annotate(n=Count("pk")))
    ids = resolved.values("pk")
    took_part = [
        PartnerReferral.objects.filter(request__in=ids, referral__outcome__in=TOOK_PART).values_list(
            "request", "request__channel", "partner__kind"
        ),
        ResourceUse.objects.filter(request__in=ids).values_list(
            "request", "request__channel", "partner__kind"
        ),
        PartnerReferral.objects.filter(case__request__in=ids, outcome__in=TOOK_PART).values_list(
            "case__request", "case__request__channel", "partner__kind"
        ),
        ResourceUse.objects.filter(service_record__case__request__in=ids).values_list(
            "service_record__case__request", "service_record__case__request__channel", "partner__kind"
        ),
    ]
    # Requests a partner took part in, by force, leaving out those their channel already counts under it.
    linked = {force: set() for force in OTHER_FORCES}
    through_partners = set()  # with any partner, their channel no force's
    for rows in took_part:
        for request, channel, kind in rows:
            force = Partner.FORCE_OF_KIND[kind]
            if CHANNEL_FORCE.get(channel) != force:
                linked[force].add(request)
            if channel not in CHANNEL_FORCE:
                through_partners.add(request)
    by_force = {channel_force: by_channel.get(channel, 0) for channel, channel_force in CHANNEL_FORCE.items()}
    total = sum(by_channel.values())
    figures = {"total": total}
    for force in OTHER_FORCES:
        figures[force.value] = by_force.get(force, 0) + len(linked[force])
    figures[Force.SOCIAL_WORKER.value] = total - sum(by_force.values()) - len(through_partners)
    return figures


def _uses(scope: Scope, period: Period):
    return scope.filter(ResourceUse.objects.in_period(period.first, period.last))


def volunteer_hours(scope: Scope, period: Period) -> Decimal:
    """The volunteer service hours in the scope and period: the volunteers' own service records (hours
    per volunteer on an activity or a visit, projects.ServiceHours) and the hours a team gave as a
    resource without naming its volunteers (ResourceUse rows of volunteer hours)."""
    as_resource = _uses(scope, period).filter(kind=ResourceUse.Kind.HOURS).aggregate(h=Sum("hours"))["h"]
    by_volunteers = scope.filter(ServiceHours.objects.between(period.first, period.last)).total()
    return (as_resource or ZERO) + (by_volunteers or ZERO)


def mobilised(scope: Scope, period: Period) -> dict:
    """Money (元), goods (their value, 元), services (how many) and volunteer hours, used by requests,
    activities and cases' service records alike; and how many cases used partners' resources."""
    figures = _uses(scope, period).aggregate(
        money=Sum("amount", filter=Q(kind=ResourceUse.Kind.MONEY)),
        goods=Sum("amount", filter=Q(kind=ResourceUse.Kind.GOODS)),
        services=Count("pk", filter=Q(kind=ResourceUse.Kind.SERVICE)),
        cases=Count("service_record__case", distinct=True),
    )
    return {
        "money": figures["money"] or ZERO,
        "goods": figures["goods"] or ZERO,
        "services": figures["services"],
        "cases": figures["cases"],
        "hours": volunteer_hours(scope, period),
    }


def by_partner(scope: Scope, period: Period) -> list[dict]:
    """One row per partner that was referred to (requests and cases alike) or whose resources were used
    in the period."""
    uses = (
        _uses(scope, period)
        .values("partner")
        .annotate(
            money=Sum("amount", filter=Q(kind=ResourceUse.Kind.MONEY)),
            goods=Sum("amount", filter=Q(kind=ResourceUse.Kind.GOODS)),
            hours=Sum("hours", filter=Q(kind=ResourceUse.Kind.HOURS)),
            services=Count("pk", filter=Q(kind=ResourceUse.Kind.SERVICE)),
        )
        .order_by()
    )
    referrals = (
        scope.filter(PartnerReferral.objects.all())
        .filter(
            created_at__gte=_midnight(period.first),
            created_at__lt=_midnight(period.last + datetime.timedelta(days=1)),
        )
        .values("partner")
        .annotate(
            referred=Count("pk"),
            done=Count("pk", filter=outcome_in(Referral.Outcome.DONE)),
            declined=Count("pk", filter=outcome_in(Referral.Outcome.DECLINED)),
        )
        .order_by()
    )
    rows: dict[int, dict] = {}
    blank = {
        "money": ZERO,
        "goods": ZERO,
        "hours": ZERO,
        "services": 0,
        "referred": 0,
        "done": 0,
        "declined": 0,
    }
    for row in uses:
        rows.setdefault(row["partner"], dict(blank)).update(
            {key: row[key] or blank[key] for key in ("money", "goods", "hours", "services")}
        )
    for row in referrals:
        rows.setdefault(row["partner"], dict(blank)).update(
            {key: row[key] for key in ("referred", "done", "declined")}
        )
    partners = {p.pk: p for p in Partner.objects.filter(pk__in=list(rows)).only("name", "kind")}
    result = [
        {"partner": partners[pk], "force": Force(partners[pk].force).label, **figures}
        for pk, figures in rows.items()
    ]
    result.sort(key=lambda row: (-(row["money"] + row["goods"]), -row["referred"], row["partner"].name))
    return result


def by_month(scope: Scope, period: Period) -> list[dict]:
    """Per month of the period: requests resolved, money and goods mobilised, volunteer hours."""
    resolved = dict(
        _resolved(scope, period)
        .annotate(month=TruncMonth("resolved_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("month", "n")
    )
    resolved = {month.date() if hasattr(month, "date") else month: n for month, n in resolved.items()}
    uses = {
        row["month"]: row
        for row in _uses(scope, period)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(
            money=Sum("amount", filter=Q(kind__in=[ResourceUse.Kind.MONEY, ResourceUse.Kind.GOODS])),
            hours=Sum("hours", filter=Q(kind=ResourceUse.Kind.HOURS)),
        )
        .order_by()
    }
    # The volunteers' own service records count in each month as they do in the total (volunteer_hours).
    by_volunteers = dict(
        scope.filter(ServiceHours.objects.between(period.first, period.last))
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(h=Sum("hours"))
        .order_by()
        .values_list("month", "h")
    )
    months = []
    day = period.first.replace(day=1)
    while day <= period.last:
        row = uses.get(day, {})
        months.append(
            {
                "month": day,
                "resolved": resolved.get(day, 0),
                "money": row.get("money") or ZERO,
                "hours": (row.get("hours") or ZERO) + (by_volunteers.get(day) or ZERO),
            }
        )
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return months


FORCE_ROWS = [
    (Force.COMMUNITY, "社区"),
    (Force.SOCIAL_ORG, "社会组织"),
    (Force.SOCIAL_WORKER, "社工（独立办结）"),
    (Force.VOLUNTEER, "社区志愿者"),
    (Force.CHARITY, "社会慈善资源"),
]


def report(scope: Scope, period: Period) -> dict:
    forces = resolved_by_force(scope, period)
    total = forces["total"]
    return {
        "scope": scope,
        "period": period,
        "resolved": total,
        "forces": [
            {
                "force": force.value,
                "label": label,
                "count": forces[force.value],
                "share": round(100 * forces[force.value] / total) if total else 0,
            }
            for force, label in FORCE_ROWS
        ],
        "mobilised": mobilised(scope, period),
        "partners": by_partner(scope, period),
        "months": by_month(scope, period),
    }
