"""The evaluation's forms. Choices are scoped to the acting user (a forged id is "not a valid choice")."""

from django import forms

from stations import access
from stations.locking import VersionField
from stations.models import Station, User
from sws.models.evaluation import Indicator, IndicatorSet, ServiceContract

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenForm(forms.Form):
    station = forms.ModelChoiceField(label="社工站", queryset=Station.objects.none())
    indicator_set = forms.ModelChoiceField(label="指标体系", queryset=IndicatorSet.objects.all())
    period_start = forms.DateField(label="考核期间起", widget=DATE)
    period_end = forms.DateField(label="考核期间止", widget=DATE)
    contract = forms.ModelChoiceField(
        label="服务合同", queryset=ServiceContract.objects.none(), required=False, empty_label="（无）"
    )
    evaluators = forms.ModelMultipleChoiceField(
        label="第三方评估员",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Station.objects.visible_to(user).order_by("code")
        self.fields["contract"].queryset = ServiceContract.objects.visible_to(user).select_related("station")
        self.fields["evaluators"].queryset = User.objects.filter(
            role=access.Role.EVALUATOR, is_active=True
        ).order_by("username")
        self.fields["evaluators"].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "考核期间的结束日期不能早于开始日期。")
        station, contract = cleaned.get("station"), cleaned.get("contract")
        if station and contract and contract.station_id != station.pk:
            self.add_error("contract", "所选服务合同不属于该社工站。")
        return cleaned


class ScoreForm(forms.Form):
    value = forms.DecimalField(label="得分", min_value=0, max_digits=5, decimal_places=2)
    comment = forms.CharField(label="评分说明", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = VersionField()


class ResponseForm(forms.Form):
    response = forms.CharField(label="站点反馈", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = VersionField()


class StepForm(forms.Form):
    """A step on the evaluation: the version the user saw and an optional note."""

    version = VersionField()
    note = forms.CharField(
        label="意见", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=4000
    )


class RectificationForm(forms.Form):
    description = forms.CharField(label="整改事项", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    indicator = forms.ModelChoiceField(
        label="相关指标", queryset=Indicator.objects.none(), required=False, empty_label="（不限）"
    )
    owner = forms.ModelChoiceField(label="责任人", queryset=User.objects.none())
    due_on = forms.DateField(label="整改期限", widget=DATE)

    def __init__(self, *args, evaluation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.filter(
            dimension__indicator_set=evaluation.indicator_set_id
        )
        self.fields["owner"].queryset = User.objects.filter(
            station=evaluation.station_id, role__in=access.STATION_ROLES, is_active=True
        ).order_by("username")
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username


class RectificationReportForm(forms.Form):
    report = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    version = VersionField()
