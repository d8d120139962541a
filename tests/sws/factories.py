"""Data helpers for the dashboard and report tests: rows written directly, with exact timestamps.

Requests are created without the workflow services on purpose: the dashboards count what is stored,
and the tests need requests received, resolved and closed at chosen instants (period boundaries).
"""

import datetime
import itertools
from decimal import Decimal

from django.utils import timezone

from projects.models import (
    Activity,
    AnnualPlan,
    CommunityOrganisation,
    Partner,
    Project,
    Resource,
    VolunteerTeam,
)
from residents.models import Category, Request, Resident

_seq = itertools.count(1)
SHANGHAI = timezone.get_default_timezone()


# The month the lock tests lock (conftest's `locked`), and a day in it.
MARCH = datetime.date(2026, 3, 1)
IN_MARCH = datetime.date(2026, 3, 20)


def at(year, month, day, hour=0, minute=0, second=0) -> datetime.datetime:
    """An aware datetime in Asia/Shanghai."""
    return datetime.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def category(name="生活照料", parent=None):
    return Category.objects.get_or_create(name=name, parent=parent)[0]


def store_request(
    station,
    community=None,
    *,
    received_at,
    status=Request.Status.NEW,
    priority=4,
    due_at=None,
    resolved_at=None,
    closed_at=None,
    satisfaction="",
    assignee=None,
    category_obj=None,
    channel=Request.Channel.WALK_IN,
):
    community = community or station.streets.first().communities.first()
    severity, urgency = {1: ("severe", "urgent"), 2: ("mild", "urgent"), 3: ("severe", "not_urgent")}.get(
        priority, ("mild", "not_urgent")
    )
    return Request.objects.create(
        reference=f"T{next(_seq):08d}",
        station=station,
        community=community,
        channel=channel,
        category=category_obj or category(),
        description="测试诉求",
        severity=severity,
        urgency=urgency,
        priority=priority,
        due_at=due_at or received_at + datetime.timedelta(days=15),
        status=status,
        assignee=assignee,
        received_at=received_at,
        resolved_at=resolved_at,
        closed_at=closed_at,
        satisfaction=satisfaction,
    )


def make_resident(community, name="张桂兰", **fields):
    return Resident.objects.create(community=community, name=name, **fields)


def make_activity(station, date, sessions=1, person_times=0, **fields):
    fields.setdefault("title", f"活动{next(_seq)}")
    fields.setdefault("method", Activity.Method.GROUP)
    return Activity.objects.create(
        station=station, date=date, sessions=sessions, person_times=person_times, **fields
    )


def make_partner(station, name=None):
    return Partner.objects.get_or_create(
        station=station, name=name or f"爱心企业{station.pk}", defaults={"kind": Partner.Kind.ENTERPRISE}
    )[0]


def make_resource(station, date, amount, kind=Resource.Kind.MONEY, **fields):
    if kind == Resource.Kind.IN_KIND:
        fields.setdefault("description", "米面油")
    return Resource.objects.create(
        station=station, partner=make_partner(station), date=date, amount=Decimal(amount), kind=kind, **fields
    )


def make_team(station, founded_on, name=None):
    return VolunteerTeam.objects.create(
        station=station, name=name or f"志愿队{next(_seq)}", founded_on=founded_on
    )


def make_organisation(station, founded_on, name=None):
    return CommunityOrganisation.objects.create(
        station=station, name=name or f"社区组织{next(_seq)}", founded_on=founded_on
    )


def make_project(station, status=Project.Status.ACTIVE, start_date=datetime.date(2026, 1, 1), **fields):
    fields.setdefault("title", f"项目{next(_seq)}")
    fields.setdefault("theme", Project.Theme.ELDERLY)
    return Project.objects.create(station=station, status=status, start_date=start_date, **fields)


def make_plan(station, year, **targets):
    return AnnualPlan.objects.create(station=station, year=year, **targets)
