"""The extra permission for minors' and sensitive records (困境儿童 and other tags marked sensitive).

Opening such a record (its page, its reveal, the resident's details on a case page) needs
`residents.view_sensitive_resident` on top of the usual scope. Station heads hold it by role, through
`RoleDefaultPermissionsBackend` (so a new head has it from the first day, and a head moved back to
worker loses it); anyone else is given it in the admin, on the user or through the group
"查看未成年人及敏感档案" (migration 0008). Without it such residents are listed with the name masked
(张**) and their page answers 403 with the reason.

The decision is the access module's (`stations.access.may_open(user, resident)`, through
`Resident.open_permission`); this module keeps what the arrows do not let stations name: the permission,
its group, the refusal, and the role that holds it by default.
"""

from stations import access

SENSITIVE_PERMISSION = "residents.view_sensitive_resident"
SENSITIVE_GROUP = "查看未成年人及敏感档案"
SENSITIVE_REFUSAL = (
    "该居民为未成年人或有敏感标签（如困境儿童），查看其档案需要“查看未成年人及敏感标签居民档案”权限。"
    "如工作需要，请联系站长或系统管理员授权。"
)

# Permissions a role carries without being granted them one by one.
ROLE_DEFAULT_PERMISSIONS = {access.Role.STATION_HEAD: frozenset({SENSITIVE_PERMISSION})}


class RoleDefaultPermissionsBackend:
    """Authenticates nobody and loads nobody (no `get_user`, so sessions and the test client's
    force_login never pick it); answers permission checks for the permissions of a user's role."""

    def authenticate(self, request, **credentials):
        return None

    def get_user_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return set(ROLE_DEFAULT_PERMISSIONS.get(getattr(user_obj, "role", None), ()))

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return self.get_user_permissions(user_obj, obj)

    def has_perm(self, user_obj, perm, obj=None):
        return perm in self.get_user_permissions(user_obj, obj)

    def has_module_perms(self, user_obj, app_label):
        return False  # never opens an admin section by itself


def can_open_sensitive(user) -> bool:
    """May `user` open every minor's and sensitive record in scope (lists and exports mask them if not)?"""
    return access.has_permission(user, SENSITIVE_PERMISSION)
