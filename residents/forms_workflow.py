"""The forms of the request workflow's steps (triage, assign, refer, resolve …): each carries the version the
user saw; the step itself is checked by its service function."""

from django import forms

from residents.fields import BoundedModelChoiceField
from residents.models import Referral, Request, Severity, Urgency
from residents.services import REJECT_KINDS, WITHDRAW_KINDS, station_workers
from stations.locking import VersionField


class VersionForm(forms.Form):
    """Every workflow form carries the version of the record the user saw."""

    version = VersionField(min_value=1)


# --- Workflow forms: field names match the keyword arguments of the services ---------------------------


class TriageForm(VersionForm):
    severity = forms.ChoiceField(label="轻重", choices=Severity.choices)
    urgency = forms.ChoiceField(label="缓急", choices=Urgency.choices)


class AssignForm(VersionForm):
    assignee = BoundedModelChoiceField(label="承办社工", queryset=None, empty_label="选择社工")

    def __init__(self, *args, request_obj, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = station_workers(request_obj.station_id)


class StartForm(VersionForm):
    pass


class ReferForm(VersionForm):
    organisation = forms.CharField(label="转介单位/资源", max_length=100)
    reason = forms.CharField(label="转介原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class ReferralOutcomeForm(VersionForm):
    outcome = forms.ChoiceField(
        label="转介结果", choices=[c for c in Referral.Outcome.choices if c[0] != Referral.Outcome.PENDING]
    )
    note = forms.CharField(
        label="结果说明", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ResolveForm(VersionForm):
    note = forms.CharField(label="办理结果", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(VersionForm):
    satisfaction = forms.ChoiceField(
        label="满意度", choices=Request.Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="回访记录", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(label="重新办理原因", max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class WithdrawForm(VersionForm):
    kind = forms.ChoiceField(label="撤回类型", choices=[(k.value, k.label) for k in WITHDRAW_KINDS])
    reason = forms.CharField(label="原因说明", max_length=200)


class RejectForm(VersionForm):
    kind = forms.ChoiceField(label="不予受理类型", choices=[(k.value, k.label) for k in REJECT_KINDS])
    reason = forms.CharField(label="原因说明", max_length=200)


class NoteForm(forms.Form):
    text = forms.CharField(label="备注", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
