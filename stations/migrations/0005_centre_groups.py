"""The admin groups of the guidance centres, on every database (not only the demo's).

区级指导中心: district centre staff keep their district's stations, communities' workrooms, staff and
certificates in the admin (scoped to the district by `stations.access`). 市级指导中心: municipal centre
staff read everything city-wide. The demo seeder (through `stations.groups.ensure_groups`) reuses these groups.
Idempotent: an existing group of that name keeps its row and gets at least these permissions. The
permission rows are created here so that the groups can hold them on a fresh database (Django would
otherwise create them only after all migrations).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_MODELS = ["district", "street", "community", "operator", "station", "assignment", "certificate", "user"]
GROUPS = {
    "区级指导中心": [f"view_{m}" for m in VIEW_MODELS]
    + [
        "change_station",
        "change_community",
        "add_assignment",
        "change_assignment",
        "add_certificate",
        "change_certificate",
        "add_user",
        "change_user",
    ],
    "市级指导中心": [f"view_{m}" for m in [*VIEW_MODELS, "municipality"]],
}


def create_groups(apps, schema_editor):
    alias = schema_editor.connection.alias
    app_config = apps.get_app_config("stations")
    app_config.models_module = True  # historical app configs have none; create_permissions needs one
    try:
        create_permissions(app_config, apps=apps, verbosity=0, using=alias)
    finally:
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUPS.items():
        group, _ = Group.objects.using(alias).get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.using(alias).filter(content_type__app_label="stations", codename__in=codenames)
        )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0004_id_check_access_action"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
