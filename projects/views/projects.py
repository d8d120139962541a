"""Service projects: list with filters, the project page, create and edit, resolving its requests."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from projects import services
from projects.filters import ProjectFilter
from projects.forms import ProjectForm
from projects.models import Project
from projects.views.common import (
    login_required,
    paginate,
    save_form,
    show_station,
    station_staff_required,
)
from residents.models import Request
from stations import access
from stations.access import get_editable_or_404, get_visible_or_404

DETAIL_ROWS = 20


@require_safe
@login_required
def project_list(request):
    user = request.user
    queryset = Project.objects.visible_to(user).with_list_columns()
    filterset = ProjectFilter(request.GET, queryset=queryset, user=user)
    page = paginate(request, filterset.qs)
    return render(
        request,
        "projects/project_list.html",
        {"filter": filterset, "page": page, "show_station": show_station(user)},
    )


@login_required
def project_detail(request, pk):
    project = get_visible_or_404(
        Project.objects.select_related("station", "lead").prefetch_related("target_groups", "communities"),
        request.user,
        pk=pk,
    )
    activities = project.activities.prefetch_related("communities").order_by("-date", "-pk")
    resources = project.resources.select_related("partner").order_by("-date", "-pk")
    requests = project.requests.with_queue_columns().order_by("-received_at")
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "activities": activities[:DETAIL_ROWS],
            "activity_totals": project.activities.all().totals(),
            "resources": resources[:DETAIL_ROWS],
            "resource_total": project.resources.all().total(),
            "resource_count": project.resources.count(),
            "requests": requests[:DETAIL_ROWS],
            "request_count": project.requests.count(),
            "open_request_count": project.requests.filter(status__in=Request.OPEN_STATUSES).count(),
            "can_edit": access.may_change(request.user, project),
        },
    )


@login_required
@station_staff_required
def project_create(request):
    station = request.user.station
    form = ProjectForm(request.POST or None, station=station, initial={"lead": request.user})
    if request.method == "POST" and save_form(
        request, form, success_message="服务项目已创建。", created_by=request.user
    ):
        return redirect(form.instance)
    return render(request, "projects/project_form.html", {"form": form})


@login_required
def project_edit(request, pk):
    project = get_editable_or_404(Project, request.user, pk=pk)
    form = ProjectForm(request.POST or None, instance=project, station=project.station)
    if request.method == "POST" and save_form(request, form, success_message="服务项目已保存。"):
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_resolve_requests(request, pk):
    project = get_editable_or_404(Project, request.user, pk=pk)
    try:
        outcome = services.resolve_project_requests(
            acting_user=request.user, project=project, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(project)
    if outcome.resolved:
        messages.success(request, f"已将 {len(outcome.resolved)} 件诉求标记为已解决，等待回访。")
    for req, reason in outcome.skipped:
        messages.warning(request, f"{req.reference}：{reason}，未处理。")
    if not outcome.resolved and not outcome.skipped:
        messages.info(request, "没有需要解决的在办诉求。")
    return redirect(project)
