"""List filters (django-filter). Choice filters are narrowed to what the user may see."""

import django_filters
from django import forms

from projects.models import (
    Activity,
    AnnualPlan,
    CommunityFund,
    Partner,
    Project,
    Resource,
    Volunteer,
)
from stations import access
from stations.models import Station

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScopedFilterSet(django_filters.FilterSet):
    """Gives the station and project choices only what `user` may see; hides the station choice for
    station users (they only ever see their own)."""

    def __init__(self, data=None, queryset=None, *, request=None, user, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.user = user
        if "station" in self.filters:
            if access.is_station_user(user):
                del self.filters["station"]
            else:
                self.filters["station"].queryset = Station.objects.visible_to(user).order_by("code")
        if "project" in self.filters:
            self.filters["project"].queryset = Project.objects.visible_to(user).order_by("title")
            if not access.is_station_user(user):
                # A city-wide project list would be thousands of options: keep the filter by station.
                del self.filters["project"]


class ProjectFilter(ScopedFilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="名称", max_length=100)
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.none(), label="社工站")
    theme = django_filters.ChoiceFilter(choices=Project.Theme.choices, label="主题", empty_label="全部主题")
    status = django_filters.ChoiceFilter(choices=Project.Status.choices, label="状态", empty_label="全部状态")
    funding_source = django_filters.ChoiceFilter(
        choices=Project.Funding.choices, label="资金来源", empty_label="全部来源"
    )

    class Meta:
        model = Project
        fields = ["q", "station", "theme", "status", "funding_source"]


class ActivityFilter(ScopedFilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="名称", max_length=100)
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.none(), label="社工站")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="起始日期", widget=DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="截止日期", widget=DATE)
    method = django_filters.ChoiceFilter(
        choices=Activity.Method.choices, label="服务方法", empty_label="全部方法"
    )
    project = django_filters.ModelChoiceFilter(queryset=Project.objects.none(), label="所属项目")

    class Meta:
        model = Activity
        fields = ["q", "station", "date_from", "date_to", "method", "project"]


class ResourceFilter(ScopedFilterSet):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.none(), label="社工站")
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="起始日期", widget=DATE)
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="截止日期", widget=DATE)
    kind = django_filters.ChoiceFilter(choices=Resource.Kind.choices, label="形式", empty_label="全部")
    partner_kind = django_filters.ChoiceFilter(
        field_name="partner__kind", choices=Partner.Kind.choices, label="单位类型", empty_label="全部类型"
    )

    class Meta:
        model = Resource
        fields = ["station", "date_from", "date_to", "kind", "partner_kind"]


class StationOnlyFilter(ScopedFilterSet):
    """Teams, organisations, partners and funds: filter by station (for district and city users)."""

    station = django_filters.ModelChoiceFilter(queryset=Station.objects.none(), label="社工站")


class FundFilter(StationOnlyFilter):
    class Meta:
        model = CommunityFund
        fields = ["station"]


class PlanFilter(ScopedFilterSet):
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.none(), label="社工站")
    year = django_filters.NumberFilter(label="年度")
    status = django_filters.ChoiceFilter(
        choices=AnnualPlan.Status.choices, label="状态", empty_label="全部状态"
    )

    class Meta:
        model = AnnualPlan
        fields = ["station", "year", "status"]


class VolunteerFilter(ScopedFilterSet):
    """Volunteers by name or phone tail (尾号), station (district and city users), team, and the period
    whose hours the list totals (this year by default)."""

    q = django_filters.CharFilter(method="search", label="姓名或电话尾号", max_length=50)
    station = django_filters.ModelChoiceFilter(queryset=Station.objects.none(), label="社工站")
    date_from = django_filters.DateFilter(method="keep", label="服务时长自", widget=DATE)
    date_to = django_filters.DateFilter(method="keep", label="至", widget=DATE)

    class Meta:
        model = Volunteer
        fields = ["q", "station", "date_from", "date_to"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def keep(self, queryset, name, value):
        return queryset  # the period bounds the hours column, not which volunteers are listed

    def period(self, today):
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return (
            data.get("date_from") or today.replace(month=1, day=1),
            data.get("date_to") or today,
        )
