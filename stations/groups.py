"""The admin groups of the guidance centres and their permissions: the one list of them.

Migration stations/0005_centre_groups creates them on every database (it keeps its own frozen copy, as
migrations must); `ensure_groups` restores them where a flushed database lost them (the demo seeder,
transactional tests).
"""

from django.contrib.auth.models import Group, Permission

DISTRICT_GROUP = "区级指导中心"
CITY_GROUP = "市级指导中心"
VIEW_MODELS = ["district", "street", "community", "operator", "station", "assignment", "certificate", "user"]
DISTRICT_PERMS = [f"view_{m}" for m in VIEW_MODELS] + [
    "change_station",
    "change_community",
    "add_assignment",
    "change_assignment",
    "add_certificate",
    "change_certificate",
    "add_user",
    "change_user",
]
CITY_PERMS = [f"view_{m}" for m in [*VIEW_MODELS, "municipality"]]


def ensure_groups():
    """The admin groups for district and municipal centre staff, with their permissions (idempotent).

    Migration stations/0005_centre_groups creates them on every database; the seeder reuses them."""
    groups = {}
    for group_name, codenames in [(DISTRICT_GROUP, DISTRICT_PERMS), (CITY_GROUP, CITY_PERMS)]:
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="stations", codename__in=codenames)
        )
        groups[group_name] = group
    return groups
