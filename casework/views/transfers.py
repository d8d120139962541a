"""A case's transfer between stations: the proposal (lead worker or head), the inbox of both ends and
their districts, the receiving head's answer (naming the lead worker), the withdrawal. The receiver
decides from a masked summary: the case is theirs to read only once accepted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from casework import services
from casework.forms.transfers import DecideCaseTransferForm
from casework.models import CaseTransfer
from casework.views.intake import editable_case
from residents.forms_transfers import ProposeTransferForm
from residents.services.transfers import communities_of, transfer_targets
from residents.views_transfers import inbox_context
from stations import access
from stations.web import errors_into


@never_cache
@login_required
@access.role_required(access.is_station_user)
def case_transfer_propose(request, pk):
    case = editable_case(request, pk)
    if not access.may_propose_case_transfer(request.user, case):
        raise PermissionDenied
    form = ProposeTransferForm(
        request.POST or None, targets=transfer_targets(case.station), initial={"version": case.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_case_transfer(acting_user=request.user, case=case, **form.cleaned_data)
        except services.CaseworkError as error:
            errors_into(form, error)
        else:
            messages.success(
                request, f"已提出转移，待{form.cleaned_data['to_station']}站长接收。接收前个案仍由本站办理。"
            )
            return redirect(case)
    return render(
        request,
        "casework/transfers/propose.html",
        {"case": case, "form": form, "work_left": services.open_work_left(case)},
    )


@require_safe
@login_required
@access.role_required(access.is_station_user, access.is_district_user, access.sees_whole_city)
def case_transfer_inbox(request):
    transfers = CaseTransfer.objects.visible_to(request.user).with_columns()
    return render(request, "casework/transfers/inbox.html", inbox_context(request, transfers))


@never_cache
@login_required
@access.role_required(access.is_station_user)
def case_transfer_decide(request, pk):
    transfer = access.get_visible_or_404(CaseTransfer.objects.with_columns(), request.user, pk=pk)
    if not access.may_decide_case_transfer(request.user, transfer):
        raise PermissionDenied
    form = DecideCaseTransferForm(
        request.POST or None,
        communities=communities_of(transfer.to_station),
        workers=services.receiving_workers(transfer.to_station),
    )
    if request.method == "POST" and transfer.is_pending and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                services.accept_case_transfer(
                    acting_user=request.user,
                    transfer=transfer,
                    lead_worker=data["lead_worker"],
                    community=data["community"],
                    note=data["note"],
                )
            else:
                services.decline_case_transfer(acting_user=request.user, transfer=transfer, note=data["note"])
        except services.CaseworkError as error:
            errors_into(form, error)
        else:
            if data["decision"] == "accept":
                messages.success(request, f"已接收个案 {transfer.case.reference}。")
                return redirect(transfer.case)
            messages.success(request, f"已拒绝接收个案 {transfer.case.reference}。")
            return redirect("casework:case-transfer-inbox")
    return render(request, "casework/transfers/decide.html", {"transfer": transfer, "form": form})


@never_cache
@require_POST
@login_required
@access.role_required(access.is_station_user)
def case_transfer_cancel(request, pk):
    transfer = access.get_visible_or_404(CaseTransfer.objects.with_columns(), request.user, pk=pk)
    if transfer.from_station_id != request.user.station_id:
        raise PermissionDenied
    case = editable_case(request, transfer.case_id)
    try:
        services.cancel_case_transfer(acting_user=request.user, transfer=transfer)
    except services.CaseworkError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已撤回转移申请。")
    return redirect(case)
