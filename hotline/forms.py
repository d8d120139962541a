"""The pages' forms: the station's answers, the district centre's dispatch and extension decisions. Each
carries the work order's version (optimistic locking); the services check the step itself."""

from django import forms

from stations.locking import VersionField
from stations.models import Station

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionForm(forms.Form):
    version = VersionField(min_value=1)


class SignForm(VersionForm):
    pass


class ReturnForm(VersionForm):
    reason = forms.CharField(label="退回原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    to_district = forms.BooleanField(label="退回区级指导中心重新派单（不退回热线）", required=False)


class ExtendForm(VersionForm):
    reason = forms.CharField(label="延期原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    new_due_on = forms.DateField(label="申请办结日期", widget=DATE, input_formats=["%Y-%m-%d"])


class ReplyForm(VersionForm):
    result = forms.CharField(label="办结回复", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


ANSWER_FORMS = {"sign": SignForm, "return": ReturnForm, "extend": ExtendForm, "reply": ReplyForm}


class DispatchForm(VersionForm):
    """The district's stations, listed once per page (`station_choices`) however many orders it shows."""

    station = forms.TypedChoiceField(label="派往社工站", coerce=int, choices=())

    def __init__(self, *args, district_id, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.district_id = district_id
        self.fields["station"].choices = [("", "选择社工站"), *(choices or station_choices(district_id))]

    def clean_station(self):
        station = Station.objects.filter(
            district_id=self.district_id, pk=self.cleaned_data["station"]
        ).first()
        if station is None:
            raise forms.ValidationError("请选择本区的社工站。")
        return station


def station_choices(district_id):
    return list(Station.objects.filter(district_id=district_id).order_by("name").values_list("pk", "name"))


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="审核", choices=[("approve", "同意延期"), ("refuse", "不同意")])
    note = forms.CharField(label="审核意见", max_length=500, required=False)
