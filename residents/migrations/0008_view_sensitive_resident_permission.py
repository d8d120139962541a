"""The extra permission for minors' and sensitive records, and a group that carries it.

Station heads hold the permission by role (residents.permissions.RoleDefaultPermissionsBackend); the group
"查看未成年人及敏感档案" is how an administrator gives it to anyone else (a worker, a district centre
member) in the admin. Idempotent; the permission row is created here so that the group can hold it on a
fresh database (Django would otherwise create it only after all migrations).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "查看未成年人及敏感档案"  # residents.permissions.SENSITIVE_GROUP


def create_group(apps, schema_editor):
    alias = schema_editor.connection.alias
    app_config = apps.get_app_config("residents")
    app_config.models_module = True  # historical app configs have none; create_permissions needs one
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.using(alias).get(
        content_type__app_label="residents", codename="view_sensitive_resident"
    )
    group, _ = Group.objects.using(alias).get_or_create(name=GROUP)
    group.permissions.add(permission)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0007_remove_plain_id_number"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="resident",
            options={
                "ordering": ["community", "name"],
                "permissions": [("view_sensitive_resident", "查看未成年人及敏感标签居民档案")],
                "verbose_name": "居民",
                "verbose_name_plural": "居民",
            },
        ),
        migrations.RunPython(create_group, remove_group),
    ]
