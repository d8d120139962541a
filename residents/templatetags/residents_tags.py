"""Template helpers: minors' and sensitive records are named masked through these tags (resident_name)."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from residents import permissions
from residents.deadlines import readable_duration, relative_deadline

register = template.Library()


@register.filter
def deadline(value):
    """A due time as "今天 22:25 · 剩 4 小时" (residents/deadlines.py, as the queue writes it)."""
    return relative_deadline(value) if value else ""


@register.filter
def duration(value):
    """A duration as "9.4 天", or "5.2 小时" under a day."""
    return readable_duration(value)


def _may_open_sensitive(context) -> bool:
    """Asked once per response (and only when a sensitive resident is on it): kept on the request."""
    request = context.get("request")
    if request is None:
        return False
    if not hasattr(request, "_may_open_sensitive"):
        request._may_open_sensitive = permissions.can_open_sensitive(request.user)
    return request._may_open_sensitive


@register.simple_tag(takes_context=True)
def may_open(context, resident) -> bool:
    """{% may_open resident as open %}: False for a minor's or sensitive record without the permission."""
    if resident is None or not resident.is_sensitive:
        return True
    return _may_open_sensitive(context)


@register.simple_tag(takes_context=True)
def resident_name(context, resident):
    """The resident's name, or 张** for a minor's or sensitive record the user may not open."""
    if resident is None:
        return ""
    return resident.name if may_open(context, resident) else resident.masked_name


@register.simple_tag(takes_context=True)
def request_person(context, req):
    """Who a request is about (Request.display_name), masked like `resident_name`."""
    if req.resident_id:
        return resident_name(context, req.resident)
    return req.display_name


@register.simple_tag
def filter_fields(form):
    """A filter form's fields, each in its `<div class="field">` (a checkbox inside its label), written in
    Python: label_tag() and an empty error list each render a template, ten times per queue page."""
    parts = []
    for field in form:
        if getattr(field.field.widget, "input_type", None) == "checkbox":
            parts.append(
                format_html(
                    '<div class="field"><label class="field-inline" for="{}">{} {}</label></div>',
                    field.id_for_label,
                    field,
                    field.label,
                )
            )
            continue
        label = field.label
        suffix = form.label_suffix if field.field.label_suffix is None else field.field.label_suffix
        if suffix and label and label[-1] not in _(":?.!"):
            label = format_html("{}{}", label, suffix)
        parts.append(
            format_html(
                '<div class="field"><label for="{}">{}</label>{}{}</div>',
                field.id_for_label,
                label,
                field,
                field.errors or "",
            )
        )
    return mark_safe("".join(parts))  # every part escaped by format_html above
