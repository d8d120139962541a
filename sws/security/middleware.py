"""Response headers for personal data: Cache-Control: no-store on every response to a logged-in user
and on everything under the personal-data prefixes (SWS_NO_STORE_PREFIXES, e.g. /residents/ and the
public intake /r/), so no browser or proxy keeps a copy of a resident's page or an export.

Static files never reach this middleware (whitenoise answers them earlier) and stay cacheable.
"""

from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.utils.cache import add_never_cache_headers

from stations.audit import client_ip


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
