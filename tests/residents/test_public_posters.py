"""QR posters: station staff print one per community; scoped like everything else."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from sws.context_processors import navigation
from tests import factories as f


def poster_url(community):
    return reverse("public:poster", args=[community.code])


def test_the_list_shows_the_stations_communities_only(client, worker, chaoyangli, tailaixili):
    client.force_login(worker)
    response = client.get(reverse("public:poster-list"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ["朝阳里社区", "旭日里社区", "新华里社区"]:
        assert name in html
    assert poster_url(chaoyangli) in html
    assert "泰来西里" not in html
    assert poster_url(tailaixili) not in html


def test_the_poster_has_the_qr_code_and_the_station(client, worker, guoyuan, chaoyangli):
    guoyuan.phone = "022-26391234"
    guoyuan.save(update_fields=["phone"])
    client.force_login(worker)
    response = client.get(poster_url(chaoyangli))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'class="qr"' in html
    assert "style=" not in html.split('<article class="card poster"')[1]  # CSP: no inline styles
    assert "朝阳里社区" in html
    assert "北辰区果园新村街道社工站" in html
    assert "022-26391234" in html
    assert "http://testserver/r/120113001009/" in html


def test_the_qr_code_points_at_the_public_address_when_configured(client, settings, worker, chaoyangli):
    settings.PUBLIC_BASE_URL = "https://sws.tj.example.cn/"
    client.force_login(worker)
    html = client.get(poster_url(chaoyangli)).content.decode()
    assert "https://sws.tj.example.cn/r/120113001009/" in html
    assert "testserver/r/" not in html


def test_the_qr_code_downloads_as_svg(client, worker, chaoyangli):
    client.force_login(worker)
    response = client.get(reverse("public:poster-qr", args=[chaoyangli.code]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert "qr-120113001009.svg" in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["public:poster", "public:poster-qr"])
def test_another_stations_community_is_404(client, other_worker, far_worker, chaoyangli, name):
    for outsider in (other_worker, far_worker):
        client.force_login(outsider)
        assert client.get(reverse(name, args=[chaoyangli.code])).status_code == 404


def test_a_community_that_does_not_exist_is_404(client, worker):
    client.force_login(worker)
    assert client.get(reverse("public:poster", args=["120113001999"])).status_code == 404


@pytest.mark.parametrize("name", ["public:poster-list", "public:poster"])
def test_other_roles_are_refused(client, district_user, city_user, chaoyangli, name):
    args = [] if name.endswith("list") else [chaoyangli.code]
    for user in (district_user, city_user):
        client.force_login(user)
        assert client.get(reverse(name, args=args)).status_code == 403


def test_anonymous_is_sent_to_login(client, chaoyangli):
    response = client.get(poster_url(chaoyangli))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_station_users_have_the_nav_entry(worker, district_user):
    def labels(user):
        request = RequestFactory().get("/")
        request.user = user
        return [item["label"] for item in navigation(request)["nav_items"]]

    assert "二维码海报" in labels(worker)
    assert "二维码海报" not in labels(district_user)


@pytest.mark.parametrize("extra", [0, 30])
def test_query_count_is_bounded(client, worker, guoyuan, chaoyangli, django_assert_max_num_queries, extra):
    street = guoyuan.streets.get()
    for n in range(extra):
        f.make_community(f"120113001{100 + n:03d}", f"新建{n}社区居委会", street)
    client.force_login(worker)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("public:poster-list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(poster_url(chaoyangli)).status_code == 200
