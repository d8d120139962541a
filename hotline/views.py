"""The hotline's pages: the work order's panel on the request page with the station's answers, and the
district centre's 未能定位 queue with dispatch by hand and the extension requests to decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hotline import services
from hotline.forms import ANSWER_FORMS, DecideForm, DispatchForm, station_choices
from hotline.models import ExtensionRequest, WorkOrder
from hotline.services.answers import may_decide
from stations import access

ANSWER_ORDER = ("sign", "reply", "extend", "return")


def request_panel(http_request, req):
    """The work order on its request's page: both deadlines, the answers given, and the station's answer
    forms (its own staff only). Two queries for a hotline request, none for any other."""
    if req.channel != req.Channel.HOTLINE:
        return None
    order = WorkOrder.objects.filter(request_id=req.pk).first()
    if order is None:
        return None
    extension = order.extensions.order_by("-requested_at").first()
    user = http_request.user
    forms = []
    if access.works_at(user, order):
        for action in ANSWER_ORDER:
            if order.can(action):
                form = ANSWER_FORMS[action](initial={"version": order.version}, auto_id=f"wo_{action}_%s")
                forms.append(
                    {
                        "name": action,
                        "label": WorkOrder.ACTION_LABELS[action],
                        "form": form,
                        "url": reverse("hotline:answer", args=[order.pk, action]),
                    }
                )
    return {"template": "hotline/_request_panel.html", "order": order, "extension": extension, "forms": forms}


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def answer(request, pk, action):
    """签收 / 退回 / 延期申请 / 办结回复 from the request page, by the order's own station."""
    if action not in ANSWER_FORMS:
        raise Http404
    order = access.get_editable_or_404(WorkOrder, request.user, pk=pk, request__isnull=False)
    back = order.request.get_absolute_url()
    form = ANSWER_FORMS[action](request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
        return redirect(back)
    data = dict(form.cleaned_data)
    version = data.pop("version")
    try:
        match action:
            case "sign":
                services.sign_work_order(acting_user=request.user, order=order, version=version)
            case "return":
                services.return_work_order(acting_user=request.user, order=order, version=version, **data)
            case "extend":
                services.request_extension(acting_user=request.user, order=order, version=version, **data)
            case "reply":
                services.reply_work_order(acting_user=request.user, order=order, version=version, **data)
    except services.OrderError as error:
        messages.error(request, "；".join(error.messages))
        return redirect(back)
    messages.success(request, f"工单{order.ticket_no}：{WorkOrder.ACTION_LABELS[action]}已完成。")
    return redirect(back)


@never_cache
@require_GET
@login_required
@access.role_required(access.is_district_user)
def unplaced(request):
    """未能定位: the district's orders no station was found for, and extension requests to decide."""
    user = request.user
    orders = list(
        WorkOrder.objects.visible_to(user)
        .unplaced()
        .select_related("district")
        .order_by("sign_due_at", "pk")[:200]
    )
    choices = station_choices(user.district_id)
    for order in orders:
        order.dispatch_form = DispatchForm(
            initial={"version": order.version},
            district_id=user.district_id,
            choices=choices,
            auto_id=f"d{order.pk}_%s",
        )
    extensions = list(
        ExtensionRequest.objects.filter(
            work_order__in=WorkOrder.objects.visible_to(user), state=ExtensionRequest.State.PENDING
        )
        .select_related("work_order__station", "work_order__request", "requested_by")
        .order_by("requested_at")[:200]
    )
    for extension in extensions:
        extension.form = DecideForm(auto_id=f"e{extension.pk}_%s")
    return render(request, "hotline/unplaced.html", {"orders": orders, "extensions": extensions})


@never_cache
@require_POST
@login_required
@access.role_required(access.is_district_user)
def dispatch(request, pk):
    order = access.get_visible_or_404(
        WorkOrder.objects.unplaced().select_related("district"), request.user, pk=pk
    )
    form = DispatchForm(request.POST, district_id=request.user.district_id)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
        return redirect("hotline:unplaced")
    try:
        services.dispatch_work_order(
            acting_user=request.user,
            order=order,
            station=form.cleaned_data["station"],
            version=form.cleaned_data["version"],
        )
    except services.OrderError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("hotline:unplaced")
    messages.success(request, f"工单{order.ticket_no}已派往{form.cleaned_data['station']}。")
    return redirect("hotline:unplaced")


@never_cache
@require_POST
@login_required
@access.role_required(access.is_district_user)
def decide(request, pk):
    extension = get_object_or_404(
        ExtensionRequest.objects.filter(
            work_order__in=WorkOrder.objects.visible_to(request.user)
        ).select_related("work_order"),
        pk=pk,
    )
    if not may_decide(request.user, extension):
        raise PermissionDenied
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "；".join(m for errors in form.errors.values() for m in errors))
        return redirect("hotline:unplaced")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.decide_extension(
            acting_user=request.user, extension=extension, approve=approve, note=form.cleaned_data["note"]
        )
    except services.OrderError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("hotline:unplaced")
    messages.success(
        request, f"工单{extension.work_order.ticket_no}的延期申请已{'同意' if approve else '不同意'}。"
    )
    return redirect("hotline:unplaced")
