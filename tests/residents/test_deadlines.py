"""How deadlines and durations read (issue 13): "今天 22:25 · 剩 4 小时" rather than "12-03 22:25", days
rather than "226.1 小时"; one helper for the case page and the queue, which therefore agree."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from residents.deadlines import readable_duration, relative_deadline
from tests.factories import make_request

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 12, 3, 18, 20, tzinfo=TZ)


@pytest.mark.parametrize(
    "due, expected",
    [
        (datetime.datetime(2026, 12, 3, 22, 25, tzinfo=TZ), "今天 22:25 · 剩 4 小时"),
        (datetime.datetime(2026, 12, 3, 18, 45, tzinfo=TZ), "今天 18:45 · 剩 25 分钟"),
        (datetime.datetime(2026, 12, 4, 9, 0, tzinfo=TZ), "明天 09:00 · 剩 14 小时"),
        (datetime.datetime(2026, 12, 6, 9, 0, tzinfo=TZ), "12-06 09:00 · 剩 2 天"),
        (datetime.datetime(2026, 12, 3, 10, 0, tzinfo=TZ), "今天 10:00 · 超期 8 小时"),
        (datetime.datetime(2026, 12, 2, 10, 0, tzinfo=TZ), "昨天 10:00 · 超期 1 天"),
        (datetime.datetime(2026, 11, 20, 10, 0, tzinfo=TZ), "11-20 10:00 · 超期 13 天"),
        (datetime.datetime(2027, 1, 20, 10, 0, tzinfo=TZ), "2027-01-20 10:00 · 剩 47 天"),
        # The same instant written in UTC reads in local time.
        (datetime.datetime(2026, 12, 3, 14, 25, tzinfo=datetime.UTC), "今天 22:25 · 剩 4 小时"),
    ],
)
def test_relative_deadline(due, expected):
    assert relative_deadline(due, NOW, TZ) == expected


@pytest.mark.parametrize(
    "duration, expected",
    [
        (datetime.timedelta(hours=226.1), "9.4 天"),
        (datetime.timedelta(hours=24), "1.0 天"),
        (datetime.timedelta(hours=23, minutes=30), "23.5 小时"),
        (datetime.timedelta(minutes=6), "0.1 小时"),
        (None, "—"),
    ],
)
def test_readable_duration(duration, expected):
    assert readable_duration(duration) == expected


@pytest.mark.django_db
def test_case_page_and_queue_say_the_same_relative_deadline(client, worker, guoyuan):
    request = make_request(guoyuan)
    now = timezone.now()
    due = now + datetime.timedelta(hours=4, minutes=30)
    type(request).objects.filter(pk=request.pk).update(due_at=due)
    client.force_login(worker)
    expected = relative_deadline(due, now)
    assert expected.startswith(("今天", "明天")) and expected.endswith("剩 4 小时")

    case = client.get(request.get_absolute_url()).content.decode()
    queue = client.get(reverse("residents:request-queue")).content.decode()
    assert expected in case
    row = re.search(rf'<tr id="request-{request.pk}".*?</tr>', queue, flags=re.S).group(0)
    assert expected in row


@pytest.mark.django_db
def test_a_referred_case_offers_to_continue_as_the_queue_does(client, worker, guoyuan):
    request = make_request(guoyuan, status="referred")
    client.force_login(worker)
    labels = {a["name"]: a["label"] for a in client.get(request.get_absolute_url()).context["action_forms"]}
    assert labels["start"] == "继续办理"
    new = make_request(guoyuan)
    labels = {a["name"]: a["label"] for a in client.get(new.get_absolute_url()).context["action_forms"]}
    assert labels["start"] == "开始办理"
