"""Working time: the calendar of holidays and make-up working days (调休), and the arithmetic on it.

The seeded 2026 calendar is the State Council's notice (stations/migrations/0008): Spring Festival
15–23 February (Sun–Mon), worked Saturdays 14 and 28 February; 国庆 1–7 October, worked Sunday
20 September and Saturday 10 October.
"""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stations import workdays
from stations.models import CalendarDay
from stations.workdays import add_working_days, add_working_minutes, is_working_day

pytestmark = pytest.mark.django_db

D = datetime.date


def at(year, month, day, hour=10, minute=0):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def ensure_2026_spring_festival():
    """The seeded rows the tests rely on (a transactional test elsewhere may have flushed the table)."""
    for day in range(15, 24):
        CalendarDay.objects.get_or_create(date=D(2026, 2, day), defaults={"kind": "holiday", "name": "春节"})
    for day in (14, 28):
        CalendarDay.objects.get_or_create(
            date=D(2026, 2, day), defaults={"kind": "working_day", "name": "春节"}
        )


@pytest.fixture
def spring_festival():
    ensure_2026_spring_festival()


# --- The seeded calendar --------------------------------------------------------------------------
def test_the_migration_seeds_the_2026_notice_and_what_the_law_fixes_for_2027():
    days = dict(CalendarDay.objects.values_list("date", "kind"))
    if not days:
        pytest.fail("the calendar is empty: the seeding migration did not run")
    holidays_2026 = sorted(d for d, k in days.items() if k == "holiday" and d.year == 2026)
    worked_2026 = sorted(d for d, k in days.items() if k == "working_day" and d.year == 2026)
    # 3 + 9 + 3 + 5 + 3 + 3 + 7 days off, six weekends worked: the notice's totals.
    assert len(holidays_2026) == 33
    assert worked_2026 == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    assert all(d.weekday() >= 5 for d in worked_2026)  # a make-up day is always a weekend day
    # 2027: statutory days only (元旦, 春节 除夕–初三, 清明, 劳动节 two days, 国庆 three days), no 调休 yet.
    holidays_2027 = sorted(d for d, k in days.items() if d.year == 2027)
    assert holidays_2027[:6] == [
        D(2027, 1, 1),
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
        D(2027, 4, 5),
    ]
    assert len(holidays_2027) == 1 + 4 + 1 + 2 + 3
    assert not [d for d, k in days.items() if d.year == 2027 and k == "working_day"]


# --- is_working_day -------------------------------------------------------------------------------
def test_weekdays_weekends_holidays_and_make_up_days(spring_festival):
    assert is_working_day(D(2026, 2, 13))  # Friday before the festival
    assert is_working_day(D(2026, 2, 14))  # Saturday, worked (调休)
    assert not is_working_day(D(2026, 2, 16))  # Monday, 春节
    assert not is_working_day(D(2026, 2, 23))  # Monday, the last day off
    assert is_working_day(D(2026, 2, 24))
    assert is_working_day(D(2026, 2, 28))  # Saturday, worked
    assert not is_working_day(D(2026, 3, 7))  # an ordinary Saturday


def test_an_edit_in_the_calendar_applies_to_the_next_call():
    day = D(2030, 3, 6)  # a Wednesday, in no seeded year
    assert is_working_day(day)
    row = CalendarDay.objects.create(date=day, kind="holiday", name="测试")
    assert not is_working_day(day)
    row.delete()
    assert is_working_day(day)


def test_the_calendar_is_read_once_and_then_from_the_cache(spring_festival):
    is_working_day(D(2026, 2, 16))
    with CaptureQueriesContext(connection) as queries:
        for offset in range(400):
            is_working_day(D(2026, 1, 1) + datetime.timedelta(days=offset))
        add_working_days(at(2026, 2, 13), 30)
        add_working_minutes(at(2026, 2, 13), 60 * 8 * 30)
    assert len(queries) == 0


# --- add_working_days -----------------------------------------------------------------------------
def test_days_across_the_spring_festival(spring_festival):
    # Received Friday 13 February: the 14th (a worked Saturday) is day one, then nine days off.
    assert add_working_days(at(2026, 2, 13), 1) == at(2026, 2, 14, 17)
    assert add_working_days(at(2026, 2, 13), 2) == at(2026, 2, 24, 17)
    assert add_working_days(at(2026, 2, 13), 5) == at(2026, 2, 27, 17)
    assert add_working_days(at(2026, 2, 13), 6) == at(2026, 2, 28, 17)  # the second worked Saturday
    assert add_working_days(at(2026, 2, 13), 7) == at(2026, 3, 2, 17)


def test_days_received_on_a_holiday_count_from_the_next_working_day(spring_festival):
    assert add_working_days(at(2026, 2, 17, 15), 1) == at(2026, 2, 24, 17)
    assert add_working_days(at(2026, 2, 23, 23, 30), 3) == at(2026, 2, 26, 17)


def test_days_across_national_day_with_its_worked_weekends():
    for day in range(1, 8):
        CalendarDay.objects.get_or_create(
            date=D(2026, 10, day), defaults={"kind": "holiday", "name": "国庆节"}
        )
    CalendarDay.objects.get_or_create(
        date=D(2026, 10, 10), defaults={"kind": "working_day", "name": "国庆节"}
    )
    # Received Wednesday 30 September: Thursday 1 October is off until the 7th; Thursday 8th, Friday 9th,
    # Saturday 10th (worked), then Monday 12th.
    assert add_working_days(at(2026, 9, 30), 1) == at(2026, 10, 8, 17)
    assert add_working_days(at(2026, 9, 30), 3) == at(2026, 10, 10, 17)
    assert add_working_days(at(2026, 9, 30), 4) == at(2026, 10, 12, 17)


def test_weekends_alone_where_the_calendar_says_nothing():
    assert add_working_days(at(2030, 3, 8), 1) == at(2030, 3, 11, 17)  # Friday → Monday
    assert add_working_days(at(2030, 3, 9), 5) == at(2030, 3, 15, 17)  # Saturday → next Friday


# --- add_working_minutes --------------------------------------------------------------------------
def test_minutes_within_a_day_and_across_a_weekend():
    assert add_working_minutes(at(2030, 3, 6, 10), 120) == at(2030, 3, 6, 12)
    # Friday 16:00 plus two hours: one hour on Friday, one on Monday.
    assert add_working_minutes(at(2030, 3, 8, 16), 120) == at(2030, 3, 11, 10)
    # Received at night or before the day starts: the clock starts at 9:00.
    assert add_working_minutes(at(2030, 3, 6, 20), 30) == at(2030, 3, 7, 9, 30)
    assert add_working_minutes(at(2030, 3, 6, 7), 30) == at(2030, 3, 6, 9, 30)


def test_minutes_across_the_spring_festival(spring_festival):
    # Friday 13 February 16:30 + 4 h: 30 min on Friday, the worked Saturday 9:00–12:30.
    assert add_working_minutes(at(2026, 2, 13, 16, 30), 240) == at(2026, 2, 14, 12, 30)
    # Saturday 14th 16:00 + 2 h: one hour left that day, then nothing until Tuesday 24th.
    assert add_working_minutes(at(2026, 2, 14, 16), 120) == at(2026, 2, 24, 10)


def test_minutes_received_on_a_holiday(spring_festival):
    assert add_working_minutes(at(2026, 2, 18, 11), 60) == at(2026, 2, 24, 10)
    assert add_working_minutes(at(2026, 2, 18, 11), 0) == at(2026, 2, 24, 9)


def test_a_calendar_with_no_working_day_left_is_an_error_not_a_hang(monkeypatch):
    monkeypatch.setattr(workdays, "calendar", lambda: {})
    monkeypatch.setattr(workdays, "_worked", lambda day, exceptions: False)
    with pytest.raises(ValueError, match="工作日"):
        add_working_days(at(2030, 3, 6), 1)
    with pytest.raises(ValueError, match="工作日"):
        add_working_minutes(at(2030, 3, 6), 1)


# --- The admin ------------------------------------------------------------------------------------
def test_admins_keep_the_calendar_in_admin(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:stations_calendarday_add"),
        {"date": "2030-03-06", "kind": "holiday", "name": "测试假日", "note": ""},
    )
    assert response.status_code == 302
    assert not is_working_day(D(2030, 3, 6))
    page = client.get(reverse("admin:stations_calendarday_changelist"), {"year": "2026"})
    assert page.status_code == 200


def test_a_make_up_working_day_must_be_a_weekend_day(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:stations_calendarday_add"),
        {"date": "2030-03-06", "kind": "working_day", "name": "测试", "note": ""},
    )
    assert response.status_code == 200
    assert "调休上班日应为周六或周日" in response.content.decode()
    assert not CalendarDay.objects.filter(date=D(2030, 3, 6)).exists()


def test_a_district_centre_cannot_change_the_calendar_even_with_the_permission(client, district_user):
    district_user.is_staff = True
    district_user.save()
    district_user.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_calendarday", "change_calendarday", "view_calendarday"])
    )
    client.force_login(district_user)
    response = client.post(
        reverse("admin:stations_calendarday_add"),
        {"date": "2030-03-06", "kind": "holiday", "name": "测试", "note": ""},
    )
    assert response.status_code == 403
    assert not CalendarDay.objects.filter(date=D(2030, 3, 6)).exists()
    assert client.get(reverse("admin:stations_calendarday_changelist")).status_code == 200  # may read
