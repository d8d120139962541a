"""Two-factor login with TOTP (django-otp): who must use it, and the middleware that holds a
password-only session at the code page until the code is given.

A login needs a code when the user's role requires it (RolePolicy, edited in admin) or when the user has
enrolled an authenticator of their own accord. The requirement is fixed at login (`sessions.on_login`),
so the common request costs no query; a policy change applies from each user's next login.
"""

from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

from stations.security import RolePolicy
from sws.security.sessions import TWO_FACTOR_REQUIRED


def two_factor_required_for(user) -> bool:
    from django.conf import settings

    by_role = not settings.SWS_TWO_FACTOR_OPTIONAL and RolePolicy.objects.requires_two_factor(user.role)
    return by_role or user_has_device(user, confirmed=True)


def is_verified(user) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


def needs_code(request) -> bool:
    """A password-logged-in session that still owes its one-time code."""
    user = request.user
    return bool(user.is_authenticated and request.session.get(TWO_FACTOR_REQUIRED) and not is_verified(user))


class TwoFactorRequiredMiddleware:
    """Until the code is given, every page but the code pages, logout and static files redirects to
    verification (or to enrolment when the user has no authenticator yet). After OTPMiddleware."""

    ALLOWED_NAMES = ("security:two-factor-verify", "security:two-factor-enrol", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_code(request) and not self._allowed(request.path):
            target = "security:two-factor-verify"
            if not user_has_device(request.user, confirmed=True):
                target = "security:two-factor-enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _allowed(self, path):
        from django.conf import settings

        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        return any(path == reverse(name) for name in self.ALLOWED_NAMES)


class PasswordChangeRequiredMiddleware:
    """A user whose password must be changed (User.must_change_password, set by an admin) sees only the
    password change page (and logout, the code pages, static files) until it is changed. After
    TwoFactorRequiredMiddleware: the code comes first."""

    ALLOWED_NAMES = (
        "security:password-change",
        "security:two-factor-verify",
        "security:two-factor-enrol",
        "logout",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not TwoFactorRequiredMiddleware._allowed(self, request.path)
        ):
            return redirect(reverse("security:password-change"))
        return self.get_response(request)
