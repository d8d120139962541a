"""List filters of the stations pages (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from stations.models import ComplianceIssue, Station


class StationFilter(django_filters.FilterSet):
    """Stations by staffing compliance, in SQL on the `with_compliance` annotations."""

    compliance = django_filters.ChoiceFilter(
        label=_("人员配置"),
        empty_label=_("全部"),
        choices=[("ok", _("达标")), ("issues", _("不达标"))] + list(ComplianceIssue.choices),
        method="filter_compliance",
    )

    class Meta:
        model = Station
        fields = ["compliance"]

    def __init__(self, *args, today=None, **kwargs):
        self.today = today
        super().__init__(*args, **kwargs)

    def filter_compliance(self, queryset, name, value):
        if value == "ok":
            return queryset.compliant(self.today)
        if value == "issues":
            return queryset.non_compliant(self.today)
        return queryset.with_issue(value, self.today)
