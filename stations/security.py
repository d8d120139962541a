"""Per-role security policy, editable by admins: which roles must use two-factor login (TOTP).

Imported at the end of `stations.models` so Django finds the model. The login flow reads it once, at
password login (`sws.security.twofactor`), so a change applies from each user's next login.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


def role_choices():
    from stations.models import User

    return User.Role.choices


class RolePolicyQuerySet(models.QuerySet):
    def requires_two_factor(self, role: str) -> bool:
        return self.filter(role=role, require_two_factor=True).exists()


class RolePolicy(models.Model):
    role = models.CharField(_("角色"), max_length=20, choices=role_choices, unique=True)
    require_two_factor = models.BooleanField(
        _("必须使用双因素登录"),
        default=False,
        help_text=_("开启后，该角色的用户在输入密码后还须输入动态验证码（首次登录时先绑定验证器）。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RolePolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色安全策略")
        verbose_name_plural = _("角色安全策略")
        ordering = ["role"]

    def __str__(self):
        return self.get_role_display()
