"""Admin for residents and requests: scoped to the staff user's reach, personal data masked.

Categories, response targets and vulnerability tags are reference data maintained here. Timeline and
resident events are append-only: readable, never added, changed or deleted through the admin.
"""

from django.contrib import admin, messages

from residents.models import (
    Category,
    Referral,
    Request,
    Resident,
    ResidentEvent,
    ResponseTarget,
    TimelineEvent,
    VulnerabilityTag,
)
from residents.permissions import can_open_sensitive
from residents.validators import contains_id_number
from stations.access import ScopedAdminMixin
from stations.locking import VersionCheckedAdminMixin
from stations.models import Community


def _searchable(model) -> bool:
    model_admin = admin.site._registry.get(model)
    return bool(model_admin and model_admin.search_fields)


class CommunityAutocompleteMixin:
    """Autocomplete for communities (thousands of rows) once the stations app's admin can search them;
    until then a raw id box, never a giant select."""

    raw_id_fields = ("community",)

    def get_autocomplete_fields(self, request):
        fields = list(super().get_autocomplete_fields(request))
        if _searchable(Community):
            fields.append("community")
        return fields


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VulnerabilityTag)
class VulnerabilityTagAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order", "sensitive")
    list_editable = ("order", "sensitive")
    search_fields = ("name", "code")


class CategoryChildInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ("name", "default_severity", "default_urgency", "order", "is_active")
    extra = 0
    verbose_name = "二级分类"
    verbose_name_plural = "二级分类"


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "parent",
        "default_severity",
        "default_urgency",
        "default_priority",
        "order",
        "is_active",
    )
    list_editable = ("default_severity", "default_urgency", "order", "is_active")
    list_filter = ("is_active", ("parent", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("parent",)
    search_fields = ("name", "parent__name")
    fields = ("parent", "name", "default_severity", "default_urgency", "order", "is_active")
    inlines = [CategoryChildInline]

    @admin.display(description="默认优先级")
    def default_priority(self, obj):
        return f"P{obj.default_priority}"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Category.objects.filter(parent__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_inlines(self, request, obj):
        # Only a first-level category has children.
        return self.inlines if obj is None or obj.parent_id is None else []


@admin.register(ResponseTarget)
class ResponseTargetAdmin(admin.ModelAdmin):
    list_display = ("priority", "hours")
    list_editable = ("hours",)


class ResidentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ResidentEvent
    fields = ("at", "kind", "actor", "text")
    readonly_fields = fields
    extra = 0


@admin.register(Resident)
class ResidentAdmin(VersionCheckedAdminMixin, CommunityAutocompleteMixin, ScopedAdminMixin, admin.ModelAdmin):
    # The age, not the birth date, beside the masked ID number: the date is the number's hidden part.
    list_display = ("name", "community", "gender", "age_display", "masked_phone", "masked_id_number")
    list_select_related = ("community",)
    list_filter = ("gender", "tags")
    # Names here; tails in get_search_results (the ID tail is stored as a keyed digest). The admin's
    # search is a GET: a whole ID number is never searched (or echoed) here.
    search_fields = ("name",)
    search_help_text = "姓名、电话后4位或身份证后4位（完整身份证号请在居民页面用“按完整身份证号查找”）"
    # The ID number and phone are edited in the app, where they are validated; here they stay masked.
    fields = (
        "name",
        "gender",
        "birth_date",
        "masked_id_number",
        "masked_phone",
        "community",
        "address",
        "tags",
        "notes",
        "version",
    )
    readonly_fields = ("masked_id_number", "masked_phone", "age_display")
    filter_horizontal = ("tags",)
    inlines = [ResidentEventInline]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None and obj.id_number_encrypted:
            # Given by the ID number (edited in the app): shown as the age, and not editable here.
            fields[fields.index("birth_date")] = "age_display"
        return fields

    @admin.display(description="年龄")
    def age_display(self, obj):
        age = obj.age()
        return f"{age}岁" if age is not None else "—"

    @admin.display(description="身份证号")
    def masked_id_number(self, obj):
        return obj.masked_id_number or "—"

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return obj.masked_phone or "—"

    def get_queryset(self, request):
        # Minors and sensitive records need the extra permission here as in the app; without it they are
        # not listed, and opening one by URL is a 404.
        residents = super().get_queryset(request)
        return residents if can_open_sensitive(request.user) else residents.not_sensitive()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return super().get_search_results(request, queryset, search_term)
        if contains_id_number(term):
            messages.error(request, "为保护个人信息，后台搜索不接受完整身份证号；请输入身份证后4位。")
            return queryset.none(), False
        return queryset.search(term).visible_to(request.user), False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class TimelineEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TimelineEvent
    fields = ("at", "kind", "actor", "from_status", "to_status", "text")
    readonly_fields = fields
    extra = 0


class ReferralInline(admin.TabularInline):
    model = Referral
    fields = ("organisation", "reason", "outcome", "outcome_note", "referred_at", "referred_by")
    readonly_fields = ("referred_at", "referred_by")
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False  # a referral is a workflow step (it changes the request's status): made in the app


@admin.register(Request)
class RequestAdmin(VersionCheckedAdminMixin, CommunityAutocompleteMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = (
        "reference",
        "station",
        "community",
        "category",
        "priority",
        "status",
        "due_at",
        "assignee",
    )
    list_select_related = ("station", "community", "category", "category__parent", "assignee")
    list_filter = ("status", "priority", "channel")
    search_fields = ("reference",)
    date_hierarchy = "received_at"
    autocomplete_fields = ("resident",)
    readonly_fields = (
        "reference",
        "station",
        "status",
        "priority",
        "due_at",
        "received_at",
        "resolved_at",
        "closed_at",
        "follow_up_due_on",
        "satisfaction",
        "masked_reporter_phone",
        "created_by",
    )
    fields = (
        "reference",
        "station",
        "community",
        "resident",
        "reporter_name",
        "masked_reporter_phone",
        "channel",
        "category",
        "description",
        "severity",
        "urgency",
        "priority",
        "due_at",
        "status",
        "assignee",
        "received_at",
        "resolved_at",
        "follow_up_due_on",
        "satisfaction",
        "closed_at",
        "close_kind",
        "close_reason",
        "created_by",
        "version",
    )
    inlines = [ReferralInline, TimelineEventInline]

    @admin.display(description="反映人电话")
    def masked_reporter_phone(self, obj):
        return obj.masked_reporter_phone or "—"

    def has_add_permission(self, request):
        return False  # intake is in the app: reference numbers, timeline and duplicate checks live there

    def save_model(self, request, obj, form, change):
        # Corrections by an administrator keep priority and due time consistent (the mixin bumps the
        # version).
        obj.compute_priority()
        super().save_model(request, obj, form, change)


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("at", "request", "kind", "actor", "from_status", "to_status")
    list_select_related = ("request", "actor")
    list_filter = ("kind",)
    search_fields = ("request__reference",)
    date_hierarchy = "at"


@admin.register(ResidentEvent)
class ResidentEventAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("at", "resident", "kind", "actor", "text")
    list_select_related = ("resident", "actor")
    list_filter = ("kind",)
    date_hierarchy = "at"


@admin.register(Referral)
class ReferralAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("request", "organisation", "outcome", "referred_at", "referred_by")
    list_select_related = ("request", "referred_by")
    list_filter = ("outcome",)
    search_fields = ("request__reference", "organisation")
    readonly_fields = ("request", "referred_at", "referred_by")

    def has_add_permission(self, request):
        return False


from residents import admin_care  # noqa: E402, F401  (the care registry's admin, issue #20)
