"""Community funds (社区基金): the list with balances, the ledger, and recording inflows and outflows."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case, DecimalField, F, Sum, When, Window
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from projects import services
from projects.filters import FundFilter
from projects.forms import FundEntryForm, FundForm
from projects.models import MONEY, CommunityFund, FundEntry
from projects.views.common import (
    login_required,
    paginate,
    save_form,
    show_station,
    station_staff_required,
)
from stations import access
from stations.access import get_editable_or_404, get_visible_or_404

LEDGER_PAGE = 30


@require_safe
@login_required
def fund_list(request):
    user = request.user
    queryset = (
        CommunityFund.objects.visible_to(user).with_balance().select_related("station").order_by("name", "pk")
    )
    filterset = FundFilter(request.GET, queryset=queryset, user=user)
    return render(
        request,
        "projects/fund_list.html",
        {"filter": filterset, "page": paginate(request, filterset.qs), "show_station": show_station(user)},
    )


def _ledger(fund):
    """Entries newest first, each with the balance after it (a window sum over the whole ledger)."""
    signed = Case(
        When(direction=FundEntry.Direction.INFLOW, then=F("amount")),
        default=-F("amount"),
        output_field=DecimalField(**MONEY),
    )
    return (
        fund.entries.select_related("partner", "project", "recorded_by")
        .annotate(balance_after=Window(Sum(signed), order_by=[F("date").asc(), F("pk").asc()]))
        .order_by("-date", "-pk")
    )


def _render_detail(request, fund, entry_form, status=200):
    by_channel = dict(
        fund.entries.filter(direction=FundEntry.Direction.INFLOW)
        .order_by()
        .values_list("channel")
        .annotate(total=Sum("amount"))
        .values_list("channel", "total")
    )
    by_purpose = dict(
        fund.entries.filter(direction=FundEntry.Direction.OUTFLOW)
        .order_by()
        .values_list("purpose")
        .annotate(total=Sum("amount"))
        .values_list("purpose", "total")
    )
    return render(
        request,
        "projects/fund_detail.html",
        {
            "fund": fund,
            "page": paginate(request, _ledger(fund), per_page=LEDGER_PAGE),
            "channels": [
                (label, by_channel[value])
                for value, label in FundEntry.Channel.choices
                if value in by_channel
            ],
            "purposes": [
                (label, by_purpose[value])
                for value, label in FundEntry.Purpose.choices
                if value in by_purpose
            ],
            "entry_form": entry_form,
            "can_edit": access.may_change(request.user, fund),
        },
        status=status,
    )


def _fund_queryset():
    return CommunityFund.objects.with_balance().select_related("station").prefetch_related("communities")


@login_required
def fund_detail(request, pk):
    fund = get_visible_or_404(_fund_queryset(), request.user, pk=pk)
    entry_form = (
        FundEntryForm(fund=fund, initial={"date": timezone.localdate()})
        if access.may_change(request.user, fund)
        else None
    )
    return _render_detail(request, fund, entry_form)


@login_required
@require_POST
def fund_entry_create(request, pk):
    fund = get_editable_or_404(_fund_queryset(), request.user, pk=pk)
    form = FundEntryForm(request.POST, fund=fund)
    if form.is_valid():
        try:
            entry = services.record_fund_entry(acting_user=request.user, fund=fund, **form.cleaned_data)
        except ValidationError as exc:
            for field_name, errors in exc.message_dict.items():
                form.add_error(field_name if field_name in form.fields else None, errors)
        else:
            messages.success(request, f"已记账：{entry.get_direction_display()} ¥{entry.amount:,.2f}。")
            return redirect(fund)
    return _render_detail(request, fund, form, status=400)


@require_safe
@login_required
def fund_entry_detail(request, pk, entry_pk):
    """One ledger line and its receipts (attachments)."""
    entry = get_visible_or_404(
        FundEntry.objects.select_related("fund__station", "partner", "project", "recorded_by"),
        request.user,
        pk=entry_pk,
        fund_id=pk,
    )
    return render(request, "projects/fund_entry_detail.html", {"entry": entry, "fund": entry.fund})


@login_required
@station_staff_required
def fund_create(request):
    form = FundForm(
        request.POST or None, station=request.user.station, initial={"established_on": timezone.localdate()}
    )
    if request.method == "POST" and save_form(request, form, success_message="社区基金已设立。"):
        return redirect(form.instance)
    return render(request, "projects/fund_form.html", {"form": form})


@login_required
def fund_edit(request, pk):
    fund = get_editable_or_404(CommunityFund, request.user, pk=pk)
    form = FundForm(request.POST or None, instance=fund, station=fund.station)
    if request.method == "POST" and save_form(request, form, success_message="社区基金已保存。"):
        return redirect(fund)
    return render(request, "projects/fund_form.html", {"form": form, "fund": fund})
