"""Template helpers: personal data is rendered masked through these filters, never raw."""

from django import template
from django.http import QueryDict

from residents import permissions
from residents.validators import mask_id_number, mask_phone

register = template.Library()


@register.filter
def mask_id(value):
    return mask_id_number(value)


@register.filter(name="mask_phone")
def mask_phone_filter(value):
    return mask_phone(value)


@register.simple_tag(takes_context=True)
def page_url(context, page):
    """The current list URL with another page number, keeping the filters."""
    query = context["request"].GET.copy() if "request" in context else QueryDict(mutable=True)
    query["page"] = page
    return f"?{query.urlencode()}"


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
