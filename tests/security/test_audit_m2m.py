"""Many-to-many changes are audited: which communities, target groups and requests a project covers, the
communities of activities, teams, organisations and funds, and the groups and permissions given to a
user. auditlog records them only for the fields named in settings (m2m_fields); a test here keeps every
many-to-many field of an audited model named. The auditor's change page shows them."""

import pytest
from auditlog.registry import auditlog
from django.contrib.auth.models import Group, Permission
from django.db import models
from django.urls import reverse

from projects.models import (
    Activity,
    CommunityFund,
    CommunityOrganisation,
    Project,
    TargetGroup,
    VolunteerTeam,
)
from stations.audit import AuditLogEntry
from tests.factories import make_request
from tests.projects import factories as pf

pytestmark = pytest.mark.django_db


def m2m_entries(obj, field_name):
    """The audit entries of `obj` that record a change of its many-to-many `field_name`, oldest first."""
    entries = AuditLogEntry.objects.get_for_object(obj).order_by("timestamp", "pk")
    return [e.changes_dict[field_name] for e in entries if field_name in (e.changes_dict or {})]


def test_adding_a_community_to_a_project_in_the_app_is_audited(client, worker, chaoyangli):
    xuri = chaoyangli.street.communities.get(name="旭日里社区居委会")
    project = pf.make_project(worker.station, communities=[chaoyangli])
    client.force_login(worker)
    response = client.post(
        reverse("projects:project-edit", args=[project.pk]),
        {
            "title": project.title,
            "theme": project.theme,
            "start_date": project.start_date.isoformat(),
            "status": project.status,
            "funding_source": project.funding_source,
            "budget": str(project.budget or "0"),
            "workers_involved": "0",
            "communities": [chaoyangli.pk, xuri.pk],
            "version": project.version,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    entry = AuditLogEntry.objects.get_for_object(project).latest("pk")
    assert entry.actor == worker and entry.action == AuditLogEntry.Action.UPDATE
    assert entry.changes_dict["communities"] == {"type": "m2m", "operation": "add", "objects": [str(xuri)]}


def test_project_target_groups_and_requests_are_audited_both_ways(worker, chaoyangli):
    project = pf.make_project(worker.station)
    elderly = TargetGroup.objects.get(code="elderly")
    request = make_request(worker.station, chaoyangli, user=worker)
    project.target_groups.add(elderly)
    project.requests.add(request)
    project.communities.add(chaoyangli)
    project.requests.remove(request)
    assert m2m_entries(project, "target_groups") == [
        {"type": "m2m", "operation": "add", "objects": [str(elderly)]}
    ]
    assert m2m_entries(project, "requests") == [
        {"type": "m2m", "operation": "add", "objects": [request.reference]},
        {"type": "m2m", "operation": "delete", "objects": [request.reference]},
    ]
    assert m2m_entries(project, "communities") == [
        {"type": "m2m", "operation": "add", "objects": [str(chaoyangli)]}
    ]


@pytest.mark.parametrize(
    "make",
    [
        lambda station: pf.make_activity(station),
        lambda station: pf.make_team(station),
        lambda station: pf.make_organisation(station),
        lambda station: pf.make_fund(station),
    ],
    ids=["activity", "team", "organisation", "fund"],
)
def test_the_communities_of_other_station_work_are_audited(worker, chaoyangli, make):
    obj = make(worker.station)
    obj.communities.add(chaoyangli)
    obj.communities.remove(chaoyangli)
    assert m2m_entries(obj, "communities") == [
        {"type": "m2m", "operation": "add", "objects": [str(chaoyangli)]},
        {"type": "m2m", "operation": "delete", "objects": [str(chaoyangli)]},
    ]


def test_groups_and_permissions_given_to_a_user_are_audited(worker):
    sensitive = Permission.objects.get(codename="view_sensitive_resident")
    group = Group.objects.create(name="敏感档案查阅")
    worker.user_permissions.add(sensitive)
    worker.groups.add(group)
    assert m2m_entries(worker, "user_permissions") == [
        {"type": "m2m", "operation": "add", "objects": [str(sensitive)]}
    ]
    assert m2m_entries(worker, "groups") == [{"type": "m2m", "operation": "add", "objects": ["敏感档案查阅"]}]


def test_every_many_to_many_field_of_an_audited_model_is_audited():
    """A many-to-many field added to an audited model later must be named in settings too."""
    missing = []
    for model in auditlog.get_models():
        named = auditlog._registry[model]["m2m_fields"]  # get_model_fields() leaves them out
        for field in model._meta.get_fields():
            if isinstance(field, models.ManyToManyField) and field.name not in named:
                missing.append(f"{model._meta.label}.{field.name}")
    assert missing == []
    for model in (Project, Activity, VolunteerTeam, CommunityOrganisation, CommunityFund):
        assert auditlog.contains(model)


def test_the_auditor_reads_the_many_to_many_change(client, auditor, worker, chaoyangli):
    project = pf.make_project(worker.station)
    project.communities.add(chaoyangli)
    client.force_login(auditor)
    response = client.get(reverse("security:audit-changes"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "覆盖社区" in html and f"增加：{chaoyangli}" in html
