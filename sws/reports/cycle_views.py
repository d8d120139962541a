"""The monthly report cycle's pages: the steps posted from a report's page (报送、审核、退回), the
submission overviews (月报报送: a district's stations × months, the city's districts × months) and the
late-entry requests (补录).

Scope as for the reports: a unit out of the user's scope is a 404; a step the user's role may not take
is a 403 (asked of the report, `MonthlyReport.may_submit` / `may_review`).
"""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from stations import access
from stations.access import get_visible_or_404, role_required
from stations.models import District, LateEntryPermit, Station
from sws.dashboards.periods import add_months
from sws.models import MonthlyReport
from sws.reports import cycle
from sws.reports.forms import LateEntryDecisionForm, LateEntryRequestForm, ReviewForm, SubmitForm
from sws.reports.views import check_month

MONTHS_SHOWN = 6


def _errors(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _act(request, monthly: MonthlyReport):
    """Take the posted step (submit, or review: approve / return) and go back to the report's page.
    Someone who may take no step of this report is refused before the form is read (403)."""
    if not (monthly.may_submit(request.user) or monthly.may_review(request.user)):
        raise PermissionDenied
    action = request.POST.get("action")
    try:
        if action == "draft":
            monthly = cycle.keep_draft(acting_user=request.user, report=monthly)
            return redirect(f"{monthly.get_absolute_url()}#attachments")
        if action == "submit":
            form = SubmitForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            cycle.submit_report(
                acting_user=request.user,
                report=monthly,
                highlights=form.cleaned_data["highlights"],
                problems=form.cleaned_data["problems"],
                version=form.cleaned_data["version"],
            )
            messages.success(request, f"{monthly}已报送。")
        elif action == "review":
            form = ReviewForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            data = form.cleaned_data
            if data["decision"] == "approve":
                cycle.approve_report(
                    acting_user=request.user, report=monthly, comment=data["comment"], version=data["version"]
                )
                messages.success(request, f"{monthly}已审核通过，该月数据已锁定。")
            else:
                cycle.return_report(
                    acting_user=request.user, report=monthly, comment=data["comment"], version=data["version"]
                )
                messages.success(request, f"{monthly}已退回。")
        else:
            raise ValidationError("未知的操作。")
    except ValidationError as error:
        _errors(request, error)
    return redirect(monthly.get_absolute_url())


@require_POST
@login_required
def station_cycle(request, pk, year, month):
    check_month(year, month)
    station = get_visible_or_404(Station.objects.select_related("district"), request.user, pk=pk)
    return _act(request, cycle.report_for(month=datetime.date(year, month, 1), station=station))


@require_POST
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_cycle(request, pk, year, month):
    check_month(year, month)
    district = get_visible_or_404(District, request.user, pk=pk)
    return _act(request, cycle.report_for(month=datetime.date(year, month, 1), district=district))


@require_POST
@login_required
@role_required(access.sees_whole_city)
def city_cycle(request, year, month):
    check_month(year, month)
    return _act(request, cycle.report_for(month=datetime.date(year, month, 1)))


# --- 月报报送: who has submitted what ------------------------------------------------------------------


def _months(today) -> list[datetime.date]:
    """The last complete months, newest first."""
    first = today.replace(day=1)
    return [add_months(first, -offset) for offset in range(1, MONTHS_SHOWN + 1)]


def _cell(report, month, level, today):
    """One month of one unit: its status, or 未报送 (late once past the deadline)."""
    if report is None:
        report = MonthlyReport(level=level, month=month)
    return {
        "month": month,
        "status": report.status,
        "label": report.get_status_display() if report.pk else "未报送",
        "late": report.is_late(today),
    }


@require_safe
@login_required
@role_required(access.is_district_user, access.sees_whole_city)
def district_submissions(request, pk):
    """A district's stations × the last months: each report's status, late ones marked."""
    user, today = request.user, timezone.localdate()
    district = get_visible_or_404(District, user, pk=pk)
    months = _months(today)
    stations = list(Station.objects.visible_to(user).filter(district=district).order_by("code"))
    found = {
        (r.station_id, r.month): r
        for r in MonthlyReport.objects.visible_to(user)
        .filter(level=MonthlyReport.Level.STATION, district=district, month__in=months)
        .only("pk", "level", "station_id", "district_id", "month", "status")
    }
    own = {
        r.month: r
        for r in MonthlyReport.objects.visible_to(user)
        .filter(level=MonthlyReport.Level.DISTRICT, district=district, month__in=months)
        .only("pk", "level", "district_id", "month", "status")
    }
    rows = [
        {
            "station": s,
            "cells": [
                {
                    **_cell(found.get((s.pk, m)), m, MonthlyReport.Level.STATION, today),
                    "founded": _founded(s, m),
                }
                for m in months
            ],
        }
        for s in stations
    ]
    district_cells = [_cell(own.get(m), m, MonthlyReport.Level.DISTRICT, today) for m in months]
    return render(
        request,
        "sws/report_submissions_district.html",
        {
            "district": district,
            "months": months,
            "rows": rows,
            "district_cells": district_cells,
            "station_due_day": settings.REPORT_STATION_DUE_DAY,
        },
    )


def _founded(station, month) -> bool:
    return station.founded_on is None or station.founded_on < add_months(month, 1)


@require_safe
@login_required
@role_required(access.sees_whole_city)
def city_submissions(request):
    """The districts × the last months: each district report's status and how many of its stations'
    reports are approved."""
    user, today = request.user, timezone.localdate()
    months = _months(today)
    districts = list(District.objects.visible_to(user).order_by("code"))
    reports = {
        (r.district_id, r.month): r
        for r in MonthlyReport.objects.visible_to(user)
        .filter(level=MonthlyReport.Level.DISTRICT, month__in=months)
        .only("pk", "level", "district_id", "month", "status")
    }
    approved = {
        (row["district_id"], row["month"]): row["n"]
        for row in MonthlyReport.objects.visible_to(user)
        .filter(level=MonthlyReport.Level.STATION, status=MonthlyReport.Status.APPROVED, month__in=months)
        .values("district_id", "month")
        .annotate(n=Count("pk"))
        .order_by()
    }
    station_counts = dict(
        Station.objects.visible_to(user)
        .values("district_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("district_id", "n")
    )
    city = {
        r.month: r
        for r in MonthlyReport.objects.visible_to(user).filter(
            level=MonthlyReport.Level.CITY, month__in=months
        )
    }
    rows = [
        {
            "district": d,
            "stations": station_counts.get(d.pk, 0),
            "cells": [
                {
                    **_cell(reports.get((d.pk, m)), m, MonthlyReport.Level.DISTRICT, today),
                    "approved_stations": approved.get((d.pk, m), 0),
                }
                for m in months
            ],
        }
        for d in districts
    ]
    city_cells = [_cell(city.get(m), m, MonthlyReport.Level.CITY, today) for m in months]
    return render(
        request,
        "sws/report_submissions_city.html",
        {
            "months": months,
            "rows": rows,
            "city_cells": city_cells,
            "district_due_day": settings.REPORT_DISTRICT_DUE_DAY,
        },
    )


# --- 补录 --------------------------------------------------------------------------------------------


@login_required
@role_required(access.is_station_user, access.is_district_user, access.sees_whole_city)
def late_entries(request):
    """A station's late-entry requests (its head asks here); a district's to decide; the city reads."""
    user = request.user
    form = None
    if access.is_station_head(user):
        form = LateEntryRequestForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                cycle.request_late_entry(acting_user=user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, "补录申请已提交，待区级指导中心审批。")
                return redirect("reports:late-entries")
    elif request.method == "POST":
        raise PermissionDenied
    permits = list(
        LateEntryPermit.objects.visible_to(user)
        .select_related("station", "requested_by", "decided_by")
        .annotate(entry_count=Count("entries"))
        .order_by("-requested_at")[:100]
    )
    deciding = access.is_district_user(user)
    for permit in permits:
        permit.decision_form = (
            LateEntryDecisionForm(initial={"version": permit.version}, prefix=f"p{permit.pk}")
            if deciding and permit.status == LateEntryPermit.Status.REQUESTED
            else None
        )
    return render(
        request,
        "sws/late_entries.html",
        {"form": form, "permits": permits},
        status=400 if form is not None and form.errors else 200,
    )


@require_POST
@login_required
@role_required(access.is_district_user)
def late_entry_decide(request, pk):
    permit = get_visible_or_404(LateEntryPermit.objects.select_related("station"), request.user, pk=pk)
    form = LateEntryDecisionForm(request.POST, prefix=f"p{permit.pk}")
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        cycle.decide_late_entry(
            acting_user=request.user,
            permit=permit,
            approve=data["decision"] == "approve",
            comment=data["comment"],
            open_until=data["open_until"],
            version=data["version"],
        )
    except ValidationError as error:
        _errors(request, error)
    else:
        messages.success(request, f"已审批{permit.station.name}{permit.month_label}补录申请。")
    return redirect("reports:late-entries")
