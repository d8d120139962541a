"""Reporting periods: bounds at midnight Asia/Shanghai, previous periods, the picker's validation."""

import datetime

from django.http import QueryDict

from sws.dashboards.periods import Period, PeriodForm

UTC = datetime.UTC


def test_month_bounds_are_local_midnight():
    march = Period.month(datetime.date(2026, 3, 17))
    assert (march.first_day, march.last_day) == (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    # 00:00 in Shanghai is 16:00 UTC the day before.
    assert march.start == datetime.datetime(2026, 2, 28, 16, tzinfo=UTC)
    assert march.end == datetime.datetime(2026, 3, 31, 16, tzinfo=UTC)
    assert march.label == "2026年3月"
    assert march.slug == "2026-03"


def test_quarter_year_and_previous():
    q = Period.quarter(datetime.date(2026, 5, 20))
    assert (q.first_day, q.last_day) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert q.label == "2026年第2季度"
    assert q.previous().first_day == datetime.date(2026, 1, 1)
    y = Period.year(datetime.date(2026, 5, 20))
    assert (y.first_day, y.last_day) == (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert y.previous().label == "2025年"
    assert Period.month(datetime.date(2026, 1, 9)).previous().label == "2025年12月"
    custom = Period.custom(datetime.date(2026, 3, 1), datetime.date(2026, 3, 10))
    assert custom.previous() == Period.custom(datetime.date(2026, 2, 19), datetime.date(2026, 2, 28))


def test_trend_months_end_with_the_period():
    months = Period.month(datetime.date(2026, 3, 1)).trend_months()
    assert len(months) == 12
    assert months[0] == datetime.date(2025, 4, 1)
    assert months[-1] == datetime.date(2026, 3, 1)


def _form(**params):
    data = QueryDict(mutable=True)
    data.update(params)
    return PeriodForm(data)


def test_form_picks_a_past_month_quarter_or_custom_range():
    today = datetime.date(2026, 4, 10)
    assert _form(period="month", **{"from": "2026-03-05"}).get_period(today) == Period.month(
        datetime.date(2026, 3, 1)
    )
    assert _form(period="quarter").get_period(today) == Period.quarter(today)
    custom = _form(period="custom", **{"from": "2026-03-01", "to": "2026-03-15"})
    assert custom.get_period(today) == Period.custom(datetime.date(2026, 3, 1), datetime.date(2026, 3, 15))


def test_form_refuses_bad_ranges_in_chinese_and_falls_back_to_this_month():
    today = datetime.date(2026, 4, 10)
    backwards = _form(period="custom", **{"from": "2026-03-15", "to": "2026-03-01"})
    assert backwards.get_period(today) == Period.month(today)
    assert "结束日期不能早于开始日期。" in backwards.non_field_errors()
    missing = _form(period="custom", **{"from": "2026-03-15"})
    assert not missing.is_valid()
    assert "自定义期间请填写开始日期和结束日期。" in missing.non_field_errors()
    too_long = _form(period="custom", **{"from": "2016-01-01", "to": "2026-03-01"})
    assert not too_long.is_valid()
    garbage = _form(period="custom", **{"from": "not-a-date", "to": "2026-03-01"})
    assert not garbage.is_valid()
    assert garbage.get_period(today) == Period.month(today)
