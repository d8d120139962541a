"""Forms of transfers between stations and the district's dispatch; field names match the services'."""

from django import forms

from residents.fields import BoundedModelChoiceField
from residents.forms_workflow import VersionForm
from residents.models import Transfer


class ProposeTransferForm(VersionForm):
    to_station = BoundedModelChoiceField(
        label="转至社工站",
        queryset=None,
        empty_label="请选择接收的社工站",
        error_messages={"required": "请选择接收的社工站。", "invalid_choice": "请选择其他社工站。"},
    )
    reason = forms.ChoiceField(
        label="转移原因",
        choices=Transfer.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择转移原因。", "invalid_choice": "请选择转移原因。"},
    )
    reason_text = forms.CharField(
        label="说明",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：居民已搬至泰来西里社区"}),
        error_messages={"max_length": "说明请不要超过300字。"},
    )

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_station"].queryset = targets
        # Any station of the city: the district names which 集贤里 or 新华 is meant.
        self.fields["to_station"].label_from_instance = lambda s: f"{s.district.name} · {s.name}"


class DecideTransferForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理",
        choices=[("accept", "接收"), ("decline", "拒绝接收")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择接收或拒绝。", "invalid_choice": "请选择接收或拒绝。"},
    )
    community = BoundedModelChoiceField(
        label="接收后所属社区",
        queryset=None,
        required=False,
        empty_label="请选择本站服务的社区",
        error_messages={"invalid_choice": "请选择本站服务的社区。"},
    )
    note = forms.CharField(
        label="处理意见",
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="拒绝接收时必填。",
        error_messages={"max_length": "意见请不要超过300字。"},
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities

    def clean(self):
        data = super().clean()
        if data.get("decision") == "accept" and not data.get("community"):
            self.add_error("community", "接收时请选择该诉求在本站所属的社区。")
        if data.get("decision") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", "请填写拒绝接收的原因。")
        return data


class DispatchForm(VersionForm):
    to_station = BoundedModelChoiceField(
        label="派至社工站",
        queryset=None,
        empty_label="请选择本区社工站",
        error_messages={"required": "请选择社工站。", "invalid_choice": "只能派至本区的社工站。"},
    )
    community = BoundedModelChoiceField(
        label="所属社区",
        queryset=None,
        empty_label="请选择社区",
        error_messages={"required": "请选择社区。", "invalid_choice": "请选择该社工站服务的社区。"},
    )
    note = forms.CharField(
        label="派单说明", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, stations, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_station"].queryset = stations
        self.fields["community"].queryset = communities
        self.fields["community"].label_from_instance = lambda c: f"{c.street.station.name} · {c.short_name}"
