"""Default vulnerability tags, two-level request categories and response targets.

Data, not code: all of it is editable in the admin afterwards. Idempotent (get_or_create), so it never
overwrites what an administrator has changed. Age-based tags (高龄, 未成年) are not here: they are
derived from the birth date.
"""

from django.db import migrations

TAGS = [
    # code, name, sensitive
    ("living-alone-elderly", "独居老人", False),
    ("empty-nest-elderly", "空巢老人", False),
    ("disabled", "残疾", False),
    ("children-in-difficulty", "困境儿童", True),
    ("migrant-children", "流动儿童", False),
    ("left-behind-children", "留守儿童", True),
    ("dibao", "低保", False),
    ("dibao-marginal", "低保边缘", False),
    ("tekun", "特困", False),
    ("shidu", "失独", True),
    ("serious-illness", "重病", False),
]

S, M = "severe", "mild"  # 重, 轻
U, N = "urgent", "not_urgent"  # 急, 缓

CATEGORIES = [
    # name, default severity, default urgency, children
    ("生活照料", M, N, [
        ("助餐助浴", M, N),
        ("代购代办", M, N),
        ("陪同就医", M, U),
        ("居家照护", S, N),
        ("紧急看护", S, U),
    ]),
    ("设施维修", M, U, [
        ("照明灯具", M, U),
        ("水电维修", M, U),
        ("门窗楼道", M, N),
        ("电动自行车充电", S, N),
        ("适老化改造", M, N),
    ]),
    ("救助帮扶", S, N, [
        ("临时救助", S, U),
        ("低保特困申请", S, N),
        ("医疗救助", S, U),
        ("助学帮扶", S, N),
    ]),
    ("法律/司法救助", S, N, [
        ("司法救助", S, U),
        ("法律援助", S, N),
        ("法律咨询", M, N),
    ]),
    ("心理支持", M, N, [
        ("情绪疏导", M, N),
        ("危机干预", S, U),
        ("哀伤辅导", S, N),
    ]),
    ("政策咨询", M, N, [
        ("养老服务政策", M, N),
        ("社会救助政策", M, N),
        ("残疾人政策", M, N),
        ("儿童福利政策", M, N),
    ]),
    ("矛盾调解", M, N, [
        ("邻里纠纷", M, N),
        ("家庭矛盾", M, N),
        ("物业纠纷", M, N),
    ]),
    ("活动需求", M, N, [
        ("社区文化活动", M, N),
        ("青少年活动", M, N),
        ("志愿服务对接", M, N),
    ]),
    ("环境治理", M, N, [
        ("环境卫生", M, N),
        ("绿化养护", M, N),
        ("安全隐患", S, U),
    ]),
    ("其他", M, N, [
        ("其他诉求", M, N),
    ]),
]

RESPONSE_HOURS = {1: 24, 2: 72, 3: 168, 4: 360}


def load(apps, schema_editor):
    VulnerabilityTag = apps.get_model("residents", "VulnerabilityTag")
    Category = apps.get_model("residents", "Category")
    ResponseTarget = apps.get_model("residents", "ResponseTarget")

    for order, (code, name, sensitive) in enumerate(TAGS, start=1):
        VulnerabilityTag.objects.get_or_create(
            code=code, defaults={"name": name, "order": order * 10, "sensitive": sensitive}
        )
    for order, (name, severity, urgency, children) in enumerate(CATEGORIES, start=1):
        parent, _ = Category.objects.get_or_create(
            parent=None,
            name=name,
            defaults={"default_severity": severity, "default_urgency": urgency, "order": order * 10},
        )
        for child_order, (child, child_severity, child_urgency) in enumerate(children, start=1):
            Category.objects.get_or_create(
                parent=parent,
                name=child,
                defaults={
                    "default_severity": child_severity,
                    "default_urgency": child_urgency,
                    "order": child_order * 10,
                },
            )
    for priority, hours in RESPONSE_HOURS.items():
        ResponseTarget.objects.get_or_create(priority=priority, defaults={"hours": hours})


class Migration(migrations.Migration):
    dependencies = [("residents", "0003_resident_search_tails_events")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
