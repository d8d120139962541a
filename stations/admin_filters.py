"""The stations admin's list filters: by district, compliance issue, served streets, active assignment."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from stations.models import Assignment, ComplianceIssue, District


# --- List filters ------------------------------------------------------------------------------------
def district_filter(path: str):
    """A district filter listing only the districts the user may see (one query, no giant list)."""

    class DistrictFilter(admin.SimpleListFilter):
        title = _("所属区")
        parameter_name = "district"

        def lookups(self, request, model_admin):
            return [(str(d.pk), d.name) for d in District.objects.visible_to(request.user)]

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{path: self.value()})
            return queryset

    return DistrictFilter


class ComplianceFilter(admin.SimpleListFilter):
    """Filters on the compliance annotations of `StationQuerySet.with_compliance` (in SQL, one query)."""

    title = _("人员配置")
    parameter_name = "compliance"

    def lookups(self, request, model_admin):
        return [("ok", _("达标")), ("issues", _("不达标（任一问题）"))] + list(ComplianceIssue.choices)

    def queryset(self, request, queryset):
        value = self.value()
        if value == "ok":
            return queryset.compliant()
        if value == "issues":
            return queryset.non_compliant()
        if value in ComplianceIssue.values:
            return queryset.with_issue(value)
        return queryset


class ServedFilter(admin.SimpleListFilter):
    title = _("社工站覆盖")
    parameter_name = "served"

    def lookups(self, request, model_admin):
        return [("yes", _("已有社工站服务")), ("no", _("未覆盖"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(station__isnull=self.value() == "no")
        return queryset


class ActiveAssignmentFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", _("在岗")), ("no", _("已离任或未到岗"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.active()
        if self.value() == "no":
            return queryset.exclude(pk__in=Assignment.objects.active().values("pk"))
        return queryset
