"""Working time (工作日): deadlines that count working days and working hours, not calendar time.

The one place that knows which days are worked. Today it knows weekends only; the calendar of public
holidays and make-up working days (调休) is data an admin keeps (it replaces `is_working_day`'s rule
below). Callers (hotline due times, report deadlines) only ever use the three functions here.
"""

import datetime

from django.utils import timezone

WORKDAY_START = datetime.time(9, 0)
WORKDAY_END = datetime.time(17, 0)  # an eight-hour working day (9:00–17:00, local time)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end of the `days`-th working day after `start`'s day (a day received counts from the next)."""
    local = timezone.localtime(start)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return timezone.make_aware(datetime.datetime.combine(day, WORKDAY_END))


def add_working_minutes(start: datetime.datetime, minutes: int) -> datetime.datetime:
    """`start` plus `minutes` of working time (9:00–17:00 on working days)."""
    local = timezone.localtime(start)
    day, moment = local.date(), local.time()
    remaining = datetime.timedelta(minutes=minutes)
    while True:
        if is_working_day(day) and moment < WORKDAY_END:
            begin = max(moment, WORKDAY_START)
            available = datetime.datetime.combine(day, WORKDAY_END) - datetime.datetime.combine(day, begin)
            if remaining <= available:
                return timezone.make_aware(datetime.datetime.combine(day, begin) + remaining)
            remaining -= available
        day += datetime.timedelta(days=1)
        moment = datetime.time(0, 0)
