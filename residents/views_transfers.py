"""Transfers between stations (转移) and the district centre's dispatch (派单).

The inbox lists a station's incoming proposals and both directions' history (the sender keeps seeing a
transfer after the request left it); a district centre sees its district's, and the requests waiting
for its dispatch. Names are masked here: the receiver decides on the need, and reads the record only
once it is theirs.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from residents import services
from residents.forms_transfers import DecideTransferForm, DispatchForm, ProposeTransferForm
from residents.models import Request, Resident, Transfer
from residents.services import resident_transfers
from residents.views import restricted_response
from stations import access
from stations.models import Community
from stations.web import errors_into

PAGE_SIZE = 30


def inbox_context(request, transfers) -> dict:
    """A transfer inbox's lists (requests' and cases' alike): a station's incoming proposals, oldest first,
    and the history page (both directions; a district or the city sees everything in its scope)."""
    user = request.user
    incoming = []
    if access.is_station_user(user):
        incoming = list(transfers.pending().filter(to_station=user.station_id).order_by("proposed_at", "pk"))
        transfers = transfers.filter(~Q(status=Transfer.Status.PENDING) | Q(from_station=user.station_id))
    page = Paginator(transfers.order_by("-proposed_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return {"incoming": incoming, "page": page, "station_id": user.station_id}


@require_safe
@login_required
@access.role_required(access.is_station_user, access.is_district_user, access.sees_whole_city)
def transfer_inbox(request):
    user = request.user
    context = inbox_context(request, Transfer.objects.visible_to(user).with_inbox_columns())
    context["awaiting"] = []
    if access.is_district_user(user) or access.sees_whole_city(user):
        context["awaiting"] = list(services.awaiting_dispatch(user)[:PAGE_SIZE])
    return render(request, "residents/transfers/inbox.html", context)


@login_required
@access.role_required(access.is_station_user)
def transfer_propose(request, pk):
    req = access.get_editable_or_404(
        Request.objects.select_related("station", "category"), request.user, pk=pk
    )
    targets = services.transfer_targets(req.station)
    form = ProposeTransferForm(request.POST or None, targets=targets, initial={"version": req.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_transfer(acting_user=request.user, request=req, **form.cleaned_data)
        except services.WorkflowError as error:
            errors_into(form, error)
        else:
            messages.success(
                request, f"已提出转移，待{form.cleaned_data['to_station']}接收。接收前诉求仍由本站办理。"
            )
            return redirect(req)
    return render(request, "residents/transfers/propose.html", {"req": req, "form": form})


@login_required
@access.role_required(access.is_station_user)
def resident_transfer_propose(request, pk):
    """A resident moved house: the record goes, with their open requests and visit plan."""
    resident = access.get_editable_or_404(
        Resident.objects.select_related("community__street__station"), request.user, pk=pk
    )
    if not access.may_open(request.user, resident):
        return restricted_response(request, resident)
    station = resident.community.street.station
    targets = services.transfer_targets(station)
    form = ProposeTransferForm(request.POST or None, targets=targets, initial={"version": resident.version})
    if request.method == "POST" and form.is_valid():
        try:
            resident_transfers.propose_resident_transfer(
                acting_user=request.user, resident=resident, **form.cleaned_data
            )
        except services.WorkflowError as error:
            errors_into(form, error)
        else:
            messages.success(
                request, f"已提出转移，待{form.cleaned_data['to_station']}接收。接收前居民档案仍由本站管理。"
            )
            return redirect(resident)
    moving = resident_transfers.open_requests_of(resident, station.pk).select_related("category")
    return render(
        request,
        "residents/transfers/propose_resident.html",
        {"resident": resident, "form": form, "moving": list(moving.order_by("pk")[:PAGE_SIZE])},
    )


@login_required
@access.role_required(access.is_station_user)
def transfer_decide(request, pk):
    transfer = access.get_visible_or_404(Transfer.objects.with_inbox_columns(), request.user, pk=pk)
    if not access.may_decide_transfer(request.user, transfer):
        raise PermissionDenied
    communities = services.communities_of(transfer.to_station)
    form = DecideTransferForm(request.POST or None, communities=communities)
    if request.method == "POST" and transfer.is_pending and form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                services.accept_transfer(
                    acting_user=request.user,
                    transfer=transfer,
                    community=data["community"],
                    note=data["note"],
                )
            else:
                services.decline_transfer(acting_user=request.user, transfer=transfer, note=data["note"])
        except services.WorkflowError as error:
            errors_into(form, error)
        else:
            if data["decision"] == "accept":
                if transfer.of_resident:
                    done = f"已接收居民档案 · {transfer.masked_subject}，随同转入的诉求和探访计划请指派。"
                else:
                    done = f"已接收诉求 {transfer.request.reference}，请研判并指派。"
                messages.success(request, done)
                return redirect(transfer.subject)
            messages.success(request, f"已拒绝接收 {transfer.subject_label}。")
            return redirect("residents:transfer-inbox")
    context = {"transfer": transfer, "form": form}
    if transfer.of_resident:  # what comes with the resident: counted, not listed (not ours to read yet)
        context["moving_count"] = resident_transfers.open_requests_of(
            transfer.resident, transfer.from_station_id
        ).count()
        context["has_visit_plan"] = hasattr(transfer.resident, "visit_plan")
    return render(request, "residents/transfers/decide.html", context)


@require_POST
@login_required
@access.role_required(access.is_station_user)
def transfer_cancel(request, pk):
    transfer = access.get_visible_or_404(
        Transfer.objects.select_related("request", "resident__community__street"), request.user, pk=pk
    )
    if transfer.from_station_id != request.user.station_id:
        raise PermissionDenied
    try:
        services.cancel_transfer(acting_user=request.user, transfer=transfer)
    except services.WorkflowError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, "已撤回转移申请。")
    return redirect(transfer.subject)


@login_required
@access.role_required(access.is_district_user, access.is_admin)
def request_dispatch(request, pk):
    req = access.get_visible_or_404(
        Request.objects.select_related("station", "category"), request.user, pk=pk
    )
    if not access.may_dispatch(request.user, req.station):
        raise PermissionDenied
    stations = services.dispatch_targets(req.station)
    communities = (
        Community.objects.filter(street__station__in=stations)
        .select_related("street__station")
        .order_by("street__station__code", "code")
    )
    form = DispatchForm(
        request.POST or None, stations=stations, communities=communities, initial={"version": req.version}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.dispatch_request(acting_user=request.user, request=req, **form.cleaned_data)
        except services.WorkflowError as error:
            errors_into(form, error)
        else:
            messages.success(request, f"已将诉求 {req.reference} 派至{form.cleaned_data['to_station']}。")
            return redirect("residents:transfer-inbox")
    return render(request, "residents/transfers/dispatch.html", {"req": req, "form": form})
