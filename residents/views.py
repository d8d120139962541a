"""The resident registry: list and search, detail, register, edit, and the recorded reveal of an ID number.

A station sees the residents of the communities of the streets it serves; district and municipal centre
users read (masked); only station staff change records or reveal an ID number.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from residents import services
from residents.filters import ResidentFilter
from residents.forms import ResidentForm, ResidentRevealForm
from residents.models import Resident
from stations import access
from stations.audit import record_access

PAGE_SIZE = 25
SEARCH_RESULTS = 8


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


@never_cache
@login_required
def resident_list(request):
    residents = (
        Resident.objects.visible_to(request.user).with_list_columns().order_by("community", "name", "pk")
    )
    filterset = ResidentFilter(request.GET or None, queryset=residents, user=request.user)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    if page.object_list:
        record_access(request, "list", residents=page.object_list)
    return render(
        request,
        "residents/resident_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_edit": access.is_station_user(request.user),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def _detail_context(request, resident, **extra):
    user = request.user
    can_edit = (
        access.is_station_user(user) and Resident.objects.editable_by(user).filter(pk=resident.pk).exists()
    )
    return {
        "resident": resident,
        "requests": resident.requests.visible_to(user)
        .select_related("category", "category__parent", "assignee")
        .order_by("-received_at")[:50],
        "events": resident.events.select_related("actor").order_by("-at", "-pk")[:20],
        "can_edit": can_edit,
        "reveal_form": ResidentRevealForm() if can_edit and resident.id_number else None,
        **extra,
    }


@never_cache
@login_required
def resident_detail(request, pk):
    resident = access.get_visible_or_404(Resident.objects.with_list_columns(), request.user, pk=pk)
    record_access(request, "view", residents=resident)
    return render(request, "residents/resident_detail.html", _detail_context(request, resident))


@never_cache
@login_required
@access.role_required(access.is_station_user)
def resident_create(request):
    form = ResidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        resident = services.register_resident(
            acting_user=request.user, tags=form.cleaned_data["tags"], **form.resident_fields()
        )
        messages.success(request, f"已登记居民 {resident.name}。")
        return redirect(resident)
    return render(request, "residents/resident_form.html", {"form": form})


@never_cache
@login_required
@access.role_required(access.is_station_user)
def resident_edit(request, pk):
    resident = access.get_editable_or_404(Resident.objects.prefetch_related("tags"), request.user, pk=pk)
    # The form writes into its instance while validating; the service compares against the original.
    form = ResidentForm(request.POST or None, instance=copy.copy(resident), user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_resident(
                acting_user=request.user,
                resident=resident,
                version=form.cleaned_data["version"],
                tags=list(form.cleaned_data["tags"]),
                **form.resident_fields(),
            )
        except services.StaleVersionError as error:
            messages.error(request, error.messages[0])
            return redirect(resident)
        messages.success(request, "居民信息已保存。")
        return redirect(resident)
    return render(request, "residents/resident_form.html", {"form": form, "resident": resident})


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def resident_reveal(request, pk):
    """Show the full ID number once, on this response only (never in a URL, never cached), and record
    who asked and why."""
    resident = access.get_editable_or_404(Resident.objects.with_list_columns(), request.user, pk=pk)
    form = ResidentRevealForm(request.POST)
    revealed = None
    if form.is_valid():
        try:
            revealed = services.reveal_id_number(
                acting_user=request.user, resident=resident, reason=form.cleaned_data["reason"]
            )
            record_access(request, "reveal", residents=resident, reason=form.cleaned_data["reason"])
        except services.WorkflowError as error:
            messages.error(request, error.messages[0])
            return redirect(resident)
    context = _detail_context(request, resident, revealed_id_number=revealed)
    if revealed is None:
        context["reveal_form"] = form
    return render(request, "residents/resident_detail.html", context, status=200 if revealed else 400)


@never_cache
@login_required
@access.role_required(access.is_station_user)
def resident_search(request):
    """Find a resident while taking a request in: the htmx search box of the intake form."""
    term = request.GET.get("q", "").strip()[:50]
    if not is_htmx(request):
        return redirect("residents:intake")
    results = search_residents(request.user, term)
    if results:
        record_access(request, "list", residents=results)
    return render(
        request,
        "residents/_resident_choices.html",
        {"results": results, "q": term, "selected": None},
    )


def search_residents(user, term):
    if not term:
        return []
    return list(
        Resident.objects.editable_by(user)
        .search(term)
        .select_related("community")
        .prefetch_related("tags")
        .order_by("name", "pk")[:SEARCH_RESULTS]
    )
