"""The group 个案督导 (casework supervisors): district centre staff put in it (in the admin, by a city
admin) read their district's cases, note on them, sign off closures and record supervision sessions
(casework.permissions). The group also carries the sensitive-records permission: a supervisor must open a
minor's case to sign off its closure (the closure rule asks for that sign-off). Its permission row is created here so that the group can hold it on a fresh
database (Django would otherwise create permissions only after all migrations). Idempotent."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "个案督导"
CODENAME = "supervise_case"


def create_group(apps, schema_editor):
    alias = schema_editor.connection.alias
    app_config = apps.get_app_config("casework")
    app_config.models_module = True  # historical app configs have none; create_permissions needs one
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(alias).get_or_create(name=GROUP)
    group.permissions.add(
        *Permission.objects.using(alias).filter(content_type__app_label="casework", codename=CODENAME),
        *Permission.objects.using(alias).filter(
            content_type__app_label="residents", codename="view_sensitive_resident"
        ),
    )


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("casework", "0002_cwopen_case_reference_counter"),
        ("residents", "0008_view_sensitive_resident_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
