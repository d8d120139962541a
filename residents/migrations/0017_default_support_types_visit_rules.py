"""Default support status types, the tier → frequency table and the tier suggestion rules.

Data, not code: all editable in the admin. Idempotent (get_or_create): never overwrites an admin's edit.
"""

from django.db import migrations

STATUS_TYPES = [
    # code, name, has grade, sensitive
    ("dibao", "低保", False, False),
    ("tekun", "特困", False, False),
    ("dibian", "低边", False, False),
    ("disability", "残疾", True, False),
    ("severe-disability", "重残", False, False),
    ("elderly-allowance", "高龄津贴", False, False),
    ("incapacitated", "失能", False, False),
    ("semi-incapacitated", "半失能", False, False),
    ("living-alone", "独居", False, False),
    ("empty-nest", "空巢", False, False),
    ("left-behind-child", "留守儿童", False, True),
    ("child-in-difficulty", "困境儿童", False, True),
]

INTERVALS = {1: 7, 2: 30, 3: 90}  # 一级 weekly, 二级 monthly, 三级 quarterly

RULES = [
    # name, tier, min age, status codes (all required)
    ("独居高龄", 1, 80, ["living-alone"]),
    ("特困失能", 1, None, ["tekun", "incapacitated"]),
    ("重残独居", 1, None, ["severe-disability", "living-alone"]),
    ("独居老人", 2, 60, ["living-alone"]),
    ("空巢高龄", 2, 80, ["empty-nest"]),
    ("困境儿童", 2, None, ["child-in-difficulty"]),
    ("空巢老人", 3, 60, ["empty-nest"]),
    ("低保", 3, None, ["dibao"]),
]


def add_defaults(apps, schema_editor):
    SupportStatusType = apps.get_model("residents", "SupportStatusType")
    VisitRule = apps.get_model("residents", "VisitRule")
    RiskTierRule = apps.get_model("residents", "RiskTierRule")
    kinds = {}
    for order, (code, name, has_grade, sensitive) in enumerate(STATUS_TYPES):
        kinds[code], _ = SupportStatusType.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "has_grade": has_grade, "sensitive": sensitive}
        )
    for tier, days in INTERVALS.items():
        VisitRule.objects.get_or_create(tier=tier, defaults={"interval_days": days})
    for name, tier, min_age, codes in RULES:
        rule, created = RiskTierRule.objects.get_or_create(name=name, defaults={"tier": tier, "min_age": min_age})
        if created:
            rule.statuses.set([kinds[code] for code in codes])


class Migration(migrations.Migration):
    dependencies = [("residents", "0016_households_support_visits")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
