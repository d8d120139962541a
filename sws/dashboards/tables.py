"""The side-by-side tables: every station of a district, every district of the city.

A table is a list of `Row`s (one per station or district) holding raw figures (ints, Decimal yuan,
timedelta, float shares) and a list of `Column`s that say how to show, sort and export each figure. The
page, the CSV and the XLSX are all rendered from the same rows and columns, so they cannot disagree.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from stations.models import District, Station
from sws.dashboards import attention, rollup
from sws.dashboards import queries as q
from sws.dashboards.periods import Period


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "int"  # int, money, hours, share, text
    width: int = 12  # XLSX column width (characters)
    help: str = ""

    def display(self, value) -> str:
        """How the figure reads on the page and in the CSV."""
        if value is None or value == "":
            return "—" if self.kind != "text" else ""
        if self.kind == "money":
            return f"{value:,.2f}"
        if self.kind == "hours":
            return f"{hours(value):.1f}"
        if self.kind == "share":
            return f"{value * 100:.1f}%"
        if self.kind == "int":
            return f"{value:,}"
        return str(value)

    def plain(self, value) -> str:
        """How the figure reads in a CSV cell: like the page, without thousands separators."""
        if value is None:
            return ""
        if self.kind == "money":
            return f"{value:.2f}"
        if self.kind == "int":
            return str(value)
        return self.display(value)

    def raw(self, value):
        """The XLSX cell value: numbers stay numbers (Excel can add them up), Decimal stays exact."""
        if value is None:
            return None
        if self.kind == "hours":
            return round(hours(value), 1)
        if self.kind == "share":
            return round(value, 4)
        return value

    @property
    def number_format(self) -> str | None:
        return {"money": "#,##0.00", "hours": "0.0", "share": "0.0%", "int": "#,##0"}.get(self.kind)

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


def hours(duration: datetime.timedelta) -> float:
    return duration.total_seconds() / 3600


REQUEST_COLUMNS = [
    Column("received", "受理诉求", help="期间内受理的诉求数"),
    Column("resolved", "办结诉求", help="期间内办结（已解决或已回访结案）的诉求数"),
    Column("overdue", "超期未办", help="当前仍在办理且已超过办理期限的诉求数"),
    Column("unassigned", "未分派", help="当前仍在办理且未指定承办社工的诉求数"),
    Column(
        "median_resolution", "办结时长中位数（小时）", "hours", 14, "期间内办结诉求从受理到解决的时长中位数"
    ),
    Column("satisfaction", "满意率", "share", 10, "期间内回访结案的诉求中满意与基本满意所占比例"),
]
WORK_COLUMNS = [
    Column("sessions", "活动场次", help="期间内服务活动的场次合计"),
    Column("person_times", "服务人次", help="期间内服务活动的人次合计"),
    Column("resources_total", "链接资源（元）", "money", 16, "期间内链接的资金与物资估值合计"),
    Column("teams", "志愿服务队", help="期间结束时已成立的志愿服务队"),
    Column("organisations", "社区社会组织", width=14, help="期间结束时已成立的社区社会组织"),
    Column(
        "plan_completion", "方案完成度", "share", 12, "本年度实施方案各项指标完成比例的平均值（每项最高100%）"
    ),
]
STATION_COLUMNS = [
    Column("name", "社工站", "text", 30),
    *REQUEST_COLUMNS,
    *WORK_COLUMNS,
    Column("compliance", "人员配置", "text", 24, "驻站社工人数与持证情况"),
]
DISTRICT_COLUMNS = [
    Column("name", "区", "text", 12),
    Column("stations", "社工站", help="本区社工站数"),
    Column("street_coverage", "街道覆盖率", "share", 12, "有社工站服务的街道（乡镇）所占比例"),
    Column("workroom_coverage", "社区工作室覆盖率", "share", 16, "设有社区工作室的社区（村）所占比例"),
    *REQUEST_COLUMNS,
    *WORK_COLUMNS,
    Column("workers", "驻站社工", help="当前在岗的驻站社工人数"),
    Column("certified_share", "持证率", "share", 10, "在岗驻站社工中持证者所占比例"),
    Column(
        "stations_with_issues",
        "人员配置问题站",
        width=16,
        help="存在人员不足、无持证社工或持证期限问题的社工站数",
    ),
]


@dataclass
class Row:
    """One line of a side-by-side table."""

    key: int
    name: str
    url: str = ""
    figures: dict = field(default_factory=dict)
    attention: list = field(default_factory=list)  # why this row needs attention, worst first (attention.py)
    columns: list = field(default_factory=list)

    def value(self, key):
        return self.name if key == "name" else self.figures.get(key)

    @property
    def cells(self):
        """(column, value) pairs in the table's column order (set by `Table`)."""
        return [(column, self.value(column.key)) for column in self.columns]


@dataclass
class Table:
    columns: list
    rows: list
    totals: Row | None = None
    sort: str = ""

    def __post_init__(self):
        for row in [*self.rows, *([self.totals] if self.totals else [])]:
            row.columns = self.columns

    def sorted_by(self, sort: str) -> "Table":
        """Sorted by `sort` (a column key, "-" first for descending); unknown keys keep the order."""
        key = sort.lstrip("-")
        column = next((c for c in self.columns if c.key == key), None)
        if column is None:
            return self
        descending = sort.startswith("-")
        present = [r for r in self.rows if r.value(key) is not None]
        missing = [r for r in self.rows if r.value(key) is None]  # blanks last, whatever the direction
        present.sort(key=lambda r: _sort_key(column, r.value(key)), reverse=descending)
        return Table(self.columns, present + missing, self.totals, sort)


def _sort_key(column, value):
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if column.kind == "text":
        return str(value)
    return value


def _share(part, whole):
    return part / whole if whole else None


def _request_figures(figures: dict) -> dict:
    """Fill zeros for missing counts and derive the satisfaction share."""
    for name in (
        "received",
        "resolved",
        "resolved_on_time",
        "overdue",
        "unassigned",
        "open",
        "rated",
        "satisfied",
    ):
        figures.setdefault(name, 0)
    figures["satisfaction"] = _share(figures["satisfied"], figures["rated"])
    figures.setdefault("median_resolution", None)
    figures.setdefault("avg_resolution", None)
    return figures


def _work_figures(figures: dict) -> dict:
    for name in ("activities", "sessions", "person_times", "teams", "organisations", "projects_active"):
        figures[name] = figures.get(name) or 0
    for name in ("resources_total", "resources_money"):
        figures[name] = figures.get(name) or Decimal("0.00")
    figures.setdefault("plan_completion", None)
    return figures


def _merge(*parts) -> dict:
    merged = {}
    for part in parts:
        for group, values in part.items():
            merged.setdefault(group, {}).update(values)
    return merged


def measures(scope: q.Scope, period: Period, by: str, now=None) -> dict:
    """Every measure of the tables per group (station or district), for the period; constant query count.
    The additive figures come from the daily rollup and the days it does not hold yet (`rollup`)."""
    requests = scope.requests()
    medians = q.median_durations(requests, period, by)
    return _merge(
        rollup.period_figures(scope, period, by),
        q.open_counts(requests, by, now),
        {group: {"median_resolution": median} for group, median in medians.items()},
        q.cultivated_counts(scope, period.last_day, by),
        q.active_project_counts(scope, by),
    )


def station_table(user, district: District, period: Period, today=None, now=None, scope=None) -> Table:
    """Every station of `district` side by side (the district centre dashboard); `scope`: the page's own,
    when it has one (its station ids and the rollup's extent are then read once)."""
    today = today or timezone.localdate()
    scope = scope or q.Scope(user, district=district)
    as_of = min(today, period.last_day)  # how far into the year the plan should be
    stations = list(scope.narrow(Station.objects.with_compliance(today)).order_by("code"))
    figures = measures(scope, period, "station", now)
    plans = q.plan_progress_by_station(scope, period.last_day.year, until=period.last_day)
    rows = []
    for station in stations:
        values = _work_figures(_request_figures(dict(figures.get(station.pk, {}))))
        values.update(plans.get(station.pk, {}))
        issues = station.compliance_issues(today)
        values["compliance"] = "、".join(str(i) for i in issues) or f"{station.active_workers}人（合规）"
        values["compliance_issues"] = issues
        row = Row(station.pk, station.name, reverse("dashboards:station", args=[station.pk]), values)
        row.attention = attention.station_reasons(values, station.compliance_flags(today), as_of)
        rows.append(row)
    return Table(STATION_COLUMNS, rows, totals=_totals(rows, "合计"))


def district_table(user, period: Period, today=None, now=None, scope=None) -> Table:
    """The 16 districts side by side (the municipal dashboard); `scope` as in `station_table`."""
    today = today or timezone.localdate()
    scope = scope or q.Scope(user)
    as_of = min(today, period.last_day)
    districts = list(District.objects.visible_to(user).order_by("code"))
    figures = measures(scope, period, "district", now)
    coverage = q.coverage(user)["per_district"]
    staff = q.workforce(scope, "district", today)
    # Station counts and staffing issues per district: one query over the city's stations (a few hundred).
    stations_per_district, issues_per_district = {}, {}
    completions = {}
    plans = q.plan_progress_by_station(scope, period.last_day.year, until=period.last_day)
    for station in scope.narrow(Station.objects.with_compliance(today)).order_by():
        stations_per_district[station.district_id] = stations_per_district.get(station.district_id, 0) + 1
        if station.compliance_issues(today):
            issues_per_district[station.district_id] = issues_per_district.get(station.district_id, 0) + 1
        completion = plans.get(station.pk, {}).get("plan_completion")
        if completion is not None:
            completions.setdefault(station.district_id, []).append(completion)
    rows = []
    for district in districts:
        values = _work_figures(_request_figures(dict(figures.get(district.pk, {}))))
        cover = coverage.get(district.pk, {})
        values["stations"] = stations_per_district.get(district.pk, 0)
        values["street_coverage"] = _share(cover.get("covered", 0), cover.get("streets", 0))
        values["workroom_coverage"] = _share(cover.get("workrooms", 0), cover.get("committees", 0))
        values.update({k: cover.get(k, 0) for k in ("streets", "covered", "committees", "workrooms")})
        workers = staff.get(district.pk, {})
        values["workers"] = workers.get("workers", 0)
        values["certified"] = workers.get("certified", 0)
        values["certified_share"] = _share(values["certified"], values["workers"])
        values["deadline_near"] = workers.get("deadline_near", 0)
        values["deadline_passed"] = workers.get("deadline_passed", 0)
        values["stations_with_issues"] = issues_per_district.get(district.pk, 0)
        shares = completions.get(district.pk)
        values["plan_completion"] = sum(shares) / len(shares) if shares else None
        row = Row(district.pk, district.name, reverse("dashboards:district", args=[district.pk]), values)
        row.attention = attention.district_reasons(values, as_of)
        rows.append(row)
    every_station = [share for shares in completions.values() for share in shares]
    return Table(DISTRICT_COLUMNS, rows, totals=_totals(rows, "全市", every_station))


# Totals: counts and money add up; shares are recomputed from their parts; medians do not add up, so the
# totals row leaves them blank rather than showing a mean of medians.
_SUMMED = {
    "received", "resolved", "resolved_on_time", "overdue", "unassigned", "open", "rated", "satisfied",
    "activities", "sessions", "person_times", "resources_total", "resources_money", "teams", "organisations",
    "projects_active", "resolution_time",
    "stations", "workers", "stations_with_issues", "streets", "covered", "committees", "workrooms",
    "certified", "deadline_near", "deadline_passed",
}  # fmt: skip


def _totals(rows, label, completions=None) -> Row:
    """The totals line; `completions` are the plan completions to average (default: the rows')."""
    figures = {}
    for name in _SUMMED:
        values = [r.figures.get(name) for r in rows if r.figures.get(name) is not None]
        if values:
            figures[name] = sum(values[1:], values[0])  # counts, Decimal yuan or timedelta
    figures["satisfaction"] = _share(figures.get("satisfied", 0), figures.get("rated", 0))
    if "streets" in figures:
        figures["street_coverage"] = _share(figures["covered"], figures["streets"])
        figures["workroom_coverage"] = _share(figures["workrooms"], figures["committees"])
    if "certified" in figures:
        figures["certified_share"] = _share(figures["certified"], figures.get("workers", 0))
    if completions is None:
        completions = [
            r.figures["plan_completion"] for r in rows if r.figures.get("plan_completion") is not None
        ]
    figures["plan_completion"] = sum(completions) / len(completions) if completions else None
    return Row(0, label, "", figures)
