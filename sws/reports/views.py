"""Monthly reports (月报): a printable page and an XLSX per station, per district and for the city, and an
index page that opens on the last complete month.

A report that is submitted or approved is shown and exported from its snapshot (`cycle.shown`), with its
narrative and approval trail; the page carries the cycle's forms for whoever may take the next step.

Scope as for the dashboards: a station's report for whoever may see the station (404 otherwise; a
third-party evaluator the months of her evaluations: `sws.evaluation.scope`); a
district's report for its district centre and the city (403 for station staff, 404 for other districts);
the city's report for the municipal centre (403 for everyone else).
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from stations import access
from stations.access import get_visible_or_404, role_required
from stations.models import WORKROOM_COVERAGE_DEFINITION, District, Station
from sws import exports
from sws.dashboards.periods import add_months, last_complete_month
from sws.db_router import replica_reads
from sws.evaluation.scope import report_station
from sws.reports import cycle
from sws.reports.forms import ReviewForm, SubmitForm

FIRST_YEAR = 2020


def check_month(year: int, month: int) -> None:
    """Only whole or current months that can have data: 404 for month 13 or next year."""
    today = timezone.localdate()
    if not 1 <= month <= 12 or year < FIRST_YEAR or (year, month) > (today.year, today.month):
        raise Http404


@replica_reads
@require_safe
@login_required
def station_report(request, pk, year, month):
    check_month(year, month)
    station, reader = report_station(request.user, pk, year, month)  # an evaluator: her evaluations' months
    monthly = cycle.report_for(month=datetime.date(year, month, 1), station=station)
    report = cycle.shown(monthly, reader)
    context = {"report": report, "station": station, **_cycle_context(request.user, monthly)}
    return render(request, "sws/station_report.html", context)


@replica_reads
@require_safe
@login_required
def station_report_xlsx(request, pk, year, month):
    check_month(year, month)
    station, reader = report_station(request.user, pk, year, month)
    monthly = cycle.report_for(month=datetime.date(year, month, 1), station=station)
    return _xlsx(f"{station.name}-{year}年{month}月月报.xlsx", monthly, reader)


@replica_reads
@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_report(request, pk, year, month):
    check_month(year, month)
    district = get_visible_or_404(District, request.user, pk=pk)
    monthly = cycle.report_for(month=datetime.date(year, month, 1), district=district)
    report = cycle.shown(monthly, request.user)
    context = {"report": report, "district": district, **_cycle_context(request.user, monthly)}
    return render(request, "sws/district_report.html", context)


@replica_reads
@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_report_xlsx(request, pk, year, month):
    check_month(year, month)
    district = get_visible_or_404(District, request.user, pk=pk)
    monthly = cycle.report_for(month=datetime.date(year, month, 1), district=district)
    return _xlsx(f"{district.name}-{year}年{month}月月报.xlsx", monthly, request.user)


@replica_reads
@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_report(request, year, month):
    check_month(year, month)
    monthly = cycle.report_for(month=datetime.date(year, month, 1))
    report = cycle.shown(monthly, request.user)
    context = {
        "report": report,
        "workroom_definition": WORKROOM_COVERAGE_DEFINITION,
        **_cycle_context(request.user, monthly),
    }
    return render(request, "sws/city_report.html", context)


@replica_reads
@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_report_xlsx(request, year, month):
    check_month(year, month)
    monthly = cycle.report_for(month=datetime.date(year, month, 1))
    return _xlsx(f"天津市-{year}年{month}月月报.xlsx", monthly, request.user)


def _cycle_context(user, monthly) -> dict:
    """The report's place in the cycle: status, trail, and the form of the step `user` may take."""
    Status = monthly.Status
    submittable = monthly.status in monthly.SUBMITTABLE and monthly.may_submit(user) and monthly.month_over()
    if monthly.level == monthly.Level.CITY:
        reviewable = monthly.status != Status.APPROVED and monthly.may_review(user) and monthly.month_over()
    else:
        reviewable = monthly.status == Status.SUBMITTED and monthly.may_review(user)
    initial = {"highlights": monthly.highlights, "problems": monthly.problems, "version": monthly.version}
    return {
        "monthly": monthly,
        "decisions": list(monthly.decisions.all()) if monthly.pk else [],
        "submit_form": SubmitForm(initial=initial) if submittable else None,
        "review_form": ReviewForm(initial={"version": monthly.version}) if reviewable else None,
        "missing_stations": (
            cycle.missing_stations(monthly.district, monthly.month)
            if submittable and monthly.level == monthly.Level.DISTRICT
            else []
        ),
    }


def _xlsx(filename, monthly, user):
    """The report's sheets (from its snapshot once submitted) and, once in the cycle, its trail."""
    sheets = cycle.shown(monthly, user).sheets()
    if monthly.pk:
        sheets.append(_trail_sheet(monthly))
    return exports.xlsx_response(filename, sheets)


def _trail_sheet(monthly) -> exports.Sheet:
    rows = [["状态", monthly.get_status_display(), "", ""]]
    rows += [["工作亮点", monthly.highlights, "", ""], ["存在问题及下月计划", monthly.problems, "", ""], []]
    rows += [["时间", "操作", "操作人", "意见"]]
    rows += [
        [timezone.localtime(d.at).strftime("%Y-%m-%d %H:%M"), d.get_action_display(), d.actor_name, d.comment]
        for d in monthly.decisions.all()
    ]
    return exports.Sheet(
        title="审批记录",
        headers=["项目", "内容", "", ""],
        rows=rows,
        widths=[20, 40, 12, 40],
        preamble=[str(monthly)],
    )


@replica_reads
@require_safe
@login_required
def report_index(request):
    """Pick a month (by default the last complete one); list the reports the user may open for it (their
    station, district, or the city and its districts)."""
    user = request.user
    today = timezone.localdate()
    chosen = _month_param(request.GET.get("month"), today)
    months = [add_months(today.replace(day=1), -offset) for offset in range(13)]
    stations, districts, city = [], [], False
    if access.is_station_user(user):
        stations = list(Station.objects.visible_to(user).order_by("code"))
    elif access.is_district_user(user):
        districts = list(District.objects.visible_to(user).order_by("code"))
        stations = list(Station.objects.visible_to(user).order_by("code"))
    elif access.sees_whole_city(user):
        city = True
        districts = list(District.objects.visible_to(user).order_by("code"))
    return render(
        request,
        "sws/report_index.html",
        {
            "chosen": chosen,
            "months": months,
            "current_month": today.replace(day=1),
            "partial": chosen == today.replace(day=1),
            "stations": stations,
            "districts": districts,
            "city": city,
        },
    )


def _month_param(value, today) -> datetime.date:
    """The month asked for, or the last complete month (a report of this month is not final yet)."""
    default = last_complete_month(today).first_day
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        chosen = datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return default
    if chosen > today or chosen.year < FIRST_YEAR:
        return default
    return chosen
