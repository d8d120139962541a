"""The evaluation's pages: the list, opening one, its page and the steps on it (POST, then back to it).

Every evaluation is fetched through `Evaluation.objects.visible_to` (404 outside the user's scope: an
evaluator sees only those she is appointed to); each step is a service that checks its acting user (403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from stations import access
from stations.access import get_visible_or_404, role_required
from sws.evaluation import forms, pages, rules, services
from sws.models.evaluation import Rectification, Score

READERS = (access.is_station_user, access.is_district_user, access.sees_whole_city, access.is_evaluator)


def _evaluation(request, pk):
    return get_visible_or_404(pages.evaluations_for(request.user), request.user, pk=pk)


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


@require_safe
@login_required
@role_required(*READERS)
def evaluation_list(request):
    user = request.user
    evaluations = pages.evaluations_for(user).annotate(
        n_rectifications=Count("rectifications", distinct=True),
        n_overdue=Count(
            "rectifications",
            filter=Q(rectifications__due_on__lt=timezone.localdate())
            & ~Q(rectifications__status=Rectification.Status.CLOSED),
            distinct=True,
        ),
    )
    # The district dashboard's callout links here: the evaluations with overdue rectifications (of one
    # district, for the city's staff). Narrowing within the user's scope only, never widening it.
    overdue_only = request.GET.get("overdue") == "1"
    if overdue_only:
        evaluations = evaluations.filter(n_overdue__gt=0)
    district = request.GET.get("district", "")
    if district.isdigit():
        evaluations = evaluations.filter(station__district_id=int(district))
    page = Paginator(evaluations.order_by("-period_end", "station__code", "pk"), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sws/evaluation/evaluation_list.html",
        {"page": page, "may_open": access.is_district_user(user), "overdue_only": overdue_only},
    )


@login_required
@role_required(access.is_district_user)
def evaluation_open(request):
    form = forms.OpenForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation = services.open_evaluation(acting_user=request.user, **data)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, "已发起考核评估，系统指标已自动计算。")
            return redirect("evaluation:detail", pk=evaluation.pk)
    return render(
        request, "sws/evaluation/evaluation_open.html", {"form": form}, status=400 if form.errors else 200
    )


@require_safe
@login_required
def evaluation_detail(request, pk):
    evaluation = _evaluation(request, pk)
    context = pages.load(evaluation)
    context.update(pages.permissions(request.user, evaluation))
    if context["may_add_rectification"]:
        context["rectification_form"] = forms.RectificationForm(evaluation=evaluation)
    context["reportable"] = {
        item.pk for item in context["rectifications"] if rules.may_report(request.user, item)
    }
    context["decidable"] = {
        item.pk for item in context["rectifications"] if rules.may_decide(request.user, item)
    }
    return render(request, "sws/evaluation/evaluation_detail.html", context)


@require_safe
@login_required
def evaluation_print(request, pk):
    evaluation = _evaluation(request, pk)
    return render(request, "sws/evaluation/evaluation_print.html", pages.load(evaluation))


@require_safe
@login_required
def evaluation_xlsx(request, pk):
    from sws import exports
    from sws.evaluation.export import sheets

    evaluation = _evaluation(request, pk)
    name = f"{evaluation.station.name}-{evaluation.period_label}考核评估.xlsx"
    return exports.xlsx_response(name, sheets(pages.load(evaluation)))


def _done(request, evaluation, message=""):
    if message:
        messages.success(request, message)
    return redirect("evaluation:detail", pk=evaluation.pk)


def _failed(request, evaluation, error):
    messages.error(request, _error_text(error))
    return redirect("evaluation:detail", pk=evaluation.pk)


STEPS = {
    # name: (service, the rule it checks, success message, takes a note)
    "recompute": (services.recompute, rules.may_score, "系统指标已重新计算。", False),
    "send": (services.send_to_station, rules.may_send, "已提交站点反馈。", False),
    "submit": (services.submit_responses, rules.may_respond, "已将反馈提交区级指导中心审定。", False),
    "return": (services.return_for_scoring, rules.may_return, "已退回重新评分。", True),
    "approve": (services.approve, rules.may_approve, "考核评估已审定并锁定。", True),
}


@require_POST
@login_required
def evaluation_step(request, pk, step):
    evaluation = _evaluation(request, pk)
    service, rule, message, with_note = STEPS[step]
    if not rule(request.user, evaluation):
        raise PermissionDenied
    form = forms.StepForm(request.POST)
    if not form.is_valid():
        return _failed(request, evaluation, ValidationError("页面已过期，请刷新后重试。"))
    kwargs = {"acting_user": request.user, "evaluation": evaluation, "version": form.cleaned_data["version"]}
    if with_note:
        kwargs["note" if step == "return" else "conclusion"] = form.cleaned_data["note"]
    try:
        service(**kwargs)
    except ValidationError as error:
        return _failed(request, evaluation, error)
    return _done(request, evaluation, message)


def _score(request, evaluation, score_pk):
    return get_object_or_404(
        Score.objects.visible_to(request.user).select_related("indicator"), evaluation=evaluation, pk=score_pk
    )


@require_POST
@login_required
def score_save(request, pk, score_pk):
    evaluation = _evaluation(request, pk)
    score = _score(request, evaluation, score_pk)
    score.evaluation = evaluation
    if not rules.may_score(request.user, evaluation):
        raise PermissionDenied
    form = forms.ScoreForm(request.POST)
    if not form.is_valid():
        return _failed(
            request, evaluation, ValidationError(f"「{score.indicator.name}」：请填写得分和评分说明。")
        )
    try:
        services.score_indicator(acting_user=request.user, score=score, **form.cleaned_data)
    except ValidationError as error:
        return _failed(
            request, evaluation, ValidationError(f"「{score.indicator.name}」：{_error_text(error)}")
        )
    return _done(request, evaluation, f"已保存「{score.indicator.name}」的评分。")


@require_POST
@login_required
def score_respond(request, pk, score_pk):
    evaluation = _evaluation(request, pk)
    score = _score(request, evaluation, score_pk)
    score.evaluation = evaluation
    if not rules.may_respond(request.user, evaluation):
        raise PermissionDenied
    form = forms.ResponseForm(request.POST)
    if not form.is_valid():
        return _failed(request, evaluation, ValidationError(f"「{score.indicator.name}」：请填写反馈意见。"))
    try:
        services.respond(acting_user=request.user, score=score, **form.cleaned_data)
    except ValidationError as error:
        return _failed(request, evaluation, error)
    return _done(request, evaluation, f"已保存对「{score.indicator.name}」的反馈。")


@require_POST
@login_required
def rectification_add(request, pk):
    evaluation = _evaluation(request, pk)
    if not rules.may_add_rectification(request.user, evaluation):
        raise PermissionDenied
    form = forms.RectificationForm(request.POST, evaluation=evaluation)
    if not form.is_valid():
        errors = "；".join(
            f"{form.fields[name].label}：{'、'.join(errs)}" for name, errs in form.errors.items()
        )
        return _failed(request, evaluation, ValidationError(errors))
    try:
        services.add_rectification(acting_user=request.user, evaluation=evaluation, **form.cleaned_data)
    except ValidationError as error:
        return _failed(request, evaluation, error)
    return _done(request, evaluation, "已提出整改事项。")


def _item(request, evaluation, item_pk):
    item = get_object_or_404(
        Rectification.objects.visible_to(request.user), evaluation=evaluation, pk=item_pk
    )
    item.evaluation = evaluation
    return item


@require_POST
@login_required
def rectification_report(request, pk, item_pk):
    evaluation = _evaluation(request, pk)
    item = _item(request, evaluation, item_pk)
    if not rules.may_report(request.user, item):
        raise PermissionDenied
    form = forms.RectificationReportForm(request.POST)
    if not form.is_valid():
        return _failed(request, evaluation, ValidationError("请填写整改情况。"))
    try:
        services.report_rectification(acting_user=request.user, rectification=item, **form.cleaned_data)
    except ValidationError as error:
        return _failed(request, evaluation, error)
    return _done(request, evaluation, "已报告整改完成，待区级指导中心销号。")


@require_POST
@login_required
def rectification_decide(request, pk, item_pk):
    evaluation = _evaluation(request, pk)
    item = _item(request, evaluation, item_pk)
    if not rules.may_decide(request.user, item):
        raise PermissionDenied
    form = forms.StepForm(request.POST)
    if not form.is_valid():
        return _failed(request, evaluation, ValidationError("请刷新页面后重试。"))
    close = request.POST.get("decision") == "close"
    try:
        services.decide_rectification(
            acting_user=request.user,
            rectification=item,
            version=form.cleaned_data["version"],
            close=close,
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        return _failed(request, evaluation, error)
    return _done(request, evaluation, "整改事项已销号。" if close else "已退回整改。")
