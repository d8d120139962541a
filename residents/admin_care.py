"""Admin for the care registry: the reference tables admins edit (support status types, the tier →
frequency table, the tier suggestion rules), and the scoped, read-only registers of households, support
statuses, visit plans, tier changes and visits. Tiers and visits change only through the app's steps
(residents.care), so that a tier is never changed without a reason and its history."""

from django.contrib import admin

from residents.admin import CommunityAutocompleteMixin, ReadOnlyAdminMixin
from residents.models import (
    Household,
    HouseholdMembership,
    RiskTierChange,
    RiskTierRule,
    SupportStatus,
    SupportStatusType,
    Visit,
    VisitPlan,
    VisitRule,
)
from stations.access import ScopedAdminMixin
from stations.locking import VersionCheckedAdminMixin


@admin.register(SupportStatusType)
class SupportStatusTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "has_grade", "sensitive", "is_active")
    list_editable = ("order", "has_grade", "sensitive", "is_active")
    search_fields = ("name", "code")


@admin.register(VisitRule)
class VisitRuleAdmin(admin.ModelAdmin):
    list_display = ("tier", "interval_days")
    list_editable = ("interval_days",)


@admin.register(RiskTierRule)
class RiskTierRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "tier", "min_age", "is_active")
    list_filter = ("tier", "is_active")
    filter_horizontal = ("statuses",)


class MembershipInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = HouseholdMembership
    fields = ("resident", "relation", "start_date", "end_date")
    readonly_fields = fields
    extra = 0


@admin.register(Household)
class HouseholdAdmin(
    VersionCheckedAdminMixin, CommunityAutocompleteMixin, ScopedAdminMixin, admin.ModelAdmin
):
    list_display = ("address", "community", "created_at")
    list_select_related = ("community",)
    search_fields = ("address",)
    fields = ("community", "address", "notes", "version")
    inlines = [MembershipInline]


class ScopedRegisterAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Read in the admin, changed in the app (with reasons, dates and history)."""


@admin.register(SupportStatus)
class SupportStatusAdmin(ScopedRegisterAdmin):
    list_display = ("resident", "kind", "category", "grade", "start_date", "end_date", "source")
    list_select_related = ("resident", "kind")
    list_filter = ("kind", "source")


@admin.register(VisitPlan)
class VisitPlanAdmin(ScopedRegisterAdmin):
    list_display = ("resident", "tier", "worker", "next_due_on", "last_visited_on", "failed_in_row", "active")
    list_select_related = ("resident", "worker")
    list_filter = ("tier", "active")


@admin.register(RiskTierChange)
class RiskTierChangeAdmin(ScopedRegisterAdmin):
    list_display = ("at", "resident", "previous_tier", "tier", "suggested_tier", "actor", "reason")
    list_select_related = ("resident", "actor")
    date_hierarchy = "at"


@admin.register(Visit)
class VisitAdmin(ScopedRegisterAdmin):
    list_display = ("visited_on", "resident", "form", "outcome", "visitor", "escalated", "request")
    list_select_related = ("resident", "visitor", "request")
    list_filter = ("form", "outcome", "escalated")
    date_hierarchy = "visited_on"
