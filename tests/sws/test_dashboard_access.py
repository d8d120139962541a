"""Who may open which dashboard and its exports: 403 for the wrong role, 404 outside one's scope."""

import pytest
from django.urls import reverse

from tests.sws.conftest import MARCH


def _get(client, user, url, params=MARCH):
    client.force_login(user)
    return client.get(url, params)


def test_anonymous_users_are_sent_to_login(client, guoyuan, beichen):
    for url in (
        reverse("dashboards:station", args=[guoyuan.pk]),
        reverse("dashboards:district", args=[beichen.pk]),
        reverse("dashboards:city"),
        reverse("dashboards:district-export", args=[beichen.pk, "csv"]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_home_sends_each_role_to_its_dashboard(client, worker, district_user, city_user, guoyuan, beichen):
    for user, expected in [
        (worker, reverse("dashboards:station", args=[guoyuan.pk])),
        (district_user, reverse("dashboards:district", args=[beichen.pk])),
        (city_user, reverse("dashboards:city")),
    ]:
        client.force_login(user)
        assert client.get(reverse("home"))["Location"] == expected


def test_station_dashboard_scope(
    client, frozen, worker, other_worker, district_user, other_district_user, city_user, guoyuan, jixianli
):
    url = reverse("dashboards:station", args=[guoyuan.pk])
    assert _get(client, worker, url).status_code == 200
    assert _get(client, district_user, url).status_code == 200  # a station of their district
    assert _get(client, city_user, url).status_code == 200
    assert _get(client, other_worker, url).status_code == 404  # another station (URL tampering)
    assert _get(client, other_district_user, url).status_code == 404  # another district's station
    assert _get(client, worker, reverse("dashboards:station", args=[jixianli.pk])).status_code == 404
    assert _get(client, worker, reverse("dashboards:station", args=[999999])).status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_station_export_scope(client, frozen, worker, other_worker, other_district_user, guoyuan, fmt):
    url = reverse("dashboards:station-export", args=[guoyuan.pk, fmt])
    assert _get(client, worker, url).status_code == 200
    assert _get(client, other_worker, url).status_code == 404
    assert _get(client, other_district_user, url).status_code == 404


def test_station_workers_cannot_open_district_or_city_dashboards(client, frozen, worker, beichen):
    for url in (
        reverse("dashboards:district", args=[beichen.pk]),
        reverse("dashboards:district-export", args=[beichen.pk, "csv"]),
        reverse("dashboards:district-export", args=[beichen.pk, "xlsx"]),
        reverse("dashboards:city"),
        reverse("dashboards:city-export", args=["xlsx"]),
    ):
        assert _get(client, worker, url).status_code == 403, url


def test_district_users_see_only_their_district(
    client, frozen, district_user, other_district_user, city_user, beichen, nankai
):
    assert _get(client, district_user, reverse("dashboards:district", args=[beichen.pk])).status_code == 200
    assert _get(client, district_user, reverse("dashboards:district", args=[nankai.pk])).status_code == 404
    assert (
        _get(
            client, district_user, reverse("dashboards:district-export", args=[nankai.pk, "csv"])
        ).status_code
        == 404
    )
    assert (
        _get(client, other_district_user, reverse("dashboards:district", args=[beichen.pk])).status_code
        == 404
    )
    assert _get(client, district_user, reverse("dashboards:city")).status_code == 403
    assert _get(client, city_user, reverse("dashboards:district", args=[nankai.pk])).status_code == 200


def test_a_district_dashboard_never_counts_other_districts(client, dataset, district_user, beichen, guangkai):
    response = _get(client, district_user, reverse("dashboards:district", args=[beichen.pk]))
    assert guangkai.pk not in {row.key for row in response.context["table"].rows}
    assert response.context["table"].totals.figures["received"] == 7  # 广开's three are not counted
    trend = next(chart for chart, _rows in response.context["charts"] if chart["id"] == "trend")
    assert trend["series"][0]["data"][-1] == 7
