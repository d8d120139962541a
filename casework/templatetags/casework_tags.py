"""Casework's links on pages of other apps (residents' templates load these; residents imports nothing of
casework): the request's case or its 转为个案 button, the resident's 开个案 entry."""

from django import template
from django.urls import reverse

from casework.models import Case
from casework.services.intake import CONVERTIBLE_STATUSES
from stations import access

register = template.Library()


@register.simple_tag(takes_context=True)
def request_case(context, req):
    """{"case": (pk, reference) of the case the request became, or None; "may_convert": whether the user
    may turn it into a case now}. One query."""
    user = context["request"].user
    linked = Case.objects.filter(request_id=req.pk).values_list("pk", "reference").first()
    may_convert = (
        linked is None
        and req.resident_id is not None
        and req.status in CONVERTIBLE_STATUSES
        and access.is_station_user(user)
        and access.works_at(user, req)
    )
    return {"case": linked, "may_convert": may_convert}


@register.simple_tag(takes_context=True)
def may_open_case_for(context, resident):
    """Whether the user may open a case (开个案) for this resident: staff of the resident's station."""
    user = context["request"].user
    return (
        access.is_station_user(user) and access.may_open(user, resident) and access.works_at(user, resident)
    )


@register.simple_tag
def case_url(name, *args):
    """A casework page's address for the residents' templates (which name no casework URL themselves:
    tests/test_shared_partials.py), e.g. {% case_url "case-open" %}."""
    return reverse(f"casework:{name}", args=args)
