"""The care pages: 本周待探访 (per worker and station), logging a visit (one tap on a phone, or the whole
record), and a resident's care page (tier, support statuses, household, visit history).

Scope as everywhere: plans and residents through `visible_to` / `get_editable_or_404`; writing is for
the resident's station staff; minors' and sensitive records need the extra permission to open.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from residents import care
from residents.forms_care import HouseholdForm, SupportStatusForm, TierForm, VisitForm
from residents.models import HouseholdMembership, Resident, RiskTierRule, VisitPlan
from residents.panels import visit_rows
from residents.views import restricted_response
from stations import access
from stations.audit import record_access
from stations.web import errors_into, is_htmx

PAGE_SIZE = 50


def week_end(today: datetime.date) -> datetime.date:
    """The Sunday of `today`'s week: 本周 runs Monday to Sunday."""
    return today + datetime.timedelta(days=6 - today.weekday())


def due_this_week(user, today, *, mine=False):
    """The plans due by Sunday in the user's scope: overdue first, then a walking route by community and
    address (building); the resident's tags ride along for masking."""
    plans = VisitPlan.objects.visible_to(user).due_by(week_end(today))
    if mine:
        plans = plans.filter(worker=user)
    return (
        plans.annotate(late=Case(When(next_due_on__lt=today, then=Value(0)), default=Value(1)))
        .select_related("resident__community", "worker")
        .prefetch_related("resident__tags")
        .order_by("late", "resident__community__name", "resident__address", "next_due_on", "pk")
    )


@never_cache
@require_safe
@login_required
def visit_due(request):
    user = request.user
    today = timezone.localdate()
    station_user = access.is_station_user(user)
    mine = station_user and request.GET.get("who") == "mine"
    plans = due_this_week(user, today, mine=mine)
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    overdue = VisitPlan.objects.visible_to(user).overdue(today)
    if mine:
        overdue = overdue.filter(worker=user)
    return render(
        request,
        "residents/visit_due.html",
        {
            "page": page,
            "today": today,
            "week_end": week_end(today),
            "mine": mine,
            "station_user": station_user,
            "overdue_count": overdue.count(),
            "can_log": station_user,
        },
    )


def _plan_for(user, pk):
    """The resident (editable by the user) and their active plan; 404 either way when missing."""
    resident = access.get_editable_or_404(Resident.objects.prefetch_related("tags"), user, pk=pk)
    plan = (
        VisitPlan.objects.filter(resident=resident, active=True).select_related("resident__community").first()
    )
    return resident, plan


@never_cache
@login_required
@access.role_required(access.is_station_user)
def visit_log(request, pk):
    """GET: the whole visit form. POST: log it (the list's one-tap buttons post here too, by htmx)."""
    resident, plan = _plan_for(request.user, pk)
    if not access.may_open(request.user, resident):
        return restricted_response(request, resident)
    if plan is None:
        messages.error(request, "该居民不在探访名单中，请先在关爱档案中评定风险等级。")
        return redirect("residents:resident-care", pk=resident.pk)
    form = VisitForm(request.POST or None, initial={"version": plan.version, "outcome": "seen"})
    station = request.user.station
    extra_rows = visit_rows(request.POST or None, station=station)
    status = 200
    if request.method == "POST":
        if form.is_valid() and all(rows.is_valid() for rows in extra_rows):
            try:
                with transaction.atomic():  # the visit and its rows (volunteers' hours), or nothing
                    visit = care.log_visit(
                        acting_user=request.user,
                        resident=resident,
                        version=form.cleaned_data["version"],
                        **form.visit_fields(),
                    )
                    for rows in extra_rows:
                        rows.save(acting_user=request.user, visit=visit, station=station)
            except ValidationError as error:
                errors_into(form, error)
            else:
                return _logged(request, resident, visit)
        status = 400
        if is_htmx(request):
            return render(
                request, "residents/_visit_row_error.html", {"form": form, "resident": resident}, status=400
            )
    return render(
        request,
        "residents/visit_form.html",
        {"form": form, "resident": resident, "plan": plan, "extra_rows": extra_rows},
        status=status,
    )


def _logged(request, resident, visit):
    text = f"已登记对{resident.name}的探访（{visit.get_outcome_display()}）。"
    if visit.escalated:
        text += f"连续未遇已升级处理：诉求 {visit.request.reference}。"
    elif visit.request_id:
        text += f"发现的需求已登记为诉求 {visit.request.reference}。"
    if is_htmx(request):
        plan = VisitPlan.objects.get(resident=resident)
        return render(
            request, "residents/_visit_row_done.html", {"visit": visit, "plan": plan, "message": text}
        )
    messages.success(request, text)
    return redirect("residents:visit-due")


def _care_context(request, resident, **forms):
    user = request.user
    can_edit = access.works_at(user, resident)
    plan = VisitPlan.objects.filter(resident=resident).select_related("worker").first()
    membership = (
        HouseholdMembership.objects.filter(resident=resident, end_date__isnull=True)
        .select_related("household__community")
        .first()
    )
    members = (
        membership.household.memberships.filter(Q(end_date__isnull=True))
        .select_related("resident")
        .order_by("start_date", "pk")
        if membership
        else []
    )
    context = {
        "resident": resident,
        "plan": plan,
        "can_edit": can_edit,
        "membership": membership,
        "members": members,
        "past_memberships": resident.household_memberships.filter(end_date__isnull=False)
        .select_related("household")
        .order_by("-start_date")[:20],
        "statuses": resident.support_statuses.select_related("kind").order_by("-start_date", "pk")[:50],
        "tier_changes": resident.tier_changes.select_related("actor").order_by("-at", "-pk")[:20],
        "visits": resident.visits.select_related("visitor", "request").order_by("-visited_on", "-pk")[:30],
        "suggestion": RiskTierRule.suggest(resident),
    }
    if can_edit:
        context |= {
            "tier_form": forms.get("tier_form")
            or TierForm(
                initial={"version": plan.version if plan else None, "tier": plan.tier if plan else None}
            ),
            "status_form": forms.get("status_form")
            or SupportStatusForm(initial={"start_date": timezone.localdate()}),
            "household_form": forms.get("household_form")
            or HouseholdForm(user=user, resident=resident, initial={"start_date": timezone.localdate()}),
        }
    return context


@never_cache
@require_safe
@login_required
def resident_care(request, pk):
    resident = access.get_visible_or_404(Resident.objects.prefetch_related("tags"), request.user, pk=pk)
    if not access.may_open(request.user, resident):
        return restricted_response(request, resident)
    record_access(request, "view", residents=resident)
    return render(request, "residents/resident_care.html", _care_context(request, resident))


def _care_step(request, pk, name, make_form, step):
    """A POSTed step of the care page: `make_form(resident)` validates, `step(resident, cleaned_data)`
    writes and says what it did; back to the page, or the page again with the form's errors (400)."""
    resident = access.get_editable_or_404(Resident.objects.prefetch_related("tags"), request.user, pk=pk)
    if not access.may_open(request.user, resident):
        return restricted_response(request, resident)
    form = make_form(resident)
    if form.is_valid():
        try:
            message = step(resident, form.cleaned_data)
        except ValidationError as error:
            errors_into(form, error)
        else:
            messages.success(request, message)
            return redirect(reverse("residents:resident-care", args=[resident.pk]))
    context = _care_context(request, resident, **{name: form})
    return render(request, "residents/resident_care.html", context, status=400)


@require_POST
@login_required
@access.role_required(access.is_station_user)
def resident_tier(request, pk):
    def step(resident, data):
        plan = care.set_risk_tier(
            acting_user=request.user,
            resident=resident,
            tier=data["tier"],
            reason=data["reason"],
            version=data.get("version"),
        )
        return f"风险等级已设为{plan.get_tier_display()}，下次探访：{plan.next_due_on:%Y-%m-%d}。"

    return _care_step(request, pk, "tier_form", lambda resident: TierForm(request.POST), step)


@require_POST
@login_required
@access.role_required(access.is_station_user)
def resident_status_add(request, pk):
    def step(resident, data):
        status = care.record_support_status(acting_user=request.user, resident=resident, **data)
        return f"已登记保障状态：{status}。"

    return _care_step(request, pk, "status_form", lambda resident: SupportStatusForm(request.POST), step)


@require_POST
@login_required
@access.role_required(access.is_station_user)
def resident_household(request, pk):
    def step(resident, data):
        membership = care.join_household(
            acting_user=request.user,
            resident=resident,
            household=data.get("household"),
            address=data.get("address", ""),
            relation=data["relation"],
            on=data["start_date"],
        )
        return f"已迁入：{membership.household.address}。"

    def make_form(resident):
        return HouseholdForm(request.POST, user=request.user, resident=resident)

    return _care_step(request, pk, "household_form", make_form, step)
