"""Admin for the audit trail (read-only for everyone, superusers included), login records, unlocks
and the per-role security policy.

Replaces the admin classes of django-auditlog (which lets related deletions remove entries) and of
django-axes (AXES_ENABLE_ADMIN = False: its log admins allow deleting).
"""

import json

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from stations.audit import AuditLogEntry, PersonalDataAccess, redact_entry
from stations.security import RolePolicy


class ReadOnlyAdmin(admin.ModelAdmin):
    """Nobody adds, changes or deletes an audit record here; superusers may read."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


if admin.site.is_registered(AuditLogEntry):
    admin.site.unregister(AuditLogEntry)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReadOnlyAdmin):
    """Shows what the auditor's pages show: personal and case values redacted, even in entries written
    before they were (stations.audit.redact_entry), and no search by them."""

    list_display = ["timestamp", "actor", "remote_addr", "content_type", "object_pk", "shown_repr", "action"]
    list_filter = ["action", "content_type"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_pk", "actor__username"]
    date_hierarchy = "timestamp"
    fields = ["timestamp", "actor", "remote_addr", "content_type", "object_pk", "shown_repr", "action"]
    fields += ["shown_changes", "cid"]
    readonly_fields = fields

    def _redacted(self, obj):
        ct = obj.content_type
        return redact_entry(ct.app_label, ct.model, obj.changes_dict or {}, obj.object_repr, obj.object_pk)

    @admin.display(description="对象")
    def shown_repr(self, obj):
        return self._redacted(obj)[1]

    @admin.display(description="变更内容")
    def shown_changes(self, obj):
        return json.dumps(self._redacted(obj)[0], ensure_ascii=False, indent=1)


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "ip_address", "action", "resident_count", "reason"]
    list_filter = ["action"]
    list_select_related = ["user"]
    search_fields = ["user__username", "reason"]
    date_hierarchy = "at"


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "logout_time", "username", "ip_address", "user_agent"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin):
    list_display = ["attempt_time", "username", "ip_address", "locked_out", "user_agent"]
    list_filter = ["locked_out"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"


@admin.register(AccessAttempt)
class AccessAttemptAdmin(admin.ModelAdmin):
    """Current locks. Deleting one unlocks the username at once; the failure log keeps the record."""

    list_display = ["username", "attempt_time", "failures_since_start", "ip_address"]
    search_fields = ["username"]
    readonly_fields = ["username", "attempt_time", "failures_since_start", "ip_address", "user_agent"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RolePolicy)
class RolePolicyAdmin(admin.ModelAdmin):
    list_display = ["role", "require_two_factor", "updated_at"]
    list_editable = ["require_two_factor"]
