"""Login lockout: 5 failed passwords for one username within 15 minutes lock it for 30 minutes.

django-axes alone cannot say "within 15 minutes": it keeps one counter per username whose failures keep
counting as long as each comes within AXES_COOLOFF_TIME of the previous one, so five failures ten
minutes apart would lock. This handler keeps axes' recording (AccessFailureLog: every failure with
time, address and browser; AccessLog: every login and logout) and its lockout plumbing (backend,
middleware, signals), and decides the lock itself:

- a failure counts if it is within SWS_LOGIN_FAILURE_WINDOW (15 min) of the current one and after the
  username's last lock and last successful login (failures that already locked, or that a successful
  login followed, never count twice);
- the failure that brings the count to AXES_FAILURE_LIMIT (5) locks the username: an AccessAttempt row
  stamped with that time, flagged `locked_out` in its AccessFailureLog;
- the lock lasts AXES_COOLOFF_TIME (30 min) from that failure. Attempts during the lock are refused
  before the password is checked (even a right one) and neither extend the lock nor count afterwards
  (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False);
- an admin unlocks early by deleting the AccessAttempt (admin, or `manage.py axes_reset_username`);
  the failure log stays, as audit.

The lock is per username whether or not such a user exists, so the answers never tell which usernames
are real. It is not per address: a station office behind one NAT address must not lock itself out.
"""

import logging

from axes.backends import AxesStandaloneBackend
from axes.conf import settings as axes_settings
from axes.exceptions import AxesBackendPermissionDenied
from axes.handlers.database import AxesDatabaseHandler
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off, get_credentials, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.shortcuts import render
from django.utils import timezone

from sws.security.models import LoginGuard

log = logging.getLogger(__name__)

LOCKOUT_MESSAGE = "登录失败次数过多，该账号已被锁定30分钟，请稍后再试；如需立即解锁，请联系系统管理员。"


class WindowedLockoutHandler(AxesDatabaseHandler):
    def _now(self, request):
        return getattr(request, "axes_attempt_time", None) or timezone.now()

    def is_locked(self, request, credentials=None) -> bool:
        username = get_client_username(request, credentials)
        if not username:
            return False
        since = self._now(request) - get_cool_off(request)
        return AccessAttempt.objects.filter(
            username=username,
            attempt_time__gt=since,
            failures_since_start__gte=get_failure_limit(request, credentials),
        ).exists()

    def get_failures(self, request, credentials=None) -> int:
        """Failures of this username that count now: within the window, after its last lock and its
        last successful login."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        now = self._now(request)
        since = now - settings.SWS_LOGIN_FAILURE_WINDOW
        last_lock = AccessFailureLog.objects.filter(username=username, locked_out=True).aggregate(
            at=Max("attempt_time")
        )["at"]
        last_login = AccessLog.objects.filter(username=username).aggregate(at=Max("attempt_time"))["at"]
        failures = AccessFailureLog.objects.filter(username=username, attempt_time__gt=since)
        for after in (last_lock, last_login):
            if after is not None and after > since:
                failures = failures.filter(attempt_time__gt=after)
        return failures.filter(attempt_time__lte=now).count()

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if request is None:
            return  # authenticate() without a request (scripts, test clients): nothing to lock
        if getattr(request, "axes_failure_recorded", False):
            return  # LockoutBackend recorded it already, under the username's guard
        username = get_client_username(request, credentials)
        if getattr(request, "axes_locked_out", False):
            # Refused by the backend during a lock: not a password failure, does not extend the lock.
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=username, ip_address=request.axes_ip_address
            )
            return
        self.record_failure(request, credentials)

    def record_failure(self, request, credentials):
        """One wrong password: logged, counted, and the lock set when it is the fifth that counts."""
        username = get_client_username(request, credentials)
        if self.is_whitelisted(request, credentials) or not username:
            return
        now = self._now(request)
        with transaction.atomic():
            failures = self.get_failures(request, credentials) + 1  # this one included
            locked = failures >= get_failure_limit(request, credentials)
            AccessFailureLog.objects.create(
                username=username[:255],
                ip_address=request.axes_ip_address,
                user_agent=(request.axes_user_agent or "")[:255],
                http_accept=(request.axes_http_accept or "")[:1025],
                path_info=(request.axes_path_info or "")[:255],
                attempt_time=now,
                locked_out=locked,
            )
            if locked:
                AccessAttempt.objects.update_or_create(
                    username=username,
                    ip_address=request.axes_ip_address,
                    user_agent=(request.axes_user_agent or "")[:255],
                    defaults={
                        "attempt_time": now,
                        "failures_since_start": failures,
                        "http_accept": (request.axes_http_accept or "")[:1025],
                        "path_info": (request.axes_path_info or "")[:255],
                        "get_data": "",
                        "post_data": "",
                    },
                )
        request.axes_failures_since_start = failures
        if locked:
            log.warning("Login locked for %s after %s failures.", get_cool_off(request), failures)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=username, ip_address=request.axes_ip_address
            )

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        """Expired locks go; the failure log is audit and stays until `prune_audit`."""
        threshold = timezone.now() - get_cool_off(request)
        count, _ = AccessAttempt.objects.filter(attempt_time__lte=threshold).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again with the lock message, the same for any username."""
    from sws.security.forms import LockedOutLoginForm

    form = LockedOutLoginForm(request, initial={"username": request.POST.get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "next": request.POST.get("next", "")},
        status=axes_settings.AXES_HTTP_RESPONSE_CODE,
    )


class LockoutBackend(AxesStandaloneBackend):
    """First in AUTHENTICATION_BACKENDS: checks the password itself, one attempt per username at a time.

    Inside one transaction it holds the username's guard row (`LoginGuard.hold`), asks whether the
    username is locked, checks the password (ModelBackend), and records a failure (and the lock it may
    set) before letting the next attempt for that username in. Forty simultaneous wrong passwords thus
    check exactly five, and a right password arriving among them after the fifth is refused. A wrong
    password ends authentication here (PermissionDenied): no later backend checks it again.

    axes' own backend raises when `authenticate()` has no request; scripts and Django's test client
    call it without one, and there is nothing to lock then (the login and admin views always pass it).
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        credentials = get_credentials(username=username, password=password, **kwargs)
        AxesProxyHandler.update_request(request)
        key = get_client_username(request, credentials)
        if not key or password is None:
            return None  # nothing to lock on: the model backend refuses it
        handler = AxesProxyHandler.get_implementation()
        user = None
        with transaction.atomic():
            LoginGuard.hold(str(key)[:255])
            # The attempt happens now, after the attempts it waited for: counted after them.
            request.axes_attempt_time = timezone.now()
            locked = not AxesProxyHandler.is_allowed(request, credentials)
            if not locked:
                user = ModelBackend().authenticate(request, username=username, password=password, **kwargs)
                if user is None:
                    handler.record_failure(request, credentials)
        if locked:
            request.axes_locked_out = True
            raise AxesBackendPermissionDenied("locked out")
        if user is None:
            request.axes_failure_recorded = True
            raise PermissionDenied("wrong password")
        return user

    def get_user(self, user_id):
        # Sessions of logins through this backend (and test clients' force_login) load the user as
        # the model backend does.
        return ModelBackend().get_user(user_id)
