"""Service activities: the list with totals, quick entry on a phone, and a month's bulk entry."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from projects import services, volunteering
from projects.filters import ActivityFilter
from projects.forms import ActivityForm
from projects.forms_bulk import BULK_ROWS, BulkActivityFormSet, MonthForm
from projects.forms_volunteers import hours_formset
from projects.models import Activity
from projects.views.common import (
    login_required,
    paginate,
    save_form,
    show_station,
    station_staff_required,
)
from stations import access
from stations.access import get_editable_or_404, get_visible_or_404

MAX_BULK_ROWS = 60


@require_safe
@login_required
def activity_list(request):
    user = request.user
    queryset = Activity.objects.visible_to(user).with_list_columns().select_related("station")
    filterset = ActivityFilter(request.GET, queryset=queryset, user=user)
    return render(
        request,
        "projects/activity_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "totals": filterset.qs.order_by().totals(),
            "show_station": show_station(user),
        },
    )


@login_required
def activity_detail(request, pk):
    activity = get_visible_or_404(
        Activity.objects.select_related("station", "project", "created_by").prefetch_related("communities"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "projects/activity_detail.html",
        {
            "activity": activity,
            "can_edit": access.may_change(request.user, activity),
            "service_hours": activity.service_hours.select_related("volunteer").order_by("pk"),
        },
    )


def _save_with_hours(request, form, hours, *, success_message, **instance_fields) -> bool:
    """The activity and its volunteers' hours together: both valid and saved, or neither. A post without
    the hours rows (the month's bulk entry, an older form) leaves the recorded hours as they are."""
    if not (form.is_valid() and (not hours.is_bound or hours.is_valid())):
        if form.is_valid() and not hours.is_valid():
            form.add_error(None, "志愿服务时长有误，请按提示修改。")
        return False
    try:
        with transaction.atomic():
            if not save_form(request, form, success_message=None, **instance_fields):
                return False  # a stale version: nothing was written
            if hours.is_bound:
                volunteering.record_hours(
                    acting_user=request.user, rows=hours.rows(), activity=form.instance, station=form.station
                )
    except ValidationError as exc:
        form.add_error(None, exc.messages)
        return False
    messages.success(request, success_message)
    return True


def _hours_data(request):
    return request.POST if "hours-TOTAL_FORMS" in request.POST else None


@login_required
@station_staff_required
def activity_create(request):
    station = request.user.station
    initial = {"date": timezone.localdate(), "sessions": 1}
    if project_id := request.GET.get("project"):
        initial["project"] = project_id  # only a choice of the station's projects is accepted
    form = ActivityForm(request.POST or None, station=station, initial=initial, user=request.user)
    hours = hours_formset(_hours_data(request), station=station)
    if request.method == "POST" and _save_with_hours(
        request, form, hours, success_message="活动已记录。", created_by=request.user
    ):
        if "add_another" in request.POST:
            return redirect("projects:activity-create")
        return redirect(form.instance)
    return render(request, "projects/activity_form.html", {"form": form, "hours": hours})


@login_required
def activity_edit(request, pk):
    activity = get_editable_or_404(Activity, request.user, pk=pk)
    form = ActivityForm(request.POST or None, instance=activity, station=activity.station, user=request.user)
    existing = activity.service_hours.select_related("volunteer").order_by("pk")
    hours = hours_formset(_hours_data(request), station=activity.station, existing=existing)
    if request.method == "POST" and _save_with_hours(request, form, hours, success_message="活动已保存。"):
        return redirect(activity)
    return render(
        request, "projects/activity_form.html", {"form": form, "hours": hours, "activity": activity}
    )


def _month_from(value) -> datetime.date:
    form = MonthForm({"month": value})
    if value and form.is_valid():
        return form.cleaned_data["month"].replace(day=1)
    return timezone.localdate().replace(day=1)


@login_required
@station_staff_required
def activity_bulk(request):
    """A month of activities in one form: every filled row valid and saved, or nothing saved."""
    station = request.user.station
    month = _month_from(request.POST.get("month") or request.GET.get("month"))
    try:
        rows = min(max(int(request.GET.get("rows", BULK_ROWS)), 1), MAX_BULK_ROWS)
    except ValueError:
        rows = BULK_ROWS
    initial = [{"date": month, "sessions": 1} for _ in range(rows)]
    formset = BulkActivityFormSet(
        request.POST or None, station=station, month=month, initial=initial, prefix="rows", user=request.user
    )
    formset.extra = rows
    if request.method == "POST":
        created = None
        if formset.is_valid():
            try:
                created = services.create_activities(
                    acting_user=request.user, station=station, formset=formset
                )
            except ValidationError as error:  # a row dated in a locked month: nothing saved
                formset._non_form_errors = formset.error_class(error.messages)
        if created is not None:
            messages.success(request, f"已保存 {len(created)} 条活动记录（{month.year}年{month.month}月）。")
            last_day = (month + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
            return redirect(
                f"{reverse('projects:activity-list')}?date_from={month:%Y-%m-%d}&date_to={last_day:%Y-%m-%d}"
            )
        messages.error(request, "有行填写有误，全部未保存。请按提示修改后再提交。")
    return render(
        request,
        "projects/activity_bulk.html",
        {
            "formset": formset,
            "month": month,
            "month_value": f"{month:%Y-%m}",
            "more_rows": min(rows + 10, MAX_BULK_ROWS),
        },
    )
