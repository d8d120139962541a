"""The 五社联动 report: what the five forces contributed in a station, a district or the city over a period
(partners.contributions computes it): a page with a chart of the forces, and an XLSX.

Scope as for the monthly reports: a station's report for whoever may see the station (404 otherwise); a
district's for its centre and the city (403 for station staff, 404 for another district's centre); the
city's for the municipal centre. The figures carry no personal data (partners' names and sums); the
export is recorded in the personal-data access log all the same, as every export is.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_safe

from partners.contributions import Period, Scope, report
from stations import access
from stations.access import get_visible_or_404, role_required
from stations.audit import record_access
from stations.models import District, Station
from sws import exports
from sws.dashboards.periods import EARLIEST, LATEST
from sws.db_router import replica_reads

MAX_DAYS = 366 * 3


def _period(request):
    """?from=&to= (ISO dates); by default this month up to today. A bad or reversed range: the default,
    with a message on the page."""
    today = timezone.localdate()
    default = Period(today.replace(day=1), today)
    if not request.GET.get("from") and not request.GET.get("to"):
        return default, ""
    try:
        first = parse_date(request.GET.get("from", "")) or default.first
        last = parse_date(request.GET.get("to", "")) or default.last
    except ValueError:
        return default, "日期格式不正确，已显示本月。"
    if not (EARLIEST <= first <= LATEST and EARLIEST <= last <= LATEST):  # the dashboards' bounds
        return default, "日期超出可查询范围（2000年至2099年），已显示本月。"
    if first > last or (last - first).days > MAX_DAYS:
        return default, "起止日期有误（开始不能晚于结束，且不超过三年），已显示本月。"
    return Period(first, last), ""


def _render(request, scope, kind):
    period, error = _period(request)
    data = report(scope, period)
    top = max([row["count"] for row in data["forces"]] + [1])
    for row in data["forces"]:
        row["bar"] = round(100 * row["count"] / top)
    return render(
        request,
        "sws/five_forces_report.html",
        {"report": data, "period_error": error, "kind": kind, "query": request.GET.urlencode()},
    )


def _xlsx(request, scope):
    period, _error = _period(request)
    data = report(scope, period)
    record_access(request, "export", None, reason="五社联动报表")
    title = f"{scope.label}五社联动报表（{period.label}）"
    forces = exports.Sheet(
        title="五社力量",
        headers=["力量", "参与办结诉求（件）", "占比（%）"],
        rows=[[row["label"], row["count"], row["share"]] for row in data["forces"]]
        + [["办结诉求合计", data["resolved"], ""]],
        widths=[20, 18, 10],
        preamble=[title],
    )
    m = data["mobilised"]
    mobilised = exports.Sheet(
        title="资源动员",
        headers=["项目", "数值"],
        rows=[
            ["资金（元）", m["money"]],
            ["物资价值（元）", m["goods"]],
            ["志愿服务时长（小时）", m["hours"]],
            ["专业服务（次）", m["services"]],
            ["使用合作伙伴资源的个案（个）", m["cases"]],
        ],
        widths=[24, 16],
        preamble=[title],
    )
    partners = exports.Sheet(
        title="合作伙伴",
        headers=[
            "合作伙伴",
            "力量",
            "转介（件）",
            "办结",
            "未接收",
            "资金（元）",
            "物资（元）",
            "时长（小时）",
            "服务（次）",
        ],
        rows=[
            [
                row["partner"].name,
                row["force"],
                row["referred"],
                row["done"],
                row["declined"],
                row["money"],
                row["goods"],
                row["hours"],
                row["services"],
            ]
            for row in data["partners"]
        ],
        widths=[28, 12, 10, 8, 8, 14, 14, 12, 10],
        formats=[None, None, None, None, None, "#,##0.00", "#,##0.00", "0.0", None],
        preamble=[title],
    )
    months = exports.Sheet(
        title="按月",
        headers=["月份", "办结诉求（件）", "资金与物资（元）", "志愿服务时长（小时）"],
        rows=[
            [f"{row['month']:%Y-%m}", row["resolved"], row["money"], row["hours"]] for row in data["months"]
        ],
        widths=[12, 16, 18, 20],
        formats=[None, None, "#,##0.00", "0.0"],
        preamble=[title],
    )
    return exports.xlsx_response(
        f"{scope.label}-五社联动-{period.first}-{period.last}.xlsx", [forces, mobilised, partners, months]
    )


@require_safe
@login_required
def index(request):
    """The user's own report: her station's, her district's, or the city's."""
    user = request.user
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    if access.is_station_user(user):
        return redirect(f"{_url('station', user.station_id)}{query}")
    if access.is_district_user(user):
        return redirect(f"{_url('district', user.district_id)}{query}")
    if access.sees_whole_city(user):
        return redirect(f"{reverse('five_forces:city')}{query}")
    raise PermissionDenied


def _url(kind, pk):
    return reverse(f"five_forces:{kind}", args=[pk])


def _station(request, pk):
    return Scope(station=get_visible_or_404(Station.objects.select_related("district"), request.user, pk=pk))


def _district(request, pk):
    return Scope(district=get_visible_or_404(District, request.user, pk=pk))


@replica_reads
@require_safe
@login_required
def station_report(request, pk):
    return _render(request, _station(request, pk), "station")


@replica_reads
@require_safe
@login_required
def station_xlsx(request, pk):
    return _xlsx(request, _station(request, pk))


@replica_reads
@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_report(request, pk):
    return _render(request, _district(request, pk), "district")


@replica_reads
@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_xlsx(request, pk):
    return _xlsx(request, _district(request, pk))


@replica_reads
@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_report(request):
    return _render(request, Scope(), "city")


@replica_reads
@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_xlsx(request):
    return _xlsx(request, Scope())
