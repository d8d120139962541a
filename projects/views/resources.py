"""Resources mobilised (链接慈善资源) and the partners they come from."""

from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from projects.filters import ResourceFilter, StationOnlyFilter
from projects.forms import PartnerForm, ResourceForm
from projects.models import ZERO, Partner, Resource
from projects.views.common import (
    login_required,
    paginate,
    save_form,
    show_station,
    station_staff_required,
)
from stations import access
from stations.access import get_editable_or_404, get_visible_or_404


@require_safe
@login_required
def resource_list(request):
    user = request.user
    queryset = Resource.objects.visible_to(user).with_list_columns().select_related("station")
    filterset = ResourceFilter(request.GET, queryset=queryset, user=user)
    by_kind = dict(
        filterset.qs.order_by().values_list("kind").annotate(total=Sum("amount")).values_list("kind", "total")
    )
    return render(
        request,
        "projects/resource_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "total": sum(by_kind.values(), ZERO),
            "money_total": by_kind.get(Resource.Kind.MONEY, ZERO),
            "in_kind_total": by_kind.get(Resource.Kind.IN_KIND, ZERO),
            "show_station": show_station(user),
        },
    )


@login_required
def resource_detail(request, pk):
    resource = get_visible_or_404(
        Resource.objects.select_related("station", "partner", "project", "created_by"), request.user, pk=pk
    )
    return render(
        request,
        "projects/resource_detail.html",
        {"resource": resource, "can_edit": access.may_change(request.user, resource)},
    )


@login_required
@station_staff_required
def resource_create(request):
    station = request.user.station
    initial = {}
    if partner_id := request.GET.get("partner"):
        initial["partner"] = partner_id
    form = ResourceForm(request.POST or None, station=station, initial=initial, user=request.user)
    if request.method == "POST" and save_form(
        request, form, success_message="资源已登记。", created_by=request.user
    ):
        return redirect(form.instance)
    return render(
        request, "projects/resource_form.html", {"form": form, "has_partners": station.partners.exists()}
    )


@login_required
def resource_edit(request, pk):
    resource = get_editable_or_404(Resource, request.user, pk=pk)
    form = ResourceForm(request.POST or None, instance=resource, station=resource.station, user=request.user)
    if request.method == "POST" and save_form(request, form, success_message="资源已保存。"):
        return redirect(resource)
    return render(
        request, "projects/resource_form.html", {"form": form, "resource": resource, "has_partners": True}
    )


@require_safe
@login_required
def partner_list(request):
    user = request.user
    queryset = (
        Partner.objects.visible_to(user)
        .select_related("station")
        .annotate(resource_count=Count("resources"), resource_total=Sum("resources__amount"))
        .order_by("name", "pk")
    )
    filterset = StationOnlyFilter(request.GET, queryset=queryset, user=user)
    return render(
        request,
        "projects/partner_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "partner_count": filterset.qs.count(),
            "show_station": show_station(user),
        },
    )


@login_required
def partner_detail(request, pk):
    partner = get_visible_or_404(Partner.objects.select_related("station"), request.user, pk=pk)
    resources = partner.resources.select_related("project").order_by("-date", "-pk")
    return render(
        request,
        "projects/partner_detail.html",
        {
            "partner": partner,
            "resources": resources[:50],
            "resource_count": resources.count(),
            "resource_total": partner.resources.all().total(),
            "can_edit": access.may_change(request.user, partner),
        },
    )


@login_required
@station_staff_required
def partner_create(request):
    form = PartnerForm(request.POST or None, station=request.user.station)
    if request.method == "POST" and save_form(request, form, success_message="链接单位已登记。"):
        return redirect(form.instance)
    return render(request, "projects/partner_form.html", {"form": form})


@login_required
def partner_edit(request, pk):
    partner = get_editable_or_404(Partner, request.user, pk=pk)
    form = PartnerForm(request.POST or None, instance=partner, station=partner.station)
    if request.method == "POST" and save_form(request, form, success_message="链接单位已保存。"):
        return redirect(partner)
    return render(request, "projects/partner_form.html", {"form": form, "partner": partner})
