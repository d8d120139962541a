"""Dashboards: station, district centre and municipal centre, with their table exports.

Access: a station's dashboard for whoever may see the station (its own staff, its district centre, the
city; anyone else gets 404); the district dashboard for district centre staff (their own district only,
404 otherwise) and the city; the municipal dashboard for the city. Station staff opening a district or
municipal dashboard get 403.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from projects.models import AnnualPlan
from residents.models import Request
from stations import access
from stations.access import get_visible_or_404, role_required
from stations.models import WORKROOM_COVERAGE_DEFINITION, Assignment, CertificationState, District, Station
from sws import exports
from sws.dashboards import attention, charts, tables
from sws.dashboards import queries as q
from sws.dashboards.figures import (
    care_figures,
    casework_figures,
    hotline_figures,
    station_context,
    supervision_figures,
)
from sws.dashboards.periods import Period, last_complete_month, period_from_request
from sws.db_router import replica_reads
from sws.evaluation import pages as evaluation_pages
from sws.reports import cycle


def queue_url(station=None, **params) -> str:
    """A link into the request queue (residents.filters.RequestFilter parameters).

    `overdue=on` and `assignee=null` (unassigned) are the filter's own values. `station` narrows a district
    or city user's queue to one station once the queue's FilterSet has a station filter; for station
    staff it is their own station anyway.
    """
    base = reverse("residents:request-queue")
    if station is not None:
        params = {"station": station.pk, **params}
    return f"{base}?{urlencode(params)}" if params else base


def _period_query(period: Period, **extra) -> str:
    return urlencode({**period.query(), **extra})


def _sort_headers(table, period: Period) -> list[dict]:
    """Header links that sort the table without JavaScript; a second click reverses the order.

    The first click sorts names A→Z and figures largest first (what people look for: most overdue).
    """
    headers = []
    for column in table.columns:
        current = table.sort.lstrip("-") == column.key
        descending = table.sort.startswith("-")
        if current:
            next_sort = column.key if descending else f"-{column.key}"
        else:
            next_sort = column.key if column.kind == "text" else f"-{column.key}"
        headers.append(
            {
                "column": column,
                "url": "?" + _period_query(period, sort=next_sort),
                "aria_sort": ("descending" if descending else "ascending") if current else "none",
            }
        )
    return headers


@replica_reads
@require_safe
@login_required
def station_dashboard(request, pk):
    today, now = timezone.localdate(), timezone.now()
    station = get_visible_or_404(
        Station.objects.with_compliance(today).select_related("district", "operator"), request.user, pk=pk
    )
    period, form = period_from_request(request, today)
    context = station_context(request.user, station, period, today, now)
    scope = context["scope"]
    matrix = q.open_matrix(scope.requests())
    statuses = [s for s in Request.Status if s in Request.OPEN_STATUSES]
    open_rows = [
        {
            "status": status,
            "url": queue_url(station, status=status.value),
            "cells": [
                {
                    "count": matrix.get((status.value, p), 0),
                    "url": queue_url(station, status=status.value, priority=p),
                }
                for p in (1, 2, 3, 4)
            ],
            "total": sum(matrix.get((status.value, p), 0) for p in (1, 2, 3, 4)),
        }
        for status in statuses
    ]
    priority_totals = [sum(matrix.get((s.value, p), 0) for s in statuses) for p in (1, 2, 3, 4)]
    staff = (
        Assignment.objects.visible_to(request.user)
        .active(today)
        .filter(station=station)
        .select_related("user")
        .prefetch_related("user__certificates")
        .order_by("-is_head", "start_date")
    )
    workers = []
    for assignment in staff:
        certificate = assignment.current_certificate(today)
        deadline = None if certificate else assignment.certification_deadline
        workers.append(
            {
                "assignment": assignment,
                "certificate": certificate,
                "deadline": deadline,
                "deadline_passed": assignment.certification_state(today) == CertificationState.PASSED,
                "deadline_days": (deadline - today).days if deadline else None,
            }
        )
    chart_list = charts.all_charts(scope, period)
    context.update(
        {
            "form": form,
            "open_rows": open_rows,
            "priority_totals": priority_totals,
            "overdue_url": queue_url(station, overdue="on"),
            "unassigned_url": queue_url(station, assignee="null"),
            "open_url": queue_url(station),
            "issues": station.compliance_issues(today),
            "workers": workers,
            "charts": [(chart, charts.rows_of(chart)) for chart in chart_list],
            "period_query": _period_query(period),
            "district_url": _district_url_for(request.user, station),
            "received_change": context["figures"]["received"] - context["figures"]["received_previous"],
            "comparison_label": period.comparison_label(today),
            "report_url": _report_url("reports:station", station.pk, period, today),
            "care": care_figures(request.user, period, station=station, today=today),
            "casework": casework_figures(request.user, period, station=station, today=today),
            "hotline": hotline_figures(request.user, period, station=station),
            "visits_url": reverse("residents:visit-due") + "?who=station"
            if access.is_station_user(request.user)
            else "",
            "report_status": cycle.dashboard_status(request.user, station=station, today=today),
        }
    )
    return render(request, "sws/station_dashboard.html", context)


def _report_url(name, pk, period: Period, today=None) -> str:
    """The monthly report of the period's last month, or of the last complete month while that one is still
    running (or yet to come): a report is about a whole month."""
    month = Period.month(period.last_day)
    if month.last_day >= (today or timezone.localdate()):
        month = last_complete_month(today)
    args = [month.first_day.year, month.first_day.month]
    return reverse(name, args=[pk, *args] if pk is not None else args)


def _district_url_for(user, station) -> str:
    if access.is_district_user(user) or access.sees_whole_city(user):
        return reverse("dashboards:district", args=[station.district_id])
    return ""


@replica_reads
@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_dashboard(request, pk):
    district = get_visible_or_404(District, request.user, pk=pk)
    period, form = period_from_request(request)
    scope = q.Scope(request.user, district=district)
    table = tables.station_table(request.user, district, period, scope=scope).sorted_by(
        request.GET.get("sort", "")
    )
    chart_list = charts.all_charts(scope, period)
    context = {
        "district": district,
        "period": period,
        "form": form,
        "table": table,
        "headers": _sort_headers(table, period),
        "attention": attention.by_severity(table.rows),
        "charts": [(chart, charts.rows_of(chart)) for chart in chart_list],
        "period_query": _period_query(period),
        "overdue_url": queue_url(overdue="on"),
        "city_url": reverse("dashboards:city") if access.sees_whole_city(request.user) else "",
        "report_url": _report_url("reports:district", district.pk, period),
        "pending_plans": _pending_plans(request.user, district),
        "care": care_figures(request.user, period, district=district),
        "casework": casework_figures(request.user, period, district=district),
        "care_rows_caption": "各社工站",
        "supervision": supervision_figures(request.user, period, district=district),
        # The session list is the district centre's own (the city reads the figures only).
        "sessions_url": reverse("casework:session-list") if access.is_district_user(request.user) else "",
        "hotline": hotline_figures(request.user, period, district=district),
        "report_status": cycle.dashboard_status(request.user, district=district),
        "rectifications": evaluation_pages.overdue_rectifications(request.user, district),
    }
    return render(request, "sws/district_dashboard.html", context)


def _pending_plans(user, district) -> dict:
    """The district's plans waiting for approval: how many, how long the oldest has waited, the list."""
    summary = AnnualPlan.objects.visible_to(user).filter(station__district=district).pending_summary()
    oldest = summary["oldest"]
    summary["waited_days"] = (timezone.now() - oldest).days if oldest else None
    summary["url"] = reverse("projects:plan-pending")
    return summary


@replica_reads
@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_dashboard(request):
    today = timezone.localdate()
    period, form = period_from_request(request, today)
    scope = q.Scope(request.user)
    table = tables.district_table(request.user, period, today, scope=scope).sorted_by(
        request.GET.get("sort", "")
    )
    chart_list = charts.all_charts(scope, period)
    totals = table.totals.figures
    context = {
        "period": period,
        "form": form,
        "table": table,
        "headers": _sort_headers(table, period),
        "totals": totals,
        "attention": attention.by_severity(table.rows),
        "charts": [(chart, charts.rows_of(chart)) for chart in chart_list],
        "period_query": _period_query(period),
        "workroom_definition": WORKROOM_COVERAGE_DEFINITION,
        "report_url": _report_url("reports:city", None, period, today),
        "care": care_figures(request.user, period, today=today),
        "casework": casework_figures(request.user, period, today=today),
        "care_rows_caption": "各区",
        "hotline": hotline_figures(request.user, period),
        "report_status": cycle.dashboard_status(request.user, today=today),
    }
    return render(request, "sws/city_dashboard.html", context)


# --- exports of the dashboard tables ---------------------------------------------------------------------
def _refused_period(request, form, dashboard_url):
    """An export whose period the form refuses goes back to the dashboard with the errors: never this
    month's figures (the form's fallback) in a file named for the period asked for."""
    if not form.is_bound or form.is_valid():
        return None
    errors = "；".join(error for errors in form.errors.values() for error in errors)
    messages.error(request, f"统计期间有误，未导出：{errors}")
    return redirect(f"{dashboard_url}?{request.GET.urlencode()}")


def _table_export(table, fmt, filename, title, preamble):
    if fmt == "csv":
        return exports.csv_response(
            f"{filename}.csv", [c.label for c in table.columns], exports.table_csv_rows(table)
        )
    return exports.xlsx_response(f"{filename}.xlsx", [exports.table_sheet(title, table, preamble)])


@replica_reads
@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_export(request, pk, fmt):
    district = get_visible_or_404(District, request.user, pk=pk)
    period, form = period_from_request(request)
    if refused := _refused_period(request, form, reverse("dashboards:district", args=[district.pk])):
        return refused
    table = tables.station_table(request.user, district, period).sorted_by(request.GET.get("sort", ""))
    title = f"{district.name}社工站对比 {period.label}"
    return _table_export(table, fmt, f"{district.name}社工站对比-{period.slug}", "社工站对比", [title])


@replica_reads
@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_export(request, fmt):
    period, form = period_from_request(request)
    if refused := _refused_period(request, form, reverse("dashboards:city")):
        return refused
    table = tables.district_table(request.user, period).sorted_by(request.GET.get("sort", ""))
    title = f"天津市各区社工站工作对比 {period.label}"
    return _table_export(table, fmt, f"各区对比-{period.slug}", "各区对比", [title])


@replica_reads
@require_safe
@login_required
def station_export(request, pk, fmt):
    today = timezone.localdate()
    station = get_visible_or_404(Station.objects.all(), request.user, pk=pk)
    period, form = period_from_request(request, today)
    if refused := _refused_period(request, form, reverse("dashboards:station", args=[station.pk])):
        return refused
    context = station_context(request.user, station, period, today)
    headers = ["指标", "数值"]
    filename = f"{station.name}-{period.slug}"
    if fmt == "csv":
        rows = [[f["label"], f["column"].plain(f["value"])] for f in context["key_figures"]]
        return exports.csv_response(f"{filename}.csv", headers, rows)
    sheet = exports.Sheet(
        title="主要指标",
        headers=headers,
        rows=[[f["label"], f["column"].raw(f["value"])] for f in context["key_figures"]],
        widths=[28, 16],
        preamble=[f"{station.name} {period.label}"],
        # Each figure has its own kind (count, yuan, share), so the format goes by row here.
        row_formats=[f["column"].number_format for f in context["key_figures"]],
    )
    return exports.xlsx_response(f"{filename}.xlsx", [sheet])
