"""One workroom-coverage figure for the city (issue 15.4): the same numerator, denominator and share on
the city dashboard, its export, the municipal report and the districts page, with the definition stated.

The definition: committees (社区/村) of the 252 streets and townships that have a community workroom, out of
all committees of those streets and townships; committees in development zones and farms (which are not
among the 252) count in neither. In Tianjin: 1,466 of 5,444 = 26.9 %.
"""

import datetime

import pytest
from django.urls import reverse

from stations.models import Community, District
from sws.dashboards import tables
from sws.dashboards.periods import Period
from sws.reports import builders
from tests import factories as f

DEFINITION = "社区工作室覆盖率＝设有社区工作室的社区（村）÷ 街道（乡镇）所辖社区（村）"


@pytest.fixture
def coverage_world(frozen, beichen, nankai, guoyuan, guangkai):
    """北辰区: 3 committees in its townships (1 with a workroom), plus a development zone holding a genuine
    社区 committee with a workroom and a quasi-community; 南开区: its committees, none with a workroom."""
    chaoyangli = Community.objects.get(code="120113001009")
    chaoyangli.workroom_opened_on = datetime.date(2024, 5, 1)
    chaoyangli.save()
    zone = f.make_street("120113400000", "北辰经济技术开发区", beichen, kind="other")
    in_zone = f.make_community("120113400201", "开发区社区居委会", zone, kind="社区")
    in_zone.workroom_opened_on = datetime.date(2024, 6, 1)
    in_zone.save()
    f.make_community("120113400001", "开发区虚拟社区", zone, kind="other")


def test_city_table_counts_the_committees_of_the_townships_only(coverage_world, city_user, beichen):
    expected = District.objects.with_coverage().get(pk=beichen.pk)
    table = tables.district_table(city_user, Period.month(datetime.date(2026, 3, 1)))
    row = next(r for r in table.rows if r.key == beichen.pk).figures
    assert (row["workrooms"], row["committees"]) == (expected.n_workrooms, expected.n_committees)
    assert (row["workrooms"], row["committees"]) == (1, 3)  # not the zone's committee nor its workroom
    assert row["workroom_coverage"] == pytest.approx(1 / 3)


def test_city_dashboard_and_districts_page_agree_and_state_the_definition(
    client, coverage_world, city_user, beichen, nankai
):
    client.force_login(city_user)
    dashboard = client.get(reverse("dashboards:city"))
    districts = client.get(reverse("stations:district-list"))
    totals = dashboard.context["totals"]
    page_totals = districts.context["totals"]
    assert (totals["workrooms"], totals["committees"]) == (
        page_totals["n_workrooms"],
        page_totals["n_committees"],
    )
    assert totals["workroom_coverage"] == pytest.approx(page_totals["workroom_share"] / 100)
    for response in (dashboard, districts):
        html = response.content.decode()
        assert DEFINITION in html
        assert f"{totals['workrooms']} / {totals['committees']}" in html


def test_city_report_states_the_same_coverage(client, coverage_world, city_user):
    report = builders.city_report(city_user, 2026, 3)
    by_district = District.objects.with_coverage()
    assert report.table.totals.figures["committees"] == sum(d.n_committees for d in by_district)
    assert report.table.totals.figures["workrooms"] == sum(d.n_workrooms for d in by_district)
    client.force_login(city_user)
    assert DEFINITION in client.get(reverse("reports:city", args=[2026, 3])).content.decode()
