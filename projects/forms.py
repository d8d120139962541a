"""Forms for station work. Every choice (community, project, partner, lead worker, request) is limited to
the owning station, so a forged value of another station is refused by the form itself."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from projects.models import (
    FIRST_PLAN_YEAR,
    Activity,
    AnnualPlan,
    CommunityFund,
    CommunityOrganisation,
    FundEntry,
    Partner,
    Project,
    Resource,
    VolunteerTeam,
    latest_plan_year,
)
from residents.models import Request
from stations import periods
from stations.locking import VersionedFormMixin, VersionField
from stations.models import Community, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def station_communities(station):
    return Community.objects.filter(street__station=station).order_by("code")


def station_projects(station):
    return Project.objects.filter(station=station).exclude(status=Project.Status.CLOSED).order_by("title")


class VersionedForm(VersionedFormMixin, forms.ModelForm):
    """Carries the version the user started from, for `services.save_versioned` (`stations.locking`)."""

    version = VersionField(required=False)


class StationForm(VersionedForm):
    """A form for a record owned by `station`; scoped choice fields are narrowed in __init__."""

    def __init__(self, *args, station, **kwargs):
        self.station = station
        super().__init__(*args, **kwargs)
        if "communities" in self.fields:
            field = self.fields["communities"]
            field.widget = forms.CheckboxSelectMultiple()
            field.label_from_instance = lambda c: c.short_name
            field.queryset = station_communities(station)  # also refreshes the widget's choices
        if isinstance(self.fields.get("project"), forms.ModelChoiceField):
            qs = station_projects(station)
            if self.instance.pk and getattr(self.instance, "project_id", None):
                qs = Project.objects.filter(station=station).filter(
                    pk__in=[*qs.values_list("pk", flat=True), self.instance.project_id]
                )
            self.fields["project"].queryset = qs
            self.fields["project"].empty_label = "（不属于项目）"
        for name in ("date", "start_date", "end_date", "founded_on", "established_on"):
            if name in self.fields:
                self.fields[name].widget = DATE

    def _post_clean(self):
        # Owning station is set before model validation so that clean() can compare stations.
        self.instance.station = self.station
        super()._post_clean()


class ProjectForm(StationForm):
    request_references = forms.CharField(
        label="回应诉求（受理编号）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="每行或以逗号分隔一个受理编号，仅限本站诉求。",
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "theme",
            "target_groups",
            "communities",
            "lead",
            "start_date",
            "end_date",
            "status",
            "budget",
            "funding_source",
            "is_featured",
            "workers_involved",
            "description",
        ]
        widgets = {
            "target_groups": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = User.objects.filter(
            station=self.station, role__in=User.STATION_ROLES, is_active=True
        ).order_by("name")
        self.fields["lead"].empty_label = "（未指定）"
        if self.instance.pk:
            self.fields["request_references"].initial = "\n".join(
                self.instance.requests.order_by("reference").values_list("reference", flat=True)
            )

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_request_references(self):
        raw = self.cleaned_data.get("request_references", "")
        refs = [r for r in re.split(r"[\s,，;；、]+", raw.strip()) if r]
        refs = list(dict.fromkeys(refs))
        found = dict(
            Request.objects.filter(station=self.station, reference__in=refs).values_list("reference", "pk")
        )
        missing = [r for r in refs if r not in found]
        if missing:
            raise ValidationError("以下受理编号不是本站的诉求：%(refs)s", params={"refs": "、".join(missing)})
        return [found[r] for r in refs]

    def save(self, commit=True):
        project = super().save(commit=commit)
        if commit:
            project.requests.set(self.cleaned_data["request_references"])
        return project


class LockedMonthMixin:
    """A record dated in its station's month (`lock_field`): in a locked (approved) month it is refused,
    created or changed, unless a late-entry permit is open. Both the date the record had and the new one
    are checked: moving a record out of or into a locked month changes both months. The save then calls
    `record_late_entries` in its transaction (`views.common.save_form`), so a form that fails after
    validating leaves no late entry behind."""

    lock_field = "date"
    lock_kind = ""
    # False for a record that lives on after its date (a team founded in a month): only creating it in,
    # or moving its date out of or into, a locked month is refused; its other fields stay editable.
    lock_edits = True

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.saved_date = getattr(self.instance, self.lock_field) if self.instance.pk else None

    def _days(self):
        day = self.cleaned_data.get(self.lock_field)
        if not self.lock_edits and self.saved_date is not None and day == self.saved_date:
            return []
        return sorted({day, self.saved_date} - {None})

    def clean(self):
        data = super().clean()
        if self.lock_field not in self.errors:
            for day in self._days():
                periods.check_open(self.user, self.station, day, field=self.lock_field)
        return data

    def late_entry_label(self) -> str:
        return str(self.instance)

    def record_late_entries(self):
        for day in self._days():
            periods.check_open(
                self.user, self.station, day, kind=self.lock_kind, label=self.late_entry_label()
            )


class ActivityForm(LockedMonthMixin, StationForm):
    lock_kind = "服务活动"

    class Meta:
        model = Activity
        fields = [
            "date",
            "title",
            "method",
            "project",
            "communities",
            "sessions",
            "person_times",
            "volunteers",
            "for_community_workers",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def late_entry_label(self) -> str:
        return self.instance.title  # the entry's own day says when


class PartnerForm(StationForm):
    class Meta:
        model = Partner
        fields = ["name", "kind", "contact", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = Partner.objects.filter(station=self.station, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("本站已有同名链接单位。")
        return name


class ResourceForm(LockedMonthMixin, StationForm):
    lock_kind = "链接资源"

    class Meta:
        model = Resource
        fields = ["partner", "date", "kind", "amount", "description", "project", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.filter(station=self.station).order_by("name")
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "0.01", "min": "0.01"})


class CultivatedGroupForm(LockedMonthMixin, StationForm):
    # Founded in a month, a team or organisation is one of that month's reported figures (新增).
    lock_field = "founded_on"
    lock_kind = "志愿队伍/社会组织"
    lock_edits = False
    FIELDS = ["name", "focus", "members", "founded_on", "status", "communities", "notes"]

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        model = type(self.instance)
        if model.objects.filter(station=self.station, name=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError("本站已有同名%(kind)s。", params={"kind": model._meta.verbose_name})
        return name


class VolunteerTeamForm(CultivatedGroupForm):
    class Meta:
        model = VolunteerTeam
        # No member count: a team's size is its registered members (TeamMembership).
        fields = [name for name in CultivatedGroupForm.FIELDS if name != "members"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class OrganisationForm(CultivatedGroupForm):
    class Meta:
        model = CommunityOrganisation
        fields = CultivatedGroupForm.FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class FundForm(StationForm):
    class Meta:
        model = CommunityFund
        fields = ["name", "established_on", "communities", "purpose"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        clash = CommunityFund.objects.filter(station=self.station, name=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("本站已有同名社区基金。")
        return name


class FundEntryForm(forms.Form):
    """A ledger line; the balance check itself is in `services.record_fund_entry` (under a row lock)."""

    direction = forms.ChoiceField(label="收支", choices=FundEntry.Direction.choices, widget=forms.RadioSelect)
    amount = forms.DecimalField(
        label="金额（元）",
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0.01"}),
    )
    date = forms.DateField(label="日期", widget=DATE)
    channel = forms.ChoiceField(
        label="筹集渠道（收入）", choices=[("", "——")] + FundEntry.Channel.choices, required=False
    )
    purpose = forms.ChoiceField(
        label="支出用途（支出）", choices=[("", "——")] + FundEntry.Purpose.choices, required=False
    )
    partner = forms.ModelChoiceField(label="出资单位", queryset=Partner.objects.none(), required=False)
    project = forms.ModelChoiceField(label="用于项目", queryset=Project.objects.none(), required=False)
    note = forms.CharField(label="摘要", max_length=200, required=False)

    def __init__(self, *args, fund, **kwargs):
        super().__init__(*args, **kwargs)
        self.fund = fund
        self.fields["partner"].queryset = Partner.objects.filter(station_id=fund.station_id).order_by("name")
        self.fields["project"].queryset = Project.objects.filter(station_id=fund.station_id).order_by("title")
        self.fields["partner"].empty_label = "（无）"
        self.fields["project"].empty_label = "（无）"

    def clean(self):
        data = super().clean()
        direction = data.get("direction")
        if direction == FundEntry.Direction.INFLOW and not data.get("channel"):
            self.add_error("channel", "收入请选择筹集渠道。")
        if direction == FundEntry.Direction.OUTFLOW and not data.get("purpose"):
            self.add_error("purpose", "支出请选择用途。")
        return data


class AnnualPlanForm(VersionedForm):
    class Meta:
        model = AnnualPlan
        fields = [
            "year",
            "target_volunteer_teams",
            "volunteer_text",
            "target_organisations",
            "organisations_text",
            "target_capacity_sessions",
            "capacity_text",
            "target_registered_residents",
            "baseline_text",
            "target_projects",
            "target_activity_sessions",
            "target_person_times",
            "projects_text",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "volunteer_text",
                "organisations_text",
                "capacity_text",
                "baseline_text",
                "projects_text",
            )
        }

    def __init__(self, *args, station, **kwargs):
        self.station = station
        super().__init__(*args, **kwargs)
        # The browser's own bounds match the model's (validate_plan_year), which still decides.
        self.fields["year"].widget.attrs.update(min=FIRST_PLAN_YEAR, max=latest_plan_year())
        if self.instance.pk:
            self.fields["year"].disabled = True

    def clean_year(self):
        year = self.cleaned_data["year"]
        clash = AnnualPlan.objects.filter(station=self.station, year=year).exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("本站%(year)s年度的实施方案已存在。", params={"year": year})
        return year

    def _post_clean(self):
        self.instance.station = self.station
        super()._post_clean()


class PlanReviewForm(forms.Form):
    comment = forms.CharField(
        label="审批意见", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField(required=False)
