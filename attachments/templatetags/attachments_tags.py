"""`{% attachments_panel owner %}`: the attachment list and the upload form of one record.

    {% load attachments_tags %}
    {% attachments_panel activity %}

The owner's model must be registered (attachments.registry). One query for the list, plus what the
owner's rules ask (the defaults: one scope check)."""

from django import template

from attachments.panel import panel_context

register = template.Library()


@register.inclusion_tag("attachments/_panel.html", takes_context=True)
def attachments_panel(context, owner, title="附件"):
    return {
        **panel_context(context["request"], owner),
        "title": title,
        "csrf_token": context.get("csrf_token"),
    }
