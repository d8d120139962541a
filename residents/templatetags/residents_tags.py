"""Template helpers: personal data is rendered masked through these filters, never raw."""

from django import template
from django.http import QueryDict

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
