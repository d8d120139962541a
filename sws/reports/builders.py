"""The monthly report (月报) of a station, a district and the city, as data: the page and the XLSX render it.

Built from the dashboards' figures (`sws.dashboards.figures`), so a report and the dashboard for the same
month show the same figures; a district's additive figures are the sums of its stations', the city's the
sums of its districts'. A closed month's report counts only what belongs to the month (plan progress and
staffing as they stood on its last day); only the queue (在办, 超期) is as it stands when the report is
made, as the report says. A report's query count does not depend on the amount of data nor on the number
of stations or districts.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from stations.models import Assignment, LateEntry
from sws import exports
from sws.dashboards import figures as f
from sws.dashboards import queries as q
from sws.dashboards import tables
from sws.dashboards.periods import Period

SUMMARY_ROWS = [
    ("received", "受理诉求（件）", "int"),
    ("received_previous", "上月受理诉求（件）", "int"),
    ("resolved", "办结诉求（件）", "int"),
    ("resolved_on_time", "其中按期办结（件）", "int"),
    ("on_time_share", "按期办结率", "share"),
    ("avg_resolution", "平均办结时长（小时）", "hours"),
    ("median_resolution", "办结时长中位数（小时）", "hours"),
    ("rated", "回访评价（件）", "int"),
    ("satisfaction", "满意率", "share"),
    ("open", "月报生成时在办诉求（件）", "int"),
    ("overdue", "月报生成时超期未办（件）", "int"),
    ("activities", "服务活动（次）", "int"),
    ("sessions", "活动场次", "int"),
    ("person_times", "服务人次", "int"),
    ("resources_total", "链接资源合计（元）", "money"),
    ("resources_money", "其中资金（元）", "money"),
    ("resources_in_kind", "其中物资估值（元）", "money"),
    ("teams", "志愿服务队（支，月末）", "int"),
    ("teams_new", "本月新成立志愿服务队（支）", "int"),
    ("organisations", "社区社会组织（个，月末）", "int"),
    ("organisations_new", "本月新成立社区社会组织（个）", "int"),
    ("projects_active", "月报生成时实施中项目（个）", "int"),
    ("plan_completion", "年度实施方案完成度", "share"),
]


@dataclass
class Report:
    title: str
    unit_name: str
    period: Period
    generated_at: datetime.datetime
    figures: dict
    summary: list = field(default_factory=list)  # [{"label", "column", "value"}]
    categories: list = field(default_factory=list)
    channels: list = field(default_factory=list)
    priorities: list = field(default_factory=list)
    methods: list = field(default_factory=list)
    plan_rows: list = field(default_factory=list)
    workers: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    table: object = None  # the district report's station table, the city report's district table
    table_title: str = "各站对比"
    care: dict = field(default_factory=dict)  # the visit programme's figures (figures.care_figures)
    supervision: dict = field(default_factory=dict)  # supervision coverage (figures.supervision_figures)
    casework: dict = field(default_factory=dict)  # casework's counts (figures.casework_figures)
    hotline: dict = field(default_factory=dict)  # the 12345 work orders' figures (figures.hotline_figures)
    # 补录: records of earlier, locked months entered or changed during this month under a permit.
    late_entries: list = field(default_factory=list)

    def sheets(self) -> list[exports.Sheet]:
        """The report as worksheets: summary first, then each breakdown."""
        head = [self.title, f"统计期间：{self.period.first_day:%Y-%m-%d} 至 {self.period.last_day:%Y-%m-%d}"]
        sheets = [
            exports.Sheet(
                title="概况",
                headers=["指标", "数值"],
                rows=[[row["label"], row["column"].raw(row["value"])] for row in self.summary],
                widths=[32, 18],
                preamble=head,
                row_formats=[row["column"].number_format for row in self.summary],
            )
        ]
        if self.table is not None:
            sheets.append(exports.table_sheet(self.table_title, self.table, head))
        sheets += [
            exports.Sheet(
                "诉求分类",
                ["分类", "受理（件）"],
                [[r["name"], r["count"]] for r in self.categories],
                [24, 12],
            ),
            exports.Sheet(
                "来源渠道",
                ["渠道", "受理（件）"],
                [[r["label"], r["count"]] for r in self.channels],
                [16, 12],
            ),
            exports.Sheet(
                "优先级",
                ["优先级", "受理（件）"],
                [[r["label"], r["count"]] for r in self.priorities],
                [10, 12],
            ),
            exports.Sheet(
                "服务活动",
                ["服务方法", "活动（次）", "场次", "服务人次"],
                [[r["label"], r["activities"], r["sessions"], r["person_times"]] for r in self.methods],
                [12, 12, 10, 12],
            ),
        ]
        if self.plan_rows:
            sheets.append(
                exports.Sheet(
                    "实施方案进度",
                    ["领域", "指标", "单位", "目标", "实际", "完成率"],
                    [
                        [
                            r.area,
                            r.label,
                            r.unit,
                            r.target,
                            r.actual,
                            r.percent / 100 if r.percent is not None else None,
                        ]
                        for r in self.plan_rows
                    ],
                    [24, 16, 8, 10, 10, 10],
                    [None, None, None, "#,##0", "#,##0", "0%"],
                )
            )
        if self.workers:
            sheets.append(
                exports.Sheet(
                    "人员配置",
                    ["社工站", "姓名", "站长", "驻站开始", "持证", "持证期限"],
                    [
                        [
                            w["station"],
                            w["name"],
                            w["is_head"],
                            w["start_date"],
                            w["certified"],
                            w["deadline"],
                        ]
                        for w in self.workers
                    ],
                    [28, 10, 6, 12, 16, 12],
                )
            )
        if self.care:
            sheets.append(_care_sheet(self.care, head))
        if self.supervision:
            sheets.append(_supervision_sheet(self.supervision, head))
        if self.casework:
            sheets.append(_casework_sheet(self.casework, head))
        if self.hotline:
            sheets.append(_hotline_sheet(self.hotline, head))
        if self.late_entries:
            sheets.append(
                exports.Sheet(
                    "补录",
                    ["社工站", "补录月份", "记录类型", "记录", "记录日期", "录入人", "录入时间"],
                    [
                        [
                            e["station"],
                            e["month"],
                            e["kind"],
                            e["label"],
                            e["day"],
                            e["recorded_by"],
                            e["recorded_at"],
                        ]
                        for e in self.late_entries
                    ],
                    [28, 12, 12, 30, 12, 10, 18],
                )
            )
        return sheets


def _care_sheet(care: dict, head: list) -> exports.Sheet:
    """探访关爱: the scope's figures, then tiers and statuses, then one row per station or district."""
    columns = care["columns"]
    rows = [[f["label"], f["column"].raw(f["value"])] for f in care["key_figures"]]
    rows += [["风险等级：" + t["label"], t["count"]] for t in care["tiers"]]
    rows += [["保障状态：" + s["label"], s["count"]] for s in care["statuses"]]
    if care["rows"]:
        rows.append([])
        rows.append(["单位", *[c.label for c in columns]])
        rows += [[row["name"], *[c.raw(row.get(c.key)) for c in columns]] for row in care["rows"]]
    return exports.Sheet(
        title="探访关爱", headers=["指标", "数值"], rows=rows, widths=[28, 14], preamble=head
    )


def _supervision_sheet(sup: dict, head: list) -> exports.Sheet:
    """个案督导覆盖: the scope's figures, the stations with no session, one row per station or district."""
    columns = sup["columns"]
    rows = [[f["label"], f["column"].raw(f["value"])] for f in sup["key_figures"]]
    if sup["unsupervised"]:
        rows.append(["本期未接受督导的社工站", "、".join(sup["unsupervised"])])
    if sup["rows"]:
        rows.append([])
        rows.append(["单位", *[c.label for c in columns]])
        rows += [[row["name"], *[c.raw(row.get(c.key)) for c in columns]] for row in sup["rows"]]
    return exports.Sheet(
        title="个案督导", headers=["指标", "数值"], rows=rows, widths=[28, 14], preamble=head
    )


def _casework_sheet(casework: dict, head: list) -> exports.Sheet:
    """个案管理: the scope's counts, open cases by stage and risk, time per stage, then one row per unit."""
    columns, duration = casework["columns"], casework["duration_column"]
    rows = [[f["label"], f["column"].raw(f["value"])] for f in casework["key_figures"]]
    rows += [[], ["在办个案阶段", *casework["risks"], "合计"]]
    rows += [[s["label"], *s["cells"], s["total"]] for s in casework["stages"]]
    rows += [[], ["阶段", "本期转出（次）", duration.label]]
    rows += [["停留：" + d["label"], d["moves"], duration.raw(d["average"])] for d in casework["durations"]]
    if casework["rows"]:
        rows += [[], ["单位", *[c.label for c in columns]]]
        rows += [[row["name"], *[c.raw(row.get(c.key)) for c in columns]] for row in casework["rows"]]
    return exports.Sheet(
        title="个案管理", headers=["指标", "数值"], rows=rows, widths=[28, 14], preamble=head
    )


def _hotline_sheet(hotline: dict, head: list) -> exports.Sheet:
    """12345热线工单: the scope's figures, then one row per station or district."""
    columns = hotline["columns"]
    rows = [[f["label"], f["column"].raw(f["value"])] for f in hotline["key_figures"]]
    if hotline["rows"]:
        rows.append([])
        rows.append(["单位", *[c.label for c in columns]])
        rows += [[row["name"], *[c.raw(row.get(c.key)) for c in columns]] for row in hotline["rows"]]
    return exports.Sheet(
        title="12345热线工单", headers=["指标", "数值"], rows=rows, widths=[28, 14], preamble=head
    )


def _summary(figures: dict, period: Period, today) -> list[dict]:
    """The summary rows; a month still running is compared with as many days of the month before."""
    labels = {}
    comparison = period.comparison(today)
    if comparison != period.previous():
        labels["received_previous"] = f"上月同期受理诉求（件，{comparison.label}）"
    rows = []
    for key, label, kind in SUMMARY_ROWS:
        label = labels.get(key, label)
        rows.append(
            {"key": key, "label": label, "column": tables.Column(key, label, kind), "value": figures.get(key)}
        )
    return rows


def _workers(user, scope: q.Scope, day) -> list[dict]:
    """Workers active on `day`, with their certificate or certification deadline (one query, a prefetch)."""
    assignments = (
        scope.narrow(Assignment.objects.active(day))
        .select_related("user", "station")
        .prefetch_related("user__certificates")
        .order_by("station__code", "-is_head", "start_date")
    )
    rows = []
    for a in assignments:
        certificate = a.current_certificate(day)
        rows.append(
            {
                "station": a.station.name,
                "name": a.user.get_full_name(),
                "is_head": a.is_head,
                "start_date": a.start_date,
                "certified": certificate.get_level_display() if certificate else "未持证",
                "deadline": None if certificate else a.certification_deadline,
            }
        )
    return rows


def _late_entries(user, period: Period, **unit) -> list[dict]:
    """补录 recorded during the period (for earlier, locked months): one query."""
    entries = (
        LateEntry.objects.visible_to(user)
        .filter(recorded_at__gte=period.start, recorded_at__lt=period.end, **unit)
        .select_related("station", "recorded_by")
        .order_by("station__code", "recorded_at", "pk")
    )
    return [
        {
            "station": e.station.name,
            "month": f"{e.month.year}年{e.month.month}月",
            "kind": e.kind,
            "label": e.label,
            "day": e.day,
            "recorded_by": e.recorded_by.get_full_name() or e.recorded_by.username,
            "recorded_at": timezone.localtime(e.recorded_at).replace(tzinfo=None),
        }
        for e in entries
    ]


def _breakdowns(scope: q.Scope, period: Period) -> dict:
    requests = scope.requests()
    return {
        "categories": q.category_breakdown(requests, period),
        "channels": q.channel_breakdown(requests, period),
        "priorities": q.priority_mix(requests, period),
        "methods": q.activities_by_method(scope, period),
    }


def station_figures(user, station, year: int, month: int, today=None) -> dict:
    """The figures of the station's monthly report (`Report.figures`) and nothing else: for a reader of
    a few numbers (the evaluation's computed indicators), without the breakdowns, staff and tables."""
    today = today or timezone.localdate()
    period = Period.month(datetime.date(year, month, 1))
    scope = q.Scope(user, station=station)
    figures = f.complete(f.station_figures(scope, station, period, today, timezone.now()))
    figures.update(f.founded(scope, period))
    return figures


def station_report(user, station, year: int, month: int, today=None) -> Report:
    today = today or timezone.localdate()
    period = Period.month(datetime.date(year, month, 1))
    day = f.as_of(period, today)  # staffing as it stood at the end of the month (or today)
    scope = q.Scope(user, station=station)
    figures = station_figures(user, station, year, month, today)
    station_with = type(station).objects.with_compliance(day).get(pk=station.pk)
    return Report(
        title=f"{station.name} {period.label}工作月报",
        unit_name=station.name,
        period=period,
        generated_at=timezone.now(),
        figures=figures,
        summary=_summary(figures, period, today),
        **_breakdowns(scope, period),
        plan_rows=figures.get("plan_rows", []),
        workers=_workers(user, scope, day),
        issues=[str(i) for i in station_with.compliance_issues(day)],
        care=f.care_figures(user, period, station=station, today=today),
        casework=f.casework_figures(user, period, station=station, today=today),
        hotline=f.hotline_figures(user, period, station=station),
        late_entries=_late_entries(user, period, station=station),
    )


def district_report(user, district, year: int, month: int, today=None) -> Report:
    today = today or timezone.localdate()
    period = Period.month(datetime.date(year, month, 1))
    day = f.as_of(period, today)
    scope = q.Scope(user, district=district)
    figures, table = f.district_figures(user, district, period, day)
    issues = [
        f"{row.name}：{'、'.join(str(i) for i in row.figures['compliance_issues'])}"
        for row in table.rows
        if row.figures["compliance_issues"]
    ]
    return Report(
        title=f"{district.name}社工站 {period.label}工作月报",
        unit_name=district.name,
        period=period,
        generated_at=timezone.now(),
        figures=figures,
        summary=_summary(figures, period, today),
        **_breakdowns(scope, period),
        workers=_workers(user, scope, day),
        issues=issues,
        table=table,
        care=f.care_figures(user, period, district=district, today=today),
        supervision=f.supervision_figures(user, period, district=district, today=today),
        casework=f.casework_figures(user, period, district=district, today=today),
        hotline=f.hotline_figures(user, period, district=district),
        late_entries=_late_entries(user, period, station__district=district),
    )


def city_report(user, year: int, month: int, today=None) -> Report:
    """The municipal centre's monthly report: the districts side by side and the city's totals."""
    today = today or timezone.localdate()
    period = Period.month(datetime.date(year, month, 1))
    day = f.as_of(period, today)
    scope = q.Scope(user)
    figures, table = f.city_figures(user, period, day)
    issues = [
        f"{row.name}：{row.figures['stations_with_issues']}个社工站人员配置有问题"
        for row in table.rows
        if row.figures["stations_with_issues"]
    ]
    return Report(
        title=f"天津市社工站 {period.label}工作月报",
        unit_name="天津市",
        period=period,
        generated_at=timezone.now(),
        figures=figures,
        summary=_summary(figures, period, today),
        **_breakdowns(scope, period),
        issues=issues,
        table=table,
        table_title="各区对比",
        care=f.care_figures(user, period, today=today),
        supervision=f.supervision_figures(user, period, today=today),
        casework=f.casework_figures(user, period, today=today),
        hotline=f.hotline_figures(user, period),
    )
