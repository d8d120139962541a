"""What templates may ask about the user's role: `{% if roles.is_station_user %}`, the predicates of the
access module (stations/access.py), never a comparison of role strings."""

from stations.access import RolePredicates


def roles(request):
    return {"roles": RolePredicates(request.user)}
