"""Forms of the care registry: a visit (also the one-tap buttons), a risk tier, a support status, a move
into a household. Choices are limited to what the user may use, so a forged value is an invalid choice."""

from django import forms
from django.utils import timezone

from residents.care import FUTURE_DATE
from residents.fields import BoundedModelChoiceField
from residents.forms import CategoryField
from residents.models import Household, HouseholdMembership, RiskTier, SupportStatus, SupportStatusType, Visit
from stations.locking import VersionField

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _not_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(FUTURE_DATE)
    return value


class VisitForm(forms.Form):
    """The full visit record; the list's one-tap buttons post only outcome and version."""

    version = VersionField(min_value=1)
    visited_on = forms.DateField(label="探访日期", required=False, widget=DATE)
    form = forms.ChoiceField(
        label="探访方式", choices=Visit.Form.choices, initial=Visit.Form.HOME, required=False
    )
    outcome = forms.ChoiceField(label="结果", choices=Visit.Outcome.choices, widget=forms.RadioSelect)
    volunteer_name = forms.CharField(label="代访志愿者（邻里代访时填写）", max_length=50, required=False)
    health = forms.CharField(label="身体状况", max_length=200, required=False)
    living_conditions = forms.CharField(label="居住条件", max_length=200, required=False)
    safety_hazards = forms.CharField(label="安全隐患", max_length=200, required=False)
    mood = forms.ChoiceField(label="精神状态", choices=[("", "—"), *Visit.Mood.choices], required=False)
    need_found = forms.CharField(
        label="发现需求（填写后自动生成一条诉求）",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    need_category = CategoryField(label="需求分类", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["need_category"].prepare_widget()  # options grouped by first-level category

    def clean_visited_on(self):
        return _not_future(self.cleaned_data.get("visited_on")) or timezone.localdate()

    def clean_form(self):
        return self.cleaned_data.get("form") or Visit.Form.HOME

    def visit_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("version")
        return data


class TierForm(forms.Form):
    version = VersionField(min_value=1, required=False)  # none when the resident is enrolled first
    tier = forms.TypedChoiceField(label="风险等级", choices=RiskTier.choices, coerce=int)
    reason = forms.CharField(label="评定理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class SupportStatusForm(forms.Form):
    kind = BoundedModelChoiceField(
        label="保障类别", queryset=SupportStatusType.objects.filter(is_active=True), empty_label="请选择"
    )
    category = forms.CharField(label="类别（如残疾类别）", max_length=20, required=False)
    grade = forms.CharField(label="等级（如残疾等级）", max_length=10, required=False)
    start_date = forms.DateField(label="起始日期", widget=DATE)
    end_date = forms.DateField(label="终止日期（可空）", widget=DATE, required=False)
    source = forms.ChoiceField(label="来源", choices=SupportStatus.Source.choices)

    def clean_start_date(self):
        return _not_future(self.cleaned_data.get("start_date"))

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "终止日期不能早于起始日期。")
        kind = data.get("kind")
        if kind is not None and kind.has_grade and not data.get("grade"):
            self.add_error("grade", "该保障类别需填写等级。")
        return data


class HouseholdForm(forms.Form):
    """Move the resident into a household of their community, or a new one at an address."""

    household = BoundedModelChoiceField(
        label="加入已建档的户", queryset=Household.objects.none(), required=False, empty_label="（新建一户）"
    )
    address = forms.CharField(label="新建户住址", max_length=200, required=False)
    relation = forms.ChoiceField(label="与户主关系", choices=HouseholdMembership.Relation.choices)
    start_date = forms.DateField(label="迁入日期", widget=DATE)

    def __init__(self, *args, user, resident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = Household.objects.editable_by(user).filter(
            community_id=resident.community_id
        )
        self.fields["address"].initial = resident.address

    def clean_start_date(self):
        return _not_future(self.cleaned_data.get("start_date"))

    def clean(self):
        data = super().clean()
        if not data.get("household") and not (data.get("address") or "").strip():
            self.add_error("address", "请选择一户，或填写新建户的住址。")
        return data
