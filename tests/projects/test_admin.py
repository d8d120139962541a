"""The admin pages of station work are scoped like every other page."""

import pytest
from django.urls import reverse

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


@pytest.mark.parametrize("model", MODELS)
def test_admin_changelist_and_change_page_work(client, world, admin_user, model):
    client.force_login(admin_user)
    assert client.get(reverse(f"admin:projects_{model}_changelist")).status_code == 200
    names = {"volunteerteam": "team", "communityorganisation": "organisation", "communityfund": "fund"}
    obj = world["own"][{**names, "annualplan": "plan"}.get(model, model)]
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
