"""Monthly reports (月报): a printable page and an XLSX per station, per district and for the city, and an
index page that opens on the last complete month.

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
from sws.evaluation.scope import report_station
from sws.reports import builders

FIRST_YEAR = 2020


def _check_month(year: int, month: int) -> None:
    """Only whole or current months that can have data: 404 for month 13 or next year."""
    today = timezone.localdate()
    if not 1 <= month <= 12 or year < FIRST_YEAR or (year, month) > (today.year, today.month):
        raise Http404


@require_safe
@login_required
def station_report(request, pk, year, month):
    _check_month(year, month)
    station, reader = report_station(request.user, pk, year, month)  # an evaluator: her evaluations' months
    report = builders.station_report(reader, station, year, month)
    return render(request, "sws/station_report.html", {"report": report, "station": station})


@require_safe
@login_required
def station_report_xlsx(request, pk, year, month):
    _check_month(year, month)
    station, reader = report_station(request.user, pk, year, month)
    report = builders.station_report(reader, station, year, month)
    return exports.xlsx_response(f"{station.name}-{year}年{month}月月报.xlsx", report.sheets())


@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_report(request, pk, year, month):
    _check_month(year, month)
    district = get_visible_or_404(District, request.user, pk=pk)
    report = builders.district_report(request.user, district, year, month)
    return render(request, "sws/district_report.html", {"report": report, "district": district})


@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_report_xlsx(request, pk, year, month):
    _check_month(year, month)
    district = get_visible_or_404(District, request.user, pk=pk)
    report = builders.district_report(request.user, district, year, month)
    return exports.xlsx_response(f"{district.name}-{year}年{month}月月报.xlsx", report.sheets())


@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_report(request, year, month):
    _check_month(year, month)
    report = builders.city_report(request.user, year, month)
    return render(
        request,
        "sws/city_report.html",
        {"report": report, "workroom_definition": WORKROOM_COVERAGE_DEFINITION},
    )


@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_report_xlsx(request, year, month):
    _check_month(year, month)
    report = builders.city_report(request.user, year, month)
    return exports.xlsx_response(f"天津市-{year}年{month}月月报.xlsx", report.sheets())


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
