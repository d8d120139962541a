"""The pages the benchmark measures, each as the user who sees it.

To measure another page, add one `Page(...)` to `PAGES`: a key, a label, the role that opens it, the
`reverse()` names it may have (the first that resolves wins, so a page can be listed before it is built)
and, if its URL takes arguments, which objects to pass. A page whose names do not resolve yet is reported
as "not built", never as a failure.
"""

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


@dataclass
class Page:
    key: str
    label: str
    role: str
    url_names: tuple[str, ...]
    args: Callable = own_scope
    query: str = ""  # e.g. "format=xlsx"
    method: str = "GET"
    # POST pages: the form is fetched (untimed) and filled from its own fields; these values win.
    post_values: dict = field(default_factory=dict)
    throughput: bool = False  # also driven by wrk under gunicorn
    baseline: bool = False  # the yardstick (bench.views)

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


PAGES = [
    Page("baseline", "基准：队列单查询（含页面框架）", STATION, ("bench-baseline",), no_args, baseline=True),
    Page("baseline-bare", "基准：队列单查询（无页面框架）", STATION, ("bench-baseline-bare",), no_args),
    # Station worker
    Page(
        "queue",
        "诉求队列",
        STATION,
        ("residents:queue", "residents:request-queue", "residents:request-list"),
        throughput=True,
    ),
    Page("case", "诉求详情（个案页）", STATION, ("residents:request-detail",), case_args, throughput=True),
    Page("resident-list", "居民名册", STATION, ("residents:resident-list",)),
    Page(
        "intake-get",
        "登记诉求（打开表单）",
        STATION,
        ("residents:intake", "residents:request-create", "residents:request-intake", "residents:request-new"),
    ),
    Page(
        "intake-post",
        "登记诉求（提交）",
        STATION,
        ("residents:intake", "residents:request-create", "residents:request-intake", "residents:request-new"),
        method="POST",
    ),
    # District centre
    Page(
        "district-dashboard",
        "区级看板",
        DISTRICT,
        ("sws:district-dashboard", "dashboards:district", "dashboards:district-dashboard"),
        throughput=True,
    ),
    Page(
        "district-stations",
        "区内社工站对比表",
        DISTRICT,
        ("sws:district-stations", "dashboards:district-stations", "dashboards:station-table"),
    ),
    Page(
        "district-export-xlsx",
        "区内社工站对比表导出（XLSX）",
        DISTRICT,
        ("sws:district-stations-export", "dashboards:district-export", "dashboards:district-stations-export"),
        query="format=xlsx",
    ),
    Page(
        "district-requests-csv",
        "区内诉求导出（CSV）",
        DISTRICT,
        ("sws:requests-export", "dashboards:requests-export", "residents:request-export"),
        query="format=csv",
    ),
    Page(
        "district-monthly-report",
        "区月报",
        DISTRICT,
        ("sws:district-monthly-report", "dashboards:district-monthly", "dashboards:district-report"),
    ),
    # Municipal centre
    Page(
        "city-dashboard",
        "市级看板",
        CITY,
        ("sws:city-dashboard", "dashboards:city", "dashboards:city-dashboard", "dashboards:municipal"),
    ),
]


def page(key) -> Page:
    return next(p for p in PAGES if p.key == key)
