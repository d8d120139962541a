"""Attachments in the admin: a read-only list within the user's scope (ScopedAdminMixin). Files are
added and removed on the records' own pages only (services: checked, audited); the admin shows who
uploaded what, when, and which were removed."""

from django.contrib import admin

from attachments.models import Attachment
from stations.access import ScopedAdminMixin


@admin.register(Attachment)
class AttachmentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = [
        "original_name",
        "station",
        "content_type",
        "object_id",
        "file_type",
        "kind",
        "size",
        "uploaded_by",
        "uploaded_at",
        "removed_at",
    ]
    list_filter = ["file_type", "kind", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["original_name", "sha256", "station__name"]
    list_select_related = ["station", "content_type", "uploaded_by"]
    date_hierarchy = "uploaded_at"
    # Not `file`: its link would point at a storage URL, and there is none (the download view serves it).
    exclude = ["file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
