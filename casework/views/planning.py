"""Assessments (预估) and the case plan (计划): their pages (a draft is a form for the case's workers; a
submitted assessment or a plan past its draft reads only), starting them, and the plan's review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from casework import services
from casework.forms.assessment import AssessmentForm
from casework.forms.planning import ReviewForm, plan_forms
from casework.models import Assessment, CasePlan
from casework.services.planning import EDITABLE
from casework.views.intake import case_step, error_text, form_errors
from stations import access
from stations.audit import record_access
from stations.web import errors_into


def _readable(queryset, request, pk):
    """A record of a case: 404 outside the confidentiality rule, 403 without the sensitive permission;
    the read is logged as a look at the client's data."""
    record = access.get_visible_or_404(queryset, request.user, pk=pk)
    if not access.may_open(request.user, record.case):
        raise PermissionDenied
    return record


def _works_on(request, case) -> bool:
    """The case's own workers (and its head) edit drafts; supervisors and others read."""
    try:
        services.require_case_worker(request.user, case)
    except PermissionDenied:
        return False
    return True


# --- 预估 -----------------------------------------------------------------------------------------------


@case_step
def assessment_start(request, case):
    try:
        assessment = services.start_assessment(acting_user=request.user, case=case)
    except services.CaseworkError as error:
        messages.error(request, error_text(error))
        return redirect(case)
    return redirect("casework:assessment", pk=assessment.pk)


@never_cache
@login_required
def assessment_page(request, pk):
    queryset = Assessment.objects.select_related("case__client", "case__station", "author").prefetch_related(
        "domains"
    )
    assessment = _readable(queryset, request, pk)
    case = assessment.case
    record_access(request, "view", residents=case.client_id, reason=f"个案 {case.reference} 预估")
    may_edit = not assessment.locked and _works_on(request, case)
    form = AssessmentForm(request.POST or None, assessment=assessment) if may_edit else None
    if request.method == "POST":
        if form is None:
            # A locked assessment (or a reader's forged POST): nothing changes.
            messages.error(
                request, services.LOCKED_MESSAGE if assessment.locked else "只读：不能修改该预估。"
            )
            return render(
                request, "casework/assessment.html", _assessment_context(assessment, None), status=400
            )
        if form.is_valid():
            try:
                with transaction.atomic():
                    services.save_assessment(
                        acting_user=request.user, assessment=assessment, **form.service_fields()
                    )
                    if "submit" in request.POST:
                        services.submit_assessment(acting_user=request.user, assessment=assessment)
            except services.CaseworkError as error:
                errors_into(form, error)
            else:
                submitted = "submit" in request.POST
                messages.success(request, "预估已提交并锁定。" if submitted else "预估草稿已保存。")
                return redirect(case) if submitted else redirect("casework:assessment", pk=assessment.pk)
        messages.error(request, "请修正下面标出的错误。")
        return render(request, "casework/assessment.html", _assessment_context(assessment, form), status=400)
    return render(request, "casework/assessment.html", _assessment_context(assessment, form))


def _assessment_context(assessment, form):
    return {"assessment": assessment, "case": assessment.case, "form": form}


# --- 计划 -----------------------------------------------------------------------------------------------


@case_step
def plan_start(request, case):
    try:
        plan = services.start_case_plan(acting_user=request.user, case=case)
    except services.CaseworkError as error:
        messages.error(request, error_text(error))
        return redirect(case)
    return redirect("casework:plan", pk=plan.pk)


def _plan_queryset():
    return CasePlan.objects.select_related(
        "case__client", "case__station", "case__lead_worker", "author", "reviewed_by"
    ).prefetch_related("goals", "interventions")


def _rows(formset):
    return [row.cleaned_data for row in formset.forms if row.cleaned_data]


@never_cache
@login_required
def plan_page(request, pk):
    plan = _readable(_plan_queryset(), request, pk)
    case = plan.case
    record_access(request, "view", residents=case.client_id, reason=f"个案 {case.reference} 服务计划")
    may_edit = plan.status in EDITABLE and _works_on(request, case)
    forms = plan_forms(plan, request.POST or None) if may_edit else None
    if request.method == "POST":
        if forms is None:
            messages.error(request, f"计划{plan.get_status_display()}，不能修改。")
            return render(request, "casework/plan.html", _plan_context(request, plan, None), status=400)
        form, goals, interventions = forms
        if form.is_valid() and goals.is_valid() and interventions.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.save_case_plan(
                        acting_user=request.user,
                        plan=plan,
                        summary=data["summary"],
                        client_agreed=data["client_agreed"],
                        client_agreed_on=data["client_agreed_on"],
                        goals=_rows(goals),
                        interventions=_rows(interventions),
                        version=data["version"],
                    )
                    if "submit" in request.POST:
                        services.submit_case_plan(acting_user=request.user, plan=plan)
            except services.CaseworkError as error:
                errors_into(form, error)
            else:
                submitted = "submit" in request.POST
                messages.success(request, "计划已提交审批。" if submitted else "计划草稿已保存。")
                return redirect(case) if submitted else redirect("casework:plan", pk=plan.pk)
        messages.error(request, "请修正下面标出的错误。")
        return render(request, "casework/plan.html", _plan_context(request, plan, forms), status=400)
    return render(request, "casework/plan.html", _plan_context(request, plan, forms))


def _plan_context(request, plan, forms):
    form, goals, interventions = forms or (None, None, None)
    return {
        "plan": plan,
        "case": plan.case,
        "form": form,
        "goal_forms": goals,
        "intervention_forms": interventions,
        "review_form": review_form(request.user, plan),
    }


def review_form(user, plan):
    """The decision form, for whoever may decide on a submitted plan."""
    if plan.status == CasePlan.Status.SUBMITTED and services.may_review_case_plan(user, plan):
        return ReviewForm(initial={"version": plan.version})
    return None


@never_cache
@require_POST
@login_required
def plan_review(request, pk):
    """批准 or 退回: the station head (or, for the head's own plan, the district's supervisor)."""
    plan = _readable(_plan_queryset(), request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, error_text(form_errors(form)))
        return redirect(plan.case)
    data = form.cleaned_data
    step = services.approve_case_plan if data["decision"] == "approve" else services.return_case_plan
    try:
        step(acting_user=request.user, plan=plan, comment=data["comment"], version=data["version"])
    except services.CaseworkError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, "计划已批准。" if data["decision"] == "approve" else "计划已退回。")
    return redirect(plan.case)
