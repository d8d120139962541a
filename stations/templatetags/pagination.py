"""The pages of a list (templates/_partials/_pagination.html): links that keep the list's filters."""

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, number, param=None):
    """`?…` for the current list with page `number`, keeping the other GET parameters. `param` names the
    page parameter when one page shows two lists (e.g. `tpage` and `opage`); "page" by default."""
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query[param or "page"] = number
    return f"?{query.urlencode()}"
