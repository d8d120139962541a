"""Seed the hotline's deadline classes (时限类别) with defaults an admin adjusts to the hotline's own
agreement in admin (热线时限规则): 一般 (normal) — sign within 2 working hours, answer within 5 working
days; 紧急 (urgent) — sign within 30 working minutes, answer within 1 working day, registered as urgent.
They are starting values, not an official schedule: the district's agreement with the 12345 centre rules.
A class that already exists is left as it is."""

from django.db import migrations

DEFAULTS = [
    # (deadline_class, name, sign_within_minutes, reply_within_working_days, urgent)
    ("normal", "一般", 120, 5, False),
    ("urgent", "紧急", 30, 1, True),
]


def seed(apps, schema_editor):
    DeadlineRule = apps.get_model("hotline", "DeadlineRule")
    for deadline_class, name, sign, reply, urgent in DEFAULTS:
        DeadlineRule.objects.get_or_create(
            deadline_class=deadline_class,
            defaults={
                "name": name,
                "sign_within_minutes": sign,
                "reply_within_working_days": reply,
                "urgent": urgent,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
