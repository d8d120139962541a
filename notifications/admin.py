"""Admin of the outbox (every outbound message: delivered, failed, refused; dead letters retried here),
the SMS opt-out list and the periodic jobs' last runs. City admins only: no centre group holds these
permissions. No message body is shown anywhere here."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse

from notifications import (
    admin_messages,  # noqa: F401  (the message templates' admin)
    delivery,
)
from notifications.health import outbox_health
from notifications.masking import MOBILE_RE, mask_address, normalise_number
from notifications.models import JobRun, OutboxMessage, SmsOptOut
from notifications.optout import record_opt_out

RETRY_PERMISSION = "notifications.change_outboxmessage"


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only records; "重新发送" (the list's action, the change page's button) puts dead ones back."""

    list_display = ["created_at", "status", "channel_name", "template_code", "shown_address", "attempts"]
    list_display += ["next_attempt_at", "sent_at", "skip_reason", "last_error"]
    list_filter = ["status", "channel", "skip_reason", "template_code"]
    search_fields = ["=key", "=address"]  # exact: an admin looks up one message or one number
    date_hierarchy = "created_at"
    fields = ["key", "status", "skip_reason", "channel_name", "template_code", "shown_address"]
    fields += ["recipient_user", "attempts", "next_attempt_at", "last_error", "provider_message_id"]
    fields += ["created_at", "sent_at"]
    readonly_fields = fields
    list_select_related = ["recipient_user"]
    actions = ["retry"]
    change_form_template = "admin/notifications/outboxmessage/change_form.html"
    change_list_template = "admin/notifications/outboxmessage/change_list.html"

    @admin.display(description="渠道")
    def channel_name(self, obj):
        return obj.get_channel_display()

    @admin.display(description="接收地址")
    def shown_address(self, obj):
        return mask_address(obj.address)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the record is what happened: nothing to edit

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request, obj=None):
        return request.user.has_perm(RETRY_PERMISSION)

    @admin.action(description="重新发送所选的发送失败消息", permissions=["retry"])
    def retry(self, request, queryset):
        self._retry(request, queryset)

    def _retry(self, request, queryset):
        with transaction.atomic():
            dead = list(queryset.filter(status=OutboxMessage.Status.DEAD))
            count = delivery.retry_messages(acting_user=request.user, messages=queryset)
            for message in dead:
                self.log_change(request, message, "重新发送")
        if count:
            self.message_user(request, f"已重新安排发送 {count} 条消息。", messages.SUCCESS)
        else:
            self.message_user(request, "所选消息中没有发送失败的消息，未作改动。", messages.WARNING)

    def get_urls(self):
        retry = self.admin_site.admin_view(self.retry_view)
        own = [path("<int:object_id>/retry/", retry, name="notifications_outboxmessage_retry")]
        return own + super().get_urls()

    def retry_view(self, request, object_id):
        if not self.has_retry_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        message = get_object_or_404(self.get_queryset(request), pk=object_id)
        self._retry(request, OutboxMessage.objects.filter(pk=message.pk))
        return redirect(reverse("admin:notifications_outboxmessage_change", args=[message.pk]))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_retry": self.has_retry_permission(request)}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "outbox_health": outbox_health()}
        return super().changelist_view(request, extra_context)


class SmsOptOutForm(forms.ModelForm):
    class Meta:
        model = SmsOptOut
        fields = ["number", "source", "note"]

    def clean_number(self):
        number = normalise_number(self.cleaned_data["number"])
        if not MOBILE_RE.match(number):
            raise forms.ValidationError("请输入 11 位手机号码。")
        return number


@admin.register(SmsOptOut)
class SmsOptOutAdmin(admin.ModelAdmin):
    form = SmsOptOutForm
    list_display = ["shown_number", "source", "note", "created_at"]
    list_filter = ["source"]
    search_fields = ["=number"]
    fields = ["number", "source", "note"]

    @admin.display(description="手机号")
    def shown_number(self, obj):
        return mask_address(obj.number)

    def get_readonly_fields(self, request, obj=None):
        return ["number", "source"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            saved = record_opt_out(obj.number, source=obj.source, note=obj.note)
            obj.pk = saved.pk


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """When `run_due_jobs` last ran each periodic job (read-only)."""

    list_display = ["name", "last_run_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
