"""The case plan form (计划): summary, the client's agreement, goals and interventions as formsets; and
the head's decision (approve / return with comments)."""

from django import forms

from stations.locking import VersionField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EXTRA_ROWS = 2  # empty rows under the plan's own, for adding goals or interventions without JavaScript


class PlanForm(forms.Form):
    version = VersionField(min_value=1)
    summary = forms.CharField(
        label="计划概述", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    client_agreed = forms.BooleanField(label="服务对象已同意本计划", required=False)
    client_agreed_on = forms.DateField(label="同意日期", required=False, widget=DATE)


class GoalForm(forms.Form):
    text = forms.CharField(label="目标", max_length=300, required=False)
    indicator = forms.CharField(label="衡量指标", max_length=300, required=False)
    target_date = forms.DateField(label="目标日期", required=False, widget=DATE)


class InterventionForm(forms.Form):
    action = forms.CharField(label="介入内容", max_length=300, required=False)
    responsible = forms.CharField(label="执行人", max_length=100, required=False)
    frequency = forms.CharField(label="频次", max_length=50, required=False)
    resource = forms.CharField(label="链接资源或合作方", max_length=200, required=False)


GoalFormSet = forms.formset_factory(
    GoalForm, extra=EXTRA_ROWS, max_num=20, absolute_max=40, validate_max=True
)
InterventionFormSet = forms.formset_factory(
    InterventionForm, extra=EXTRA_ROWS, max_num=20, absolute_max=40, validate_max=True
)


def plan_forms(plan, data=None):
    """The plan's form and its two formsets, bound to `data` or showing the plan's rows."""
    form = PlanForm(
        data,
        initial={
            "version": plan.version,
            "summary": plan.summary,
            "client_agreed": plan.client_agreed,
            "client_agreed_on": plan.client_agreed_on,
        },
    )
    goals = GoalFormSet(
        data,
        prefix="goals",
        initial=[
            {"text": g.text, "indicator": g.indicator, "target_date": g.target_date} for g in plan.goals.all()
        ],
    )
    interventions = InterventionFormSet(
        data,
        prefix="interventions",
        initial=[
            {
                "action": i.action,
                "responsible": i.responsible,
                "frequency": i.frequency,
                "resource": i.resource,
            }
            for i in plan.interventions.all()
        ],
    )
    return form, goals, interventions


class ReviewForm(forms.Form):
    version = VersionField(min_value=1)
    decision = forms.ChoiceField(
        choices=[("approve", "批准"), ("return", "退回修改")], widget=forms.RadioSelect, label="审批"
    )
    comment = forms.CharField(
        label="审批意见",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="退回时必填。",
    )
