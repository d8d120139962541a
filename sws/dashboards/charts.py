"""Chart payloads: plain data that `static/js/charts.js` turns into ECharts options.

The page embeds each payload with `json_script` (no inline script), and renders the same numbers as a
table beside the chart, so a printout or a screen reader carries the figures too. A payload is

    {"id": "trend", "kind": "line" | "bar" | "pie", "title": "…", "unit": "件",
     "categories": ["2025-04", …], "series": [{"name": "受理", "data": [3, 5, …]}, …]}

The 12-month trends mark the month still running ("2026-12（截至3日）") and carry a `note` saying so, so
the partial month does not read as a cliff.
"""

import datetime

from django.utils import timezone

from sws.dashboards import queries as q
from sws.dashboards import rollup
from sws.dashboards.periods import Period


def month_label(day, today: datetime.date | None = None) -> str:
    """The month as 2026-03; the month still running reads 2026-12（截至3日）: not a whole month."""
    label = f"{day.year}-{day.month:02d}"
    today = today or timezone.localdate()
    if (day.year, day.month) == (today.year, today.month):
        label += f"（截至{today.day}日）"
    return label


def _partial_note(months, today=None) -> str:
    today = today or timezone.localdate()
    if any((m["month"].year, m["month"].month) == (today.year, today.month) for m in months):
        return f"{today.month}月尚未结束，该月为截至{today.day}日的数据，不宜与完整月份直接比较。"
    return ""


def request_trend(scope: q.Scope, period: Period, cache_key: str | None = None) -> dict:
    """Requests received and resolved per month over the 12 months ending with the period, from the
    daily rollup and the days after it (`rollup.request_months`).

    With `cache_key` the months that are over may come from the cache.
    """
    months = rollup.request_months(scope, period.trend_months(), cache_key=cache_key)
    return {
        "id": "trend",
        "kind": "line",
        "title": "近12个月诉求受理与办结",
        "unit": "件",
        "note": _partial_note(months),
        "categories": [month_label(m["month"]) for m in months],
        "series": [
            {"name": "受理", "data": [m["received"] for m in months]},
            {"name": "办结", "data": [m["resolved"] for m in months]},
        ],
    }


def categories(requests, period: Period) -> dict:
    rows = q.category_breakdown(requests, period)
    return {
        "id": "categories",
        "kind": "bar",
        "title": f"诉求分类（{period.label}受理）",
        "unit": "件",
        "categories": [r["name"] for r in rows],
        "series": [{"name": "受理", "data": [r["count"] for r in rows]}],
    }


def priorities(requests, period: Period) -> dict:
    rows = q.priority_mix(requests, period)
    return {
        "id": "priorities",
        "kind": "pie",
        "colors": ["#b3261e", "#a84c00", "#0a58a8", "#8a96a3"],  # the P1..P4 badge colours
        "title": f"优先级构成（{period.label}受理）",
        "unit": "件",
        "categories": [r["label"] for r in rows],
        "series": [{"name": "受理", "data": [r["count"] for r in rows]}],
    }


def activity_trend(scope: q.Scope, period: Period, *, cached: bool = False) -> dict:
    """Sessions and person-times per month over the 12 months ending with the period (one query).

    With `cached` the months that are over may come from the cache (`queries.monthly_activities`).
    """
    months = q.monthly_activities(scope, period.trend_months(), cached=cached)
    return {
        "id": "activities",
        "kind": "bar",
        "title": "近12个月服务活动",
        "unit": "",
        "note": _partial_note(months),
        "categories": [month_label(m["month"]) for m in months],
        "series": [
            {"name": "场次", "data": [m["sessions"] for m in months]},
            {"name": "人次", "data": [m["person_times"] for m in months], "axis": 1},
        ],
    }


def all_charts(scope: q.Scope, period: Period) -> list[dict]:
    requests = scope.requests()
    return [
        request_trend(scope, period, cache_key=scope.cache_key),
        categories(requests, period),
        priorities(requests, period),
        activity_trend(scope, period, cached=True),
    ]


def rows_of(chart: dict) -> list[list]:
    """The chart as table rows: one row per category, one column per series."""
    return [
        [label, *(series["data"][index] for series in chart["series"])]
        for index, label in enumerate(chart["categories"])
    ]
