"""Admin for station work, scoped like every other admin page (`ScopedAdminMixin`); a change saved here
is version-checked like one saved in the app (`VersionCheckedAdminMixin`), so neither overwrites the
other unseen."""

from django.contrib import admin

from projects.models import (
    Activity,
    AnnualPlan,
    CommunityFund,
    CommunityOrganisation,
    FundEntry,
    Partner,
    PlanEvent,
    Project,
    Resource,
    TargetGroup,
    VolunteerTeam,
)
from stations.access import ScopedAdminMixin
from stations.locking import VersionCheckedAdminMixin


class VersionedAdmin(VersionCheckedAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    pass


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]


@admin.register(Project)
class ProjectAdmin(VersionedAdmin):
    list_display = ["title", "station", "theme", "status", "start_date", "budget", "funding_source"]
    list_filter = ["theme", "status", "funding_source", "is_featured"]
    search_fields = ["title", "station__name"]
    list_select_related = ["station"]
    raw_id_fields = ["station", "lead", "requests", "communities"]
    filter_horizontal = ["target_groups"]


@admin.register(Activity)
class ActivityAdmin(VersionedAdmin):
    list_display = ["date", "title", "station", "method", "sessions", "person_times", "volunteers"]
    list_filter = ["method", "for_community_workers"]
    search_fields = ["title", "station__name"]
    list_select_related = ["station"]
    date_hierarchy = "date"
    raw_id_fields = ["station", "project", "communities"]


@admin.register(Partner)
class PartnerAdmin(VersionedAdmin):
    list_display = ["name", "station", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "station__name"]
    list_select_related = ["station"]
    raw_id_fields = ["station"]


@admin.register(Resource)
class ResourceAdmin(VersionedAdmin):
    list_display = ["date", "partner", "station", "kind", "amount"]
    list_filter = ["kind"]
    search_fields = ["partner__name", "station__name", "description"]
    list_select_related = ["station", "partner"]
    raw_id_fields = ["station", "partner", "project"]


class GroupAdmin(VersionedAdmin):
    list_display = ["name", "station", "focus", "members", "founded_on", "status"]
    list_filter = ["status"]
    search_fields = ["name", "station__name", "focus"]
    list_select_related = ["station"]
    raw_id_fields = ["station", "communities"]


admin.site.register(VolunteerTeam, GroupAdmin)
admin.site.register(CommunityOrganisation, GroupAdmin)


class FundEntryInline(admin.TabularInline):
    model = FundEntry
    extra = 0
    # The ledger is append-only and its balance rule lives in services.record_fund_entry.
    readonly_fields = [
        "direction",
        "channel",
        "purpose",
        "amount",
        "date",
        "partner",
        "project",
        "note",
        "recorded_by",
        "recorded_at",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CommunityFund)
class CommunityFundAdmin(VersionedAdmin):
    list_display = ["name", "station", "established_on"]
    search_fields = ["name", "station__name"]
    list_select_related = ["station"]
    raw_id_fields = ["station", "communities"]
    inlines = [FundEntryInline]


class PlanEventInline(admin.TabularInline):
    model = PlanEvent
    extra = 0
    readonly_fields = ["action", "actor", "at", "comment"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AnnualPlan)
class AnnualPlanAdmin(VersionedAdmin):
    list_display = ["station", "year", "status", "submitted_at", "decided_at"]
    list_filter = ["status", "year"]
    search_fields = ["station__name"]
    list_select_related = ["station"]
    # Status moves only through the approval workflow (projects.services), never by hand here.
    readonly_fields = ["status", "submitted_at", "submitted_by", "decided_at", "decided_by", "review_comment"]
    raw_id_fields = ["station"]
    inlines = [PlanEventInline]
