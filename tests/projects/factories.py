"""make_* helpers for station work. Each takes the owning station and sensible defaults."""

import datetime
from decimal import Decimal

from projects.models import (
    Activity,
    AnnualPlan,
    CommunityFund,
    CommunityOrganisation,
    FundEntry,
    Partner,
    Project,
    Resource,
    ServiceHours,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)

D = datetime.date
OCT_10, OCT_1, MAR_1, JAN_1, MAY_1 = (
    D(2023, 10, 10),
    D(2023, 10, 1),
    D(2023, 3, 1),
    D(2023, 1, 1),
    D(2023, 5, 1),
)


def make_project(station, title="老年智慧出行志愿服务行动", communities=(), **fields):
    fields.setdefault("theme", Project.Theme.ELDERLY)
    fields.setdefault("start_date", D(2023, 10, 1))
    fields.setdefault("status", Project.Status.ACTIVE)
    project = Project.objects.create(station=station, title=title, **fields)
    if communities:
        project.communities.set(communities)
    return project


def make_activity(station, day=OCT_10, sessions=1, person_times=10, communities=(), **fields):
    fields.setdefault("title", "社区义诊")
    fields.setdefault("method", Activity.Method.COMMUNITY)
    activity = Activity.objects.create(
        station=station, date=day, sessions=sessions, person_times=person_times, **fields
    )
    if communities:
        activity.communities.set(communities)
    return activity


def make_partner(station, name="爱心超市", kind=Partner.Kind.ENTERPRISE):
    return Partner.objects.get_or_create(station=station, name=name, defaults={"kind": kind})[0]


def make_resource(station, amount="100.00", partner=None, day=OCT_1, **fields):
    partner = partner or make_partner(station)
    return Resource.objects.create(
        station=station, partner=partner, amount=Decimal(amount), date=day, **fields
    )


def make_team(station, name="针锋裁缝", founded_on=MAR_1, **fields):
    return VolunteerTeam.objects.create(station=station, name=name, founded_on=founded_on, **fields)


def make_organisation(station, name="邻里串门", founded_on=MAR_1, **fields):
    return CommunityOrganisation.objects.create(station=station, name=name, founded_on=founded_on, **fields)


def make_fund(station, name="社区基金", established_on=JAN_1):
    return CommunityFund.objects.create(station=station, name=name, established_on=established_on)


def make_entry(fund, amount, direction=FundEntry.Direction.INFLOW, day=MAY_1, **fields):
    if direction == FundEntry.Direction.INFLOW:
        fields.setdefault("channel", FundEntry.Channel.RESIDENTS)
    else:
        fields.setdefault("purpose", FundEntry.Purpose.RECIPIENT_AID)
    return FundEntry.objects.create(
        fund=fund, direction=direction, amount=Decimal(amount), date=day, **fields
    )


def make_plan(station, year=2023, **fields):
    return AnnualPlan.objects.create(station=station, year=year, **fields)


_phones = iter(range(13700000000, 13799999999))


def make_volunteer(station, name="王秀英", phone=None, teams=(), joined_on=MAR_1, **fields):
    """A volunteer of `station`, member of `teams` since `joined_on`."""
    volunteer = Volunteer.objects.create(
        station=station, name=name, phone=phone or str(next(_phones)), **fields
    )
    for team in teams:
        TeamMembership.objects.create(team=team, volunteer=volunteer, joined_on=joined_on)
    return volunteer


def make_hours(volunteer, hours, *, activity=None, visit=None, content=""):
    """Hours on an activity or a visit, dated and stationed as `record_hours` would."""
    day = activity.date if activity is not None else visit.visited_on
    return ServiceHours.objects.create(
        station_id=volunteer.station_id,
        volunteer=volunteer,
        activity=activity,
        visit=visit,
        date=day,
        hours=Decimal(hours),
        content=content,
    )
