from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("notifications/_badge_placeholder.html")
def inbox_badge():
    """The navigation's message link. Rendered without a query: htmx fetches the unread count when the
    page has loaded and every NOTIFICATIONS_POLL_SECONDS after (`views.badge`)."""
    return {"poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS}
