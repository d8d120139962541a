"""The inbox page, the unread badge, opening and marking messages: one's own messages only, bounded
queries, and the badge fragment the navigation polls."""

import pytest
from django.urls import reverse

from notifications import dispatch
from notifications.events import Event
from notifications.inbox import Notification
from residents.models import Request
from tests import factories as f

pytestmark = pytest.mark.django_db
INBOX = reverse("notifications:inbox")
BADGE = reverse("notifications:badge")


def note(user, n=0, **fields):
    return Notification.objects.create(
        recipient=user, event=Event.REQUEST_NEW, key=f"test:{n}", title=f"消息{n}", **fields
    )


def test_the_inbox_lists_my_messages_unread_first(client, worker2, worker):
    from django.utils import timezone

    old_unread = note(worker2, 1)
    read = note(worker2, 2, read_at=timezone.now())
    new_unread = note(worker2, 3)
    note(worker, 4)  # a colleague's
    client.force_login(worker2)
    response = client.get(INBOX)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [new_unread, old_unread, read]
    html = response.content.decode()
    assert "消息4" not in html and "2 条未读" in html


def test_held_messages_are_not_listed(client, worker2):
    note(worker2, 1, held_for_digest=True)
    client.force_login(worker2)

    assert list(client.get(INBOX).context["page"].object_list) == []
    assert "data-unread" not in client.get(BADGE).content.decode()


def test_the_badge_counts_my_unread(client, worker2, worker):
    for n in range(3):
        note(worker2, n)
    note(worker, 9)
    client.force_login(worker2)
    html = client.get(BADGE, headers={"HX-Request": "true"}).content.decode()

    assert 'data-unread="3"' in html and "3 条未读消息" in html
    assert 'hx-trigger="every 45s"' in html


def test_every_page_polls_for_the_badge_without_a_query_of_its_own(client, worker2):
    client.force_login(worker2)
    html = client.get(reverse("residents:request-queue")).content.decode()

    assert f'hx-get="{BADGE}"' in html and 'hx-trigger="load"' in html
    assert "data-unread" not in html  # the count comes with the first poll


def test_opening_a_message_marks_it_read_and_goes_to_the_object(client, worker2, guoyuan):
    request = f.make_request(guoyuan, channel=Request.Channel.QR)
    mine = Notification.objects.get(recipient=worker2)
    client.force_login(worker2)
    response = client.get(reverse("notifications:open", args=[mine.pk]))

    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    mine.refresh_from_db()
    assert mine.is_read
    assert client.get(response["Location"]).status_code == 200


def test_a_link_off_site_is_not_followed(client, worker2):
    mine = note(worker2, url="https://evil.example.com/")
    client.force_login(worker2)

    assert client.get(reverse("notifications:open", args=[mine.pk]))["Location"] == INBOX


def test_someone_elses_message_is_a_404_and_stays_unread(client, worker, worker2, admin_user):
    theirs = note(worker, 1, url="/residents/")
    for intruder in (worker2, admin_user):
        client.force_login(intruder)
        assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
        assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
        client.post(reverse("notifications:read-all"))
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_one_and_all_read(client, worker2, worker):
    first, second, third = note(worker2, 1), note(worker2, 2), note(worker2, 3)
    colleague = note(worker, 4)
    client.force_login(worker2)

    assert client.post(reverse("notifications:read", args=[first.pk])).status_code == 302
    assert Notification.objects.visible_to(worker2).unread().count() == 2
    response = client.post(reverse("notifications:read-all"), follow=True)
    assert "已将 2 条消息标为已读。" in response.content.decode()
    assert Notification.objects.visible_to(worker2).unread().count() == 0
    colleague.refresh_from_db()
    assert not colleague.is_read and second.pk and third.pk


def test_pages_are_for_logged_in_users(client):
    for url in (INBOX, BADGE, reverse("notifications:preferences")):
        assert client.get(url)["Location"].startswith("/login/")


@pytest.mark.parametrize("count", [1, 60])
def test_query_counts_do_not_grow_with_the_messages(client, worker2, django_assert_max_num_queries, count):
    for n in range(count):
        note(worker2, n, links=[["已超期", "/residents/requests/?overdue=on"]])
    client.force_login(worker2)
    with django_assert_max_num_queries(6):
        assert client.get(INBOX).status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get(BADGE).status_code == 200
    with django_assert_max_num_queries(5):
        assert (
            client.get(reverse("notifications:open", args=[Notification.objects.first().pk])).status_code
            == 302
        )
    with django_assert_max_num_queries(4):
        assert client.post(reverse("notifications:read-all")).status_code == 302


def test_the_inbox_pages(client, worker2):
    for n in range(25):
        note(worker2, n)
    client.force_login(worker2)

    assert len(client.get(INBOX).context["page"].object_list) == 20
    assert len(client.get(INBOX, {"page": 2}).context["page"].object_list) == 5


def test_notify_writes_in_the_callers_transaction(worker2):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        dispatch.notify(Event.REQUEST_NEW, recipients=[worker2], target="request:1", context={})
        raise RuntimeError
    assert Notification.objects.count() == 0
