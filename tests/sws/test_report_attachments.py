"""Attachments on a district's and on the city's monthly report (the attachments app, as on a station's
report): added by whoever submits the report while it can still be submitted, shown on the report's
page, read by those who read the report (the district's staff and the city), 404 for everyone else."""

import pytest
from django.urls import reverse
from freezegun import freeze_time

from attachments import services
from attachments.models import Attachment
from sws.models import MonthlyReport
from tests.attachments import samples as s
from tests.attachments.conftest import private_storage  # noqa: F401 (autouse: files in a tmp folder)
from tests.sws.factories import MARCH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with freeze_time("2026-04-10 04:00:00"):
        yield


def district_report(district, status=MonthlyReport.Status.RETURNED):
    return MonthlyReport.objects.create(
        level=MonthlyReport.Level.DISTRICT, district=district, month=MARCH, status=status
    )


def upload(client, user, report, name="会议纪要.pdf"):
    client.force_login(user)
    return client.post(
        reverse("attachments:upload", args=["sws.monthlyreport", report.pk]),
        {
            "attachment-photo": s.upload(s.pdf_bytes(), name),
            "attachment-kind": "document",
            "attachment-caption": "区级督导会议",
            "next": report.get_absolute_url(),
        },
    )


def test_the_district_centre_attaches_and_the_district_and_city_read(
    client, beichen, district_user, city_user, other_district_user, worker
):
    report = district_report(beichen)
    assert upload(client, district_user, report).status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.station_id, attachment.district_id) == (None, beichen.pk)
    download = reverse("attachments:download", args=[attachment.pk])
    page = reverse("reports:district", args=[beichen.pk, 2026, 3])
    for reader in (district_user, city_user):
        client.force_login(reader)
        html = client.get(page).content.decode()
        assert "会议纪要.pdf" in html and download in html and "区级督导会议" in html
        assert client.get(download).status_code == 200
    # Another district: the page and the file are 404; a station of this district: the district's page
    # is refused by role (403), its file 404.
    for outsider, page_status in ((other_district_user, 404), (worker, 403)):
        client.force_login(outsider)
        assert client.get(page).status_code == page_status
        assert client.get(download).status_code == 404
    assert upload(client, other_district_user, report, "伪造.pdf").status_code == 404
    assert Attachment.objects.count() == 1


def test_an_approved_district_report_takes_no_more_files(client, beichen, district_user):
    report = district_report(beichen, status=MonthlyReport.Status.APPROVED)
    assert upload(client, district_user, report).status_code in (403, 404)
    assert not Attachment.objects.exists()


def test_the_city_report_is_the_city_staffs(client, city_user, district_user):
    report = MonthlyReport.objects.create(level=MonthlyReport.Level.CITY, month=MARCH)
    attachment = services.attach_file(
        acting_user=city_user, owner=report, uploaded_file=s.upload(s.pdf_bytes(), "全市汇总说明.pdf")
    )
    assert (attachment.station_id, attachment.district_id) == (None, None)
    client.force_login(city_user)
    assert "全市汇总说明.pdf" in client.get(reverse("reports:city", args=[2026, 3])).content.decode()
    client.force_login(district_user)
    assert client.get(reverse("attachments:download", args=[attachment.pk])).status_code == 404
    assert upload(client, district_user, report, "伪造.pdf").status_code in (403, 404)
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("level", ["station", "district", "city"])
def test_files_are_attached_before_the_first_step(
    client, level, guoyuan, beichen, worker, district_user, city_user
):
    """A report nobody has acted on has no row: 添加附件 keeps it as a draft (nothing frozen), then the
    panel takes files; the report is still submitted (or approved) as usual."""
    user, page, cycle_url = {
        "station": (
            worker,
            reverse("reports:station", args=[guoyuan.pk, 2026, 3]),
            reverse("reports:station-cycle", args=[guoyuan.pk, 2026, 3]),
        ),
        "district": (
            district_user,
            reverse("reports:district", args=[beichen.pk, 2026, 3]),
            reverse("reports:district-cycle", args=[beichen.pk, 2026, 3]),
        ),
        "city": (
            city_user,
            reverse("reports:city", args=[2026, 3]),
            reverse("reports:city-cycle", args=[2026, 3]),
        ),
    }[level]
    client.force_login(user)
    assert 'value="draft"' in client.get(page).content.decode()
    assert not MonthlyReport.objects.exists()

    response = client.post(cycle_url, {"action": "draft"})

    assert response.status_code == 302 and response.url.endswith("#attachments")
    report = MonthlyReport.objects.get()
    assert (report.level, report.status, report.snapshot) == (level, MonthlyReport.Status.DRAFT, None)
    assert client.post(cycle_url, {"action": "draft"}).status_code == 302  # twice: still the one row
    assert MonthlyReport.objects.count() == 1
    assert upload(client, user, report).status_code == 302
    assert "会议纪要.pdf" in client.get(page).content.decode()


def test_only_those_who_take_a_step_keep_a_draft(client, guoyuan, worker2, other_district_user):
    """A worker (not the head) is refused; another district's centre does not find the station (404)."""
    url = reverse("reports:station-cycle", args=[guoyuan.pk, 2026, 3])
    client.force_login(worker2)
    assert client.post(url, {"action": "draft"}).status_code == 403
    client.force_login(other_district_user)
    assert client.post(url, {"action": "draft"}).status_code == 404
    assert not MonthlyReport.objects.exists()
