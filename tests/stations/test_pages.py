"""The station page, the district page and the district list: scope, roles, content, query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations.models import User
from tests import factories as f
from tests.stations.factories import grow, make_staff


def station_url(station):
    return reverse("stations:station-detail", args=[station.pk])


def district_url(district):
    return reverse("stations:district-detail", args=[district.pk])


LIST_URL = reverse("stations:district-list")


def get(client, user, url, **headers):
    client.force_login(user)
    return client.get(url, headers=headers)


# --- Station page ------------------------------------------------------------------------------------
def test_station_page_shows_streets_communities_staff_and_compliance(client, worker, worker2, guoyuan):
    f.make_community(
        "120113001020", "有工作室社区居委会", guoyuan.streets.get(), workroom_opened_on="2023-05-06"
    )
    response = get(client, worker, station_url(guoyuan))
    assert response.status_code == 200
    page = response.content.decode()
    assert "北辰区果园新村街道社工站" in page
    assert "果园新村街道" in page and "朝阳里社区" in page and "旭日里社区" in page
    assert "2023-05-06 启用" in page
    assert "徐芃泽" in page and "站长" in page and "助理社会工作师" in page
    # worker2 (李静) joined 2023-01-01 without a certificate: her deadline 2025-01-01 has passed.
    assert "李静" in page and "期限已过" in page and "2025-01-01" in page
    assert "持证期限已过" in page
    # A station worker cannot open the district page, so no link to it.
    assert district_url(guoyuan.district) not in page


def test_station_page_lists_former_workers(client, worker, guangkai, city_user):
    shibo = f.make_user("shibo", User.Role.DISTRICT_STAFF, district=f.make_district("120101000000", "和平区"))
    f.make_assignment(
        shibo, guangkai, start_date=datetime.date(2021, 10, 1), end_date=datetime.date(2023, 5, 31)
    )
    page = get(client, city_user, station_url(guangkai)).content.decode()
    assert "驻站记录" in page and "2021-10-01 至 2023-05-31" in page and "已离任" in page


def test_station_page_is_404_outside_scope(
    client, guoyuan, jixianli, guangkai, other_worker, district_user, other_district_user, far_worker
):
    assert get(client, other_worker, station_url(guoyuan)).status_code == 404  # same district, other station
    assert get(client, far_worker, station_url(guoyuan)).status_code == 404
    assert get(client, other_district_user, station_url(guoyuan)).status_code == 404
    assert get(client, district_user, station_url(guangkai)).status_code == 404
    assert get(client, district_user, station_url(jixianli)).status_code == 200
    assert get(client, district_user, reverse("stations:station-detail", args=[999999])).status_code == 404


def test_station_page_for_district_and_city(client, guoyuan, district_user, city_user, admin_user):
    page = get(client, district_user, station_url(guoyuan)).content.decode()
    assert district_url(guoyuan.district) in page  # breadcrumb back to the district
    assert get(client, city_user, station_url(guoyuan)).status_code == 200
    assert get(client, admin_user, station_url(guoyuan)).status_code == 200


def test_pages_need_login(client, guoyuan):
    for url in [station_url(guoyuan), district_url(guoyuan.district), LIST_URL]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


# --- District page -----------------------------------------------------------------------------------
def test_district_page_lists_its_stations_with_compliance(
    client, district_user, worker, worker2, guoyuan, other_worker, jixianli, guangkai
):
    response = get(client, district_user, district_url(guoyuan.district))
    assert response.status_code == 200
    page = response.content.decode()
    assert "北辰区社工站" in page
    assert guoyuan.name in page and jixianli.name in page and guangkai.name not in page
    assert "驻站社工不足两人" in page  # 集贤里 has one worker
    assert response.context["summary"] == {
        "stations": 2,
        "workers": 3,
        "certified": 1,
        "non_compliant": 2,
        "understaffed": 1,
    }
    assert response.context["district"].n_covered == 2


def test_district_page_filters_by_compliance_with_htmx(
    client, district_user, worker, worker2, guoyuan, other_worker, jixianli
):
    url = district_url(guoyuan.district) + "?compliance=understaffed"
    full = get(client, district_user, url)
    assert [s.name for s in full.context["rows"]] == [jixianli.name]
    partial = get(client, district_user, url, HX_Request="true")
    body = partial.content.decode()
    assert "<html" not in body and 'id="station-table"' in body
    assert jixianli.name in body and guoyuan.name not in body
    nothing = get(client, district_user, district_url(guoyuan.district) + "?compliance=ok")
    assert "没有符合条件的社工站" in nothing.content.decode()


def test_district_page_scope_and_roles(
    client, guoyuan, guangkai, district_user, other_district_user, worker, city_user
):
    assert get(client, district_user, district_url(guangkai.district)).status_code == 404
    assert get(client, other_district_user, district_url(guoyuan.district)).status_code == 404
    assert (
        get(client, worker, district_url(guoyuan.district)).status_code == 404
    )  # a station sees no district
    assert get(client, city_user, district_url(guangkai.district)).status_code == 200


def test_district_page_names_uncovered_streets(client, district_user, guoyuan):
    f.make_street("120113009000", "无站街道", guoyuan.district)
    page = get(client, district_user, district_url(guoyuan.district)).content.decode()
    assert "尚无社工站服务的街道" in page and "无站街道" in page


# --- District list -----------------------------------------------------------------------------------
def test_district_list_for_the_city(client, city_user, worker, worker2, guoyuan, jixianli, guangkai):
    f.make_community(
        "120104004003", "工作室社区居委会", guangkai.streets.get(), workroom_opened_on="2022-01-01"
    )
    response = get(client, city_user, LIST_URL)
    assert response.status_code == 200
    districts = {d.name: d for d in response.context["districts"]}
    assert set(districts) == {"北辰区", "南开区"}
    assert (
        districts["北辰区"].n_stations,
        districts["北辰区"].n_covered,
        districts["北辰区"].n_townships,
    ) == (2, 2, 2)
    assert (districts["南开区"].n_committees, districts["南开区"].n_workrooms) == (2, 1)
    assert districts["北辰区"].summary["workers"] == 2
    assert response.context["totals"]["n_stations"] == 3
    page = response.content.decode()
    assert district_url(guoyuan.district) in page and "全市" in page


def test_district_list_refuses_other_roles(client, worker, district_user, guoyuan):
    assert get(client, worker, LIST_URL).status_code == 403
    assert get(client, district_user, LIST_URL).status_code == 403


# --- Query counts: the same for a small and a larger city ---------------------------------------------
def count_queries(client, user, url):
    client.force_login(user)
    client.get(url)  # what is cached until it changes (the reviewers' count of plans waiting) is read
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["station", "district", "district-filtered", "list"])
def test_pages_run_a_fixed_number_of_queries(
    client,
    page,
    worker,
    worker2,
    guoyuan,
    jixianli,
    guangkai,
    district_user,
    city_user,
    django_assert_max_num_queries,
):
    user, url = {
        "station": (worker, station_url(guoyuan)),
        "district": (district_user, district_url(guoyuan.district)),
        "district-filtered": (district_user, district_url(guoyuan.district) + "?compliance=issues"),
        "list": (city_user, LIST_URL),
    }[page]
    small = count_queries(client, user, url)
    grow(guoyuan.district, 12)
    grow(guangkai.district, 5)
    for street in guoyuan.streets.all():  # and more on the station itself
        for i in range(40, 60):
            f.make_community(f"{street.code[:9]}{i:03d}", f"新增{i}社区居委会", street)
    client.force_login(user)
    with django_assert_max_num_queries(small), CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    large = len(queries)
    assert large == small
    assert small <= 20


def test_navigation_offers_admin_to_staff_only(client, worker, district_user, guoyuan):
    admin_index = reverse("admin:index")
    assert f'href="{admin_index}"' not in get(client, worker, station_url(guoyuan)).content.decode()
    make_staff(district_user)
    assert f'href="{admin_index}"' in get(client, district_user, station_url(guoyuan)).content.decode()
