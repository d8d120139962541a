"""The partner registry as the stations see it: the partners they may refer to."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from partners import services
from partners.models import Partner
from stations import access

PAGE_SIZE = 30  # a district's registry runs to hundreds (every 福彩 outlet of its stations): a page at a time


@require_safe
@login_required
def partner_list(request):
    kind = request.GET.get("kind", "")
    name = request.GET.get("q", "").strip()[:50]
    partners = Partner.objects.visible_to(request.user).select_related("station", "district")
    if kind in Partner.Kind.values:
        partners = partners.filter(kind=kind)
    if name:
        partners = partners.filter(name__icontains=name)
    partners = partners.order_by("-active", "kind", "name", "pk")
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/partner_list.html",
        {
            "page": page,
            "kinds": Partner.Kind.choices,
            "kind": kind,
            "q": name,
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
