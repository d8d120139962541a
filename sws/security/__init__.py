"""Security plumbing of SWS: login lockout, password policy, session lifetime, two-factor login,
Cache-Control for personal data, log masking, and the auditor's pages.

`no_store` marks a view's responses as never to be cached (the middleware already does this for every
page a logged-in user gets and everything under the personal-data prefixes; the decorator is for a
view outside both, such as an anonymous download).
"""

from django.views.decorators.cache import never_cache as no_store

__all__ = ["no_store"]
