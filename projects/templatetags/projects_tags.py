"""Template filters for station work."""

from decimal import Decimal, InvalidOperation

from django import template
from django.urls import reverse

register = template.Library()


@register.filter
def yuan(value):
    """A yuan amount with thousands separators and two decimals (12,000.50), exact: no float on the way.

    The zh-hans locale groups no digits, but amounts are read in thousands here, as on a receipt.
    """
    if value is None or value == "":
        value = Decimal("0")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    return f"{amount:,.2f}"


@register.simple_tag
def visit_hours_url(visit_pk):
    """The page recording volunteers' hours on a visit, for residents' templates (which name no projects
    URL themselves, as with casework's `case_url`)."""
    return reverse("projects:visit-hours", args=[visit_pk])
