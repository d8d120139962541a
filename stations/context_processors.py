"""What templates may ask about the user's role: `{% if roles.is_station_user %}`, the predicates of the
access module (stations/access.py), never a comparison of role strings."""

from django.contrib.auth.models import AnonymousUser

from stations.access import RolePredicates


def roles(request):
    # A request made outside the middleware (a RequestFactory in a test, a rendered e-mail) has no user:
    # it is nobody, as for django.contrib.auth's own context processor.
    # `request.user` stays lazy: asked only when a template asks a predicate.
    return {"roles": RolePredicates(request.user if hasattr(request, "user") else AnonymousUser())}
