"""Period arithmetic (issue 15.11): the last complete month, like-with-like comparisons of a period still
running, month ends, leap years, quarter and year boundaries; the picker's 上月; partial months on charts.

The clock is frozen with freezegun; "today" is the date in Asia/Shanghai (UTC+8), so 16:30 UTC on the
last day of a month is already the first day of the next.
"""

import datetime

import pytest
from django.http import QueryDict
from django.urls import reverse
from freezegun import freeze_time

from sws.dashboards import charts
from sws.dashboards import queries as q
from sws.dashboards.periods import Period, PeriodForm, last_complete_month

D = datetime.date


@pytest.mark.parametrize(
    "now,month",
    [
        ("2026-12-03 02:00:00", D(2026, 11, 1)),  # the third day of December: November
        ("2027-01-03 02:00:00", D(2026, 12, 1)),  # across the year
        ("2026-11-30 16:30:00", D(2026, 11, 1)),  # 00:30 on 1 December in Shanghai
        ("2026-11-30 15:30:00", D(2026, 10, 1)),  # 23:30 on 30 November in Shanghai
        ("2024-03-01 02:00:00", D(2024, 2, 1)),  # a leap February
    ],
)
def test_last_complete_month(now, month):
    with freeze_time(now):
        period = last_complete_month()
    assert period.first_day == month
    assert period.kind == "month"
    if month == D(2024, 2, 1):
        assert period.last_day == D(2024, 2, 29)


@pytest.mark.parametrize(
    "now,period,expected",
    [
        # A month still running: as many days at the start of the previous month.
        ("2026-12-03 02:00:00", Period.month(D(2026, 12, 1)), (D(2026, 11, 1), D(2026, 11, 3))),
        ("2027-01-03 02:00:00", Period.month(D(2027, 1, 1)), (D(2026, 12, 1), D(2026, 12, 3))),
        # The 30th of March: February has only 28 days, so the whole of February.
        ("2026-03-30 02:00:00", Period.month(D(2026, 3, 1)), (D(2026, 2, 1), D(2026, 2, 28))),
        ("2024-03-28 02:00:00", Period.month(D(2024, 3, 1)), (D(2024, 2, 1), D(2024, 2, 28))),
        ("2024-03-29 02:00:00", Period.month(D(2024, 3, 1)), (D(2024, 2, 1), D(2024, 2, 29))),  # leap
        # The 31st of May: the last day, compared with the whole of April (30 days).
        ("2026-05-31 02:00:00", Period.month(D(2026, 5, 1)), (D(2026, 4, 1), D(2026, 4, 30))),
        # The 30th of April: its last day, compared with the whole of March (31 days).
        ("2026-04-30 02:00:00", Period.month(D(2026, 4, 1)), (D(2026, 3, 1), D(2026, 3, 31))),
        # Quarters: the third day of Q1 against 1-3 October; the first day of Q2 against 1 January.
        ("2026-01-03 02:00:00", Period.quarter(D(2026, 1, 1)), (D(2025, 10, 1), D(2025, 10, 3))),
        ("2026-04-01 02:00:00", Period.quarter(D(2026, 4, 1)), (D(2026, 1, 1), D(2026, 1, 1))),
        # Years: 337 days of 2026 against 337 of 2025; 60 days of 2025 against 60 of leap 2024.
        ("2026-12-03 02:00:00", Period.year(D(2026, 1, 1)), (D(2025, 1, 1), D(2025, 12, 3))),
        ("2025-03-01 02:00:00", Period.year(D(2025, 1, 1)), (D(2024, 1, 1), D(2024, 2, 29))),
        ("2024-12-31 02:00:00", Period.year(D(2024, 1, 1)), (D(2023, 1, 1), D(2023, 12, 31))),
        # A period that is over is compared with the whole previous one.
        ("2026-12-03 02:00:00", Period.month(D(2026, 11, 1)), (D(2026, 10, 1), D(2026, 10, 31))),
        ("2026-04-10 02:00:00", Period.quarter(D(2026, 1, 1)), (D(2025, 10, 1), D(2025, 12, 31))),
    ],
)
def test_comparison_is_like_with_like(now, period, expected):
    with freeze_time(now):
        comparison = period.comparison()
        partial = period.is_partial()
    assert (comparison.first_day, comparison.last_day) == expected
    assert partial == (period.first_day <= D(*map(int, now[:10].split("-"))) <= period.last_day)


def test_partial_and_elapsed():
    december = Period.month(D(2026, 12, 1))
    assert december.is_partial(D(2026, 12, 3)) and december.elapsed(D(2026, 12, 3)) == 3
    assert not december.is_partial(D(2027, 1, 1)) and december.elapsed(D(2027, 1, 1)) == 31
    assert not december.is_partial(D(2026, 11, 30)) and december.elapsed(D(2026, 11, 30)) == 0
    assert december.comparison_label(D(2026, 12, 3)) == "上期截至同日（11-01 至 11-03）"
    assert december.comparison_label(D(2027, 1, 5)) == "上期（2026年11月）"


def _form(**params):
    data = QueryDict(mutable=True)
    data.update(params)
    return PeriodForm(data)


def test_the_picker_offers_last_month_this_month_quarter_year_and_custom():
    labels = [label for _value, label in PeriodForm.KIND_CHOICES]
    assert labels == ["上月", "本月", "本季度", "本年", "自定义"]
    assert _form(period="last_month").get_period(D(2026, 1, 3)) == Period.month(D(2025, 12, 1))
    assert _form(period="last_month").get_period(D(2024, 3, 1)) == Period.month(D(2024, 2, 1))
    with freeze_time("2026-12-03 02:00:00"):
        assert _form(period="last_month").get_period() == Period.month(D(2026, 11, 1))


def test_station_dashboard_compares_like_with_like_and_offers_last_month(client, dataset, worker, guoyuan):
    client.force_login(worker)
    url = reverse("dashboards:station", args=[guoyuan.pk])
    response = client.get(url)  # 10 April: this month, 1-10 April against 1-10 March
    html = response.content.decode()
    assert "上期截至同日（03-01 至 03-10） 3" in html
    assert '<option value="last_month">上月</option>' in html
    # The picker says what the page shows (this month), not the first choice in its list.
    assert '<option value="month" selected>本月</option>' in html
    response = client.get(url, {"period": "last_month"})
    assert response.context["period"] == Period.month(D(2026, 3, 1))
    assert response.context["figures"]["received"] == 5
    assert "上期（2026年2月） 1" in response.content.decode()  # the whole of February


def test_charts_mark_the_month_still_running(dataset, worker, guoyuan):
    scope = q.Scope(worker, station=guoyuan)
    april = Period.month(D(2026, 4, 10))
    for chart in (charts.request_trend(scope, april), charts.activity_trend(scope, april)):
        assert chart["categories"][-1] == "2026-04（截至10日）"
        assert chart["categories"][-2] == "2026-03"
        assert "4月尚未结束" in chart["note"]
    march = Period.month(D(2026, 3, 1))
    trend = charts.request_trend(scope, march)
    assert trend["categories"][-1] == "2026-03" and trend["note"] == ""


def test_dashboard_page_shows_the_partial_month_note(client, dataset, worker, guoyuan):
    client.force_login(worker)
    html = client.get(reverse("dashboards:station", args=[guoyuan.pk])).content.decode()
    assert "4月尚未结束，该月为截至10日的数据" in html


def test_dashboards_link_to_the_report_of_a_whole_month(client, dataset, worker, city_user, guoyuan):
    """On 10 April the default (April, still running) links to March's report; March's page to March's."""
    client.force_login(worker)
    url = reverse("dashboards:station", args=[guoyuan.pk])
    march = reverse("reports:station", args=[guoyuan.pk, 2026, 3])
    assert client.get(url).context["report_url"] == march
    assert client.get(url, {"period": "month", "from": "2026-03-01"}).context["report_url"] == march
    assert client.get(url, {"period": "month", "from": "2026-01-01"}).context["report_url"] == reverse(
        "reports:station", args=[guoyuan.pk, 2026, 1]
    )
    client.force_login(city_user)
    response = client.get(reverse("dashboards:city"))
    assert response.context["report_url"] == reverse("reports:city", args=[2026, 3])
    assert reverse("reports:city", args=[2026, 3]) in response.content.decode()


def test_a_report_of_the_month_still_running_compares_as_many_days(dataset, district_user, guoyuan, beichen):
    from sws.reports import builders

    # 1-10 March: 果园新村's r1, r6, r3 (not 5, the whole of March); with 集贤里's j1, j2 for the district.
    for report, expected in (
        (builders.station_report(district_user, guoyuan, 2026, 4), 3),
        (builders.district_report(district_user, beichen, 2026, 4), 5),
    ):
        row = next(r for r in report.summary if r["key"] == "received_previous")
        assert row["label"] == "上月同期受理诉求（件，2026-03-01 至 2026-03-10）"
        assert row["value"] == expected
    march = builders.station_report(district_user, guoyuan, 2026, 3)
    row = next(r for r in march.summary if r["key"] == "received_previous")
    assert (row["label"], row["value"]) == ("上月受理诉求（件）", 1)
