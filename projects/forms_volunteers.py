"""Forms of volunteers: the volunteer with her teams, the hours rows of an activity or a visit, the proof's
period. Every choice (team, community, volunteer) is limited to the owning station, so a forged id of
another station's record is refused by the form itself."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects import volunteering
from projects.forms import DATE, StationForm
from projects.models import Project, Volunteer, VolunteerTeam
from projects.models.volunteers import MAX_HOURS_PER_ENTRY
from projects.volunteering import HoursRow
from residents.validators import validate_phone
from stations.locking import VersionField
from stations.web import PreloadedChoiceField


class VolunteerForm(StationForm):
    teams = forms.ModelMultipleChoiceField(
        label="所在志愿服务队",
        queryset=VolunteerTeam.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="勾选即自今日加入；取消勾选即自今日退出（保留历史记录）。",
    )

    class Meta:
        model = Volunteer
        fields = [
            "name",
            "phone",
            "community",
            "skills",
            "availability",
            "id_type",
            "id_tail",
            "contact_consent_on",
            "contact_consent_method",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from projects.forms import station_communities

        self.fields["community"].queryset = station_communities(self.station)
        self.fields["community"].label_from_instance = lambda c: c.short_name
        self.fields["community"].empty_label = "（未填写）"
        self.fields["teams"].queryset = VolunteerTeam.objects.filter(station=self.station).order_by("name")
        self.fields["contact_consent_on"].widget = DATE
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "off"})
        self.fields["id_tail"].widget.attrs.update({"maxlength": 4, "autocomplete": "off"})
        if self.instance.pk:
            self.fields["teams"].initial = list(
                self.instance.memberships.filter(left_on__isnull=True).values_list("team_id", flat=True)
            )

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise ValidationError("请填写姓名。")
        return name

    def clean_phone(self):
        phone = validate_phone(self.cleaned_data["phone"])
        clash = Volunteer.objects.filter(station=self.station, phone=phone).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("本站已登记使用该电话的志愿者。")
        return phone

    def clean_id_tail(self):
        return self.cleaned_data["id_tail"].strip().upper()


class HoursRowForm(forms.Form):
    volunteer = PreloadedChoiceField(label="志愿者", required=False)
    hours = forms.DecimalField(
        label="时长（小时）",
        max_digits=5,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=MAX_HOURS_PER_ENTRY,
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24", "inputmode": "decimal"}),
    )
    content = forms.CharField(label="服务内容", max_length=100, required=False)

    def __init__(self, *args, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].set_objects(
            volunteers, label_of=lambda v: v.name, empty_label="（选择志愿者）"
        )

    def clean(self):
        data = super().clean()
        if data.get("volunteer") and not data.get("hours"):
            self.add_error("hours", "请填写服务时长。")
        if data.get("hours") and not data.get("volunteer"):
            self.add_error("volunteer", "请选择志愿者。")
        return data


class BaseHoursFormSet(forms.BaseFormSet):
    """The rows share one read of the station's volunteers (a query per row, to render its choices and
    to clean its pick, was a review finding)."""

    def __init__(self, *args, station, **kwargs):
        self.station = station
        self.volunteers = list(
            Volunteer.objects.filter(station=station).only("pk", "name", "station").order_by("name")
        )
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"volunteers": self.volunteers}

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            volunteer = form.cleaned_data.get("volunteer")
            if volunteer is None:
                continue
            if volunteer.pk in seen:
                raise ValidationError(f"志愿者“{volunteer.name}”填写了两次。")
            seen.add(volunteer.pk)

    def rows(self) -> list[HoursRow]:
        return [
            HoursRow(form.cleaned_data["volunteer"], form.cleaned_data["hours"], form.cleaned_data["content"])
            for form in self.forms
            if form.cleaned_data.get("volunteer")
        ]


HoursFormSet = forms.formset_factory(HoursRowForm, formset=BaseHoursFormSet, extra=3, max_num=60)


def hours_formset(data, *, station, existing=()):
    """The hours rows of an activity or a visit: its recorded rows, then three empty ones."""
    initial = [{"volunteer": h.volunteer_id, "hours": h.hours, "content": h.content} for h in existing]
    return HoursFormSet(data, station=station, initial=initial, prefix="hours")


class ProofPeriodForm(forms.Form):
    period_start = forms.DateField(label="起始日期", widget=DATE)
    period_end = forms.DateField(label="截止日期", widget=DATE)

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "截止日期不能早于起始日期。")
        if end and end > timezone.localdate():
            self.add_error("period_end", "截止日期不能晚于今天。")
        return data


class ClusterProjectForm(forms.Form):
    requests = forms.TypedMultipleChoiceField(label="诉求", coerce=int, choices=())
    title = forms.CharField(label="项目名称", max_length=100)
    theme = forms.ChoiceField(label="主题", choices=Project.Theme.choices, initial=Project.Theme.GOVERNANCE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any ids may be posted; which of them the worker may take on is the service's question.
        raw = self.data.getlist("requests") if hasattr(self.data, "getlist") else []
        self.fields["requests"].choices = [(v, v) for v in raw if str(v).isdigit() and len(str(v)) < 12]


class CompleteProjectForm(forms.Form):
    note = forms.CharField(label="完成情况", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    # The version the page showed: a completion without it is as stale as one with an old one.
    version = VersionField(error_messages={"required": "页面已过期，请刷新后再结项。"})


class VisitHoursRows:
    """The hours rows on the visit form (registered with `residents.panels.register_visit_rows`), saved
    with the visit. A post without them (the list's one-tap buttons) records no hours."""

    template = "projects/_hours_rows.html"

    def __init__(self, data, *, station):
        if data is not None and "hours-TOTAL_FORMS" not in data:
            data = None
        self.station = station
        self.hours = hours_formset(data, station=station)

    def is_valid(self) -> bool:
        return not self.hours.is_bound or self.hours.is_valid()

    def save(self, *, acting_user, visit, station):
        if self.hours.is_bound and self.hours.rows():
            volunteering.record_hours(
                acting_user=acting_user, rows=self.hours.rows(), visit=visit, station=station
            )
