"""聚类建议: open requests about one place or problem, suggested as clusters (`projects.clusters`), and the
one step that turns a cluster into a project; completing a project (结项) resolves its requests."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from projects import clusters, services
from projects.forms_volunteers import ClusterProjectForm, CompleteProjectForm
from projects.models import Project
from projects.views.common import login_required, station_staff_required
from stations import access
from stations.locking import StaleVersionError

# The suggestions are for the station that acts on them and the district that guides it.
cluster_readers_required = access.role_required(access.is_station_user, access.is_district_user)


@require_safe
@login_required
@cluster_readers_required
def cluster_list(request):
    days = clusters.period_days(request.GET.get("days"))
    found = clusters.suggest_clusters(request.user, days=days)
    return render(
        request,
        "projects/cluster_list.html",
        {
            "clusters": found,
            "days": days,
            "themes": Project.Theme.choices,
            "may_create": access.is_station_user(request.user),
            "threshold": int(clusters.THRESHOLD * 100),
            "min_shared": clusters.MIN_SHARED,
        },
    )


@require_POST
@login_required
@station_staff_required
def cluster_project(request):
    form = ClusterProjectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请勾选诉求并填写项目名称和主题。")
        return redirect("projects:cluster-list")
    try:
        project = clusters.project_from_cluster(
            acting_user=request.user,
            request_ids=form.cleaned_data["requests"],
            title=form.cleaned_data["title"],
            theme=form.cleaned_data["theme"],
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("projects:cluster-list")
    messages.success(request, f"已由 {project.requests.count()} 件诉求生成服务项目。")
    return redirect(project)


@require_POST
@login_required
def project_complete(request, pk):
    project = access.get_editable_or_404(Project, request.user, pk=pk)
    form = CompleteProjectForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(project)
    try:
        outcome = services.complete_project(
            acting_user=request.user,
            project=project,
            note=form.cleaned_data["note"],
            version=form.cleaned_data["version"],
        )
    except StaleVersionError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(project)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(project)
    text = "项目已结项。"
    if outcome.resolved:
        text += f"{len(outcome.resolved)} 件诉求已标记为已解决，等待回访。"
    messages.success(request, text)
    for req, reason in outcome.skipped:
        messages.warning(request, f"{req.reference}：{reason}，未处理。")
    return redirect(project)
