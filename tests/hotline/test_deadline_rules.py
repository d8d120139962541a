"""The hotline's limits as data (DeadlineRule: seeded, kept in admin) over the working-day calendar, and
both deadlines (签收期限, 办结期限) in the triage queue, read with the rows' own query."""

import datetime
import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hotline.models import DeadlineRule, WorkOrder
from hotline.services import receive_work_order, sign_work_order
from residents.models import Request
from residents.queue_rows import QueueRows
from stations.models import CalendarDay
from tests.hotline.conftest import order_data

QUEUE = reverse("residents:request-queue")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def at(*args):
    return timezone.make_aware(datetime.datetime(*args))


@pytest.fixture
def spring_festival(db):
    for day in range(15, 24):
        CalendarDay.objects.get_or_create(
            date=datetime.date(2026, 2, day), defaults={"kind": "holiday", "name": "春节"}
        )
    CalendarDay.objects.get_or_create(
        date=datetime.date(2026, 2, 14), defaults={"kind": "working_day", "name": "春节"}
    )


def test_the_migration_seeds_the_default_classes(db):
    rules = {r.deadline_class: r for r in DeadlineRule.objects.all()}
    assert {"normal", "urgent"} <= set(rules)
    assert (rules["normal"].sign_within_minutes, rules["normal"].reply_within_working_days) == (120, 5)
    assert (rules["urgent"].sign_within_minutes, rules["urgent"].reply_within_working_days) == (30, 1)
    assert rules["urgent"].urgent and not rules["normal"].urgent


def test_an_order_before_the_spring_festival_counts_working_time(city_key, guoyuan, spring_festival):
    # Friday 13 February 16:30, normal: two working hours = 30 min Friday + 9:00–10:30 on the worked
    # Saturday; five working days = the 14th, then 24th–27th (the festival is not counted).
    data = order_data("GD-SF-1", received_at=at(2026, 2, 13, 16, 30).isoformat())
    order, _ = receive_work_order(api_key_or_user=city_key, data=data)
    assert order.sign_due_at == at(2026, 2, 14, 10, 30)
    assert order.reply_due_at == at(2026, 2, 27, 17, 0)
    assert order.request.due_at == order.reply_due_at


def test_an_order_received_on_a_holiday_starts_its_clock_after_it(city_key, guoyuan, spring_festival):
    data = order_data("GD-SF-2", received_at=at(2026, 2, 18, 11, 0).isoformat(), deadline_class="urgent")
    order, _ = receive_work_order(api_key_or_user=city_key, data=data)
    assert order.sign_due_at == at(2026, 2, 24, 9, 30)
    assert order.reply_due_at == at(2026, 2, 24, 17, 0)


def test_a_changed_rule_applies_to_the_next_order(city_key, guoyuan):
    DeadlineRule.objects.filter(deadline_class="normal").update(sign_within_minutes=60 * 4)
    received = at(2025, 3, 5, 9, 0)  # a Wednesday, no holiday
    order, _ = receive_work_order(
        api_key_or_user=city_key, data=order_data("GD-R", received_at=received.isoformat())
    )
    assert order.sign_due_at == at(2025, 3, 5, 13, 0)


# --- The admin ------------------------------------------------------------------------------------
def test_admins_keep_the_rules_and_a_zero_limit_is_refused(client, admin_user, hotline_setup):
    client.force_login(admin_user)
    listing = client.get(reverse("admin:hotline_deadlinerule_changelist"))
    assert "2 个工作小时" in listing.content.decode()
    rule = DeadlineRule.objects.get(deadline_class="normal")
    url = reverse("admin:hotline_deadlinerule_change", args=[rule.pk])
    data = {
        "deadline_class": "normal",
        "name": "一般",
        "sign_within_minutes": "0",
        "reply_within_working_days": "5",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "签收时限至少为 1 个工作分钟" in response.content.decode()
    rule.refresh_from_db()
    assert rule.sign_within_minutes == 120
    response = client.post(url, data | {"sign_within_minutes": "240", "reply_within_working_days": "3"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.sign_within_minutes, rule.reply_within_working_days) == (240, 3)


def test_a_district_centre_cannot_change_the_rules(client, district_user, hotline_setup):
    district_user.is_staff = True
    district_user.save()
    client.force_login(district_user)
    rule = DeadlineRule.objects.get(deadline_class="normal")
    response = client.post(
        reverse("admin:hotline_deadlinerule_change", args=[rule.pk]),
        {
            "deadline_class": "normal",
            "name": "改",
            "sign_within_minutes": "1",
            "reply_within_working_days": "1",
        },
    )
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.name == "一般"


# --- The queue ------------------------------------------------------------------------------------
def _orders(city_key, count, prefix="GD-Q"):
    now = timezone.localtime()
    return [
        receive_work_order(
            api_key_or_user=city_key,
            data=order_data(f"{prefix}{i}", received_at=(now - datetime.timedelta(days=i)).isoformat()),
        )[0]
        for i in range(count)
    ]


def test_the_queue_shows_both_deadlines_of_a_hotline_request(client, worker, city_key, guoyuan):
    late, fresh = _orders(city_key, 2)[::-1]  # received three days ago (sign overdue) and just now
    sign_work_order(acting_user=worker, order=fresh)
    client.force_login(worker)
    page = client.get(QUEUE).content.decode()
    late_row = re.search(rf'<tr id="request-{late.request_id}".*?</tr>', page, re.S).group(0)
    fresh_row = re.search(rf'<tr id="request-{fresh.request_id}".*?</tr>', page, re.S).group(0)
    assert re.search(r'deadline-line overdue">签收期限 .*超期', late_row)
    assert "办结期限" in late_row
    assert "签收期限 已签收" in fresh_row and "办结期限" in fresh_row
    ordinary = Request.objects.exclude(channel=Request.Channel.HOTLINE)
    for r in ordinary:
        row = re.search(rf'<tr id="request-{r.pk}".*?</tr>', page, re.S)
        assert row is None or "签收期限" not in row.group(0)


def test_the_fast_path_writes_the_partials_bytes_for_hotline_rows(worker, city_key, guoyuan):
    orders = _orders(city_key, 3)
    sign_work_order(acting_user=worker, order=orders[0])
    http_request = RequestFactory().get(QUEUE)
    http_request.user = worker
    writer = QueueRows(http_request, can_act=True, next_url=QUEUE)
    rows = list(QueueRows.columns(Request.objects.filter(work_order__in=orders)))
    assert len(rows) == 3
    for r in rows:
        row = writer.context(r)
        assert [d["label"] for d in row["deadlines"]] == ["签收期限", "办结期限"]
        partial = render_to_string("residents/_queue_row.html", {"row": row}, request=http_request)
        assert TOKEN.sub("", writer.write(row)) == TOKEN.sub("", partial)


def test_hotline_rows_cost_the_queue_no_query_more(client, worker, city_key, guoyuan):
    client.force_login(worker)
    _orders(city_key, 1, prefix="GD-A")
    client.get(QUEUE)  # warm the session and the option lists

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(QUEUE).status_code == 200
        return len(captured.captured_queries)

    one = queries()
    _orders(city_key, 8, prefix="GD-B")
    assert WorkOrder.objects.count() == 9
    assert queries() == one
