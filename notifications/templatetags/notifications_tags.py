from django import template

from stations.access import is_auditor, is_community_staff, is_volunteer_reporter

register = template.Library()


@register.inclusion_tag("notifications/_badge_placeholder.html", takes_context=True)
def inbox_badge(context):
    """The navigation's message link. Rendered without a query: htmx fetches the unread count when the
    page has loaded and every NOTIFICATIONS_POLL_SECONDS after (`views.badge`). Not for the auditor, who
    reads the audit trail only, nor for the reporters (居委会, volunteer reporters), who have no inbox:
    both are confined to their pages (sws.security.middleware.AuditorConfinementMiddleware)."""
    user = context.get("user")
    confined = is_auditor(user) or is_community_staff(user) or is_volunteer_reporter(user) if user else True
    return {"show": user is not None and user.is_authenticated and not confined}
