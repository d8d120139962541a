"""Resources mobilised, partners, teams, organisations and funds: scoped forms and exact money sums."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import CommunityFund, CommunityOrganisation, Partner, Resource, VolunteerTeam
from tests.projects import factories as pf

D = datetime.date


def test_resource_sums_are_exact_decimals(client, worker):
    partner = pf.make_partner(worker.station)
    for amount in ["0.10", "0.20", "0.30", "99999999.99"]:
        pf.make_resource(worker.station, amount, partner=partner)
    pf.make_resource(
        worker.station, "1.05", partner=partner, kind=Resource.Kind.IN_KIND, description="米面油"
    )
    total = Resource.objects.filter(station=worker.station).total()
    assert total == Decimal("100000001.64") and isinstance(total, Decimal)
    client.force_login(worker)
    response = client.get(reverse("projects:resource-list"))
    assert response.context["total"] == Decimal("100000001.64")
    assert response.context["money_total"] == Decimal("100000000.59")
    assert response.context["in_kind_total"] == Decimal("1.05")
    assert "100,000,001.64" in response.content.decode()


def test_resource_list_totals_follow_the_filter(client, worker):
    pf.make_resource(worker.station, "135700.00", day=D(2023, 10, 1))
    pf.make_resource(worker.station, "5.00", day=D(2022, 1, 1))
    client.force_login(worker)
    response = client.get(reverse("projects:resource-list"), {"date_from": "2023-01-01"})
    assert response.context["total"] == Decimal("135700.00")


def test_register_a_resource(client, worker):
    partner = pf.make_partner(worker.station, "中国福利彩票第1201130001号代售点", Partner.Kind.LOTTERY_OUTLET)
    client.force_login(worker)
    response = client.post(
        reverse("projects:resource-create"),
        {"partner": partner.pk, "date": "2023-10-08", "kind": "money", "amount": "2000.00", "notes": ""},
    )
    resource = Resource.objects.get()
    assert response.status_code == 302
    assert (resource.station, resource.amount, resource.created_by) == (
        worker.station,
        Decimal("2000.00"),
        worker,
    )


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "money", "amount": "0"}, "amount"),
        ({"kind": "money", "amount": "12.345"}, "amount"),
        ({"kind": "in_kind", "amount": "50", "description": ""}, "description"),
    ],
)
def test_bad_resource_input_is_refused(client, worker, data, field):
    partner = pf.make_partner(worker.station)
    client.force_login(worker)
    response = client.post(
        reverse("projects:resource-create"), {"partner": partner.pk, "date": "2023-10-08", **data}
    )
    assert field in response.context["form"].errors
    assert not Resource.objects.exists()


@pytest.mark.parametrize("field", ["partner", "project"])
def test_forged_partner_or_project_of_another_station_is_refused(client, world, worker, field):
    values = {"partner": world["own"]["partner"].pk, "project": ""}
    values[field] = world["neighbour"][field].pk
    client.force_login(worker)
    before = Resource.objects.count()
    response = client.post(
        reverse("projects:resource-create"), {"date": "2023-10-08", "kind": "money", "amount": "10", **values}
    )
    assert field in response.context["form"].errors
    assert Resource.objects.count() == before


@pytest.mark.parametrize(
    "name, model, extra",
    [
        (
            "projects:team-create",
            VolunteerTeam,
            {"founded_on": "2023-03-01", "status": "active"},
        ),
        (
            "projects:organisation-create",
            CommunityOrganisation,
            {"members": "20", "founded_on": "2023-03-01", "status": "incubating"},
        ),
        ("projects:fund-create", CommunityFund, {"established_on": "2023-01-01"}),
    ],
)
def test_groups_and_funds_are_created_with_own_communities_only(client, world, worker, name, model, extra):
    client.force_login(worker)
    before = model.objects.count()
    forged = {"name": "邻里串门 ", "focus": "", "notes": "", "purpose": "", **extra}
    response = client.post(reverse(name), {**forged, "communities": [world["far"]["community"].pk]})
    assert "communities" in response.context["form"].errors
    assert model.objects.count() == before
    response = client.post(
        reverse(name), {**forged, "name": "新队伍", "communities": [world["own"]["community"].pk]}
    )
    created = model.objects.get(name="新队伍")
    assert response.status_code == 302 and created.station == worker.station
    assert list(created.communities.all()) == [world["own"]["community"]]


def test_names_are_unique_within_a_station(client, worker, other_worker):
    pf.make_team(worker.station, "针锋裁缝")
    pf.make_team(other_worker.station, "爱心扫把")
    client.force_login(worker)
    data = {"name": "针锋裁缝", "founded_on": "2023-03-01", "status": "active"}
    response = client.post(reverse("projects:team-create"), data)
    assert "本站已有同名志愿服务队" in str(response.context["form"].errors["name"])
    response = client.post(reverse("projects:team-create"), {**data, "name": "爱心扫把"})
    assert response.status_code == 302  # another station's name is no clash


def test_group_list_summarises_members_and_status(client, worker):
    """Team members are counted from memberships in force, each person once (not a typed number)."""
    tailor = pf.make_team(worker.station, "针锋裁缝", members_declared=12, status="active")
    broom = pf.make_team(worker.station, "爱心扫把", members_declared=8, status="registered")
    pf.make_volunteer(worker.station, "王秀英", teams=[tailor, broom])  # in both teams: one person
    pf.make_volunteer(worker.station, "张桂兰", teams=[tailor])
    left = pf.make_volunteer(worker.station, "刘建国", teams=[broom])
    left.memberships.update(left_on=datetime.date(2023, 6, 1))
    client.force_login(worker)
    response = client.get(reverse("projects:group-list"))
    summary = response.context["team_summary"]
    assert (summary["count"], summary["members"]) == (2, 2)
    counts = {t.name: t.member_count for t in response.context["team_page"].object_list}
    assert counts == {"针锋裁缝": 2, "爱心扫把": 1}
    assert dict(summary["by_status"]) == {"孵化中": 0, "活跃": 1, "已登记备案": 1}


def test_partner_page_totals_its_resources(client, worker):
    partner = pf.make_partner(worker.station)
    pf.make_resource(worker.station, "0.10", partner=partner)
    pf.make_resource(worker.station, "0.20", partner=partner)
    client.force_login(worker)
    assert client.get(partner.get_absolute_url()).context["resource_total"] == Decimal("0.30")
    row = client.get(reverse("projects:partner-list")).context["page"].object_list[0]
    assert (row.resource_count, row.resource_total) == (2, Decimal("0.30"))
