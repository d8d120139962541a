"""Forms of the closing work on a case (cwclose): service records, evaluation, closure and its decisions,
follow-up, reopening, tasks and reviews. Choices are limited to the case's own goals, its station's
resources and the people on the case; the services check them again (a forged id is refused there too)."""

import datetime

from django import forms
from django.utils import timezone

from casework.models import Case, CaseEvaluation, Closure, Goal, ServiceRecord
from casework.services.service_records import case_goals
from casework.services.tasks import case_people
from partners.models import Partner
from projects.models import Resource
from residents.fields import BoundedModelChoiceField
from stations.locking import VersionField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RESOURCE_LOOKBACK = datetime.timedelta(days=366)  # a record links resources mobilised in the last year


class ServiceRecordForm(forms.ModelForm):
    class Meta:
        model = ServiceRecord
        fields = ["date", "form", "duration_minutes", "person_times", "content", "progress", "next_step"]
        fields += ["goals", "resources"]
        widgets = {
            "date": DATE,
            "content": forms.Textarea(attrs={"rows": 4}),
            "progress": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.CheckboxSelectMultiple,
            "resources": forms.CheckboxSelectMultiple,
        }

    refer_partner = BoundedModelChoiceField(
        label="转介至合作伙伴",
        queryset=None,
        required=False,
        empty_label="不转介至登记的合作伙伴",
        help_text="服务形式为“转介”时可选：合作伙伴的联系人将收到短信回复链接；记录服务对象同意前不提供个人信息。",
    )

    def __init__(self, *args, case: Case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["refer_partner"].queryset = (
            Partner.objects.visible_to(user).active().order_by("kind", "name")
        )
        self.fields["date"].initial = timezone.localdate()
        self.fields["goals"].queryset = case_goals(case).order_by("plan__number", "pk")
        since = timezone.localdate() - RESOURCE_LOOKBACK
        self.fields["resources"].queryset = Resource.objects.filter(
            station_id=case.station_id, date__gte=since
        )
        self.fields["resources"].label_from_instance = lambda r: (
            f"{r.date} {r.description or r.get_kind_display()}"
        )

    def clean(self):
        data = super().clean()
        partner = data.get("refer_partner")
        if partner and data.get("form") != ServiceRecord.Form.REFERRAL:
            self.add_error("refer_partner", "服务形式为“转介”时才能选择合作伙伴。")
        elif partner and not (partner.contact_name and partner.contact_phone):
            self.add_error(
                "refer_partner", "该合作伙伴未登记联系人：请在个案页“转介至合作伙伴”中填写对接人及手机号码。"
            )
        return data


class EvaluationForm(forms.Form):
    """The evaluation, with one attainment (and note) per goal of the current plan."""

    client_view = forms.CharField(
        label="服务对象的看法", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    satisfaction = forms.ChoiceField(
        label="满意度", choices=CaseEvaluation.Satisfaction.choices, widget=forms.RadioSelect
    )
    worker_evaluation = forms.CharField(
        label="社工评估", widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
    version = VersionField()

    def __init__(self, *args, goals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=f"目标：{goal.text}", choices=Goal.Attainment.choices, widget=forms.RadioSelect
            )
            self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                label="说明", required=False, max_length=300
            )

    def attainments(self) -> dict:
        data = self.cleaned_data
        return {
            goal.pk: (data[f"goal_{goal.pk}"], data.get(f"goal_{goal.pk}_note", "")) for goal in self.goals
        }


class ClosureRequestForm(forms.Form):
    reason = forms.ChoiceField(label="结案原因", choices=Closure.Reason.choices)
    summary = forms.CharField(label="结案小结", widget=forms.Textarea(attrs={"rows": 5}), max_length=4000)
    version = VersionField()


class ClosureDecisionForm(forms.Form):
    """The head's approval, the supervisor's sign-off or a return (the comment is required to return)."""

    comment = forms.CharField(
        label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    follow_up_due_on = forms.DateField(
        label="结案回访日期", required=False, widget=DATE, help_text="不填则为结案后30天。"
    )
    version = VersionField()


class FollowUpForm(forms.Form):
    done_on = forms.DateField(label="回访日期", widget=DATE)
    notes = forms.CharField(label="回访情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    version = VersionField()


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = VersionField()


class ReviewForm(forms.Form):
    note = forms.CharField(label="检视意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = VersionField()


class TaskForm(forms.Form):
    title = forms.CharField(label="待办事项", max_length=200)
    owner = forms.ModelChoiceField(label="负责人", queryset=None)
    due_on = forms.DateField(label="截止日期", widget=DATE)

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = case_people(case)
        self.fields["owner"].label_from_instance = lambda user: user.name or user.username


class VersionForm(forms.Form):
    version = VersionField()
