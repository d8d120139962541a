"""Two-factor login required out of the box for the roles that see much or change much: admins,
municipal and district centre staff, auditors and station heads (station workers stay optional).
Admins can change it per role in admin (角色安全策略)."""

from django.db import migrations

PRIVILEGED_ROLES = ("admin", "city_staff", "district_staff", "auditor", "station_head")


def require(apps, schema_editor):
    RolePolicy = apps.get_model("stations", "RolePolicy")
    for role in PRIVILEGED_ROLES:
        RolePolicy.objects.update_or_create(role=role, defaults={"require_two_factor": True})


def relax(apps, schema_editor):
    RolePolicy = apps.get_model("stations", "RolePolicy")
    RolePolicy.objects.filter(role__in=PRIVILEGED_ROLES).update(require_two_factor=False)


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_initial"),
        ("stations", "0002_audit_trail_role_policy"),
    ]

    operations = [migrations.RunPython(require, relax)]
