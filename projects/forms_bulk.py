"""A month's activities entered in one page (批量录入): the row form, its formset and the month picker."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseModelFormSet, modelformset_factory

from projects.forms import StationForm, station_communities, station_projects
from projects.models import Activity
from stations import periods


class BulkActivityForm(StationForm):
    """One row of the month's bulk entry: the essentials, communities as a single choice.

    Project and community choices are loaded once by the formset and shared by every row (plain
    choice fields over those lists), so the page costs the same queries for 10 rows or 60; a value
    not in the lists (another station's project, a forged id) is refused like any invalid choice.
    """

    project = forms.TypedChoiceField(label="所属项目", required=False, coerce=int, empty_value=None)
    community = forms.TypedChoiceField(label="服务社区", required=False, coerce=int, empty_value=None)

    class Meta:
        model = Activity
        fields = ["date", "title", "method", "sessions", "person_times", "volunteers"]

    def __init__(self, *args, month=None, projects=None, communities=None, **kwargs):
        self.month = month
        self.projects = projects or {}
        self.communities = communities or {}
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", "（不属于项目）")] + [
            (pk, p.title) for pk, p in self.projects.items()
        ]
        self.fields["community"].choices = [("", "（不限）")] + [
            (pk, c.short_name) for pk, c in self.communities.items()
        ]
        # Rows may be left blank; only the filled ones must be complete.
        self.empty_permitted = True
        self.use_required_attribute = False
        # Blank rows must compare equal to their initial values, so counts start blank, not 0.
        for name in ("person_times", "volunteers"):
            self.initial.pop(name, None)
            self.fields[name].initial = None
        self.fields["volunteers"].required = False
        # The model's callable default would add a hidden "initial-" input per row; compare with the
        # month's first day instead.
        self.fields["date"].show_hidden_initial = False

    def clean_volunteers(self):
        return self.cleaned_data.get("volunteers") or 0

    def clean_date(self):
        day = self.cleaned_data["date"]
        if self.month and (day.year, day.month) != (self.month.year, self.month.month):
            raise ValidationError(
                "日期须在%(m)s内。", params={"m": f"{self.month.year}年{self.month.month}月"}
            )
        return day

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_project(self):
        pk = self.cleaned_data.get("project")
        return self.projects[pk] if pk else None

    def clean_community(self):
        pk = self.cleaned_data.get("community")
        return self.communities[pk] if pk else None

    def save(self, commit=True):
        self.instance.project = self.cleaned_data.get("project")
        activity = super().save(commit=commit)
        community = self.cleaned_data.get("community")
        original_save_m2m = getattr(self, "save_m2m", None)

        def save_m2m():
            if original_save_m2m:
                original_save_m2m()
            if community is not None:
                activity.communities.set([community])

        if commit:
            save_m2m()
        else:
            self.save_m2m = save_m2m
        return activity


class BaseBulkActivityFormSet(BaseModelFormSet):
    def __init__(self, *args, station, month, user=None, **kwargs):
        self.station = station
        self.month = month
        self.user = user
        self.choice_kwargs = {
            "projects": {p.pk: p for p in station_projects(station)},
            "communities": {c.pk: c for c in station_communities(station)},
        }
        kwargs.setdefault("queryset", Activity.objects.none())
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "station": self.station,
            "month": self.month,
            **self.choice_kwargs,
        }

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            station=self.station,
            month=self.month,
            renderer=self.renderer,
            **self.choice_kwargs,
        )
        self.add_fields(form, None)
        return form

    def filled_forms(self):
        return [f for f in self.forms if f.has_changed()]  # rows left blank are skipped

    def clean(self):
        super().clean()
        if not any(form.has_changed() for form in self.forms):
            raise ValidationError("请至少填写一行活动。")
        if self.user is not None:
            self._check_months_open()

    def _check_months_open(self):
        """Each row dated in a locked (approved) month is refused on its own date field; the lock is
        asked once per month, not per row (the service asks again, once, when it saves)."""
        by_month = {}
        for form in self.filled_forms():
            day = getattr(form, "cleaned_data", {}).get("date")
            if day is not None:
                by_month.setdefault(periods.month_of(day), []).append(form)
        for month, forms_in_month in by_month.items():
            try:
                periods.check_open(self.user, self.station, month)
            except ValidationError:
                for form in forms_in_month:
                    form.add_error("date", periods.LOCKED_MESSAGE)


BULK_ROWS = 10
BulkActivityFormSet = modelformset_factory(
    Activity,
    form=BulkActivityForm,
    formset=BaseBulkActivityFormSet,
    extra=BULK_ROWS,
    max_num=62,
    validate_max=True,
    absolute_max=62,
)


class MonthForm(forms.Form):
    month = forms.DateField(
        label="月份",
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
