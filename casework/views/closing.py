"""Pages of the closing work on a case (cwclose): service records, evaluation, closure (request, the head's
approval, the district supervisor's sign-off, return), 结案回访, reopening, tasks, reviews and 我的待办.

Every page finds the case (or closure, task) through the confidentiality rule (`get_visible_or_404`: 404
outside), then the case's open permission (403), then the step's own rule, which the service checks again.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from casework import forms_closure as forms
from casework import services
from casework.models import Case, CaseTask, Closure, GoalAttainment, ServiceRecord
from casework.permissions import page_access
from casework.services.closure import may_sign_off
from partners.forms import ResourceUseForm, new_use_form, use_rows
from partners.models import ResourceUse
from partners.services import uses_of
from stations import access
from stations.audit import record_access
from stations.web import errors_into, is_htmx


def _case(request, pk) -> Case:
    case = access.get_visible_or_404(
        Case.objects.select_related("station", "client", "lead_worker"), request.user, pk=pk
    )
    if not access.may_open(request.user, case):
        raise PermissionDenied
    return case


def _case_to_work(request, pk) -> Case:
    """A case the user may work on (its workers, shared colleagues, its head); a reader who may not: 403."""
    case = _case(request, pk)
    services.require_case_worker(request.user, case)
    return case


def _refused(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _page(request, case, form, *, title, submit, status=200, intro="", danger=False, use_rows=None):
    # A form page shows parts of the case record: a look at the client's personal data.
    record_access(request, "view", residents=case.client_id, reason=f"个案 {case.reference}")
    context = {"case": case, "form": form, "title": title, "submit": submit, "intro": intro, "danger": danger}
    context["use_rows"] = use_rows
    return render(request, "casework/closing_form.html", context, status=status)


def _run(request, form, step, success: str):
    """Call the service step; its refusal becomes the form's error (nothing saved). True when done."""
    try:
        step()
    except ValidationError as error:
        _refused(form, error)
        return False
    messages.success(request, success)
    return True


@never_cache
@login_required
def service_record_new(request, pk):
    case = _case_to_work(request, pk)
    form = forms.ServiceRecordForm(request.POST or None, case=case, user=request.user)
    uses = use_rows(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid() and uses.is_valid():

        def step():
            services.record_service(
                acting_user=request.user,
                case=case,
                uses=uses.rows(),
                base_url=request.build_absolute_uri("/"),
                **form.cleaned_data,
            )

        if _run(request, form, step, "服务记录已保存。"):
            return redirect(case)
    status = 400 if request.method == "POST" else 200
    return _page(
        request, case, form, title="登记服务记录", submit="保存服务记录", status=status, use_rows=uses
    )


# --- The partners' resources a service record used (五社联动) ------------------------------------------


def _record_to_work(request, pk, record_pk):
    """A service record of a case the user works. A case they may not read or open is 404 here (the
    record's resources are the case's: nobody learns it exists by trying ids); a reader who does not
    work it, 403, as on the record form."""
    case = access.get_visible_or_404(
        Case.objects.select_related("station", "client", "lead_worker"), request.user, pk=pk
    )
    if not access.may_open(request.user, case):
        raise Http404
    services.require_case_worker(request.user, case)
    record = get_object_or_404(ServiceRecord.objects.filter(case=case), pk=record_pk)
    record.case = case
    return case, record


def _record_uses(request, case, record, form=None, status=200):
    context = {
        "case": case,
        "record": record,
        "resource_uses": list(uses_of(record)),
        "can_use": True,
        "owner_kind": "service_record",
        "owner": record,
        "use_form": form or new_use_form(request.user, day=record.date),
    }
    if is_htmx(request):
        return render(request, "partners/_resource_uses.html", context, status=200)
    record_access(request, "view", residents=case.client_id, reason=f"个案 {case.reference}")
    return render(request, "casework/record_uses.html", context, status=status)


@never_cache
@login_required
def record_uses(request, pk, record_pk):
    """The resources a service record used: the list, and a row added (in place with htmx)."""
    case, record = _record_to_work(request, pk, record_pk)
    if request.method != "POST":
        return _record_uses(request, case, record)
    form = ResourceUseForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.add_record_use(acting_user=request.user, record=record, **form.cleaned_data)
        except ValidationError as error:
            errors_into(form, error)
        else:
            if is_htmx(request):
                return _record_uses(request, case, record)
            messages.success(request, "已记录资源使用。")
            return redirect("casework:record-uses", case.pk, record.pk)
    return _record_uses(request, case, record, form=form, status=400)


@never_cache
@require_POST
@login_required
def record_use_remove(request, pk, record_pk, use_pk):
    case, record = _record_to_work(request, pk, record_pk)
    use = get_object_or_404(ResourceUse.objects.filter(service_record=record), pk=use_pk)
    use.service_record = record
    if request.POST.get("confirm") == "yes":  # the form's hidden field: a bare POST removes nothing
        try:
            services.remove_record_use(acting_user=request.user, use=use)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, "已删除该条资源使用。")
    if is_htmx(request):
        return _record_uses(request, case, record)
    return redirect("casework:record-uses", case.pk, record.pk)


@never_cache
@login_required
def evaluate(request, pk):
    case = _case_to_work(request, pk)
    plan = services.current_plan(case)
    goals = list(plan.goals.all()) if plan else []
    form = forms.EvaluationForm(request.POST or None, goals=goals, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def step():
            services.evaluate_case(
                acting_user=request.user,
                case=case,
                client_view=data["client_view"],
                satisfaction=data["satisfaction"],
                worker_evaluation=data["worker_evaluation"],
                attainments=form.attainments(),
                version=data["version"],
            )

        if _run(request, form, step, "个案评估已保存。"):
            return redirect(case)
    intro = "" if goals else "本个案尚无已批准的服务计划目标。"
    return _page(
        request, case, form, title="个案评估", submit="保存评估", intro=intro, status=_status(request)
    )


def _status(request):
    return 400 if request.method == "POST" else 200


@never_cache
@login_required
def resume_intervention(request, pk):
    case = _case_to_work(request, pk)
    form = forms.ReasonForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        step = lambda: services.resume_intervention(acting_user=request.user, case=case, **data)  # noqa: E731
        if _run(request, form, step, "个案已回到介入阶段。"):
            return redirect(case)
    return _page(request, case, form, title="继续介入", submit="回到介入阶段", status=_status(request))


@never_cache
@login_required
def closure_request(request, pk):
    case = _case_to_work(request, pk)
    form = forms.ClosureRequestForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        step = lambda: services.request_closure(acting_user=request.user, case=case, **data)  # noqa: E731
        if _run(request, form, step, "结案申请已提交，待审批。"):
            return redirect(case)
    intro = "高风险个案和未成年人个案在站长批准后还需区督导签批。" if case.needs_district_signoff else ""
    return _page(
        request, case, form, title="申请结案", submit="提交结案申请", intro=intro, status=_status(request)
    )


DECISIONS = {
    "approve": (services.approve_closure, "已批准结案。"),
    "sign-off": (services.sign_off_closure, "已签批，个案已结案。"),
    "return": (services.return_closure, "结案申请已退回。"),
}


@never_cache
@login_required
@require_POST
def closure_decide(request, pk, decision):
    """The head's approval, the supervisor's sign-off or a return, posted from the case page."""
    closure = access.get_visible_or_404(
        Closure.objects.select_related("case__station", "case__client"), request.user, pk=pk
    )
    case = closure.case
    if not access.may_open(request.user, case):
        raise PermissionDenied
    service, success = DECISIONS[decision]
    form = forms.ClosureDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "提交的内容有误，请检查后重试。")
        return redirect(case)
    data = form.cleaned_data
    kwargs = {
        "acting_user": request.user,
        "closure": closure,
        "version": data["version"],
        "comment": data["comment"],
    }
    if decision != "return":
        kwargs["follow_up_due_on"] = data["follow_up_due_on"]
    try:
        service(**kwargs)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(case)


@never_cache
@login_required
def closure_follow_up(request, pk):
    closure = access.get_visible_or_404(
        Closure.objects.select_related("case__station", "case__client"), request.user, pk=pk
    )
    case = _case_to_work(request, closure.case_id)
    form = forms.FollowUpForm(
        request.POST or None, initial={"version": closure.version, "done_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        step = lambda: services.record_closure_follow_up(acting_user=request.user, closure=closure, **data)  # noqa: E731
        if _run(request, form, step, "结案回访已登记。"):
            return redirect(case)
    due = f"计划回访日期：{closure.follow_up_due_on}" if closure.follow_up_due_on else ""
    return _page(request, case, form, title="结案回访", submit="保存回访", intro=due, status=_status(request))


@never_cache
@login_required
def reopen(request, pk):
    case = _case_to_work(request, pk)
    form = forms.ReasonForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        step = lambda: services.reopen_case(acting_user=request.user, case=case, **data)  # noqa: E731
        if _run(request, form, step, "个案已重新开案，进入预估阶段。"):
            return redirect(case)
    intro = "重新开案后个案回到预估阶段；原结案记录和个案记录均保留。"
    return _page(
        request, case, form, title="重新开案", submit="重新开案", intro=intro, status=_status(request)
    )


@never_cache
@login_required
def case_review(request, pk):
    case = _case_to_work(request, pk)
    form = forms.ReviewForm(request.POST or None, initial={"version": case.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        step = lambda: services.record_case_review(acting_user=request.user, case=case, **data)  # noqa: E731
        if _run(request, form, step, "个案检视已记录。"):
            return redirect(case)
    intro = f"本次检视日期：{case.review_due_on}" if case.review_due_on else ""
    return _page(
        request, case, form, title="个案检视", submit="记录检视", intro=intro, status=_status(request)
    )


@never_cache
@login_required
def task_new(request, pk):
    case = _case_to_work(request, pk)
    form = forms.TaskForm(request.POST or None, case=case, initial={"owner": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        step = lambda: services.add_case_task(acting_user=request.user, case=case, **data)  # noqa: E731
        if _run(request, form, step, "待办已添加。"):
            return redirect(case)
    return _page(request, case, form, title="添加待办", submit="添加待办", status=_status(request))


@never_cache
@login_required
@require_POST
def task_done(request, pk):
    task = access.get_visible_or_404(
        CaseTask.objects.select_related("case__station", "case__client"), request.user, pk=pk
    )
    _case_to_work(request, task.case_id)
    form = forms.VersionForm(request.POST)
    try:
        if not form.is_valid():
            raise services.CaseworkError("提交的内容有误，请刷新后重试。")
        services.complete_case_task(acting_user=request.user, task=task, version=form.cleaned_data["version"])
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, f"已完成：{task.title}")
    return redirect("casework:my-tasks" if request.POST.get("next") == "mine" else task.case)


@require_safe
@never_cache
@login_required
@access.role_required(access.is_station_user)
def my_tasks(request):
    """我的待办: the worker's open tasks (overdue first), her cases' reviews due, follow-ups due; for the
    head also her station's overdue tasks and the closures awaiting her approval."""
    user, today = request.user, timezone.localdate()
    tasks = list(services.open_tasks_of(user)[:200])
    closures = Closure.objects.visible_to(user).select_related("case", "case__client")
    follow_ups = list(
        closures.filter(
            status=Closure.Status.APPROVED,
            follow_up_done_on__isnull=True,
            case__stage=Case.Stage.CLOSED,
            follow_up_due_on__lte=today + datetime.timedelta(days=7),
        )
        .filter(case__lead_worker=user)
        .order_by("follow_up_due_on")[:100]
    )
    context = {
        "today": today,
        "tasks": tasks,
        "overdue_mine": sum(1 for task in tasks if task.due_on < today),
        "reviews": list(services.reviews_due(user, today=today)[:100]),
        "follow_ups": follow_ups,
        "is_head": access.is_station_head(user),
    }
    if context["is_head"]:
        context["station_overdue"] = services.overdue_tasks(user, today).count()
        context["awaiting_approval"] = list(
            closures.filter(status=Closure.Status.PENDING_HEAD)
            .exclude(requested_by=user)
            .order_by("requested_at")[:100]
        )
    # The list names the clients of the cases: a look at their personal data.
    clients = {t.case.client_id for t in tasks} | {c.client_id for c in context["reviews"]}
    clients |= {c.case.client_id for c in follow_ups} | {
        c.case.client_id for c in context.get("awaiting_approval", [])
    }
    if clients:
        record_access(request, "list", residents=sorted(clients), reason="我的待办")
    return render(request, "casework/my_tasks.html", context)


def closing_context(request, case) -> dict:
    """What the case page's sections of services, evaluation, closure and tasks show (a fixed number of
    queries, whatever the case holds)."""
    user = request.user
    records = case.service_records.select_related("worker", "partner_referral__partner").prefetch_related(
        "goals",
        Prefetch("resource_uses", ResourceUse.objects.select_related("partner").order_by("date", "pk")),
    )
    totals = case.service_records.aggregate(
        n=Count("pk"), people=Sum("person_times"), minutes=Sum("duration_minutes")
    )
    evaluations = case.evaluations.select_related("author").prefetch_related(
        Prefetch("attainments", GoalAttainment.objects.select_related("goal"))
    )
    closures = list(
        case.closures.select_related("requested_by", "head_approved_by", "signed_off_by").order_by(
            "-requested_at", "-pk"
        )
    )
    pending = next(
        (c for c in closures if c.status in (Closure.Status.PENDING_HEAD, Closure.Status.PENDING_DISTRICT)),
        None,
    )
    last_approved = next((c for c in closures if c.status == Closure.Status.APPROVED), None)
    noted = page_access(case, user)  # the case page knows (it checked may_open on the way in)
    works = access.works_at(user, case) and access.may_open(user, case) if noted is None else noted
    is_head = works and access.is_station_head(user)
    return {
        "service_records": list(records[:100]),
        "service_totals": totals,
        "evaluations": list(evaluations),
        "closures": closures,
        "pending_closure": pending,
        "last_closure": last_approved,
        "tasks": list(case.tasks.select_related("owner", "done_by")),
        "today": timezone.localdate(),
        "may_approve_closure": bool(
            pending
            and is_head
            and pending.status == Closure.Status.PENDING_HEAD
            and pending.requested_by_id != user.pk
        ),
        "may_sign_off_closure": bool(
            pending and pending.status == Closure.Status.PENDING_DISTRICT and may_sign_off(user, case)
        ),
        "decision_form": forms.ClosureDecisionForm(),
    }
