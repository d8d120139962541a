"""Working time (工作日): deadlines that count working days and working hours, not calendar time.

The one place that knows which days are worked: Monday to Friday, except the days of the calendar admins
keep (`CalendarDay`: public holidays, and weekends worked as make-up days 调休). Callers (hotline due
times, report deadlines) only ever use the three functions here.

The calendar is a few dozen rows a year, read whole: from the reference cache (`stations.reference`, a
new generation on every save or delete of a day), so an arithmetic call costs two cache lookups and no
query however many days it walks, and an edit in admin applies to the next call.
"""

import datetime

from django.utils import timezone

from stations import reference

WORKDAY_START = datetime.time(9, 0)
WORKDAY_END = datetime.time(17, 0)  # an eight-hour working day (9:00–17:00, local time)
# A safety stop for the day-walking loops: a calendar that marked every day a holiday would never end.
MAX_DAYS_WALKED = 3 * 366


def calendar() -> dict[datetime.date, bool]:
    """{date: worked?} for the days that break the weekly rule, cached until the calendar changes."""
    from stations.models import CalendarDay

    def build():
        return {
            day: kind == CalendarDay.Kind.WORKING_DAY
            for day, kind in CalendarDay.objects.values_list("date", "kind")
        }

    return reference.lists(reference.shared_key("workdays"), {"calendar": build})["calendar"]


def _worked(day: datetime.date, exceptions: dict) -> bool:
    found = exceptions.get(day)
    return found if found is not None else day.weekday() < 5


def is_working_day(day: datetime.date) -> bool:
    return _worked(day, calendar())


def add_working_days(start: datetime.datetime, days: int) -> datetime.datetime:
    """The end of the `days`-th working day after `start`'s day (a day received counts from the next,
    whether or not it is itself worked)."""
    exceptions = calendar()
    day = timezone.localtime(start).date()
    remaining = days
    for _ in range(MAX_DAYS_WALKED + days):
        if remaining <= 0:
            break
        day += datetime.timedelta(days=1)
        if _worked(day, exceptions):
            remaining -= 1
    else:
        raise ValueError("工作日历中找不到足够的工作日，请检查节假日设置。")
    return timezone.make_aware(datetime.datetime.combine(day, WORKDAY_END))


def add_working_minutes(start: datetime.datetime, minutes: int) -> datetime.datetime:
    """`start` plus `minutes` of working time (9:00–17:00 on working days). Received outside working
    hours, the clock starts at the next working day's 9:00."""
    exceptions = calendar()
    local = timezone.localtime(start)
    day, moment = local.date(), local.time()
    remaining = datetime.timedelta(minutes=minutes)
    for _ in range(MAX_DAYS_WALKED + minutes // 480):
        if _worked(day, exceptions) and moment < WORKDAY_END:
            begin = max(moment, WORKDAY_START)
            available = datetime.datetime.combine(day, WORKDAY_END) - datetime.datetime.combine(day, begin)
            if remaining <= available:
                return timezone.make_aware(datetime.datetime.combine(day, begin) + remaining)
            remaining -= available
        day += datetime.timedelta(days=1)
        moment = datetime.time(0, 0)
    raise ValueError("工作日历中找不到足够的工作日，请检查节假日设置。")
