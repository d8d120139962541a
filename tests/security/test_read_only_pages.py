"""Pages that only read (lists, dashboards, reports, exports) take GET and HEAD only: a POST is 405 with
an Allow header, writes nothing (not even a personal-data access record), and HEAD still answers. The
access matrix (test_access_matrix.py) checks every such URL for every person; this checks the details."""

import pytest
from django.urls import reverse
from django.utils import timezone

from stations.audit import PersonalDataAccess
from tests.security.conftest import make_resident

pytestmark = pytest.mark.django_db


def _read_only_urls(station):
    today = timezone.localdate()
    return [
        reverse("residents:resident-list"),
        reverse("residents:request-queue"),
        reverse("projects:project-list"),
        reverse("projects:activity-list"),
        reverse("projects:resource-list"),
        reverse("projects:partner-list"),
        reverse("projects:group-list"),
        reverse("projects:fund-list"),
        reverse("projects:plan-list"),
        reverse("dashboards:station", args=[station.pk]),
        reverse("dashboards:station-export", args=[station.pk, "csv"]),
        reverse("reports:index"),
        reverse("reports:station", args=[station.pk, today.year, today.month]),
        reverse("exports:list", args=["residents", "csv"]),
    ]


def test_a_post_to_a_reading_page_is_405_and_head_still_answers(client, worker, guoyuan):
    client.force_login(worker)
    for url in _read_only_urls(guoyuan):
        refused = client.post(url, {})
        assert refused.status_code == 405, url
        assert refused["Allow"] == "GET, HEAD", url
        assert client.head(url).status_code == 200, url


def test_a_post_to_the_resident_list_records_no_access(client, worker, chaoyangli):
    make_resident(chaoyangli)
    client.force_login(worker)
    assert client.post(reverse("residents:resident-list"), {}).status_code == 405
    assert not PersonalDataAccess.objects.exists()
    assert client.get(reverse("residents:resident-list")).status_code == 200
    assert PersonalDataAccess.objects.get().action == "list"  # the GET is recorded as before
