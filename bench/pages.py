"""The pages the benchmark measures, each as the user who sees it.

To measure another page, add one `Page(...)` to `PAGES`: a key, a label, the role that opens it, the
`reverse()` names it may have (the first that resolves wins, so a page can be listed before it is built)
and, if its URL takes arguments, which objects to pass. A page whose names do not resolve yet is reported
as "not built", never as a failure.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

STATION, DISTRICT, CITY = "station", "district", "city"
ROLE_LABELS = {STATION: "驻站社工", DISTRICT: "区级指导中心", CITY: "市级指导中心"}


@dataclass
class Subjects:
    """Who opens the pages and which records they open (chosen once per run by `bench.measure`)."""

    users: dict  # role -> User
    station: object
    district: object
    case_pk: int | None = None  # a request of `station`: the top of its queue
    resident_pk: int | None = None  # a resident of `station`'s communities


def no_args(subjects):
    return [()]


def own_scope(subjects):
    """No argument, or the station / district pk: whichever the URL pattern takes."""
    return [(), (subjects.station.pk,), (subjects.district.pk,)]


def case_args(subjects):
    return [(subjects.case_pk,)] if subjects.case_pk else []


def station_pk(subjects):
    return [(subjects.station.pk,)]


def district_pk(subjects):
    return [(subjects.district.pk,)]


def with_format(fmt, scope=None):
    """Exports whose format is part of the path (…/stations.xlsx): the scope's pk, if any, then `fmt`."""

    def args(subjects):
        return [(*pk, fmt) for pk in (scope(subjects) if scope else [()])]

    return args


def last_month(scope):
    """Monthly reports: the scope's pk, year, month of the last complete month (what people print)."""

    def args(subjects):
        from django.utils import timezone

        first = timezone.localdate().replace(day=1)
        previous = first - datetime.timedelta(days=1)
        return [(*pk, previous.year, previous.month) for pk in scope(subjects)]

    return args


@dataclass
class Page:
    key: str
    label: str
    role: str
    url_names: tuple[str, ...]
    args: Callable = own_scope
    query: str = ""  # e.g. "format=xlsx"
    method: str = "GET"
    # POST pages: the form is fetched (untimed) and filled from its own fields; these values win
    # (a dict, or a function of the subjects giving one).
    post_values: dict | Callable = field(default_factory=dict)
    throughput: bool = False  # also driven by wrk under gunicorn
    # POST pages: undoes what one request wrote (untimed, after it is answered), so every run of every page
    # measures the city as seeded; a function of the response.
    undo: Callable | None = None
    # Cache aliases cleared before each of its runs although the others keep them (bench.measure.KEEP_WARM):
    # the page's cost on its first view after they were emptied.
    cold: tuple[str, ...] = ()
    baseline: bool = False  # the yardstick (bench.views)
    # Run once, untimed, before the page's first request (a function of the subjects): brings the data
    # into the state the page is measured in (e.g. last month's report submitted). Must be idempotent:
    # a later run on the same database finds it done.
    setup: Callable | None = None

    def post_data(self, subjects) -> dict:
        return self.post_values(subjects) if callable(self.post_values) else dict(self.post_values)

    def resolve(self, subjects) -> str | None:
        """The page's URL for these subjects, or None when no candidate name resolves (not built)."""
        for name in self.url_names:
            for args in self.args(subjects):
                try:
                    url = reverse(name, args=args)
                except NoReverseMatch:
                    continue
                return f"{url}?{self.query}" if self.query else url
        return None


def delete_created_request(response):
    """Undo an intake: delete the request it created (the page the form redirects to), with its timeline.
    Otherwise every run would add ~46 open requests to the worker's queue, and the queue page would be
    measured on a longer queue each time."""
    from django.urls import resolve

    from residents.models import Request

    Request.objects.filter(pk=resolve(response["Location"]).kwargs["pk"]).delete()


def submit_last_month(subjects):
    """The station's last complete month submitted by its head (its page then comes from the snapshot)."""
    from django.utils import timezone

    from stations.models import User
    from sws.reports import cycle

    month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    report = cycle.report_for(month=month, station=subjects.station)
    if report.status not in report.SUBMITTABLE:
        return  # submitted (or approved) by an earlier run
    head = (
        User.objects.filter(role=User.Role.STATION_HEAD, station=subjects.station, is_active=True)
        .order_by("pk")
        .first()
    )
    cycle.submit_report(acting_user=head, report=report, version=report.version)


def district_evaluation(subjects):
    """The district's first evaluation (the demo phase opens 果园新村's and 广开's): none, not built."""
    from sws.models import Evaluation

    first = Evaluation.objects.filter(station__district=subjects.district).order_by("pk").first()
    return [(first.pk,)] if first else []


PAGES = [
    Page("baseline", "基准：队列单查询（含页面框架）", STATION, ("bench-baseline",), no_args, baseline=True),
    Page("baseline-bare", "基准：队列单查询（无页面框架）", STATION, ("bench-baseline-bare",), no_args),
    # Station worker
    Page("queue", "诉求队列", STATION, ("residents:request-queue",), no_args, throughput=True),
    # The first view after a category, community or worker changed: option lists and filter form built again.
    Page(
        "queue-cold",
        "诉求队列（参考列表变更后首次打开）",
        STATION,
        ("residents:request-queue",),
        no_args,
        cold=("reference",),
    ),
    Page("case", "诉求详情（个案页）", STATION, ("residents:request-detail",), case_args, throughput=True),
    Page("resident-list", "居民名册", STATION, ("residents:resident-list",), no_args),
    Page("visits-due", "本周待探访", STATION, ("residents:visit-due",), no_args),
    Page("intake-get", "登记诉求（打开表单）", STATION, ("residents:intake",), no_args),
    Page(
        "intake-post",
        "登记诉求（提交）",
        STATION,
        ("residents:intake",),
        no_args,
        method="POST",
        # The usual walk-in: a registered resident of the station, found by the search box.
        post_values=lambda subjects: {"mode": "existing", "resident": subjects.resident_pk},
        undo=delete_created_request,
    ),
    Page("station-dashboard", "本站看板", STATION, ("dashboards:station",), station_pk),
    Page(
        "station-report-submitted",
        "站月报（上月，已报送：快照）",
        STATION,
        ("reports:station",),
        last_month(station_pk),
        setup=submit_last_month,
    ),
    # District centre
    Page("district-dashboard", "区级看板", DISTRICT, ("dashboards:district",), district_pk, throughput=True),
    # Its first view of the hour: the closed months' trends and registry sizes counted again.
    Page(
        "district-dashboard-cold",
        "区级看板（缓存清空后首次打开）",
        DISTRICT,
        ("dashboards:district",),
        district_pk,
        cold=("dashboards",),
    ),
    Page(
        "district-stations", "本区社工站（站点与配备）", DISTRICT, ("stations:district-detail",), district_pk
    ),
    Page(
        "district-export-xlsx",
        "区级看板社工站对比表导出（XLSX）",
        DISTRICT,
        ("dashboards:district-export",),
        with_format("xlsx", district_pk),
    ),
    Page(
        "district-export-csv",
        "区级看板社工站对比表导出（CSV）",
        DISTRICT,
        ("dashboards:district-export",),
        with_format("csv", district_pk),
    ),
    Page(
        "district-requests-csv",
        "区内待办诉求导出（CSV）",
        DISTRICT,
        ("exports:list",),
        lambda subjects: [("requests", "csv")],
    ),
    Page("district-report", "区月报（上月）", DISTRICT, ("reports:district",), last_month(district_pk)),
    Page(
        "district-report-xlsx",
        "区月报导出（XLSX）",
        DISTRICT,
        ("reports:district-xlsx",),
        last_month(district_pk),
    ),
    Page(
        "district-submissions",
        "本区月报报送与审核",
        DISTRICT,
        ("reports:district-submissions",),
        district_pk,
        setup=submit_last_month,
    ),
    # Municipal centre
    Page("city-dashboard", "市级看板", CITY, ("dashboards:city",), no_args),
    Page(
        "city-dashboard-cold",
        "市级看板（缓存清空后首次打开）",
        CITY,
        ("dashboards:city",),
        no_args,
        cold=("dashboards",),
    ),
    Page(
        "city-export-xlsx",
        "市级看板各区对比表导出（XLSX）",
        CITY,
        ("dashboards:city-export",),
        with_format("xlsx"),
    ),
    Page("city-report", "市月报（上月）", CITY, ("reports:city",), last_month(lambda subjects: [()])),
    Page("city-submissions", "全市月报报送情况", CITY, ("reports:city-submissions",), no_args),
    # Issue #22's evaluation and issue #21's 五社联动 report (this month, by station, district and city).
    Page("evaluation", "考核评估（区级打开）", DISTRICT, ("evaluation:detail",), district_evaluation),
    Page("evaluation-list", "考核评估列表", DISTRICT, ("evaluation:list",), no_args),
    Page("five-forces-station", "五社联动报表（本站）", STATION, ("five_forces:station",), station_pk),
    Page("five-forces-district", "五社联动报表（本区）", DISTRICT, ("five_forces:district",), district_pk),
    Page("five-forces-city", "五社联动报表（全市）", CITY, ("five_forces:city",), no_args),
]


def page(key) -> Page:
    return next(p for p in PAGES if p.key == key)
