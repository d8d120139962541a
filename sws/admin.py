"""Admin for the evaluation's configuration: indicator sets per year (dimensions inline, indicators) and
service contracts (scoped like every other admin page: `ScopedAdminMixin`). Evaluations themselves are
run in the app's pages (their steps are services with a trail), not edited here."""

from django.contrib import admin

from stations.access import ScopedAdminMixin
from sws.models.evaluation import Dimension, Indicator, IndicatorSet, ServiceContract


class DimensionInline(admin.TabularInline):
    model = Dimension
    extra = 0
    fields = ["order", "name", "weight"]


@admin.register(IndicatorSet)
class IndicatorSetAdmin(admin.ModelAdmin):
    list_display = ["year", "name", "excellent_from", "good_from", "pass_from"]
    inlines = [DimensionInline]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "dimension", "kind", "computation", "target", "max_score", "order"]
    list_filter = ["dimension__indicator_set", "kind", "computation"]
    list_select_related = ["dimension__indicator_set"]
    search_fields = ["name"]
    fields = ["dimension", "order", "name", "guidance", "max_score", "kind", "computation", "target"]


@admin.register(ServiceContract)
class ServiceContractAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "station", "start_date", "end_date", "amount"]
    list_select_related = ["station"]
    search_fields = ["organisation", "credit_code", "station__name"]
    raw_id_fields = ["station"]
