"""The monthly report pages answer in a fixed number of queries, however many stations, records, late
entries and attachments there are: each page is counted on a small city, then again after the data has
grown, and the counts must be equal (and under a ceiling). The benchmark (bench/pages.py) measures the
same pages at 1,000,000 requests. Clock: 2026-04-10; March 2026 is reported."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from freezegun import freeze_time

from attachments import services as attachments
from sws.reports import cycle
from tests import factories as f
from tests.attachments import samples as s
from tests.attachments.conftest import private_storage  # noqa: F401 (autouse: files in a tmp folder)
from tests.sws import factories as sf
from tests.sws.factories import IN_MARCH, MARCH, at

pytestmark = pytest.mark.django_db
CEILING = 60  # the pages build a whole report: many figures, each one grouped query


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-04-10 04:00:00"):
        yield


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def grow(district, stations, n):
    """`n` more stations in `district`, each with March's requests and activities, and more of the same
    for the stations already there."""
    for i in range(n):
        street = f.make_street(f"{district.code[:6]}9{i:02d}000", f"测试街{i}", district)
        f.make_community(f"{street.code[:9]}001", f"测试社区{i}", street)
        stations.append(f.make_station(street, name=f"测试街{i}社工站"))
    for station in stations:
        for day in (3, 9, 17):
            sf.store_request(station, received_at=at(2026, 3, day, 9))
            sf.make_activity(station, datetime.date(2026, 3, day), sessions=2, person_times=20)
        sf.make_resource(station, IN_MARCH, "100.00")


def submit(head, station):
    report = cycle.report_for(month=MARCH, station=station)
    return cycle.submit_report(acting_user=head, report=report, version=report.version)


def test_a_submitted_station_report_page(
    client,
    worker,
    guoyuan,
    jixianli,
    beichen,
    district_user,
):
    """Submitted, returned for its files, submitted again: the page is drawn from its snapshot, with its
    trail and its attachments."""
    report = submit(worker, guoyuan)
    report = cycle.return_report(
        acting_user=district_user, report=report, comment="请附会议纪要", version=report.version
    )
    attach = attachments.attach_file  # the panel lists the report's files
    for name in ("一.pdf", "二.pdf", "三.pdf"):
        attach(acting_user=worker, owner=report, uploaded_file=s.upload(s.pdf_bytes(), name))
    submit(worker, guoyuan)
    url = reverse("reports:station", args=[guoyuan.pk, 2026, 3])
    client.force_login(worker)
    client.get(url)  # the login's first request also touches the session
    small = count(client, url)
    grow(beichen, [guoyuan, jixianli], 5)
    assert count(client, url) == small <= CEILING


def test_the_district_and_city_report_pages(
    client,
    worker,
    guoyuan,
    jixianli,
    beichen,
    district_user,
    city_user,
):
    pages = {
        district_user: reverse("reports:district", args=[beichen.pk, 2026, 3]),
        city_user: reverse("reports:city", args=[2026, 3]),
    }
    submit(worker, guoyuan)
    small = {}
    for user, url in pages.items():
        client.force_login(user)
        client.get(url)
        small[user] = count(client, url)
    grow(beichen, [guoyuan, jixianli], 6)
    for user, url in pages.items():
        client.force_login(user)
        client.get(url)
        assert count(client, url) == small[user] <= CEILING, url


def test_the_districts_review_list(client, worker, guoyuan, jixianli, beichen, district_user):
    """The district's list of its stations' reports (报送情况) with reports waiting for review."""
    url = reverse("reports:district-submissions", args=[beichen.pk])
    client.force_login(district_user)
    client.get(url)
    small = count(client, url)
    stations = [guoyuan, jixianli]
    grow(beichen, stations, 6)
    for station in stations[1:]:
        head = f.make_user(f"head-{station.pk}", "station_head", station=station)
        submit(head, station)
    assert count(client, url) == small <= CEILING
