"""The job queue's health: the outbox's backlog and how long its oldest undelivered message has waited.

`outbox_health()` is read by /health/jobs/ (monitoring: JSON) and shown above the outbox's admin list.
"""

import hmac

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from notifications.models import OutboxMessage
from stations import access


def late_after_seconds() -> int:
    """How long the oldest undelivered message may wait (retries included) before the outbox counts as
    late: /health/jobs/ and /readyz answer 503 past it (READY_OUTBOX_MAX_AGE_SECONDS, 15 minutes)."""
    return getattr(settings, "READY_OUTBOX_MAX_AGE_SECONDS", 15 * 60)


def bearer_matches(request, token: str) -> bool:
    """The request carries "Authorization: Bearer <token>" (compared in constant time); never for no token."""
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


def outbox_health(now=None):
    """One query: the backlog, how many of it are due now, the dead letters, the oldest message's age."""
    now = now or timezone.now()
    pending = Q(status=OutboxMessage.Status.PENDING)
    # Only the rows that count, through the (status, next_attempt_at) index: the outbox keeps every
    # message ever sent, and those are no part of the health.
    unsent = OutboxMessage.objects.filter(
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.DEAD]
    )
    figures = unsent.aggregate(
        backlog=Count("pk", filter=pending),
        due=Count("pk", filter=pending & Q(next_attempt_at__lte=now)),
        dead=Count("pk", filter=Q(status=OutboxMessage.Status.DEAD)),
        oldest=Min("created_at", filter=pending),
    )
    oldest = figures.pop("oldest")
    age = int((now - oldest).total_seconds()) if oldest else 0
    figures["oldest_undelivered_age_seconds"] = age
    figures["status"] = "late" if age > late_after_seconds() else "ok"
    return figures


@require_safe
def jobs_health(request):
    """For monitoring (Authorization: Bearer JOBS_HEALTH_TOKEN) and admins; 503 when messages are late."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        if not bearer_matches(request, settings.JOBS_HEALTH_TOKEN):
            raise PermissionDenied
    elif not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    elif not access.is_admin(request.user):
        raise PermissionDenied
    figures = outbox_health()
    return JsonResponse(figures, status=200 if figures["status"] == "ok" else 503)
