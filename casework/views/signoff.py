"""The district supervisor's sign-off (督导签批) and return of a closure the station head approved, from the
review queue or the case page: the closure steps' own services (`sign_off_closure`, `return_closure`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from casework import services
from casework.forms_supervision import ReturnForm, SignOffForm
from casework.models import Closure
from stations import access


def _closure(request, pk) -> Closure:
    queryset = Closure.objects.select_related("case__station", "case__client")
    closure = access.get_visible_or_404(queryset, request.user, pk=pk)  # outside the case's readers: 404
    if not services.may_sign_off(request.user, closure.case):  # its workers and head read it: 403
        raise PermissionDenied
    return closure


def _back(request, closure) -> HttpResponseRedirect:
    # Back where the supervisor acted: the queue (a fixed choice, never a URL from the form) or the case.
    if request.POST.get("back") == "queue":
        return HttpResponseRedirect(reverse("casework:review-queue"))
    return HttpResponseRedirect(closure.case.get_absolute_url() + "#supervision-title")


@require_POST
@login_required
def closure_sign_off(request, pk):
    closure = _closure(request, pk)
    form = SignOffForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "签批内容不完整：" + "；".join(e for errs in form.errors.values() for e in errs)
        )
    data = form.cleaned_data
    try:
        services.sign_off_closure(
            acting_user=request.user,
            closure=closure,
            version=data["version"],
            comment=data["comment"],
            follow_up_due_on=data["follow_up_due_on"],
        )
    except services.CaseworkError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已签批 {closure.case.reference} 的结案，个案已结案。")
    return _back(request, closure)


@require_POST
@login_required
def closure_return(request, pk):
    closure = _closure(request, pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        if "version" in form.errors:
            return HttpResponseBadRequest("请求不完整，请刷新页面后重试。")
        messages.error(request, "退回时请填写退回意见。")
        return _back(request, closure)
    if closure.status != Closure.Status.PENDING_DISTRICT:  # the head's step is not the supervisor's
        messages.error(request, "该结案不在待区督导签批状态，不能由督导退回。")
        return _back(request, closure)
    try:
        services.return_closure(
            acting_user=request.user,
            closure=closure,
            comment=form.cleaned_data["comment"],
            version=form.cleaned_data["version"],
        )
    except services.CaseworkError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已退回 {closure.case.reference} 的结案申请。")
    return _back(request, closure)
