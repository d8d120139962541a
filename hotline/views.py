"""The hotline's pages: the work order's panel on the request page with the station's answers, and the
district centre's 未能定位 queue with dispatch by hand and the extension requests to decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hotline import services
from hotline.forms import ANSWER_FORMS, DecideForm, DispatchForm, station_choices
from hotline.models import DeadlineRule, ExtensionRequest, WorkOrder
from hotline.services.answers import may_decide
from stations import access

ANSWER_ORDER = ("sign", "reply", "extend", "return")
# An answer refused (a missing reason, a date not after the limit): what was typed is kept in the session
# for the request page it redirects back to, and shown again in its form with the errors by the fields.
KEPT = "hotline_answer_kept"


def _keep(request, order, action, form, errors):
    data = {name: request.POST.get(name, "") for name in form.fields}
    if "version" in errors:
        # Changed by someone else: the page shown next is the current one, so is the form's version.
        data["version"] = str(order.version)
        errors = {key: value for key, value in errors.items() if key != "version"}
    request.session[KEPT] = {"order": order.pk, "action": action, "data": data, "errors": errors}


def _kept_form(http_request, order):
    """The refused answer's form for `order`, bound to what was typed, with its errors (once)."""
    kept = http_request.session.get(KEPT)
    if not kept or kept.get("order") != order.pk or kept.get("action") not in ANSWER_FORMS:
        return None, None
    del http_request.session[KEPT]
    action = kept["action"]
    form = ANSWER_FORMS[action](kept["data"], auto_id=f"wo_{action}_%s")
    form.is_valid()
    for field, messages_ in kept["errors"].items():
        for message in messages_:
            if message not in form.errors.get(field if field in form.fields else "__all__", []):
                form.add_error(field if field in form.fields else None, message)
    return action, form


def request_panel(http_request, req):
    """The work order on its request's page: both deadlines, the answers given, and the station's answer
    forms (its own staff only). Two queries for a hotline request, none for any other."""
    if req.channel != req.Channel.HOTLINE:
        return None
    rule = DeadlineRule.objects.filter(deadline_class=OuterRef("deadline_class")).values("name")[:1]
    order = WorkOrder.objects.filter(request_id=req.pk).annotate(rule_name=Subquery(rule)).first()
    if order is None:
        return None
    extension = order.extensions.order_by("-requested_at").first()
    user = http_request.user
    forms = []
    if access.works_at(user, order):
        kept_action, kept_form = _kept_form(http_request, order)
        for action in ANSWER_ORDER:
            if order.can(action):
                form = kept_form if action == kept_action else None
                forms.append(
                    {
                        "name": action,
                        "label": WorkOrder.ACTION_LABELS[action],
                        "form": form
                        or ANSWER_FORMS[action](
                            initial={"version": order.version}, auto_id=f"wo_{action}_%s"
                        ),
                        "url": reverse("hotline:answer", args=[order.pk, action]),
                        "open": form is not None,
                    }
                )
        if forms and not any(f["open"] for f in forms):
            forms[0]["open"] = True
    return {
        "template": "hotline/_request_panel.html",
        "order": order,
        "rule_name": order.rule_name,
        "extension": extension,
        "forms": forms,
    }


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
    label = WorkOrder.ACTION_LABELS[action]
    if not form.is_valid():
        _keep(request, order, action, form, _messages(form.errors))
        messages.error(request, f"{label}未完成，请按提示修改。")
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
        _keep(request, order, action, form, error.message_dict)
        messages.error(request, f"{label}未完成：" + "；".join(error.messages))
        return redirect(back)
    messages.success(request, f"工单{order.ticket_no}：{label}已完成。")
    return redirect(back)


def _messages(errors) -> dict:
    return {field: [str(message) for message in messages_] for field, messages_ in errors.items()}


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
