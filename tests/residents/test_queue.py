"""The triage queue: ordering, what stands out, filters, htmx quick actions with a no-JS fallback,
pagination and a query count independent of the number of requests."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from residents.models import Request
from stations.locking import STALE_MESSAGE
from tests.factories import make_request
from tests.residents.factories import category

URL = reverse("residents:request-queue")


def _rows(response):
    return list(response.context["page"].object_list)


@pytest.mark.django_db
def test_queue_lists_open_and_follow_up_due_in_priority_order(client, worker, guoyuan, jixianli):
    p4 = make_request(guoyuan, severity="mild", urgency="not_urgent")
    p1 = make_request(guoyuan, severity="severe", urgency="urgent")
    due_follow_up = make_request(guoyuan, status="resolved", follow_up_due_on=timezone.localdate())
    make_request(
        guoyuan, status="resolved", follow_up_due_on=timezone.localdate() + datetime.timedelta(days=5)
    )
    make_request(guoyuan, status="closed")
    make_request(jixianli)  # another station's
    client.force_login(worker)
    response = client.get(URL)
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0] == p1 and set(rows) == {p1, p4, due_follow_up}
    assert "待回访" in response.content.decode()


@pytest.mark.django_db
def test_overdue_and_unassigned_stand_out(client, worker, guoyuan):
    late = make_request(guoyuan, status="triaged", due_at=timezone.now() - datetime.timedelta(hours=2))
    client.force_login(worker)
    response = client.get(URL)
    html = response.content.decode()
    assert f'id="request-{late.pk}" class="is-overdue is-unassigned"' in html
    assert "已超期" in html and "未指派" in html
    assert response.context["stats"] == {"overdue": 1, "unassigned": 1}


@pytest.mark.django_db
def test_filters(client, worker, worker2, guoyuan, chaoyangli):
    other_community = guoyuan.streets.get().communities.exclude(pk=chaoyangli.pk).first()
    judicial = make_request(guoyuan, chaoyangli, category_name="司法救助", channel="hotline")
    lighting = make_request(guoyuan, other_community, status="in_progress", assignee=worker2)
    late = make_request(guoyuan, chaoyangli, due_at=timezone.now() - datetime.timedelta(minutes=5))
    follow = make_request(guoyuan, status="resolved", follow_up_due_on=timezone.localdate())
    closed = make_request(guoyuan, status="closed")
    client.force_login(worker)
    cases = [
        ({"status": "in_progress"}, {lighting}),
        ({"status": "closed"}, {closed}),  # a status filter reaches beyond the open queue
        ({"priority": judicial.priority}, {judicial}),
        (
            {"category": category("司法救助").parent_id},
            {judicial},
        ),  # a first-level category includes children
        ({"community": other_community.pk}, {lighting}),
        ({"assignee": worker2.pk}, {lighting}),
        ({"assignee": "null"}, {judicial, late, follow}),
        ({"channel": "hotline"}, {judicial}),
        ({"overdue": "on"}, {late}),
        ({"follow_up_due": "on"}, {follow}),
        ({"reference": closed.reference[-5:]}, {closed}),
    ]
    for params, expected in cases:
        assert set(_rows(client.get(URL, params))) == expected, params


@pytest.mark.django_db
def test_filter_choices_are_scoped(client, worker, guoyuan, jixianli, other_worker):
    client.force_login(worker)
    form = client.get(URL).context["filter"].form
    assert {c.street.station_id for c in form.fields["community"].queryset} == {guoyuan.pk}
    assert other_worker not in form.fields["assignee"].queryset
    response = client.get(URL, {"community": jixianli.streets.get().communities.get().pk})
    assert "community" in response.context["filter"].form.errors


def _quick(client, request, action, data, htmx=True, next_url=URL):
    payload = {"version": request.version, "from": "queue", "next": next_url, **data}
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse(f"residents:request-{action}", args=[request.pk]), payload, headers=headers)


@pytest.mark.django_db
def test_quick_actions_update_the_row_with_htmx(client, worker, worker2, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    response = _quick(client, request, "triage", {"severity": "severe", "urgency": "urgent"})
    assert response.status_code == 200
    html = response.content.decode()
    # The row alone, no page around it: htmx swaps it for the old one.
    assert html.startswith(f'<tr id="request-{request.pk}"') and html.endswith("</tr>\n")
    assert html.count("<tr") == 1
    assert "已研判" in html and "P1" in html
    request.refresh_from_db()
    assert (request.status, request.priority, request.version) == ("triaged", 1, 2)

    response = _quick(client, request, "assign", {"assignee": worker2.pk})
    request.refresh_from_db()
    assert request.assignee == worker2 and "李静" in response.content.decode()

    response = _quick(client, request, "start", {})
    request.refresh_from_db()
    assert request.status == "in_progress" and "办理中" in response.content.decode()


@pytest.mark.django_db
def test_quick_actions_work_without_javascript(client, worker, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    back = f"{URL}?priority=2&page=1"
    response = _quick(client, request, "start", {}, htmx=False, next_url=back)
    assert response.status_code == 302 and response.url == back
    request.refresh_from_db()
    assert request.status == "in_progress"


@pytest.mark.django_db
def test_an_unsafe_next_is_ignored(client, worker, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    response = _quick(client, request, "start", {}, htmx=False, next_url="https://evil.example/")
    assert response.url == request.get_absolute_url()


@pytest.mark.django_db
def test_stale_quick_action_shows_the_current_row(client, worker, worker2, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    _quick(client, request, "assign", {"assignee": worker2.pk})  # version 1 → 2
    response = _quick(client, request, "triage", {"severity": "severe", "urgency": "urgent"})  # still 1
    html = response.content.decode()
    assert STALE_MESSAGE in html
    assert "李静" in html and 'name="version" value="2"' in html  # the current state, ready to retry
    request.refresh_from_db()
    assert request.status == "new" and request.version == 2


@pytest.mark.django_db
def test_forged_assignee_of_another_station_is_refused(client, worker, other_worker, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    response = _quick(client, request, "assign", {"assignee": other_worker.pk})
    assert "errorlist" in response.content.decode()
    request.refresh_from_db()
    assert request.assignee is None and request.version == 1


@pytest.mark.django_db
def test_queue_is_paginated(client, worker, guoyuan):
    for _ in range(27):
        make_request(guoyuan)
    client.force_login(worker)
    first, second = client.get(URL), client.get(URL, {"page": 2})
    assert len(_rows(first)) == 25 and len(_rows(second)) == 2
    assert "2 / 2" in second.content.decode() or "1 / 2" in first.content.decode()


def _bulk(station, n):
    """n requests in one INSERT (the intake service would take too long for 500)."""
    base = make_request(station)
    rows = []
    communities = list(station.streets.get().communities.all())
    for i in range(n - 1):
        rows.append(
            Request(
                reference=f"{base.reference}-{i}",
                station=station,
                community=communities[i % len(communities)],
                channel="phone",
                category=base.category,
                description="批量",
                severity=base.severity,
                urgency=base.urgency,
                priority=1 + i % 4,
                due_at=timezone.now() + datetime.timedelta(hours=i - n // 2),
                status=["new", "triaged", "in_progress", "referred"][i % 4],
            )
        )
    Request.objects.bulk_create(rows)


@pytest.mark.django_db
@pytest.mark.parametrize("params", [{}, {"overdue": "on", "assignee": "null"}])
def test_query_count_does_not_grow_with_the_queue(client, worker, guoyuan, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(worker)
    client.get(URL, params)  # warm up the session and the option lists

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured.captured_queries)

    _bulk(guoyuan, 10)
    small = queries()
    _bulk(guoyuan, 490)
    # More than a page: its figures counted by one more query, never more. Three of them record the
    # access (savepoint, INSERT, release: stations.audit.record_access).
    assert queries() == small + 1 == 4 + 3


@pytest.mark.django_db
def test_district_user_reads_the_queue_without_actions(
    client, district_user, other_district_user, guoyuan, guangkai
):
    ours = make_request(guoyuan)
    make_request(guangkai)
    client.force_login(district_user)
    response = client.get(URL)
    assert _rows(response) == [ours]
    html = response.content.decode()
    assert "快捷操作" not in html and "/triage/" not in html and 'name="version"' not in html
    client.force_login(other_district_user)
    assert ours not in _rows(client.get(URL))


@pytest.mark.django_db
def test_unassigned_row_does_not_preselect_a_worker(client, worker, guoyuan):
    request = make_request(guoyuan)
    client.force_login(worker)
    html = client.get(URL).content.decode()
    assert f'<select name="assignee" id="asg-{request.pk}"><option value="">选择社工</option>' in html
    response = _quick(client, request, "assign", {"assignee": ""})
    assert "errorlist" in response.content.decode()
    request.refresh_from_db()
    assert request.assignee is None
