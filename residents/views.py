"""The resident registry: list and search, detail, register, edit, and the recorded reveal of an ID number.

A station sees the residents of the communities of the streets it serves; district and municipal centre
users read (masked); only station staff change records or reveal an ID number. Minors' and sensitive
records need the extra permission (residents.permissions) to open: without it they are listed with the
name masked and their pages answer 403.

No ID number travels in a URL: searches are GET and take a name, a phone or ID tail or a whole phone
number; a whole ID number there is refused (and dropped from the address). The exact lookup by ID number
is a POST form (`resident_lookup`).
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from residents import permissions, services
from residents.filters import ResidentFilter
from residents.forms import ResidentForm, ResidentLookupForm, ResidentRevealForm
from residents.models import Resident, Transfer
from residents.validators import ID_IN_URL_REFUSED, contains_id_number
from stations import access
from stations.audit import record_access
from stations.web import is_htmx

PAGE_SIZE = 25
SEARCH_RESULTS = 8


def _without(request, *names):
    """The current path and query string without `names` (and without the page number)."""
    query = request.GET.copy()
    for name in (*names, "page"):
        query.pop(name, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def refuse_id_in_url(request, name="q"):
    """A redirect to the same page without the term when a GET parameter holds a whole ID number, so it
    leaves the address bar (and goes no further: no search, no access record); else None."""
    if request.method == "GET" and contains_id_number(request.GET.get(name, "")):
        messages.error(request, ID_IN_URL_REFUSED)
        return redirect(_without(request, name))
    return None


def restricted_response(request, resident):
    """403 for a minor's or sensitive record the user may not open, with the reason."""
    return render(
        request,
        "residents/resident_restricted.html",
        {"resident": resident, "message": permissions.SENSITIVE_REFUSAL},
        status=403,
    )


@never_cache
@require_safe
@login_required
def resident_list(request):
    refused = refuse_id_in_url(request)
    if refused:
        return refused
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
            "lookup_form": ResidentLookupForm(),
        },
    )


@never_cache
@require_POST
@login_required
def resident_lookup(request):
    """Exact lookup by a whole ID number, posted (never in a URL), through the keyed hash, within the
    user's scope. Found: the resident's page (which records the view). Not found: the same answer
    whether the number is unknown or registered outside the user's scope."""
    form = ResidentLookupForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(form.errors["id_number"]))
        return redirect("residents:resident-list")
    try:
        matched = services.record_id_check(
            acting_user=request.user,
            id_number=form.cleaned_data["id_number"],
            http_request=request,
            purpose="按完整身份证号查找",
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("residents:resident-list")
    resident = Resident.objects.visible_to(request.user).filter(pk__in=matched).first()
    if resident is None:
        messages.info(request, "在您可查看的范围内没有登记该身份证号的居民。")
        return redirect("residents:resident-list")
    return redirect(resident)


def _detail_context(request, resident, **extra):
    user = request.user
    can_edit = access.works_at(user, resident)
    return {
        "resident": resident,
        "requests": resident.requests.visible_to(user)
        .select_related("category", "category__parent", "assignee")
        .order_by("-received_at")[:50],
        "events": resident.events.select_related("actor").order_by("-at", "-pk")[:20],
        "can_edit": can_edit,
        "pending_transfer": (
            Transfer.objects.pending().filter(resident=resident).select_related("to_station").first()
            if can_edit
            else None
        ),
        "reveal_form": ResidentRevealForm() if can_edit and resident.id_number else None,
        **extra,
    }


@never_cache
@login_required
def resident_detail(request, pk):
    resident = access.get_visible_or_404(Resident.objects.with_list_columns(), request.user, pk=pk)
    if not access.may_open(request.user, resident):
        return restricted_response(request, resident)
    record_access(request, "view", residents=resident)
    return render(request, "residents/resident_detail.html", _detail_context(request, resident))


@never_cache
@login_required
@access.role_required(access.is_station_user)
def resident_create(request):
    form = ResidentForm(request.POST or None, user=request.user, http_request=request)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.register_resident(
                acting_user=request.user, tags=form.cleaned_data["tags"], **form.resident_fields()
            )
        except ValidationError as error:  # the same ID number registered a moment ago by someone else
            form.add_error_from(error)
        else:
            messages.success(request, f"已登记居民 {resident.name}。")
            return redirect(resident)
    return render(request, "residents/resident_form.html", {"form": form})


@never_cache
@login_required
@access.role_required(access.is_station_user)
def resident_edit(request, pk):
    resident = access.get_editable_or_404(Resident.objects.prefetch_related("tags"), request.user, pk=pk)
    if not access.may_open(request.user, resident):
        return restricted_response(request, resident)
    # The form writes into its instance while validating; the service compares against the original.
    form = ResidentForm(
        request.POST or None, instance=copy.copy(resident), user=request.user, http_request=request
    )
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
        except ValidationError as error:
            form.add_error_from(error)
        else:
            messages.success(request, "居民信息已保存。")
            return redirect(resident)
    if request.method == "GET" and resident.phone:
        # The form holds the whole phone number: the same rule and record as the reveal on the page.
        record_access(request, "reveal", residents=resident, reason=services.PHONE_REVEAL_REASON)
    return render(request, "residents/resident_form.html", {"form": form, "resident": resident})


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def resident_reveal(request, pk):
    """Show the full ID number once, on this response only (never in a URL, never cached), and record
    who asked and why."""
    resident = access.get_editable_or_404(Resident.objects.with_list_columns(), request.user, pk=pk)
    if not access.may_open(request.user, resident):
        return restricted_response(request, resident)
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
@require_POST
@login_required
@access.role_required(access.is_station_user)
def resident_phone(request, pk):
    """The whole phone number with a call link (tel:), on this response only; recorded as an access.
    Staff of the resident's station only (others: 404), minors and sensitive records as for the ID."""
    resident = access.get_editable_or_404(Resident.objects.with_list_columns(), request.user, pk=pk)
    if not access.may_open(request.user, resident):
        return restricted_response(request, resident)
    try:
        phone = services.reveal_phone(acting_user=request.user, resident=resident)
    except services.WorkflowError as error:
        messages.error(request, error.messages[0])
        return redirect(resident)
    record_access(request, "reveal", residents=resident, reason=services.PHONE_REVEAL_REASON)
    return render(
        request, "residents/resident_detail.html", _detail_context(request, resident, revealed_phone=phone)
    )


@never_cache
@require_safe
@login_required
@access.role_required(access.is_station_user)
def resident_search(request):
    """Find a resident while taking a request in: the htmx search box of the intake form (GET: a whole
    ID number is refused here; the form's own 搜索 button posts, and finds one exactly)."""
    term = request.GET.get("q", "").strip()[:50]
    if not is_htmx(request):
        return redirect("residents:intake")
    if contains_id_number(term):
        return render(
            request,
            "residents/_resident_choices.html",
            {"results": [], "q": "", "selected": None, "search_error": ID_IN_URL_REFUSED_INTAKE},
        )
    results = search_residents(request.user, term)
    if results:
        record_access(request, "list", residents=results)
    return render(
        request,
        "residents/_resident_choices.html",
        {"results": results, "q": term, "selected": None},
    )


ID_IN_URL_REFUSED_INTAKE = (
    "完整身份证号请点“搜索”按钮查找（不随网址发送）；边输入边查找只接受姓名、电话或身份证后4位。"
)


def search_residents(user, term, *, exact_id=False, http_request=None):
    """Residents the station user may file a request for. `exact_id` (POSTed searches only) also finds
    a whole ID number, through its keyed hash."""
    if not term:
        return []
    residents = Resident.objects.editable_by(user)
    if exact_id and contains_id_number(term):
        try:
            matched = services.record_id_check(
                acting_user=user, id_number=term, http_request=http_request, purpose="登记诉求时查找居民"
            )
        except ValidationError:
            return []
        residents = residents.filter(pk__in=matched)
    else:
        residents = residents.search(term)
    return list(
        residents.select_related("community").prefetch_related("tags").order_by("name", "pk")[:SEARCH_RESULTS]
    )


@never_cache
@require_safe
@login_required
@access.role_required(access.is_district_user, access.sees_whole_city)
def held_id_numbers(request):
    """待核实的重复身份证号: residents a station registered with an ID number already registered to a
    resident outside that station's scope (the worker was not told, so the registry cannot be probed).
    The district centre reconciles the two records (a merge, or a transfer between stations)."""
    held = Paginator(services.held_duplicates(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    if held.object_list:
        record_access(request, "list", residents=held.object_list)
    return render(request, "residents/held_id_numbers.html", {"page": held})
