"""Resources used (资源使用) on a request or an activity: htmx rows added and removed in place; without
htmx the same forms post and come back to the record's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from partners import services
from partners.forms import ResourceUseForm, new_use_form
from partners.models import ResourceUse
from projects.models import Activity
from residents.models import Request
from stations import access
from stations.web import errors_into, is_htmx

OWNERS = {"request": Request, "activity": Activity}


def _panel(request, owner_kind, owner, form=None, status=200):
    uses = list(services.uses_of(owner))
    return render(
        request,
        "partners/_resource_uses.html",
        {
            "resource_uses": uses,
            "can_use": True,
            "owner_kind": owner_kind,
            "owner": owner,
            "use_form": form or new_use_form(request.user),
        },
        status=status,
    )


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def use_add(request, owner_kind, pk):
    owner = access.get_editable_or_404(OWNERS[owner_kind], request.user, pk=pk)
    form = ResourceUseForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.add_resource_use(acting_user=request.user, owner=owner, **form.cleaned_data)
        except ValidationError as error:
            errors_into(form, error)
        else:
            if is_htmx(request):
                return _panel(request, owner_kind, owner)
            messages.success(request, "已记录资源使用。")
            return redirect(owner)
    if is_htmx(request):
        return _panel(request, owner_kind, owner, form=form)  # 200: htmx swaps only successful answers
    return _panel(request, owner_kind, owner, form=form, status=400)


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def use_remove(request, pk):
    use = access.get_editable_or_404(
        ResourceUse.objects.filter(service_record__isnull=True).select_related("request", "activity"),
        request.user,
        pk=pk,
    )
    owner = use.owner
    owner_kind = ResourceUse.owner_field(owner)
    if request.POST.get("confirm") != "yes":  # the form's hidden field: a bare POST removes nothing
        if is_htmx(request):
            return _panel(request, owner_kind, owner)
        return HttpResponseBadRequest("请从页面上的删除按钮操作。")
    services.remove_resource_use(acting_user=request.user, use=use)
    if is_htmx(request):
        return _panel(request, owner_kind, owner)
    messages.success(request, "已删除该条资源使用。")
    return redirect(owner)
