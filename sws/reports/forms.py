"""The monthly report cycle's forms: the submission's narrative, the review's comment, late entries."""

import datetime

from django import forms
from django.utils import timezone

from stations.locking import VersionField


class SubmitForm(forms.Form):
    highlights = forms.CharField(
        label="工作亮点", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    problems = forms.CharField(
        label="存在问题及下月计划", max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    version = VersionField(required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结果", choices=[("approve", "审核通过"), ("return", "退回")])
    comment = forms.CharField(
        label="审核意见", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", "退回时请填写审核意见。")
        return data


class LateEntryRequestForm(forms.Form):
    month = forms.DateField(
        label="补录月份",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="该月任意一天",
    )
    reason = forms.CharField(label="补录原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_month(self):
        return self.cleaned_data["month"].replace(day=1)


class LateEntryDecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审批结果", choices=[("approve", "批准"), ("refuse", "不批准")])
    open_until = forms.DateField(
        label="补录截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    comment = forms.CharField(label="意见", max_length=1000, required=False, widget=forms.TextInput())
    version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["open_until"].initial = timezone.localdate() + datetime.timedelta(days=7)
