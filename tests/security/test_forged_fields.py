"""Forged form fields: a value of another station (or district) typed into a POST is refused.

Every form that takes a station, community, resident, assignee, lead worker, project, request, fund or
partner is here (`CASES`). Each case POSTs a complete, valid form as 果园新村's staff would, except for
one field carrying the value of 集贤里 (same district) or 广开 (another district), and asserts the form
refuses it (an error on that field, or a 404) and nothing is saved. Then it POSTs the same form with
果园新村's own value and asserts it is saved, so each refusal is the forged field's doing.

The admin's forms are here too: district centre staff keep their own district's staff and stations (a
station or worker of another district is refused); the superuser's projects admin refuses links across
stations (the models' own checks).
"""

import datetime
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.urls import reverse

from projects.models import Activity, CommunityFund, FundEntry, Project, Resource, VolunteerTeam
from residents.models import Request, Resident
from stations.models import Assignment, Certificate, Community, User
from tests.security.access_world import fresh, world_fixture  # noqa: F401  (the `world` data set)

TODAY = datetime.date.today()


def own_communities(w):
    return list(Community.objects.filter(street__station=w.own.station).order_by("code"))


def second_own_community(w):
    return own_communities(w)[1]


def ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


@dataclass(frozen=True)
class Case:
    id: str
    who: str  # attribute of world.users
    url: Callable  # (w) -> path
    data: Callable  # (w) -> a valid POST, with 果园新村's values
    field: str  # the POST key forged
    forge: Callable  # (w, other station's records) -> the forged value
    saved: Callable  # (w) -> what a save would change
    error_on: str = ""  # the form field the refusal is on (default: `field`)
    others: tuple = ("neighbour", "far")


def resident_data(w):
    resident = fresh(w.own.resident)
    return {
        "name": resident.name,
        "community": second_own_community(w).pk,
        "phone": resident.phone,
        "version": resident.version,
    }


def intake_data(w, mode="existing"):
    data = {
        "submission_token": uuid.uuid4().hex,
        "mode": mode,
        "channel": Request.Channel.WALK_IN,
        "category": w.category.pk,
        "description": "老人独居，家中灯泡坏了需要更换。",
        "severity": "mild",
        "urgency": "not_urgent",
    }
    if mode == "existing":
        data["resident"] = w.own.resident.pk
    else:
        data |= {"new_name": "孙秀兰", "new_phone": "13602221234", "community": w.own.community.pk}
    return data


def project_data(w):
    return {
        "title": "邻里守望",
        "theme": Project.Theme.ELDERLY,
        "communities": [c.pk for c in own_communities(w)],
        "lead": w.users.worker2.pk,
        "start_date": "2025-03-01",
        "status": Project.Status.ACTIVE,
        "budget": "1000.00",
        "funding_source": Project.Funding.GOVERNMENT,
        "workers_involved": "2",
        "request_references": fresh(w.own.request).reference,
        "version": fresh(w.own.project).version,
    }


def project_state(w):
    project = fresh(w.own.project)
    return project.lead_id, ids(project.communities), ids(project.requests)


def activity_data(w):
    return {
        "date": "2025-03-05",
        "title": "重阳节茶话会",
        "method": Activity.Method.GROUP,
        "project": w.own.project.pk,
        "communities": [second_own_community(w).pk],
        "sessions": "2",
        "person_times": "40",
        "volunteers": "3",
        "version": fresh(w.own.activity).version,
    }


def activity_state(w):
    activity = fresh(w.own.activity)
    return activity.project_id, ids(activity.communities), activity.title


def bulk_data(w):
    return {
        "month": "2025-03",
        "rows-TOTAL_FORMS": "1",
        "rows-INITIAL_FORMS": "0",
        "rows-MIN_NUM_FORMS": "0",
        "rows-MAX_NUM_FORMS": "62",
        "rows-0-date": "2025-03-08",
        "rows-0-title": "妇女节手工课",
        "rows-0-method": Activity.Method.GROUP,
        "rows-0-project": w.own.project.pk,
        "rows-0-community": w.own.community.pk,
        "rows-0-sessions": "1",
        "rows-0-person_times": "12",
        "rows-0-volunteers": "2",
    }


def resource_data(w):
    return {
        "partner": w.own.partner.pk,
        "date": "2025-03-10",
        "kind": Resource.Kind.MONEY,
        "amount": "2000.00",
        "description": "助老资金",
        "project": w.own.project.pk,
        "version": fresh(w.own.resource).version,
    }


def resource_state(w):
    resource = fresh(w.own.resource)
    return resource.partner_id, resource.project_id, resource.amount


def group_data(w, record="team"):
    return {
        "name": "银发助老队",
        "focus": "上门探访",
        "members": "12",
        "founded_on": "2025-01-01",
        "status": "active",
        "communities": [second_own_community(w).pk],
        "version": fresh(getattr(w.own, record)).version,
    }


def fund_data(w):
    return {
        "name": "朝阳里社区基金",
        "established_on": "2025-01-01",
        "communities": [second_own_community(w).pk],
        "purpose": "困难居民帮扶",
        "version": fresh(w.own.fund).version,
    }


def entry_data(w):
    return {
        "direction": FundEntry.Direction.INFLOW,
        "amount": "300.00",
        "date": "2025-03-12",
        "channel": FundEntry.Channel.RESIDENTS,
        "partner": w.own.partner.pk,
        "project": w.own.project.pk,
        "note": "居民筹资",
    }


def communities_of(other):
    return [other.community.pk]


def edit(name, record):
    return lambda w: reverse(name, args=[getattr(w.own, record).pk])


def url(name):
    return lambda w: reverse(name)


def count(model):
    return lambda w: model.objects.count()


CASES = [
    # Residents registry and intake (station staff)
    Case(
        "resident-create community",
        "worker",
        url("residents:resident-create"),
        lambda w: {"name": "赵大爷", "community": w.own.community.pk},
        "community",
        lambda w, o: o.community.pk,
        count(Resident),
    ),
    Case(
        "resident-edit community",
        "worker",
        edit("residents:resident-edit", "resident"),
        resident_data,
        "community",
        lambda w, o: o.community.pk,
        lambda w: fresh(w.own.resident).community_id,
    ),
    Case(
        "intake resident",
        "worker",
        url("residents:intake"),
        intake_data,
        "resident",
        lambda w, o: o.resident.pk,
        count(Request),
    ),
    Case(
        "intake new resident's community",
        "worker",
        url("residents:intake"),
        lambda w: intake_data(w, "new"),
        "community",
        lambda w, o: o.community.pk,
        count(Request),
    ),
    Case(
        "intake reporter's community",
        "worker",
        url("residents:intake"),
        lambda w: intake_data(w, "reporter") | {"reporter_name": "李大姐", "community": w.own.community.pk},
        "community",
        lambda w, o: o.community.pk,
        count(Request),
    ),
    Case(
        "request assignee",
        "worker",
        edit("residents:request-assign", "request"),
        lambda w: {"version": fresh(w.own.request).version, "assignee": w.users.worker2.pk},
        "assignee",
        lambda w, o: o.lead.pk,
        lambda w: fresh(w.own.request).assignee_id,
    ),
    # Service projects and their records (station staff)
    *[
        Case(
            f"{name} {field}",
            "worker",
            urlf,
            project_data,
            field,
            forge,
            state,
        )
        for name, urlf, state in [
            ("project-create", url("projects:project-create"), count(Project)),
            ("project-edit", edit("projects:project-edit", "project"), project_state),
        ]
        for field, forge in [
            ("communities", lambda w, o: communities_of(o)),
            ("lead", lambda w, o: o.lead.pk),
            ("request_references", lambda w, o: fresh(o.request).reference),
        ]
    ],
    *[
        Case(f"{name} {field}", "worker", urlf, activity_data, field, forge, state)
        for name, urlf, state in [
            ("activity-create", url("projects:activity-create"), count(Activity)),
            ("activity-edit", edit("projects:activity-edit", "activity"), activity_state),
        ]
        for field, forge in [
            ("project", lambda w, o: o.project.pk),
            ("communities", lambda w, o: communities_of(o)),
        ]
    ],
    Case(
        "activity-bulk project",
        "worker",
        url("projects:activity-bulk"),
        bulk_data,
        "rows-0-project",
        lambda w, o: o.project.pk,
        count(Activity),
        error_on="project",
    ),
    Case(
        "activity-bulk community",
        "worker",
        url("projects:activity-bulk"),
        bulk_data,
        "rows-0-community",
        lambda w, o: o.community.pk,
        count(Activity),
        error_on="community",
    ),
    *[
        Case(f"{name} {field}", "worker", urlf, resource_data, field, forge, state)
        for name, urlf, state in [
            ("resource-create", url("projects:resource-create"), count(Resource)),
            ("resource-edit", edit("projects:resource-edit", "resource"), resource_state),
        ]
        for field, forge in [("partner", lambda w, o: o.partner.pk), ("project", lambda w, o: o.project.pk)]
    ],
    Case(
        "team-create communities",
        "worker",
        url("projects:team-create"),
        group_data,
        "communities",
        lambda w, o: communities_of(o),
        count(VolunteerTeam),
    ),
    Case(
        "team-edit communities",
        "worker",
        edit("projects:team-edit", "team"),
        group_data,
        "communities",
        lambda w, o: communities_of(o),
        lambda w: ids(fresh(w.own.team).communities),
    ),
    Case(
        "organisation-edit communities",
        "worker",
        edit("projects:organisation-edit", "organisation"),
        lambda w: group_data(w, "organisation") | {"name": "邻里串门会"},
        "communities",
        lambda w, o: communities_of(o),
        lambda w: ids(fresh(w.own.organisation).communities),
    ),
    Case(
        "fund-create communities",
        "worker",
        url("projects:fund-create"),
        fund_data,
        "communities",
        lambda w, o: communities_of(o),
        count(CommunityFund),
    ),
    Case(
        "fund-edit communities",
        "worker",
        edit("projects:fund-edit", "fund"),
        fund_data,
        "communities",
        lambda w, o: communities_of(o),
        lambda w: ids(fresh(w.own.fund).communities),
    ),
    *[
        Case(
            f"fund-entry {field}",
            "worker",
            edit("projects:fund-entry-create", "fund"),
            entry_data,
            field,
            forge,
            count(FundEntry),
        )
        for field, forge in [("partner", lambda w, o: o.partner.pk), ("project", lambda w, o: o.project.pk)]
    ],
]


def admin_add(model):
    return lambda w: reverse(f"admin:stations_{model}_add")


ADMIN_CASES = [
    # 北辰区's centre in the admin: 集贤里 is theirs, 广开 (南开区) is not.
    Case(
        "admin assignment station",
        "district_user",
        admin_add("assignment"),
        lambda w: {
            "user": w.users.worker2.pk,
            "station": w.own.station.pk,
            "start_date": "2025-06-01",
        },
        "station",
        lambda w, o: o.station.pk,
        count(Assignment),
        others=("far",),
    ),
    Case(
        "admin assignment user",
        "district_user",
        admin_add("assignment"),
        lambda w: {
            "user": w.users.worker2.pk,
            "station": w.own.station.pk,
            "start_date": "2025-06-01",
        },
        "user",
        lambda w, o: o.lead.pk,
        count(Assignment),
        others=("far",),
    ),
    Case(
        "admin certificate user",
        "district_user",
        admin_add("certificate"),
        lambda w: {
            "user": w.users.worker2.pk,
            "level": Certificate.Level.ASSISTANT,
            "number": "ZL202512000123",
            "issued_on": "2025-06-01",
        },
        "user",
        lambda w, o: o.lead.pk,
        count(Certificate),
        others=("far",),
    ),
    Case(
        "admin user station",
        "district_user",
        admin_add("user"),
        lambda w: {
            "username": "st-120113001-3",
            "name": "刘洋",
            "role": User.Role.STATION_WORKER,
            "station": w.own.station.pk,
            "usable_password": "true",
            "password1": "Gy-station-2026!",
            "password2": "Gy-station-2026!",
        },
        "station",
        lambda w, o: o.station.pk,
        count(User),
        others=("far",),
    ),
    Case(
        "admin user district",
        "district_user",
        admin_add("user"),
        lambda w: {
            "username": "dc-120113-2",
            "name": "北辰区指导中心二",
            "role": User.Role.DISTRICT_STAFF,
            "district": w.beichen.pk,
            "usable_password": "true",
            "password1": "Bc-centre-2026!",
            "password2": "Bc-centre-2026!",
        },
        "district",
        lambda w, o: o.station.district_id,
        count(User),
        others=("far",),
    ),
    # The superuser sees every station; the models refuse a record linked across stations.
    Case(
        "admin activity project",
        "admin_user",
        lambda w: reverse("admin:projects_activity_add"),
        lambda w: {
            "station": w.own.station.pk,
            "project": w.own.project.pk,
            "date": "2025-03-05",
            "title": "社区义诊",
            "method": Activity.Method.COMMUNITY,
            "sessions": "1",
            "person_times": "30",
            "volunteers": "0",
            "version": "1",
        },
        "project",
        lambda w, o: o.project.pk,
        count(Activity),
    ),
    *[
        Case(
            f"admin resource {field}",
            "admin_user",
            lambda w: reverse("admin:projects_resource_add"),
            lambda w: {
                "station": w.own.station.pk,
                "partner": w.own.partner.pk,
                "project": w.own.project.pk,
                "date": "2025-03-10",
                "kind": Resource.Kind.MONEY,
                "amount": "500.00",
                "version": "1",
            },
            field,
            forge,
            count(Resource),
        )
        for field, forge in [("partner", lambda w, o: o.partner.pk), ("project", lambda w, o: o.project.pk)]
    ],
    Case(
        "admin project lead",
        "admin_user",
        lambda w: reverse("admin:projects_project_add"),
        lambda w: {
            "station": w.own.station.pk,
            "title": "邻里守望",
            "theme": Project.Theme.ELDERLY,
            "lead": w.users.worker2.pk,
            "start_date": "2025-03-01",
            "status": Project.Status.ACTIVE,
            "budget": "0",
            "funding_source": Project.Funding.GOVERNMENT,
            "workers_involved": "0",
            "version": "1",
        },
        "lead",
        lambda w, o: o.lead.pk,
        count(Project),
    ),
]


def forms_in(context):
    """Every form in a response's context, inside formsets, lists and dicts (the case page keeps its
    workflow forms in a list of dicts) and the admin's AdminForm."""
    found = []

    def visit(value, depth=0):
        if depth > 3:
            return
        if isinstance(value, BaseForm):
            found.append(value)
        elif isinstance(value, BaseFormSet):
            found.extend(value.forms)
        elif hasattr(value, "form") and isinstance(value.form, BaseForm):  # admin's AdminForm
            found.append(value.form)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item, depth + 1)
        elif isinstance(value, list | tuple):
            for item in value:
                visit(item, depth + 1)

    for layer in context or []:
        for value in layer.flatten().values() if hasattr(layer, "flatten") else [layer]:
            visit(value)
    return found


def post(client, case, w, data):
    return client.post(case.url(w), data)


@pytest.mark.parametrize(
    "case,other",
    [(case, other) for case in CASES + ADMIN_CASES for other in case.others],
    ids=lambda value: value.id if isinstance(value, Case) else value,
)
def test_a_forged_value_is_refused_and_nothing_is_saved(case, other, world, db):
    client = Client()
    client.force_login(getattr(world.users, case.who))
    before = case.saved(world)

    data = case.data(world) | {case.field: case.forge(world, getattr(world, other))}
    response = post(client, case, world, data)

    assert response.status_code in (200, 400, 404), response.status_code
    if response.status_code != 404:
        error_on = case.error_on or case.field
        assert any(error_on in form.errors for form in forms_in(response.context)), (
            f"no error on {error_on}: {[form.errors for form in forms_in(response.context)]}"
        )
    assert case.saved(world) == before

    # The same form with 果园新村's own value goes through: the refusal was the forged field's.
    response = post(client, case, world, case.data(world))
    errors = [form.errors for form in forms_in(response.context)] if response.context else []
    assert response.status_code == 302, (response.status_code, errors)
    assert case.saved(world) != before


def test_another_stations_referral_under_our_request_is_a_404(world, db):
    client = Client()
    client.force_login(world.users.worker)
    theirs = world.neighbour.referral
    path = reverse("residents:referral-outcome", args=[world.own.referred.pk, theirs.pk])
    response = client.post(path, {"version": fresh(world.own.referred).version, "outcome": "done"})
    assert response.status_code == 404
    assert fresh(theirs).outcome == theirs.Outcome.PENDING
    ours = world.own.referral
    path = reverse("residents:referral-outcome", args=[world.own.referred.pk, ours.pk])
    response = client.post(path, {"version": fresh(world.own.referred).version, "outcome": "done"})
    assert response.status_code == 302
    assert fresh(ours).outcome == ours.Outcome.DONE


@pytest.mark.parametrize("other", ["neighbour", "far"])
def test_an_entry_in_another_stations_fund_is_a_404(world, db, other):
    client = Client()
    client.force_login(world.users.worker)
    fund = getattr(world, other).fund
    entries = FundEntry.objects.filter(fund=fund).count()
    response = client.post(reverse("projects:fund-entry-create", args=[fund.pk]), entry_data(world))
    assert response.status_code == 404
    assert FundEntry.objects.filter(fund=fund).count() == entries


@pytest.mark.parametrize(
    "name", ["projects:project-create", "projects:activity-create", "projects:team-create"]
)
def test_a_posted_station_is_ignored(world, db, name):
    """Records are filed under the user's own station whatever station the POST names."""
    client = Client()
    client.force_login(world.users.worker)
    data = {
        "projects:project-create": project_data,
        "projects:activity-create": activity_data,
        "projects:team-create": group_data,
    }[name](world) | {"station": world.far.station.pk}
    response = client.post(reverse(name), data)
    assert response.status_code == 302
    model = {"projects:project-create": Project, "projects:activity-create": Activity}.get(
        name, VolunteerTeam
    )
    assert model.objects.latest("pk").station_id == world.own.station.pk


def test_a_district_admin_cannot_give_staff_rights_or_groups(world, db):
    """The user admin's add page leaves permissions alone; a forged is_superuser is not saved."""
    client = Client()
    client.force_login(world.users.district_user)
    group = Group.objects.get(name=world.district_group)
    response = client.post(
        reverse("admin:stations_user_add"),
        {
            "username": "st-120113001-4",
            "name": "周敏",
            "role": User.Role.STATION_WORKER,
            "station": world.own.station.pk,
            "usable_password": "true",
            "password1": "Gy-station-2026!",
            "password2": "Gy-station-2026!",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [group.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="st-120113001-4")
    assert not user.is_superuser and not user.is_staff
    assert not user.groups.exists()
