"""`manage.py check --deploy` warnings for two-factor login: superusers without an authenticator, and
the role policy switched off (TWO_FACTOR_OPTIONAL) in production."""

from django.conf import settings
from django.core.checks import Warning
from django.db import DatabaseError


def superusers_without_authenticator(app_configs=None, **kwargs):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from stations.models import User

    try:
        names = list(
            User.objects.filter(is_superuser=True, is_active=True)
            .exclude(pk__in=TOTPDevice.objects.filter(confirmed=True).values("user_id"))
            .order_by("username")
            .values_list("username", flat=True)[:20]
        )
    except DatabaseError:
        return []  # no database yet (a fresh checkout): nothing to check
    if not names:
        return []
    return [
        Warning(
            f"超级用户未绑定验证器：{'、'.join(names)}。",
            hint=(
                "请这些用户登录后在 /account/two-factor/ 绑定验证器"
                "（绑定码：manage.py two_factor_code 用户名）。"
            ),
            id="security.W101",
        )
    ]


def two_factor_optional_in_production(app_configs=None, **kwargs):
    if settings.SWS_TWO_FACTOR_OPTIONAL and not settings.DEBUG:
        return [
            Warning(
                "TWO_FACTOR_OPTIONAL 已开启：角色安全策略要求的双因素登录被忽略。",
                hint="仅供演示和测试使用；生产环境请去掉该设置。",
                id="security.W102",
            )
        ]
    return []
