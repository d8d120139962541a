from django import template

from stations.access import is_auditor

register = template.Library()


@register.inclusion_tag("notifications/_badge_placeholder.html", takes_context=True)
def inbox_badge(context):
    """The navigation's message link. Rendered without a query: htmx fetches the unread count when the
    page has loaded and every NOTIFICATIONS_POLL_SECONDS after (`views.badge`). Not for the auditor, who
    reads the audit trail only (sws.security.middleware.AuditorConfinementMiddleware)."""
    user = context.get("user")
    return {"show": user is not None and user.is_authenticated and not is_auditor(user)}
