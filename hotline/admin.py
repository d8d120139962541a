"""The hotline in the admin: the category and deadline tables (data, not code), API keys (issued here,
shown once, revoked here), the call log (read only), work orders (read only: they change through the
services)."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from hotline.models import (
    ApiCall,
    ApiKey,
    DeadlineRule,
    ExtensionRequest,
    HotlineCategory,
    WorkOrder,
    WorkOrderImport,
)
from stations.access import ScopedAdminMixin


@admin.register(HotlineCategory)
class HotlineCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name"]


class DeadlineRuleForm(forms.ModelForm):
    class Meta:
        model = DeadlineRule
        fields = ["deadline_class", "name", "sign_within_minutes", "reply_within_working_days", "urgent"]
        help_texts = {
            "deadline_class": "热线推送工单时使用的代码，如 normal、urgent。",
            "sign_within_minutes": "按工作时间计（工作日 9:00–17:00，节假日不计）：2 个工作小时填 120。",
            "reply_within_working_days": "受理次日起算的工作日数（工作日历：节假日与调休由管理员维护）。",
        }

    def clean_sign_within_minutes(self):
        value = self.cleaned_data["sign_within_minutes"]
        if not value:
            raise forms.ValidationError("签收时限至少为 1 个工作分钟。")
        return value

    def clean_reply_within_working_days(self):
        value = self.cleaned_data["reply_within_working_days"]
        if not value:
            raise forms.ValidationError("办结时限至少为 1 个工作日。")
        return value


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """The hotline's limits by deadline class: data an admin keeps. A change applies to orders received
    after it (an order's due times are fixed when it comes in)."""

    form = DeadlineRuleForm
    list_display = ["deadline_class", "name", "sign_limit", "reply_within_working_days", "urgent"]

    @admin.display(description="签收时限", ordering="sign_within_minutes")
    def sign_limit(self, obj):
        hours, minutes = divmod(obj.sign_within_minutes, 60)
        if hours and not minutes:
            return f"{hours} 个工作小时"
        return f"{obj.sign_within_minutes} 个工作分钟"


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "key_id", "scope_label", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["district"]
    fields = ["name", "key_id", "district", "expires_at", "callback_url", "revoked_at", "last_used_at"]
    readonly_fields = ["key_id", "revoked_at", "last_used_at"]
    actions = ["revoke"]

    @admin.display(description="范围")
    def scope_label(self, obj):
        return obj.scope_label

    def save_model(self, request, obj, form, change):
        if not change:
            plain = obj.set_new_secret()
            super().save_model(request, obj, form, change)
            messages.warning(
                request,
                f"新密钥（只显示这一次，请立即交给对方）：{plain}　回调签名密钥：{obj.callback_secret}",
            )
            return
        super().save_model(request, obj, form, change)

    @admin.action(description="吊销所选密钥")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"已吊销 {count} 个密钥。")


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["at", "key_name", "method", "path", "status", "duration_ms"]
    list_filter = ["status", "method"]
    search_fields = ["key_name", "path"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ExtensionInline(admin.TabularInline):
    model = ExtensionRequest
    extra = 0
    can_delete = False
    fields = ["new_due_on", "reason", "state", "requested_by", "decided_by", "decision_note"]
    readonly_fields = fields


@admin.register(WorkOrder)
class WorkOrderAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ["ticket_no", "state", "district", "station", "sign_due_at", "reply_due_at"]
    list_filter = ["state", "district"]
    search_fields = ["ticket_no"]
    inlines = [ExtensionInline]
    exclude = ["caller_phone"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WorkOrderImport)
class WorkOrderImportAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Who imported which spreadsheet (read only: written by the import page)."""

    list_display = [
        "imported_at",
        "file_name",
        "district",
        "rows",
        "created",
        "present",
        "unplaced",
        "imported_by",
    ]
    list_filter = ["district"]
    date_hierarchy = "imported_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
