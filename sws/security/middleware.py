"""Response headers for personal data: Cache-Control: no-store on every response to a logged-in user
and on everything under the personal-data prefixes (SWS_NO_STORE_PREFIXES, e.g. /residents/ and the
public intake /r/), so no browser or proxy keeps a copy of a resident's page or an export.

Static files never reach this middleware (whitenoise answers them earlier) and stay cacheable.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers


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
