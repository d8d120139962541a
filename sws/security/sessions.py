"""Session lifetime: an idle timeout (30 minutes by default) and an absolute lifetime since login
(12 hours), both enforced here on every request, and the two-factor requirement fixed at login.

The session store's own expiry (SESSION_COOKIE_AGE) is the backstop for the idle timeout; this
middleware gives the exact limits, the absolute one the store cannot express, and a message saying why
the user has to log in again. The last-seen stamp is written at most once a minute, so a page view
does not always cost a session write. The inbox badge's poll is not activity: an open tab polling every
minute would otherwise keep an unattended screen of residents' data logged in for the whole 12 hours.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.urls import reverse

LOGIN_AT = "sws_login_at"
SEEN_AT = "sws_seen_at"
TWO_FACTOR_REQUIRED = "sws_2fa_required"
TOUCH_INTERVAL = 60  # seconds between two writes of the last-seen stamp


def on_login(sender, request, user, **kwargs):
    """user_logged_in receiver: start the session clocks and decide whether this login needs a code."""
    from sws.security.twofactor import two_factor_required_for

    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[TWO_FACTOR_REQUIRED] = two_factor_required_for(user)


def _expired(session, now) -> str | None:
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if login_at is not None and now - login_at >= settings.SWS_SESSION_ABSOLUTE_LIFETIME:
        hours = settings.SWS_SESSION_ABSOLUTE_LIFETIME // 3600
        return f"登录已超过{hours}小时，为保护居民信息，请重新登录。"
    if seen_at is not None and now - seen_at >= settings.SWS_SESSION_IDLE_TIMEOUT:
        minutes = settings.SWS_SESSION_IDLE_TIMEOUT // 60
        return f"您已{minutes}分钟未操作，为保护居民信息，请重新登录。"
    return None


class SessionLifetimeMiddleware:
    """Log out sessions idle too long or older than the absolute lifetime. After AuthenticationMiddleware
    and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            reason = _expired(session, now)
            if reason:
                logout(request)
                messages.warning(request, reason)
                return self._to_login(request)
            if session.get(LOGIN_AT) is None:
                session[LOGIN_AT] = now  # a session from before this middleware: start its clock now
            if now - session.get(SEEN_AT, 0) >= TOUCH_INTERVAL and request.path != reverse(
                "notifications:badge"
            ):
                session[SEEN_AT] = now
        response = self.get_response(request)
        if (
            response.status_code == 302
            and request.headers.get("HX-Request")
            and not request.user.is_authenticated
            and response.get("Location", "").startswith(resolve_url(settings.LOGIN_URL))
        ):
            # Already logged out (another tab, the store's expiry): htmx would follow login_required's
            # redirect and swap the login page into the fragment (the badge in the top bar).
            return self._htmx_to_login()
        return response

    @staticmethod
    def _to_login(request):
        if request.headers.get("HX-Request"):
            return SessionLifetimeMiddleware._htmx_to_login()
        return redirect_to_login(request.get_full_path())

    @staticmethod
    def _htmx_to_login():
        # htmx would swap the login page into a fragment; ask it to load the page instead.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
        return response
