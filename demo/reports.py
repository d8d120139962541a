"""The demo's monthly reports (月报) for the report's two districts (北辰区 and 南开区), through the cycle's
own services: the two months before last approved and locked for every station that has a head (and
北辰区's district report of the earliest month approved by the municipal centre); last month submitted by
果园新村, 广开 and every second station, the others still missing (they show as late on the dashboards
after the 5th). A second run adds nothing: a step already taken is passed over.
"""

from django.utils import timezone

from notifications import recipients
from stations.models import District, Station, User
from sws.dashboards.periods import add_months
from sws.models import MonthlyReport
from sws.reports import cycle

STORY_DISTRICTS = ("北辰区", "南开区")
STORY_STATIONS = ("果园新村街道", "广开街道")
HIGHLIGHTS = "开展敬老助餐、政策宣讲等小组活动，走访独居老人，链接爱心企业物资。"
PROBLEMS = "驻站社工持证比例偏低；下月重点推进社区社会组织培育。"


def seed(*, options, rng, out):
    last = cycle.previous_month(timezone.localdate())
    earlier = [add_months(last, -2), add_months(last, -1)]
    city = User.objects.filter(role=User.Role.CITY_STAFF, is_active=True).order_by("pk").first()
    steps = 0
    for district in District.objects.filter(name__in=STORY_DISTRICTS).order_by("code"):
        centre = recipients.district_centre(district.pk).first()
        if centre is None:
            continue
        stations = list(Station.objects.filter(district=district).order_by("code"))
        for month in earlier:
            for station in stations:
                steps += _approved(station, month, centre)
        story = set(Station.objects.filter(streets__name__in=STORY_STATIONS).values_list("pk", flat=True))
        for n, station in enumerate(stations):
            if station.pk in story or n % 2 == 0:
                steps += _submitted(station, last)
        report = cycle.report_for(month=earlier[0], district=district)
        if (
            city is not None
            and report.status == MonthlyReport.Status.DRAFT
            and not cycle.missing_stations(district, earlier[0])
        ):
            report = cycle.submit_report(acting_user=centre, report=report, highlights=HIGHLIGHTS)
            cycle.approve_report(acting_user=city, report=report, version=report.version)
            steps += 2
    out.write(f"月报：{steps} 个报送、审核步骤（前两个月已审核锁定，上月部分已报送）。\n")


def _head(station):
    return recipients.station_heads(station.pk).first()


def _submitted(station, month) -> int:
    head = _head(station)
    report = cycle.report_for(month=month, station=station)
    if head is None or report.status not in MonthlyReport.SUBMITTABLE:
        return 0
    cycle.submit_report(acting_user=head, report=report, highlights=HIGHLIGHTS, problems=PROBLEMS)
    return 1


def _approved(station, month, centre) -> int:
    steps = _submitted(station, month)
    report = cycle.report_for(month=month, station=station)
    if report.status != MonthlyReport.Status.SUBMITTED:
        return steps
    cycle.approve_report(acting_user=centre, report=report, comment="同意。", version=report.version)
    return steps + 1
