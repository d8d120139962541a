"""The figures of the dashboards and monthly reports: one module that views and report builders both call.

The aggregate queries are in `queries`, the side-by-side tables in `tables`; this module composes them
into the figures of one station (its dashboard, its export and its monthly report) and of a whole
district or the city (their monthly reports), so that a dashboard and a report of the same period cannot
disagree and no report imports a view.

Figures of a period count only what belongs to the period: requests received or resolved in it,
activities and resources dated in it, teams and organisations founded by its last day, and plan progress
as it stood on its last day (a closed month's report does not change when the next month's data arrives).
Only the queue (open, overdue, unassigned) and the projects being carried out are as they stand now, and
the pages say so.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from stations.models import District, Station
from sws.dashboards import casework, rollup, supervision, tables, visits, work_orders
from sws.dashboards import queries as q
from sws.dashboards.periods import Period

STATION_FIGURE_ROWS = [
    # (figure key, label, column kind) for the station dashboard's key-figures table and its export
    ("received", "本期受理诉求", "int"),
    ("received_previous", "上期受理诉求", "int"),
    ("resolved", "本期办结诉求", "int"),
    ("resolved_on_time", "其中按期办结", "int"),
    ("avg_resolution", "平均办结时长（小时）", "hours"),
    ("median_resolution", "办结时长中位数（小时）", "hours"),
    ("satisfaction", "满意率", "share"),
    ("rated", "回访评价数", "int"),
    ("open", "当前在办诉求", "int"),
    ("overdue", "当前超期未办", "int"),
    ("unassigned", "当前未分派", "int"),
    ("projects_active", "实施中项目", "int"),
    ("activities", "本期服务活动（次）", "int"),
    ("sessions", "本期活动场次", "int"),
    ("person_times", "本期服务人次", "int"),
    ("resources_total", "本期链接资源（元）", "money"),
    ("resources_year", "本年链接资源（元）", "money"),
    ("resources_year_money", "其中资金（元）", "money"),
    ("teams", "志愿服务队", "int"),
    ("organisations", "社区社会组织", "int"),
    ("plan_completion", "实施方案完成度", "share"),
]


def station_figures(scope: q.Scope, station, period: Period, today=None, now=None) -> dict:
    """Every figure of one station for the period (the dashboard's, its export's and its report's)."""
    today = today or timezone.localdate()
    figures = tables.measures(scope, period, "station", now).get(station.pk, {})
    figures = tables._work_figures(tables._request_figures(dict(figures)))
    figures["received_previous"] = rollup.received(scope, period.comparison(today))
    year = q.resource_sums(scope, Period.year(period.last_day), "station").get(station.pk, {})
    figures["resources_year"] = year.get("resources_total") or Decimal("0.00")
    figures["resources_year_money"] = year.get("resources_money") or Decimal("0.00")
    plan = q.plan_progress_by_station(scope, period.last_day.year, until=period.last_day).get(station.pk, {})
    figures.update(plan)
    return figures


def station_context(user, station, period: Period, today=None, now=None) -> dict:
    """Everything the station dashboard shows of its figures (also used by its export and its report)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    scope = q.Scope(user, station=station)
    figures = station_figures(scope, station, period, today, now)
    comparison = period.comparison(today)
    labels = {}
    if comparison != period.previous():  # a period still running: compared with as many days
        labels["received_previous"] = f"上期同期受理诉求（{comparison.label}）"
    key_figures = [
        {
            "key": key,
            "label": labels.get(key, label),
            "column": tables.Column(key, labels.get(key, label), kind),
            "value": figures.get(key),
        }
        for key, label, kind in STATION_FIGURE_ROWS
    ]
    return {
        "station": station,
        "period": period,
        "comparison": comparison,
        "figures": figures,
        "key_figures": key_figures,
        "scope": scope,
    }


def complete(figures: dict) -> dict:
    """The report's derived figures: the share resolved on time and resources given in kind."""
    figures["on_time_share"] = tables._share(figures.get("resolved_on_time", 0), figures.get("resolved", 0))
    figures["resources_in_kind"] = figures["resources_total"] - figures["resources_money"]
    return figures


def founded(scope: q.Scope, period: Period) -> dict:
    """{"teams_new", "organisations_new"}: founded during the period."""
    return {f"{k}_new": v for k, v in q.founded_in(scope, period).items()}


def district_figures(user, district, period: Period, today=None, now=None) -> tuple[dict, tables.Table]:
    """A district's figures for the period and its station table; additive figures are the stations' sums."""
    today = today or timezone.localdate()
    scope = q.Scope(user, district=district)
    table = tables.station_table(user, district, period, today, now, scope=scope)
    figures = _scope_figures(scope, period, table, today)
    # One district-wide median (the totals row of the table leaves medians blank).
    figures["median_resolution"] = q.median_durations(scope.requests(), period, "district").get(district.pk)
    return complete(tables._work_figures(tables._request_figures(figures))), table


def city_figures(user, period: Period, today=None, now=None) -> tuple[dict, tables.Table]:
    """The city's figures for the period and its district table; additive figures are the districts' sums."""
    today = today or timezone.localdate()
    scope = q.Scope(user)
    table = tables.district_table(user, period, today, now, scope=scope)
    figures = _scope_figures(scope, period, table, today)
    figures["median_resolution"] = q.median_durations(scope.requests(), period, None).get(None)
    return complete(tables._work_figures(tables._request_figures(figures))), table


def _scope_figures(scope: q.Scope, period: Period, table: tables.Table, today) -> dict:
    """A district's or the city's figures from its table's totals: the mean resolution time from the
    summed durations, requests received in the comparison period, groups founded in the period."""
    figures = dict(table.totals.figures)
    resolved, total_time = figures.get("resolved", 0), figures.get("resolution_time")
    figures["avg_resolution"] = total_time / resolved if resolved else None
    figures["received_previous"] = rollup.received(scope, period.comparison(today))
    figures.update(founded(scope, period))
    return figures


def as_of(period: Period, today: datetime.date) -> datetime.date:
    """The day a period's "as it stands" figures (staffing) are taken: its last day, or today if sooner."""
    return min(period.last_day, today)


def care_figures(user, period: Period, *, station=None, district=None, today=None) -> dict:
    """The visit programme's figures (探访关爱) of a station, a district (with a row per station) or the
    city (a row per district): the dashboards, their reports and the reports' XLSX all read these."""
    today = today or timezone.localdate()
    scope = q.Scope(user, station=station, district=district)
    rows = []
    if station is None:
        by, units = (
            ("station", Station.objects.visible_to(user).filter(district=district))
            if district is not None
            else ("district", District.objects.visible_to(user))
        )
        counts = visits.care_counts(scope, period, by, today)
        for pk, name in units.order_by("code").values_list("pk", "name"):
            rows.append({"name": name, **(counts.get(pk) or visits.complete(dict(visits.EMPTY)))})
        totals = visits.summed(rows)
    else:
        totals = visits.care_counts(scope, period, None, today)[None]
    return {
        "totals": totals,
        "key_figures": [
            {"key": key, "label": label, "column": tables.Column(key, label, kind), "value": totals.get(key)}
            for key, label, kind in visits.CARE_ROWS
        ],
        "columns": [tables.Column(key, label, kind) for key, label, kind in visits.CARE_ROWS],
        "rows": rows,
        "tiers": visits.tier_counts(totals),
        "statuses": visits.status_counts(scope, as_of(period, today)),
    }


def supervision_figures(user, period: Period, *, district=None, today=None) -> dict:
    """Supervision coverage (督导覆盖) of a district (a row per station, the stations with no session in the
    period named) or of the city (a row per district): the district dashboard and the monthly reports."""
    today = today or timezone.localdate()
    stations = Station.objects.visible_to(user)
    if district is not None:
        stations = stations.filter(district=district)
    rows = supervision.station_rows(user, period, stations, today)
    if district is None:
        rows = supervision.by_district(rows)
    totals = supervision.summed(rows)
    columns = [tables.Column(key, label, kind) for key, label, kind in supervision.SUPERVISION_ROWS]
    return {
        "totals": totals,
        "key_figures": [
            {"key": c.key, "label": c.label, "column": c, "value": totals.get(c.key)} for c in columns
        ],
        "columns": columns,
        "rows": rows,
        # Stations with no session in the period (a district's figures only).
        "unsupervised": [row["name"] for row in rows if not row["sessions"]] if district is not None else [],
    }


def casework_figures(user, period: Period, *, station=None, district=None, today=None) -> dict:
    """Casework's figures (个案管理) of a station, a district (with a row per station) or the city (a row
    per district): counts only, read by station, never case records (`sws.dashboards.casework`)."""
    today = today or timezone.localdate()
    scope = q.Scope(user, station=station, district=district)
    rows = []
    if station is None:
        by, units = (
            ("station", Station.objects.visible_to(user).filter(district=district))
            if district is not None
            else ("district", District.objects.visible_to(user))
        )
        counts = casework.case_counts(scope, period, by, today)
        for pk, name in units.order_by("code").values_list("pk", "name"):
            rows.append({"name": name, **(counts.get(pk) or casework.complete(dict(casework.EMPTY)))})
        totals = casework.summed(rows)
    else:
        totals = casework.case_counts(scope, period, None, today)[None]
    columns = [tables.Column(key, label, kind) for key, label, kind in casework.CASE_ROWS]
    return {
        "totals": totals,
        "key_figures": [
            {"key": c.key, "label": c.label, "column": c, "value": totals.get(c.key)} for c in columns
        ],
        "columns": columns,
        "rows": rows,
        "risks": [str(risk.label) for risk in casework.Case.Risk],
        "stages": casework.stage_risk_matrix(totals),
        "durations": casework.stage_durations(scope, period),
        "duration_column": tables.Column("average", "平均停留时长（小时）", "hours"),
    }


def hotline_figures(user, period: Period, *, station=None, district=None) -> dict:
    """The 12345 work orders' figures (热线工单) of a station, a district (with a row per station) or the
    city (a row per district): the dashboards, their reports and the reports' XLSX all read these. Two
    queries for a district or the city, one for a station."""
    scope = q.Scope(user, station=station, district=district)
    rows = []
    if station is None:
        by, units = (
            ("station", Station.objects.visible_to(user).filter(district=district))
            if district is not None
            else ("district", District.objects.visible_to(user))
        )
        counts = work_orders.hotline_counts(scope, period, by)
        for pk, name in units.order_by("code").values_list("pk", "name"):
            rows.append({"name": name, **(counts.get(pk) or work_orders.empty())})
    totals = work_orders.hotline_counts(scope, period, None)[None]
    return {
        "totals": totals,
        "key_figures": [
            {"key": key, "label": label, "column": tables.Column(key, label, kind), "value": totals.get(key)}
            for key, label, kind in work_orders.HOTLINE_ROWS
        ],
        "columns": [tables.Column(key, label, kind) for key, label, kind in work_orders.HOTLINE_ROWS],
        "rows": rows,
    }
