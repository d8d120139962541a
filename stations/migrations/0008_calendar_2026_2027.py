"""Seed the working-day calendar for 2026 and 2027.

2026: the State Council's arrangement (国务院办公厅关于2026年部分节假日安排的通知, 国办发明电〔2025〕7号,
published 4 November 2025), every day off and every weekend worked, as published.

2027: the official arrangement was not available when this was written (it is normally published in
November of the year before). Seeded here are only the statutory days off that the law itself fixes
(全国年节及纪念日放假办法, as amended in 2024, in force from 2025): 元旦 1 January; 春节 the lunar New
Year's Eve and the first three days (5–8 February 2027; the lunar new year falls on 6 February); 清明节
on the solar term (5 April 2027); 劳动节 1–2 May; 国庆节 1–3 October. NOT seeded, to be entered in admin
(工作日历) from the 2027 notice: 端午节 and 中秋节 (their lunar dates were not verified here), and every
bridging day off and make-up working day (调休) the notice adds. docs/architecture.md says the same.
"""

import datetime

from django.db import migrations

NOTICE_2026 = "国办发明电〔2025〕7号"
STATUTE = "全国年节及纪念日放假办法（法定假日；2027年调休安排待国务院通知）"


def _span(first, last):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


D = datetime.date
HOLIDAYS = [
    # (first day, last day, name, basis)
    (D(2026, 1, 1), D(2026, 1, 3), "元旦", NOTICE_2026),
    (D(2026, 2, 15), D(2026, 2, 23), "春节", NOTICE_2026),
    (D(2026, 4, 4), D(2026, 4, 6), "清明节", NOTICE_2026),
    (D(2026, 5, 1), D(2026, 5, 5), "劳动节", NOTICE_2026),
    (D(2026, 6, 19), D(2026, 6, 21), "端午节", NOTICE_2026),
    (D(2026, 9, 25), D(2026, 9, 27), "中秋节", NOTICE_2026),
    (D(2026, 10, 1), D(2026, 10, 7), "国庆节", NOTICE_2026),
    (D(2027, 1, 1), D(2027, 1, 1), "元旦", STATUTE),
    (D(2027, 2, 5), D(2027, 2, 8), "春节", STATUTE),
    (D(2027, 4, 5), D(2027, 4, 5), "清明节", STATUTE),
    (D(2027, 5, 1), D(2027, 5, 2), "劳动节", STATUTE),
    (D(2027, 10, 1), D(2027, 10, 3), "国庆节", STATUTE),
]
WORKING_DAYS = [
    (D(2026, 1, 4), "元旦", NOTICE_2026),
    (D(2026, 2, 14), "春节", NOTICE_2026),
    (D(2026, 2, 28), "春节", NOTICE_2026),
    (D(2026, 5, 9), "劳动节", NOTICE_2026),
    (D(2026, 9, 20), "国庆节", NOTICE_2026),
    (D(2026, 10, 10), "国庆节", NOTICE_2026),
]


def seed(apps, schema_editor):
    CalendarDay = apps.get_model("stations", "CalendarDay")
    rows = [
        CalendarDay(date=day, kind="holiday", name=name, note=basis)
        for first, last, name, basis in HOLIDAYS
        for day in _span(first, last)
    ]
    rows += [CalendarDay(date=day, kind="working_day", name=name, note=basis) for day, name, basis in WORKING_DAYS]
    existing = set(CalendarDay.objects.values_list("date", flat=True))
    CalendarDay.objects.bulk_create([row for row in rows if row.date not in existing])


def unseed(apps, schema_editor):
    CalendarDay = apps.get_model("stations", "CalendarDay")
    CalendarDay.objects.filter(note__in=[NOTICE_2026, STATUTE]).delete()


class Migration(migrations.Migration):
    dependencies = [("stations", "0007_calendar_day")]

    operations = [migrations.RunPython(seed, unseed)]
