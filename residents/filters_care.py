"""The visit log's filters: the 本周待探访 page's `who` (mine / the whole station), a date range."""

import django_filters
from django import forms

from residents.models import Visit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VisitFilter(django_filters.FilterSet):
    who = django_filters.ChoiceFilter(
        label="范围",
        choices=[("mine", "我负责的"), ("station", "全站")],
        method="filter_who",
        empty_label="全部",
    )
    visited_from = django_filters.DateFilter(
        label="探访日期从", field_name="visited_on", lookup_expr="gte", widget=DATE
    )
    visited_to = django_filters.DateFilter(
        label="至", field_name="visited_on", lookup_expr="lte", widget=DATE
    )
    outcome = django_filters.ChoiceFilter(label="结果", choices=Visit.Outcome.choices, empty_label="全部")
    form = django_filters.ChoiceFilter(label="方式", choices=Visit.Form.choices, empty_label="全部")

    class Meta:
        model = Visit
        fields = ["who", "visited_from", "visited_to", "outcome", "form"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def filter_who(self, queryset, name, value):
        if value == "mine":
            return queryset.filter(resident__visit_plan__worker=self.user)
        return queryset
