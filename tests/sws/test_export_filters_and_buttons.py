"""The lists' export buttons and the exports' filters (issue 15, 15.8, and issue 14, 12f).

Every list with an export shows its Excel and CSV links, carrying the list's current query string, and
the export honours it. An export whose filter value is invalid (an unknown status, a date that is no
date, a station outside the user's scope) refuses with a Chinese message and goes back to the list
with the same filters, rather than exporting the whole scope as the filter dropped."""

import csv
import html
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from stations.audit import PersonalDataAccess
from tests.sws import factories as sf

LISTS = {
    # export name: (list page, filters chosen on it)
    "requests": ("residents:request-queue", {"status": "closed"}),
    "residents": ("residents:resident-list", {"q": "张"}),
    "projects": ("projects:project-list", {"status": "active"}),
    "activities": ("projects:activity-list", {"date_from": "2026-03-01", "date_to": "2026-03-31"}),
    "resources": ("projects:resource-list", {"kind": "in_kind"}),
}


def _csv_rows(response):
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))[1:]


@pytest.fixture
def lists(dataset, chaoyangli):
    sf.make_resident(chaoyangli, "张桂兰")
    sf.make_resident(chaoyangli, "王秀英")
    return dataset


def _export_links(page_html, name):
    hrefs = re.findall(r'href="(/exports/' + name + r'\.(?:csv|xlsx)[^"]*)"', page_html)
    return [html.unescape(href) for href in hrefs]


@pytest.mark.parametrize("name", sorted(LISTS))
def test_every_list_links_its_export_with_its_filters(client, lists, worker, name):
    list_url, filters = LISTS[name]
    client.force_login(worker)
    page = client.get(reverse(list_url), filters)
    assert page.status_code == 200
    links = _export_links(page.content.decode(), name)
    assert sorted(urlsplit(link).path for link in links) == [f"/exports/{name}.csv", f"/exports/{name}.xlsx"]
    for link in links:
        assert {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()} == filters
    # The export behind the link holds the filtered rows only: fewer than the unfiltered export's.
    csv_link = next(link for link in links if ".csv" in link)
    filtered = _csv_rows(client.get(csv_link))
    everything = _csv_rows(client.get(reverse("exports:list", args=[name, "csv"])))
    assert filtered and len(filtered) < len(everything)


def test_the_queue_links_carry_every_filter_chosen(client, lists, worker):
    client.force_login(worker)
    page = client.get(reverse("residents:request-queue"), {"status": "closed", "priority": "1"})
    links = _export_links(page.content.decode(), "requests")
    assert all(parse_qs(urlsplit(link).query) == {"status": ["closed"], "priority": ["1"]} for link in links)
    rows = _csv_rows(client.get(next(link for link in links if ".csv" in link)))
    assert [row[0] for row in rows] == [lists.r1.reference]  # closed and priority 1: r1 only


# --- 12f: an invalid filter value refuses the export -----------------------------------------------------
INVALID = {
    "requests": {"status": "bogus"},
    "residents": {"tag": "no-such-tag"},
    "projects": {"status": "bogus"},
    "activities": {"date_from": "2026-13-45"},
    "resources": {"kind": "bogus"},
}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", sorted(INVALID))
def test_an_invalid_filter_value_refuses_the_export(client, lists, worker, name, fmt):
    client.force_login(worker)
    response = client.get(reverse("exports:list", args=[name, fmt]), INVALID[name])
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse(LISTS[name][0])
    assert parse_qs(location.query) == {k: [v] for k, v in INVALID[name].items()}  # the filters kept
    assert "Content-Disposition" not in response
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "筛选条件有误，未导出" in text
    assert not PersonalDataAccess.objects.filter(action="export").exists()


def test_a_station_outside_the_scope_does_not_widen_the_export(client, lists, district_user, guangkai):
    """A district user's link to another district's station: refused, not the whole district exported."""
    client.force_login(district_user)
    for name in ("requests", "projects", "activities", "resources"):
        response = client.get(reverse("exports:list", args=[name, "csv"]), {"station": guangkai.pk})
        assert response.status_code == 302, name
        assert "筛选条件有误" in client.get(response["Location"]).content.decode()


# Dashboard tables: an invalid period exported this month's figures under the period asked for.
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "bad", [{"period": "month", "from": "2026-13-45"}, {"period": "custom", "from": "2026-03-01"}]
)
def test_a_dashboard_export_refuses_an_invalid_period(
    client, dataset, district_user, city_user, beichen, guoyuan, fmt, bad
):
    for user, export, dashboard in [
        (
            district_user,
            reverse("dashboards:district-export", args=[beichen.pk, fmt]),
            reverse("dashboards:district", args=[beichen.pk]),
        ),
        (
            district_user,
            reverse("dashboards:station-export", args=[guoyuan.pk, fmt]),
            reverse("dashboards:station", args=[guoyuan.pk]),
        ),
        (city_user, reverse("dashboards:city-export", args=[fmt]), reverse("dashboards:city")),
    ]:
        client.force_login(user)
        response = client.get(export, bad)
        assert response.status_code == 302, export
        location = urlsplit(response["Location"])
        assert location.path == dashboard and parse_qs(location.query) == {k: [v] for k, v in bad.items()}
        assert "统计期间有误，未导出" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("dashboards:city-export", args=[fmt]), {"period": "month"}).status_code == 200
