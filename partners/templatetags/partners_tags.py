"""`{% resource_uses_panel activity %}`: the partners and resources an activity used, on its page.

    {% load partners_tags %}
    {% resource_uses_panel activity %}

projects imports nothing of partners: its template loads this library. One query."""

from django import template

from partners.forms import new_use_form
from partners.models import ResourceUse
from stations import access

register = template.Library()


@register.inclusion_tag("partners/_resource_uses.html", takes_context=True)
def resource_uses_panel(context, owner):
    user = context["request"].user
    uses = list(ResourceUse.objects.filter(activity=owner).select_related("partner").order_by("date", "pk"))
    can_use = access.may_change(user, owner)
    return {
        "resource_uses": uses,
        "can_use": can_use,
        "use_form": new_use_form(user) if can_use else None,
        "owner_kind": "activity",
        "owner": owner,
        "csrf_token": context.get("csrf_token"),
    }
