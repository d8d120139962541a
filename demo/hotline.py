"""The demo's 12345 work orders: in every district a few orders as the hotline would have sent them, taken
in and answered through the same services as the API and the station's pages (`hotline.services`), so
their requests, timelines, limits and audit entries are the real ones.

Per district: one signed, replied and rated by the caller (满意/基本满意/不满意 in turn), one returned to
the hotline, one extended by the district centre, one overdue (received ten days ago, never signed), and
one no station could be found for, waiting in the district centre's 未能定位 queue. At 果园新村 (北辰区)
and 广开 (南开区), the report's stations, also one waiting to be signed, one being handled and one
replied and awaiting the hotline's call; at 果园新村 an extension still awaiting the district's decision.

The orders come through a city-wide demo API key (演示：天津市12345热线) without a callback address, so
nothing waits in the outbox for a hotline that does not exist. Its plain value is printed once, when it is
made, like the demo accounts' password, so the curl examples in docs/api.md can be tried; a second run
adds nothing (the key and the orders are found by name and ticket number).
"""

import datetime
import importlib

from django.apps import apps
from django.utils import timezone

from hotline import services
from hotline.models import ApiKey, DeadlineRule, HotlineCategory, WorkOrder
from residents.models import Category
from stations.models import Community, District, User

KEY_NAME = "演示：天津市12345热线"
TICKET_PREFIX = "GD-DEMO-"
STORY_STREETS = {"120113": "果园新村街道", "120104": "广开街道"}

# The hotline's own categories (code, name, our category's name): the admin-editable mapping table.
HOTLINE_CATEGORIES = [
    ("0301", "路灯照明", "照明灯具"),
    ("0302", "供水供电", "水电维修"),
    ("0303", "楼道门窗", "门窗楼道"),
    ("0304", "电动车充电", "电动自行车充电"),
    ("0401", "环境卫生", "环境卫生"),
    ("0501", "邻里纠纷", "邻里纠纷"),
    ("0601", "养老服务", "居家照护"),
    ("0701", "社会救助", "社会救助政策"),
]

# (hotline category, what the caller said, what the station answered)
CALLS = [
    ("0301", "{place}小区内路灯不亮已一周，老人晚上出门不便。", "已联系物业更换灯具，路灯恢复照明。"),
    ("0302", "{place}楼门口自来水管漏水，地面结冰。", "已协调供水公司抢修，漏点已封堵。"),
    ("0303", "{place}单元门门禁损坏，陌生人随意出入。", "已由物业更换门禁锁，并告知居民。"),
    ("0304", "{place}车棚无法给电动车充电，居民在楼道飞线充电。", "已对接具备资质的公司加装充电桩。"),
    ("0401", "{place}垃圾桶满溢无人清运，气味很大。", "已通知环卫增加清运频次，现场已清理。"),
    ("0501", "{place}楼上住户夜间噪音扰民，多次沟通无果。", "社工入户调解，双方约定休息时间。"),
    ("0601", "{place}独居老人希望了解助餐服务。", "已为老人登记社区助餐，每日送餐上门。"),
    ("0701", "{place}居民咨询临时救助如何申请。", "已讲解政策并协助准备申请材料。"),
]
SATISFACTION = [
    WorkOrder.Satisfaction.SATISFIED,
    WorkOrder.Satisfaction.FAIRLY,
    WorkOrder.Satisfaction.DISSATISFIED,
]
CALLERS = ["张先生", "李女士", "王大爷", "刘女士", "陈先生", "赵阿姨", "孙先生", "周女士"]


def seed(*, options, rng, out):
    if WorkOrder.objects.filter(ticket_no__startswith=TICKET_PREFIX).exists():
        out.write("12345工单：已有演示工单，不再新增。\n")
        return
    _ensure_deadline_classes()
    _map_categories()
    key, plain = _demo_key()
    now = timezone.now()
    made = 0
    for number, district in enumerate(District.objects.order_by("code")):
        made += _seed_district(district, key, rng, now, number)
    out.write(f"12345工单：{made} 张（每区办结评价、退回、延期、超期与未能定位各一张）。\n")
    if plain and not options.get("dry_run"):
        out.write(f"演示接口密钥（全市，只显示这一次）：{plain}\n")


def _ensure_deadline_classes():
    """The deadline classes hotline's migration 0002 seeds (一般, 紧急): a database flushed since its
    migrations (a browser test's live server) has none, and every order names one."""
    if not DeadlineRule.objects.exists():
        migration = importlib.import_module("hotline.migrations.0002_deadline_rule_defaults")
        migration.seed(apps, None)


def _map_categories():
    ours = dict(Category.objects.selectable().values_list("name", "pk"))
    for code, name, category in HOTLINE_CATEGORIES:
        if category in ours:
            HotlineCategory.objects.get_or_create(
                code=code, defaults={"name": name, "category_id": ours[category]}
            )


def _demo_key():
    key = ApiKey.objects.filter(name=KEY_NAME).first()
    if key is not None:
        return key, None
    return ApiKey.issue(name=KEY_NAME)


def _seed_district(district, key, rng, now, number):
    communities = list(
        Community.objects.filter(street__district=district, street__station__isnull=False)
        .select_related("street__station")
        .order_by("code")
    )
    if not communities:
        return 0
    story = STORY_STREETS.get(district.short_code)
    chosen = [c for c in communities if c.street.name == story] or [rng.choice(communities)]
    community = chosen[0]
    station = community.street.station
    staff = (
        User.objects.filter(station=station, role__in=User.STATION_ROLES, is_active=True)
        .order_by("-role", "pk")
        .first()
    )
    centre = User.objects.filter(district=district, role=User.Role.DISTRICT_STAFF, is_active=True).first()
    if staff is None:
        return 0
    codes = [code for code, *_ in HOTLINE_CATEGORIES if HotlineCategory.objects.filter(code=code).exists()]
    if not codes:
        return 0
    tickets = iter(range(1, 100))

    def take(hours_ago, *, where=None, urgent=False):
        code, content, _answer = CALLS[(number + next_index[0]) % len(CALLS)]
        next_index[0] += 1
        ticket = f"{TICKET_PREFIX}{district.short_code}-{next(tickets):02d}"
        place = where or community
        data = {
            "ticket_no": ticket,
            "received_at": (now - datetime.timedelta(hours=hours_ago)).isoformat(),
            "caller_name": rng.choice(CALLERS),
            "caller_phone": f"138{rng.randrange(10**8):08d}",
            "category_code": code if code in codes else codes[0],
            "content": content.format(place=getattr(place, "name", place)),
            "deadline_class": "urgent" if urgent else "normal",
        }
        if where is None:
            data["community_code"] = community.code
        else:
            data |= {"district_code": district.code, "address": f"{district.name}{where}"}
        order, _created = services.receive_work_order(api_key_or_user=key, data=data)
        return order

    next_index = [0]
    answer = {code: text for code, _c, text in CALLS}

    def reply(order):
        services.sign_work_order(acting_user=staff, order=order)
        services.reply_work_order(acting_user=staff, order=order, result=answer[order.hotline_category_code])

    rated = take(50)  # signed, replied and rated by the caller
    reply(rated)
    services.record_satisfaction(
        api_key=key,
        order=rated,
        satisfaction=SATISFACTION[number % len(SATISFACTION)],
        comment="处理及时，谢谢社工。" if number % 3 == 0 else "",
    )
    services.return_work_order(
        acting_user=staff, order=take(3), reason="反映的是市政道路问题，不属于本站服务范围，请转市政部门。"
    )
    extended = take(70)
    services.sign_work_order(acting_user=staff, order=extended)
    later = timezone.localdate(extended.reply_due_at) + datetime.timedelta(days=7)
    extension = services.request_extension(
        acting_user=staff, order=extended, reason="需协调供热公司入户检修，预计下周完成。", new_due_on=later
    )
    if centre is not None:
        services.decide_extension(acting_user=centre, extension=extension, approve=True, note="同意延期。")
    take(24 * 10)  # overdue: ten days ago (more than five working days), never signed
    take(2, where="某某路100号附近")  # 未能定位: no community or street of the district is named
    made = 5
    if story:
        # The report's stations show every state (the other districts keep the seeding quick).
        take(0.5, urgent=True)  # 待签收, urgent
        services.sign_work_order(acting_user=staff, order=take(20))  # signed, being handled
        reply(take(30))  # replied: the hotline's call to the caller is still to come
        made += 3
    if story == "果园新村街道":  # one extension still awaiting the district centre's decision
        pending = take(26)
        services.sign_work_order(acting_user=staff, order=pending)
        services.request_extension(
            acting_user=staff,
            order=pending,
            reason="维修需业主委员会表决，申请延期。",
            new_due_on=timezone.localdate(pending.reply_due_at) + datetime.timedelta(days=5),
        )
        made += 1
    return made
