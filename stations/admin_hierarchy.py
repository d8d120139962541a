"""Admin of the city's hierarchy: municipality, districts, streets and communities (registered when
`stations.admin` is imported)."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from stations.access import ScopedAdminMixin, is_admin
from stations.admin_filters import ServedFilter, district_filter
from stations.audit import record_street_move
from stations.models import Community, District, Municipality, Street


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(District)
class DistrictAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "station_count", "township_count", "covered_count", "workroom_count")
    search_fields = ("code", "name")
    list_select_related = ("municipality",)

    def get_queryset(self, request):
        # Aggregate queries drop Meta.ordering; autocompletes paginate, so order explicitly.
        return super().get_queryset(request).with_coverage().order_by("code")

    @admin.display(description=_("社工站"), ordering="n_stations")
    def station_count(self, obj):
        return obj.n_stations

    @admin.display(description=_("街道（乡镇）"), ordering="n_townships")
    def township_count(self, obj):
        return obj.n_townships

    @admin.display(description=_("已覆盖"), ordering="n_covered")
    def covered_count(self, obj):
        return obj.n_covered

    @admin.display(description=_("社区工作室"), ordering="n_workrooms")
    def workroom_count(self, obj):
        return obj.n_workrooms


@admin.register(Street)
class StreetAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "district", "station", "community_count", "workroom_count")
    list_filter = (district_filter("district"), "kind", ServedFilter)
    search_fields = ("code", "name", "station__name")
    list_select_related = ("district", "station")
    autocomplete_fields = ("station",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_communities=Count("communities"),
                n_workrooms=Count("communities", filter=Q(communities__workroom_opened_on__isnull=False)),
            )
            .order_by("code")
        )

    def get_readonly_fields(self, request, obj=None):
        return () if is_admin(request.user) else ("code", "name", "kind", "district")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "station" in form.changed_data:
            # The street's residents change scope: recorded with how many (stations.audit).
            old = form.initial.get("station")
            record_street_move(obj, getattr(old, "pk", old), obj.station_id, actor=request.user)

    @admin.display(description=_("社区（村）"), ordering="n_communities")
    def community_count(self, obj):
        return obj.n_communities

    @admin.display(description=_("社区工作室"), ordering="n_workrooms")
    def workroom_count(self, obj):
        return obj.n_workrooms


@admin.register(Community)
class CommunityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "kind", "street", "district_name", "workroom_opened_on")
    list_filter = (
        district_filter("street__district"),
        "kind",
        ("workroom_opened_on", admin.EmptyFieldListFilter),
    )
    search_fields = ("code", "name", "street__name")
    list_select_related = ("street__district",)
    autocomplete_fields = ("street",)

    def get_readonly_fields(self, request, obj=None):
        # District centres keep workrooms up to date; the divisions themselves come from the NBS file.
        return () if is_admin(request.user) else ("code", "name", "kind", "street")

    @admin.display(description=_("所属区"), ordering="street__district__code")
    def district_name(self, obj):
        return obj.street.district.name
