"""The 08:00 digest (item 6): station heads get their station's counts, district centres their
district's; new (last 24 h), overdue and due today, with links to the queue."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from notifications.events import Event
from notifications.inbox import Notification
from residents import reminders
from residents.models import Request
from tests import factories as f

pytestmark = pytest.mark.django_db

EIGHT = "2026-12-03 08:00:00+08:00"


def at(hours):
    return timezone.now() + datetime.timedelta(hours=hours)


def place(station, *, received_hours=-1, due_hours=48, status=None):
    request = f.make_request(station, status=status)
    Request.objects.filter(pk=request.pk).update(received_at=at(received_hours), due_at=at(due_hours))
    return request


@pytest.fixture
def data(guoyuan, jixianli, guangkai):
    """果园新村: 2 new (one of them due today), 1 overdue from last week, 1 resolved yesterday (new, not
    open); 集贤里: 1 overdue; 广开 (南开区): 1 new."""
    with freeze_time(EIGHT):
        place(guoyuan, received_hours=-2)
        place(guoyuan, received_hours=-20, due_hours=6)  # due at 14:00 today
        place(guoyuan, received_hours=-24 * 7, due_hours=-30)
        place(guoyuan, received_hours=-5, status=Request.Status.RESOLVED)
        place(guoyuan, received_hours=-30, due_hours=17)  # 01:00 tomorrow: neither new nor due today
        place(jixianli, received_hours=-24 * 3, due_hours=-1)
        place(guangkai, received_hours=-3)
    Notification.objects.all().delete()


def test_counts_per_station(data, guoyuan, jixianli, guangkai):
    with freeze_time(EIGHT):
        counts = reminders.digest_counts()

    assert counts[guoyuan.pk] == {"new": 3, "overdue": 1, "due_today": 1}
    assert counts[jixianli.pk] == {"new": 0, "overdue": 1, "due_today": 0}
    assert counts[guangkai.pk] == {"new": 1, "overdue": 0, "due_today": 0}


def test_heads_and_district_centres_get_their_own_counts(
    data, guoyuan, worker, worker2, other_worker, far_worker, district_user, other_district_user
):
    with freeze_time(EIGHT):
        assert reminders.send_daily_digest() == 5
        reminders.send_daily_digest()  # a second run (a restarted scheduler) tells nobody again
    digests = {n.recipient.username: n for n in Notification.objects.select_related("recipient")}

    assert sorted(digests) == ["dc-120104", "dc-120113", "st-120104004-1", "st-120113002-1", "xupengze"]
    assert Notification.objects.count() == 5  # worker2 is no head: no digest
    assert digests["xupengze"].title == f"每日汇总（{guoyuan.name}）：新诉求 3 件，已超期 1 件，今日到期 1 件"
    assert digests["st-120113002-1"].title.endswith("新诉求 0 件，已超期 1 件，今日到期 0 件")
    assert digests["dc-120113"].title == "每日汇总（北辰区）：新诉求 3 件，已超期 2 件，今日到期 1 件"
    assert digests["dc-120104"].title == "每日汇总（南开区）：新诉求 1 件，已超期 0 件，今日到期 0 件"
    assert {n.event for n in digests.values()} == {Event.DAILY_DIGEST}


def test_the_digest_links_to_the_queue(data, worker):
    with freeze_time(EIGHT):
        reminders.send_daily_digest()
    digest = Notification.objects.get(recipient=worker)
    queue = reverse("residents:request-queue")

    assert digest.url == queue
    assert dict(digest.links) == {
        "新诉求": f"{queue}?received_from=2026-12-02",
        "已超期": f"{queue}?overdue=on",
        "全部待办": queue,
    }


def test_a_quiet_station_gets_no_digest(guoyuan, worker, district_user):
    with freeze_time(EIGHT):
        place(guoyuan, received_hours=-30, status=Request.Status.CLOSED)
        Notification.objects.all().delete()
        assert reminders.send_daily_digest() == 0
    assert Notification.objects.count() == 0


def test_the_inbox_shows_the_digest_with_its_links(client, data, worker):
    with freeze_time(EIGHT):
        reminders.send_daily_digest()
    client.force_login(worker)
    html = client.get(reverse("notifications:inbox")).content.decode()

    assert "新诉求 3 件，已超期 1 件，今日到期 1 件" in html
    assert "?overdue=on" in html and "received_from=2026-12-02" in html
