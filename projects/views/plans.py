"""Annual implementation plans (系统化实施方案): targets vs actual, and the approval flow."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from projects import services
from projects.filters import PlanFilter
from projects.forms import AnnualPlanForm, PlanReviewForm
from projects.models import AnnualPlan
from projects.progress import AREAS, plan_progress, progress_for_plans
from projects.views.common import (
    district_staff_required,
    login_required,
    paginate,
    show_station,
    station_staff_required,
)
from stations import access
from stations.access import get_editable_or_404, get_visible_or_404


@require_safe
@login_required
def plan_list(request, pending=False):
    user = request.user
    queryset = AnnualPlan.objects.visible_to(user).with_list_columns()
    data = request.GET.copy()
    if pending:
        data["status"] = AnnualPlan.Status.SUBMITTED
        queryset = queryset.order_by("submitted_at", "pk")  # the longest wait first
    filterset = PlanFilter(data, queryset=queryset, user=user)
    page = paginate(request, filterset.qs)
    progress = progress_for_plans(page.object_list)
    rows = [
        {
            "plan": plan,
            "targets": sum(1 for r in progress[plan.pk] if r.target),
            "reached": sum(1 for r in progress[plan.pk] if r.reached),
        }
        for plan in page.object_list
    ]
    return render(
        request,
        "projects/plan_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "show_station": show_station(user),
            "pending_only": data.get("status") == AnnualPlan.Status.SUBMITTED,
            "may_create": access.is_station_user(user),
        },
    )


def _render_detail(request, plan, review_form=None, status=200):
    user = request.user
    is_owner = access.works_at(user, plan)
    may_review = access.may_review(user, plan) and plan.status == AnnualPlan.Status.SUBMITTED
    if may_review and review_form is None:
        review_form = PlanReviewForm(initial={"version": plan.version})
    return render(
        request,
        "projects/plan_detail.html",
        {
            "plan": plan,
            "progress": plan_progress(plan),
            "areas": [(area, getattr(plan, field)) for area, field in AREAS],
            "events": plan.events.select_related("actor"),
            "may_edit": is_owner and plan.is_editable,
            "may_submit": is_owner and plan.is_editable,
            "may_review": may_review,
            "review_form": review_form,
        },
        status=status,
    )


def _plan_queryset():
    return AnnualPlan.objects.select_related("station", "station__district", "submitted_by", "decided_by")


@login_required
def plan_detail(request, pk):
    plan = get_visible_or_404(_plan_queryset(), request.user, pk=pk)
    return _render_detail(request, plan)


@login_required
@station_staff_required
def plan_create(request):
    station = request.user.station
    form = AnnualPlanForm(request.POST or None, station=station, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        plan = services.create_plan(acting_user=request.user, form=form)
        messages.success(request, f"{plan.year}年度实施方案已创建（草稿）。")
        return redirect(plan)
    return render(request, "projects/plan_form.html", {"form": form})


@login_required
def plan_edit(request, pk):
    plan = get_editable_or_404(_plan_queryset(), request.user, pk=pk)
    if not plan.is_editable:
        messages.error(request, "方案已提交或已批准，不能修改。")
        return redirect(plan)
    form = AnnualPlanForm(request.POST or None, instance=plan, station=plan.station)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_plan(
                acting_user=request.user,
                form=form,
                version=form.cleaned_data.get("version"),
            )
        except services.StaleVersionError as exc:
            form.add_error(None, exc.messages)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, "实施方案已保存。")
            return redirect(plan)
    return render(request, "projects/plan_form.html", {"form": form, "plan": plan})


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@login_required
@station_staff_required
@require_POST
def plan_submit(request, pk):
    plan = get_editable_or_404(_plan_queryset(), request.user, pk=pk)
    try:
        services.submit_plan(acting_user=request.user, plan=plan, version=_version(request))
    except services.StaleVersionError as exc:
        messages.error(request, exc.messages[0])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "实施方案已提交区级指导中心审批。")
    return redirect(plan)


@login_required
@district_staff_required
@require_POST
def plan_review(request, pk, decision):
    """Approve or return a submitted plan (district centre of the station's own district only)."""
    plan = get_visible_or_404(_plan_queryset(), request.user, pk=pk)
    form = PlanReviewForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, plan, review_form=form, status=400)
    service = services.approve_plan if decision == "approve" else services.return_plan
    try:
        service(
            acting_user=request.user,
            plan=plan,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data.get("version"),
        )
    except services.StaleVersionError as exc:
        messages.error(request, exc.messages[0])
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field_name, errors in exc.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
            return _render_detail(request, plan, review_form=form, status=400)
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "方案已批准。" if decision == "approve" else "方案已退回站点修改。")
    return redirect(plan)
