"""The inbox (站内消息), its unread badge, and each user's notification preferences.

Every message is fetched through `Notification.objects.visible_to(user)` (the recipient only): another
person's message is a 404, like a missing one. The object a message links to checks its own scope.
"""

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from notifications.forms import PreferencesForm
from notifications.inbox import Notification
from stations.access import get_visible_or_404

PAGE_SIZE = 20


@require_safe
@login_required
def inbox(request):
    mine = Notification.objects.visible_to(request.user).shown()
    page = Paginator(mine.unread_first(), PAGE_SIZE).get_page(request.GET.get("page"))
    unread = mine.unread().count()
    return render(request, "notifications/inbox.html", {"page": page, "unread": unread})


@require_safe
@login_required
def badge(request):
    """The navigation's unread count, polled by htmx: one COUNT over an index."""
    unread = Notification.objects.visible_to(request.user).unread().count()
    return render(
        request,
        "notifications/_badge.html",
        {"unread": unread, "poll_seconds": settings.NOTIFICATIONS_POLL_SECONDS},
    )


@require_safe
@login_required
def open_notification(request, pk):
    """Follow a message's link, marking it read on the way."""
    notification = get_visible_or_404(Notification, request.user, pk=pk)
    Notification.objects.filter(pk=notification.pk).mark_read()
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect("notifications:inbox")
    return redirect(url)


@require_POST
@login_required
def mark_read(request, pk):
    notification = get_visible_or_404(Notification, request.user, pk=pk)
    Notification.objects.filter(pk=notification.pk).mark_read()
    return _back(request)


@require_POST
@login_required
def mark_all_read(request):
    count = Notification.objects.visible_to(request.user).shown().mark_read()
    flash.success(request, f"已将 {count} 条消息标为已读。" if count else "没有未读消息。")
    return _back(request)


def _back(request):
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    form = PreferencesForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            flash.success(request, "通知设置已保存。")
            return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=400)
    return render(request, "notifications/preferences.html", {"form": form})
