"""Intake: one fast form for a worker taking a request in person, by phone, on a home visit, from the
community committee or the 12345 hotline. Works without JavaScript; htmx only makes search and the
duplicate warning live."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from residents import services
from residents.forms import IntakeForm
from residents.models import Category, Request, Resident
from residents.views import refuse_id_in_url, search_residents
from stations import access
from stations.audit import record_access


def _pk(value):
    value = (value or "").strip()
    # isdecimal, not isdigit: "²" is a digit that int() refuses (a 500); int() reads every decimal.
    return int(value) if value.isdecimal() and len(value) < 19 else None


def _duplicates(user, resident, category):
    return list(
        Request.objects.editable_by(user)
        .open_duplicates(resident=resident, category=category)
        .select_related("category")[:5]
    )


def _render(request, form, *, q="", selected=None, status=200, exact_id=False):
    user = request.user
    category_pk = _pk(str(form["category"].value() or ""))
    category = Category.objects.filter(pk=category_pk).first() if category_pk and selected else None
    results = search_residents(user, q, exact_id=exact_id, http_request=request) if q else []
    if results:
        record_access(request, "list", residents=results)
    context = {
        "form": form,
        "q": q,
        "results": results,
        "selected": selected,
        "duplicates": _duplicates(user, selected, category) if selected and category else [],
    }
    return render(request, "residents/request_intake.html", context, status=status)


def _selected_resident(user, value):
    pk = _pk(str(value or ""))
    if pk is None:
        return None
    return Resident.objects.editable_by(user).select_related("community").filter(pk=pk).first()


@never_cache
@login_required
@access.role_required(access.is_station_user)
def intake(request):
    user = request.user
    if request.method != "POST":
        refused = refuse_id_in_url(request)
        if refused:
            return refused
        selected = _selected_resident(user, request.GET.get("resident"))
        initial = {"resident": selected.pk, "community": selected.community_id} if selected else {}
        form = IntakeForm(initial=initial, user=user)
        return _render(request, form, q=request.GET.get("q", "").strip()[:50], selected=selected)

    if request.POST.get("do") == "search":
        # Search without JavaScript: show the results, keep what was typed, save nothing.
        form = IntakeForm(initial=request.POST.dict(), user=user)
        # Posted, so a whole ID number may be searched here (exactly, through its keyed hash).
        q = request.POST.get("q", "").strip()[:50]
        selected = _selected_resident(user, request.POST.get("resident"))
        return _render(request, form, q=q, selected=selected, exact_id=True)

    form = IntakeForm(request.POST, user=user, http_request=request)
    if form.is_valid():
        fields = form.request_fields()
        duplicates = _duplicates(user, fields["resident"], fields["category"])
        try:
            req, created = services.take_in_request(
                acting_user=user, station=user.station, new_resident=form.new_resident_fields(), **fields
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                field = {"id_number": "new_id_number"}.get(field, field)
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not access.may_change(user, req):
                raise Http404  # a token copied from someone else's form
            if not created:
                messages.info(request, f"该表单已提交过，未重复登记。受理编号：{req.reference}")
                return redirect(req)
            messages.success(request, f"诉求已登记，受理编号：{req.reference}")
            if duplicates:
                references = "、".join(d.reference for d in duplicates)
                messages.warning(
                    request, f"请注意：该居民已有同类未办结诉求（{references}），请核对是否重复。"
                )
            return redirect(req)
    selected = _selected_resident(user, request.POST.get("resident"))
    q = request.POST.get("q", "").strip()[:50]
    return _render(request, form, q=q, selected=selected, status=400, exact_id=True)


@never_cache
@login_required
@access.role_required(access.is_station_user)
def intake_duplicates(request):
    """htmx: warn (never block) when the chosen resident already has an open request of the category."""
    user = request.user
    resident = _selected_resident(user, request.GET.get("resident"))
    category_pk = _pk(request.GET.get("category"))
    category = Category.objects.filter(pk=category_pk).first() if category_pk else None
    duplicates = _duplicates(user, resident, category) if resident and category else []
    return render(request, "residents/_duplicate_warning.html", {"duplicates": duplicates})
