"""The community filter of the residents list and the queue as a step picker, 区 → 街道 → 社区 (issue
15, item 10): a city user's page no longer carries every community of the city in one `<select>`; each
step lists only what the user may see, works as a plain GET, and a forged value out of scope is refused."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations.models import Community, District, Street
from tests import factories as f
from tests.factories import make_request
from tests.residents.factories import make_resident

RESIDENTS = reverse("residents:resident-list")
QUEUE = reverse("residents:request-queue")
INVALID = "选择一个有效的选项"


def _options(html, name):
    """The (value, label) options of the select `name`, or None when the page has no such select."""
    match = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if match is None:
        return None
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', match.group(1))


def _selected(html, name):
    match = re.search(
        rf'<select name="{name}"[^>]*>.*?<option value="[^"]*" selected>([^<]*)</option>', html, re.S
    )
    return match and match.group(1)


def _labels(html, name):
    return [label for value, label in _options(html, name) if value]


@pytest.fixture
def people(chaoyangli, tailaixili, hualinyuan):
    return {
        "chaoyangli": make_resident(chaoyangli, name="张桂兰"),
        "tailaixili": make_resident(tailaixili, name="王秀英"),
        "hualinyuan": make_resident(hualinyuan, name="刘建国"),
    }


@pytest.fixture
def requests_(guoyuan, jixianli, guangkai, chaoyangli, tailaixili, hualinyuan):
    return {
        "chaoyangli": make_request(guoyuan, chaoyangli),
        "tailaixili": make_request(jixianli, tailaixili),
        "hualinyuan": make_request(guangkai, hualinyuan),
    }


def _listed(response, url):
    assert response.status_code == 200
    return {row.community.name for row in response.context["page"].object_list}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [RESIDENTS, QUEUE])
def test_city_user_picks_district_then_street_then_community(client, city_user, people, requests_, url):
    client.force_login(city_user)
    html = client.get(url).content.decode()
    assert _labels(html, "district") == ["南开区", "北辰区"]
    assert _labels(html, "street") == [] and _labels(html, "community") == []
    assert "（先选择区）" in html and "（先选择街道）" in html

    beichen = District.objects.get(name="北辰区")
    response = client.get(url, {"district": beichen.pk})
    html = response.content.decode()
    assert _labels(html, "street") == ["果园新村街道", "集贤里街道"]
    assert _labels(html, "community") == []
    assert _listed(response, url) == {"朝阳里社区居委会", "泰来西里社区居委会"}

    guoyuan_street = Street.objects.get(name="果园新村街道")
    response = client.get(url, {"district": beichen.pk, "street": guoyuan_street.pk})
    html = response.content.decode()
    assert _labels(html, "community") == ["朝阳里社区居委会", "旭日里社区居委会", "新华里社区居委会"]
    assert _listed(response, url) == {"朝阳里社区居委会"}

    xuri = Community.objects.get(name="旭日里社区居委会")
    response = client.get(url, {"district": beichen.pk, "street": guoyuan_street.pk, "community": xuri.pk})
    assert _listed(response, url) == set()
    assert f'<option value="{xuri.pk}" selected>' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [RESIDENTS, QUEUE])
def test_a_community_link_brings_its_street_and_district(
    client, city_user, chaoyangli, people, requests_, url
):
    client.force_login(city_user)
    response = client.get(url, {"community": chaoyangli.pk})
    html = response.content.decode()
    assert _listed(response, url) == {"朝阳里社区居委会"}
    assert _selected(html, "district") == chaoyangli.street.district.name
    assert _selected(html, "street") == chaoyangli.street.name
    assert _selected(html, "community") == chaoyangli.name


@pytest.mark.django_db
@pytest.mark.parametrize("url", [RESIDENTS, QUEUE])
def test_changing_the_district_drops_the_old_street(
    client, city_user, chaoyangli, hualinyuan, people, requests_, url
):
    client.force_login(city_user)
    nankai = hualinyuan.street.district
    response = client.get(
        url, {"district": nankai.pk, "street": chaoyangli.street_id, "community": chaoyangli.pk}
    )
    html = response.content.decode()
    assert INVALID not in html
    assert _labels(html, "street") == ["广开街道"] and _labels(html, "community") == []
    assert _listed(response, url) == {"桦林园社区居委会"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", [RESIDENTS, QUEUE])
def test_district_user_starts_at_the_street_and_forged_values_are_refused(
    client, district_user, chaoyangli, hualinyuan, people, requests_, url
):
    client.force_login(district_user)
    html = client.get(url).content.decode()
    assert _options(html, "district") is None
    assert _labels(html, "street") == ["果园新村街道", "集贤里街道"]
    assert _labels(html, "community") == []
    # Another district's street, community or district: refused, and nothing of it shown.
    for params in (
        {"street": hualinyuan.street_id},
        {"community": hualinyuan.pk},
        {"street": chaoyangli.street_id, "community": hualinyuan.pk},
    ):
        response = client.get(url, params)
        text = response.content.decode()
        assert INVALID in text, params
        assert "桦林园" not in text and "广开街道" not in text, params
        assert "桦林园社区居委会" not in _listed(response, url), params
    response = client.get(url, {"district": hualinyuan.street.district_id})
    assert "桦林园社区居委会" not in _listed(response, url)  # no district field for them: ignored


@pytest.mark.django_db
@pytest.mark.parametrize("url", [RESIDENTS, QUEUE])
def test_station_user_picks_among_the_stations_communities(
    client, worker, tailaixili, people, requests_, url
):
    client.force_login(worker)
    html = client.get(url).content.decode()
    assert _options(html, "district") is None and _options(html, "street") is None
    assert _labels(html, "community") == ["朝阳里社区居委会", "旭日里社区居委会", "新华里社区居委会"]
    response = client.get(url, {"community": tailaixili.pk})  # another station's
    assert INVALID in response.content.decode()
    assert "泰来西里社区居委会" not in _listed(response, url)


@pytest.mark.django_db
@pytest.mark.parametrize("url", [RESIDENTS, QUEUE])
def test_the_city_page_does_not_grow_with_the_number_of_communities(client, city_user, beichen, people, url):
    client.force_login(city_user)
    client.get(url)  # warm up

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        return (
            len(captured.captured_queries),
            response.content.decode().count("<option"),
            len(response.content),
        )

    before = measure()
    street = f.make_street("120113099000", "大型街道", beichen)
    for i in range(300):
        f.make_community(f"120113099{i:03d}", f"新建{i}社区居委会", street)
    client.get(url)  # the queue's option lists are built again after a change (stations/reference.py)
    after = measure()
    assert after[:2] == before[:2]
    assert after[2] < before[2] + 200
