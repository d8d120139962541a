"""Forms of supervision and case conferences. Every choice (station, worker, case, task owner) is limited
to what the acting user may pick, so a forged id of another station or case is refused by the form; the
services check again."""

from django import forms
from django.db.models import Q

from casework.models import Case, CaseConference, SupervisionSession
from stations import access
from stations.locking import VersionField
from stations.models import Station, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ROWS = 3  # blank rows offered for action items / follow-up tasks


def station_staff(station):
    return User.objects.filter(station=station, role__in=access.STATION_ROLES, is_active=True).order_by(
        "name"
    )


class NoteForm(forms.Form):
    text = forms.CharField(label="督导意见", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class StationPickForm(forms.Form):
    """Step one of a session: which station of the supervisor's district."""

    station = forms.ModelChoiceField(label="社工站", queryset=Station.objects.none(), empty_label="请选择")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Station.objects.filter(district_id=user.district_id).order_by(
            "code"
        )


class SessionForm(forms.ModelForm):
    workers = forms.ModelMultipleChoiceField(
        label="受督导社工", queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    cases = forms.ModelMultipleChoiceField(
        label="讨论的个案", queryset=Case.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SupervisionSession
        fields = ["date", "form", "topics", "workers", "cases", "notes"]
        widgets = {
            "date": DATE,
            "topics": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workers"].queryset = station_staff(station)
        self.fields["workers"].label_from_instance = lambda u: u.name or u.username
        # The station's open cases the supervisor reads (a case discussed is named on its timeline).
        self.fields["cases"].queryset = (
            Case.objects.visible_to(user)
            .open()
            .filter(station=station)
            .select_related("client")
            .order_by("reference")
        )
        self.fields["cases"].label_from_instance = lambda c: f"{c.reference} {c.get_stage_display()}"


class ActionItemForm(forms.Form):
    text = forms.CharField(label="改进事项", max_length=300, required=False)
    owner = forms.ModelChoiceField(label="负责人", queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label="截止日期", required=False, widget=DATE)

    def __init__(self, *args, station, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = station_staff(station)
        self.fields["owner"].label_from_instance = lambda u: u.name or u.username

    def clean(self):
        data = super().clean()
        if data.get("text") and not (data.get("owner") and data.get("due_on")):
            raise forms.ValidationError("改进事项须填写负责人和截止日期。")
        return data


class ItemDoneForm(forms.Form):
    version = VersionField()


class ConferenceForm(forms.ModelForm):
    staff = forms.ModelMultipleChoiceField(
        label="参会社工", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = CaseConference
        fields = ["date", "participants", "staff", "decisions"]
        widgets = {
            "date": DATE,
            "participants": forms.Textarea(attrs={"rows": 2}),
            "decisions": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = station_staff(case.station)
        self.fields["staff"].label_from_instance = lambda u: u.name or u.username


def case_task_owners(case):
    """Who may own a conference's follow-up task: the station's staff who work the case (they read it)."""
    works = (
        Q(pk__in=case.workers()) | Q(role=access.Role.STATION_HEAD) | Q(pk__in=case.shared_with.values("pk"))
    )
    return station_staff(case.station).filter(works)


class TaskForm(forms.Form):
    title = forms.CharField(label="待办事项", max_length=200, required=False)
    owner = forms.ModelChoiceField(label="负责人", queryset=User.objects.none(), required=False)
    due_on = forms.DateField(label="截止日期", required=False, widget=DATE)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.name or u.username

    def clean(self):
        data = super().clean()
        if data.get("title") and not (data.get("owner") and data.get("due_on")):
            raise forms.ValidationError("待办须填写负责人和截止日期。")
        return data


ActionItemFormSet = forms.formset_factory(ActionItemForm, extra=ROWS, max_num=10, validate_max=True)
TaskFormSet = forms.formset_factory(TaskForm, extra=ROWS, max_num=10, validate_max=True)
