"""Chinese names in the admin for what Django and third-party apps name in English.

- App names: `AxesConfig` and `TOTPConfig` replace the app configs of django-axes and django-otp's TOTP
  plugin in INSTALLED_APPS (same app labels, tables and migrations; only the names shown change).
- Model names: django-axes marks its names for translation (our locale/zh_Hans gives them); django-otp's
  TOTPDevice does not, so `TOTPConfig.ready` names it. Model Meta options set at run time are not model
  state: `makemigrations` still sees the library's own options and adds no migration to its app.
- Permissions: Django stores the default ones as "Can add <model>" in English; after every migrate
  `name_permissions_in_chinese` names add/change/delete/view permissions 可新增/可修改/可删除/可查看<model>
  (custom permissions keep the names their models give them).
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils import translation
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig

ACTIONS = {"add": "可新增", "change": "可修改", "delete": "可删除", "view": "可查看"}


class AxesConfig(AxesAppConfig):
    verbose_name = "登录安全"


class TOTPConfig(TOTPAppConfig):
    verbose_name = "两步验证"

    def ready(self):
        super().ready()
        opts = self.get_model("TOTPDevice")._meta
        opts.verbose_name = opts.verbose_name_plural = "动态口令设备（TOTP）"


def name_permissions_in_chinese(sender, using="default", apps=None, **kwargs):
    """post_migrate: the default permissions of `sender`'s models read 可新增社工站 and so on.

    The admin app's receiver runs before django.contrib.auth's, so it creates the permissions first
    (Django's own idempotent `create_permissions`) and then names them."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    create_permissions(sender, verbosity=0, using=using, apps=apps or global_apps)

    # Swapped models too: django-auditlog's LogEntry is replaced by ours, its permission rows remain.
    models = list(sender.get_models(include_swapped=True))
    if not models:
        return
    types = ContentType.objects.db_manager(using).get_for_models(*models, for_concrete_models=False)
    with translation.override("zh-hans"):
        for model, content_type in types.items():
            name = str(model._meta.verbose_name)
            for action in model._meta.default_permissions:
                if action in ACTIONS:
                    Permission.objects.using(using).filter(
                        content_type=content_type, codename=f"{action}_{model._meta.model_name}"
                    ).exclude(name=f"{ACTIONS[action]}{name}"[:255]).update(
                        name=f"{ACTIONS[action]}{name}"[:255]
                    )
