"""The partner registry as the stations see it: the partners they may refer to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from partners import services
from partners.models import Partner
from stations import access

LIST_LIMIT = 500  # a city's registry is a few thousand rows: the list shows the first, filtered by kind


@require_safe
@login_required
def partner_list(request):
    kind = request.GET.get("kind", "")
    partners = Partner.objects.visible_to(request.user).select_related("station", "district")
    if kind in Partner.Kind.values:
        partners = partners.filter(kind=kind)
    return render(
        request,
        "partners/partner_list.html",
        {
            "partners": list(partners.order_by("-active", "kind", "name")[:LIST_LIMIT]),
            "kinds": Partner.Kind.choices,
            "kind": kind,
            "limit": LIST_LIMIT,
            "can_sync": access.is_station_user(request.user),
        },
    )


@require_POST
@login_required
@access.role_required(access.is_station_user)
def partner_sync(request):
    """The station's organisations, teams and 链接单位 registered since the last sync join the registry."""
    created = services.sync_partners(station_ids=[request.user.station_id])
    messages.success(request, f"已同步，新增{created}个合作伙伴。" if created else "已是最新，无需新增。")
    return redirect("partners:partner-list")
