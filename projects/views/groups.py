"""Volunteer teams (志愿服务队) and community social organisations (社区社会组织) a station cultivates.

The two are the same shape, so one set of views serves both; `KINDS` says which model and form.
"""

from dataclasses import dataclass

from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from projects.filters import StationOnlyFilter
from projects.forms import OrganisationForm, VolunteerTeamForm
from projects.models import CommunityOrganisation, GroupStatus, TeamMembership, VolunteerTeam, hours_in_team
from projects.views.common import (
    login_required,
    paginate,
    save_form,
    show_station,
    station_staff_required,
)
from stations import access
from stations.access import get_editable_or_404, get_visible_or_404

MEMBER_ROWS = 100


@dataclass(frozen=True)
class Kind:
    model: type
    form: type
    label: str
    url_prefix: str  # "team" or "organisation"


KINDS = {
    "team": Kind(VolunteerTeam, VolunteerTeamForm, "志愿服务队", "team"),
    "organisation": Kind(CommunityOrganisation, OrganisationForm, "社区社会组织", "organisation"),
}


def _summary(queryset):
    if queryset.model is VolunteerTeam:
        # A team's people are its current members (registered volunteers), counted once per person.
        row = queryset.order_by().aggregate(n=Count("pk"))
        row["people"] = (
            TeamMembership.objects.current()
            .filter(team__in=queryset.order_by().values("pk"))
            .values("volunteer")
            .distinct()
            .count()
        )
    else:
        row = queryset.order_by().aggregate(n=Count("pk"), people=Sum("members"))
    by_status = dict(
        queryset.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return {
        "count": row["n"],
        "members": row["people"] or 0,
        "by_status": [(label, by_status.get(value, 0)) for value, label in GroupStatus.choices],
    }


@require_safe
@login_required
def group_list(request):
    """Both kinds on one page; each list paginated separately (`tpage`, `opage`)."""
    user = request.user
    teams = StationOnlyFilter(
        request.GET,
        queryset=VolunteerTeam.objects.visible_to(user)
        .order_by("name", "pk")
        .select_related("station")
        .prefetch_related("communities"),
        user=user,
    )
    organisations = StationOnlyFilter(
        request.GET,
        queryset=CommunityOrganisation.objects.visible_to(user)
        .select_related("station")
        .prefetch_related("communities"),
        user=user,
    )
    # The member count joins the memberships: on the page's rows only, not under the summary's counts.
    team_page = paginate(request, teams.qs.with_member_count(), param="tpage")
    organisation_page = paginate(request, organisations.qs, param="opage")
    return render(
        request,
        "projects/group_list.html",
        {
            "filter": teams,
            "team_page": team_page,
            "organisation_page": organisation_page,
            "team_summary": _summary(teams.qs),
            "organisation_summary": _summary(organisations.qs),
            "show_station": show_station(user),
        },
    )


@login_required
def group_detail(request, kind, pk):
    config = KINDS[kind]
    queryset = config.model.objects.select_related("station").prefetch_related("communities")
    extra = {}
    if config.model is VolunteerTeam:
        queryset = queryset.with_member_count()
    group = get_visible_or_404(queryset, request.user, pk=pk)
    if config.model is VolunteerTeam:
        today = timezone.localdate()
        members = list(
            group.memberships.current(today)
            .select_related("volunteer")
            .order_by("volunteer__name")[: MEMBER_ROWS + 1]
        )
        extra = {
            "team_members": members[:MEMBER_ROWS],
            "member_more": len(members) > MEMBER_ROWS,
            "team_hours_this_year": hours_in_team(group)
            .between(today.replace(month=1, day=1), today)
            .total(),
        }
    return render(
        request,
        "projects/group_detail.html",
        {"group": group, "kind": config, "can_edit": access.may_change(request.user, group), **extra},
    )


@login_required
@station_staff_required
def group_create(request, kind):
    config = KINDS[kind]
    form = config.form(request.POST or None, station=request.user.station, user=request.user)
    if request.method == "POST" and save_form(request, form, success_message=f"{config.label}已登记。"):
        return redirect(form.instance)
    return render(request, "projects/group_form.html", {"form": form, "kind": config})


@login_required
def group_edit(request, kind, pk):
    config = KINDS[kind]
    group = get_editable_or_404(config.model, request.user, pk=pk)
    form = config.form(request.POST or None, instance=group, station=group.station, user=request.user)
    if request.method == "POST" and save_form(request, form, success_message=f"{config.label}已保存。"):
        return redirect(group)
    return render(request, "projects/group_form.html", {"form": form, "kind": config, "group": group})
