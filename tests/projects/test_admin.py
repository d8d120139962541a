"""The admin pages of station work are scoped like every other page."""

import pytest
from django.urls import reverse

from stations.locking import STALE_MESSAGE
from tests.stations.test_admin import open_change_form

MODELS = [
    "project",
    "activity",
    "partner",
    "resource",
    "volunteerteam",
    "communityorganisation",
    "communityfund",
]
MODELS += ["annualplan"]
# The world fixture's key for each model's record.
OBJECTS = {"volunteerteam": "team", "communityorganisation": "organisation", "communityfund": "fund"}
OBJECTS["annualplan"] = "plan"


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_and_change_page_work(client, world, admin_user, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:projects_{model}_changelist")).status_code == 200
    obj = world["own"][OBJECTS.get(model, model)]
    assert client.get(reverse(f"admin:projects_{model}_change", args=[obj.pk])).status_code == 200


def test_admin_lists_only_what_a_staff_user_may_see(client, world, district_user):
    district_user.is_staff = True
    district_user.save()
    from django.contrib.auth.models import Permission

    district_user.user_permissions.add(Permission.objects.get(codename="view_project"))
    client.force_login(district_user)
    response = client.get(reverse("admin:projects_project_changelist"))
    shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert shown == {world["own"]["project"].pk, world["neighbour"]["project"].pk}
    far = world["far"]["project"]
    assert client.get(reverse("admin:projects_project_change", args=[far.pk])).status_code in (302, 404)


def test_models_refuse_links_across_stations(world):
    """The admin sees every station; the models themselves refuse a project or partner of another."""
    from django.core.exceptions import ValidationError

    activity, resource = world["own"]["activity"], world["own"]["resource"]
    activity.project = world["neighbour"]["project"]
    with pytest.raises(ValidationError) as excinfo:
        activity.full_clean()
    assert "project" in excinfo.value.message_dict
    resource.partner = world["far"]["partner"]
    with pytest.raises(ValidationError) as excinfo:
        resource.full_clean()
    assert "partner" in excinfo.value.message_dict


# --- Saves in the admin are version-checked like saves in the app ------------------------------------
STALE = STALE_MESSAGE  # the one message (stations.locking), as in the app


@pytest.mark.parametrize("model", MODELS)
def test_a_stale_admin_save_is_refused_and_the_first_kept(client, world, admin_user, second_admin, model):
    from django.test import Client

    obj = world["own"][OBJECTS.get(model, model)]
    url = reverse(f"admin:projects_{model}_change", args=[obj.pk])
    other = Client()
    first, second = open_change_form(client, admin_user, url), open_change_form(other, second_admin, url)
    assert first["version"] == second["version"] == obj.version

    assert client.post(url, first).status_code == 302
    refused = other.post(url, second)
    assert refused.status_code == 200 and STALE in refused.content.decode()
    obj.refresh_from_db()
    assert obj.version == first["version"] + 1  # the first save, and only it


def test_a_worker_form_opened_before_an_admin_correction_is_refused(client, world, admin_user, worker):
    from django.test import Client

    activity = world["own"]["activity"]
    edit = reverse("projects:activity-edit", args=[activity.pk])
    worker_client = Client()
    worker_client.force_login(worker)
    form = worker_client.get(edit).context["form"]
    opened = {
        "date": activity.date.isoformat(),
        "title": "社工的旧稿",
        "method": activity.method,
        "project": activity.project_id,
        "communities": [c.pk for c in activity.communities.all()],
        "sessions": activity.sessions,
        "person_times": activity.person_times,
        "volunteers": activity.volunteers,
        "version": form["version"].value(),
    }

    admin_url = reverse("admin:projects_activity_change", args=[activity.pk])
    corrected = {**open_change_form(client, admin_user, admin_url), "title": "管理员更正的标题"}
    assert client.post(admin_url, corrected).status_code == 302

    response = worker_client.post(edit, opened)
    assert STALE_MESSAGE in response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "管理员更正的标题"
