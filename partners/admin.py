"""The partner registry in the admin, scoped: a district centre keeps its district's partners, the city
the city's; the links to organisations, teams and 链接单位 are kept by `sync_partners`, not typed."""

from django.contrib import admin

from partners.models import Partner
from stations.access import ScopedAdminMixin


@admin.register(Partner)
class PartnerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "scope_label", "station", "district", "contact_name", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "contact_name"]
    fields = ["kind", "name", "contact_name", "contact_phone", "station", "district", "active"]
    readonly_fields = []

    @admin.display(description="范围")
    def scope_label(self, obj):
        return obj.scope_label
