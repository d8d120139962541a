"""The standard target groups of service projects (一小一老一残一困 and others)."""

from django.db import migrations

GROUPS = [
    ("children", "儿童", 1),
    ("elderly", "老人", 2),
    ("disabled", "残疾人", 3),
    ("hardship", "困难群众", 4),
    ("migrant_children", "流动儿童", 5),
    ("families", "家庭", 6),
    ("residents", "社区居民", 7),
    ("volunteers", "志愿者", 8),
]


def create_groups(apps, schema_editor):
    TargetGroup = apps.get_model("projects", "TargetGroup")
    for code, name, order in GROUPS:
        TargetGroup.objects.get_or_create(code=code, defaults={"name": name, "order": order})


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
