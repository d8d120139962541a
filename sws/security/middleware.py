"""Response headers for personal data: Cache-Control: no-store on every response to a logged-in user
and on everything under the personal-data prefixes (SWS_NO_STORE_PREFIXES, e.g. /residents/ and the
public intake /r/), so no browser or proxy keeps a copy of a resident's page or an export.

Static files never reach this middleware (whitenoise answers them earlier) and stay cacheable.

Also here: the auditor's confinement to the audit pages (`AuditorConfinementMiddleware`).
"""

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.cache import add_never_cache_headers

from stations.access import (
    is_auditor,
    is_community_staff,
    is_evaluator,
    is_reporter,
    is_volunteer_reporter,
)
from stations.audit import client_ip

# What the auditor may open: the audit and two-factor pages (namespace "security"), the public QR pages
# (no account needed), the admin (its own permissions: the auditor is no staff and gets its login page),
# and home (which sends the auditor to the audit trail), login, logout and the language switch.
AUDITOR_NAMESPACES = frozenset({"security", "public", "admin"})
AUDITOR_URL_NAMES = frozenset({"home", "login", "logout", "set_language"})
# What a reporter (居委会 staff, volunteer reporter) may open: her report form and "我上报的" (namespace
# "reporting"), the public pages, her own two-factor pages, home (which sends her to her reports).
REPORTER_NAMESPACES = frozenset({"reporting", "public", "admin", "security"})


def _reporter_role(user) -> bool:
    # The role alone, scope or not: a reporter account without its community or station opens nothing.
    return is_reporter(user) or is_community_staff(user) or is_volunteer_reporter(user)


# What a third-party evaluator may open: her evaluations (and their evidence), the monthly reports of their
# stations (each view narrows them to her evaluations' months), her inbox, her account's pages, the same
# public and un-namespaced pages as the auditor (home sends her to her evaluations).
EVALUATOR_NAMESPACES = frozenset(
    {"evaluation", "attachments", "notifications", "security", "public", "admin"}
)
EVALUATOR_URL_NAMES = {"reports": frozenset({"station", "station-xlsx"})}


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(settings.SWS_NO_STORE_PREFIXES)

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.path.startswith(self.prefixes) or (user is not None and user.is_authenticated):
            # no-cache, no-store, must-revalidate, private, max-age=0 (and an Expires in the past)
            add_never_cache_headers(response)
        return response


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: each feature in settings.SWS_PERMISSIONS_POLICY allowed
    only for the origins listed (none: denied to the page and any frame)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})" for feature, origins in settings.SWS_PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware (the acting user and address for every audited change), with the address
    taken as the rest of the audit trail takes it: X-Forwarded-For only from our own proxies."""

    @staticmethod
    def _get_remote_addr(request):
        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        if getattr(settings, "TRUSTED_PROXY_COUNT", 0) > 0:
            return AuditlogMiddleware._get_remote_port(request)
        return None


class AuditorConfinementMiddleware:
    """Roles confined to a few pages: the auditor, and the reporters (居委会 staff, volunteer reporters,
    who submit needs and follow their own reports and open nothing else).

    The auditor reads the audit trail and nothing else: every other page (the case pages of residents
    and requests, intake, projects, dashboards, reports, exports, stations) is a 403 for them, the
    answer `access.role_required` gives any other role turned away, before the view runs.

    Deny by default, in one place: a case page added later is closed to the auditor without anyone
    remembering to, and the request pages are covered without a decorator in each view. The audit pages
    link to no case page (they show ids and the auditor's resident lookup), so nothing is lost.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None:
            return None
        if is_auditor(request.user):
            namespaces = AUDITOR_NAMESPACES
        elif _reporter_role(request.user):
            namespaces = REPORTER_NAMESPACES
        else:
            return None
        if match.namespaces:
            allowed = match.namespaces[0] in namespaces
        else:
            allowed = match.url_name in AUDITOR_URL_NAMES
        if not allowed:
            raise PermissionDenied
        return None


class EvaluatorConfinementMiddleware:
    """A third-party evaluator reads the evaluations she is appointed to and nothing else: every other
    page is a 403 before the view runs (deny by default, as for the auditor), so a list that would show
    her an empty page, or a page added later, is closed without anyone remembering to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not is_evaluator(request.user):
            return None
        if match.namespaces:
            namespace = match.namespaces[0]
            allowed = namespace in EVALUATOR_NAMESPACES or match.url_name in EVALUATOR_URL_NAMES.get(
                namespace, ()
            )
        else:
            allowed = match.url_name in AUDITOR_URL_NAMES
        if not allowed:
            raise PermissionDenied
        return None
