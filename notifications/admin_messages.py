"""Admin for the message templates: admins edit the Chinese texts; the form refuses an unknown
placeholder, and the page shows the saved text rendered with sample values (the preview)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from notifications.events import PLACEHOLDERS, SAMPLE_CONTEXT
from notifications.messages import MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "channel", "preview", "updated_at"]
    list_filter = ["channel"]
    search_fields = ["text"]
    readonly_fields = ["placeholders", "preview"]
    fields = ["code", "channel", "text", "placeholders", "preview"]

    @admin.display(description="预览（示例数据）")
    def preview(self, obj):
        if obj is None or not obj.pk:
            return "保存后显示预览。"
        return format_html('<span class="template-preview">{}</span>', obj.render(SAMPLE_CONTEXT))

    @admin.display(description="可用占位符")
    def placeholders(self, obj):
        if obj is None or not obj.code:
            return "选择消息类型并保存后显示。"
        names = PLACEHOLDERS.get(obj.code, ())
        return format_html_join("、", "<code>{{{}}}</code>", ((n,) for n in names)) or "（无）"
