"""Demo residents and requests for every station: the registry and its casework (two years by default).

Called by `manage.py seed_demo` after `demo.stations`. Written for a whole city (`--requests 1000000`
takes minutes, not hours): rows are generated as plain tuples, primary keys are reserved up front so
events, referrals and tags point at their request or resident without reading anything back, and each
batch is written in one go (COPY on PostgreSQL, executemany elsewhere). No query per row.

Idempotent: what is already there counts toward the targets, so a second run only tops up to
`--requests` and otherwise adds nothing. The report's cases (果园新村: a child needing judicial aid, an
elderly woman living alone whose light bulb needs changing, a New Year activity plan; 广开街道: e-bike
charging at the bicycle shed) are created once each, keyed by their submission token.
"""

import datetime
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from django.conf import settings
from django.db import connection
from django.utils import timezone

from demo.bulk import Keys, Progress, ReferenceNumbers, TableWriter
from demo.care import seed_care
from demo.stories import seed_stories
from residents import crypto, timeline
from residents.models import (
    Category,
    Referral,
    Request,
    Resident,
    ResidentEvent,
    ResponseTarget,
    Severity,
    TimelineEvent,
    Urgency,
    VulnerabilityTag,
    priority_for,
)
from residents.validators import id_check_char, phone_tail
from stations.models import Community, Station, User, add_years

BATCH = 5000
HISTORY_DAYS = 730  # two years of casework, unless `seed_demo --history-days` says otherwise
# A request still open this long after it came in has been chased by the district centre: stalled cases
# and missed follow-up calls are recent ones, so the open backlog is the same in a young city and an old one.
BACKLOG = datetime.timedelta(days=60)
# A city falling behind (`seed_demo --backlog F`, F > 1): requests stall and wait for their follow-up call
# over F times that window, and some of them nobody has triaged yet (new, unassigned, overdue).
UNTRIAGED = 0.005
Status, Channel, Kind = Request.Status, Request.Channel, TimelineEvent.Kind
# priority_for() by plain strings, without building enums a million times.
PRIORITY = {(s, u): priority_for(s, u) for s in Severity.values for u in Urgency.values}


def seed(*, options, rng, out):
    """Idempotent: a second run adds nothing twice. Progress goes to `out`."""
    target_requests = options.get("requests")
    target_requests = 20000 if target_requests is None else max(0, target_requests)
    city = City.load()
    if not city.stations:
        out.write("  no station serves any community yet: nothing to seed (run the stations demo first)")
        return
    if not city.categories:
        out.write("  no active request categories (run `manage.py migrate`): nothing to seed")
        return
    target_residents = options.get("residents") or max(3 * len(city.communities), target_requests // 3)
    out.write(
        f"  {len(city.stations):,} stations, {len(city.communities):,} communities; "
        f"targets: {target_residents:,} residents, {target_requests:,} requests"
    )
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:  # the indexes of a million rows do not fit SQLite's 2 MB default
            cursor.execute("PRAGMA cache_size = -262144")
    history_days = max(1, options.get("history_days") or HISTORY_DAYS)
    seed_residents(city, target_residents, history_days, rng, out)
    references = ReferenceNumbers.load()
    stories = seed_stories(city, references, rng, out)
    seed_requests(
        city, target_requests, history_days, references, rng, out, backlog=options.get("backlog") or 1
    )
    references.save()
    seed_care(
        rng, out, target=options.get("visit_plans")
    )  # after the stories: 孙桂兰's visit opened her light-bulb request
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, so the first page views plan well
            for model in (Resident, Request, TimelineEvent, Referral):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    out.write(f"  report's cases: {stories}")


# --- what the city looks like ---------------------------------------------------------------------
@dataclass
class StationInfo:
    pk: int
    code: str
    name: str
    communities: list = field(default_factory=list)  # CommunityInfo
    workers: list = field(default_factory=list)  # (user pk, display name)


@dataclass
class CommunityInfo:
    pk: int
    name: str
    region: str  # 6-digit county code, the first part of a local's ID number
    village: bool
    station: StationInfo
    residents: list = field(default_factory=list)  # resident pks


@dataclass
class City:
    stations: list
    communities: list
    categories: list  # (pk, parent name, name, severity, urgency): the ones a request is filed under
    category_weights: list
    tags: dict  # name → pk
    hours: dict  # priority → hours until due
    labels: dict  # severity/urgency/satisfaction/close kind value → Chinese label

    @classmethod
    def load(cls):
        stations = {
            pk: StationInfo(pk, code, name)
            for pk, code, name in Station.objects.filter(streets__communities__isnull=False)
            .distinct()
            .order_by("code")
            .values_list("pk", "code", "name")
        }
        communities = {}
        for pk, name, code, station_id, kind in (
            Community.objects.filter(street__station__isnull=False)
            .order_by("code")
            .values_list("pk", "name", "code", "street__station_id", "kind")
        ):
            info = CommunityInfo(pk, _short(name), code[:6], kind == Community.Kind.CUN, stations[station_id])
            communities[pk] = info
            stations[station_id].communities.append(info)
        for pk, username, name, station_id in (
            User.objects.filter(station__isnull=False, role__in=User.STATION_ROLES, is_active=True)
            .order_by("station_id", "-role", "pk")
            .values_list("pk", "username", "name", "station_id")
        ):
            if station_id in stations:  # a station serving no community yet gets no requests
                stations[station_id].workers.append((pk, name or username))
        for pk, community_id in Resident.objects.filter(community__street__station__isnull=False).values_list(
            "pk", "community_id"
        ):
            communities[community_id].residents.append(pk)

        categories = list(
            Category.objects.selectable().values_list(
                "pk", "parent__name", "name", "default_severity", "default_urgency"
            )
        )
        categories = [(pk, parent or name, name, sev, urg) for pk, parent, name, sev, urg in categories]
        weights = [CATEGORY_WEIGHTS.get(top, 2) / _siblings(categories, top) for _, top, *_ in categories]
        labels = {
            **{value: str(label) for value, label in Severity.choices},
            **{value: str(label) for value, label in Urgency.choices},
            **{value: str(label) for value, label in Request.Satisfaction.choices},
            **{value: str(label) for value, label in Request.CloseKind.choices},
            **{value: str(label) for value, label in Referral.Outcome.choices},
        }
        return cls(
            stations=list(stations.values()),
            communities=list(communities.values()),
            categories=categories,
            category_weights=list(accumulate(weights)),
            tags=dict(VulnerabilityTag.objects.values_list("name", "pk")),
            hours={p: ResponseTarget.hours_for(p) for p in (1, 2, 3, 4)},
            labels=labels,
        )

    def category(self, rng):
        return self.categories[bisect(self.category_weights, rng.random() * self.category_weights[-1])]

    def category_named(self, *names):
        """The first selectable category whose name (or parent's name) is one of `names`."""
        for name in names:
            for category in self.categories:
                if name in (category[2], category[1]):
                    return category
        return self.categories[0]


def _short(name):
    for suffix in ("居民委员会", "村民委员会", "居委会", "村委会"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _siblings(categories, top):
    return sum(1 for c in categories if c[1] == top)


# --- residents ------------------------------------------------------------------------------------
RESIDENT_COLUMNS = (
    "id",
    "name",
    "gender",
    "birth_date",
    "id_number_encrypted",
    "id_number_hash",
    "id_tail",
    "phone",
    "phone_tail",
    "community_id",
    "address",
    "notes",
    "created_at",
    "updated_at",
    "created_by_id",
    "version",
)


def seed_residents(city, target, history_days, rng, out):
    existing = sum(len(c.residents) for c in city.communities)
    missing = target - existing
    if missing <= 0:
        out.write(f"  residents: {existing:,} already, nothing to add")
        return
    today = timezone.localdate()
    now = timezone.now()
    # ID numbers are stored encrypted: uniqueness is checked on their keyed hashes.
    key = crypto.current_key()
    ids_taken = set(Resident.objects.exclude(id_number_hash=None).values_list("id_number_hash", flat=True))
    keys = Keys(Resident)
    residents = TableWriter(Resident, RESIDENT_COLUMNS)
    tags = TableWriter(Resident.tags.through, ("resident_id", "vulnerabilitytag_id"))
    events = TableWriter(ResidentEvent, ("resident_id", "kind", "actor_id", "at", "text", "data"))
    progress = Progress(out, "residents", missing)
    done = 0
    while done < missing:
        count = min(BATCH, missing - done)
        rows, tag_rows, event_rows = [], [], []
        for pk in keys.take(count):
            community = rng.choice(city.communities)
            person = make_person(rng, today, community.region, ids_taken, key.lookup_hash)
            workers = community.station.workers
            actor = rng.choice(workers)[0] if workers else None
            # Registered before the history of requests begins, so every request finds its resident.
            created = now - datetime.timedelta(days=history_days + rng.uniform(1, 365))
            rows.append(
                (
                    pk,
                    person.name,
                    person.gender,
                    person.birth_date,
                    # Encrypted here, row by row as the batch is built (Fernet: ~15 µs a number).
                    key.encrypt(person.id_number),
                    person.id_hash,
                    key.tail_digest(person.id_number[-4:]),
                    person.phone,
                    phone_tail(person.phone),
                    community.pk,
                    make_address(rng, community),
                    "",
                    created,
                    created,
                    actor,
                    1,
                )
            )
            tag_rows.extend((pk, city.tags[name]) for name in person.tags if name in city.tags)
            event_rows.append((pk, ResidentEvent.Kind.CREATED, actor, created, "", "{}"))
            community.residents.append(pk)
        residents.write(rows)
        tags.write(tag_rows)
        events.write(event_rows)
        done += count
        progress.report(done)


@dataclass
class Person:
    name: str
    gender: str
    birth_date: datetime.date
    id_number: str
    id_hash: str  # keyed hash (residents.crypto), for uniqueness
    phone: str
    tags: tuple


SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)


def _words(text):
    return tuple(text.split())


GIVEN = {
    # (gender, generation): given names as people of that age in Tianjin are often called
    ("F", "old"): _words("秀英 桂兰 玉兰 淑珍 凤英 秀兰 桂英 玉珍 淑兰 秀珍 素英 玉梅 凤兰 桂芝 淑华 秀云"),
    ("M", "old"): _words("建国 国华 德明 志刚 振华 玉山 宝林 文斌 长顺 福祥 庆和 永利 树林 宝山 金生 德顺"),
    ("F", "mid"): _words("丽 静 敏 燕 艳 娟 霞 海燕 红梅 丽娜 晓燕 春梅 雪梅 立新 秀芳 丽华"),
    ("M", "mid"): _words("伟 强 磊 军 勇 杰 涛 明 超 鹏 晓东 建军 建华 志强 海涛 立军"),
    ("F", "young"): _words("子涵 欣怡 梓涵 雨桐 一诺 思彤 诗涵 可馨 语汐 若曦 佳怡 梓萱"),
    ("M", "young"): _words("浩宇 子轩 宇航 俊熙 梓睿 铭泽 博文 浩然 宇轩 子墨 一鸣 嘉懿"),
}
# Where people who were not born locally come from (county codes of GB/T 2260).
ELSEWHERE = _words("130102 130202 370102 410105 130602 131002 370202 210102 150102")
MOBILE_PREFIXES = _words(
    "130 131 132 133 135 136 137 138 139 150 151 152 155 156 157 158 159 176 177 178 180 181 182 183 185 186 "
    "187 188 189 198 199"
)
AGE_BANDS = ((0, 18, 0.14), (18, 60, 0.28), (60, 80, 0.38), (80, 99, 0.20))  # the people stations serve


def make_person(rng, today, region, ids_taken, id_hash) -> Person:
    """A resident of the given age band, with a unique valid ID number (`ids_taken` holds keyed hashes,
    `id_hash` makes one)."""
    roll, age = rng.random(), None
    for low, high, share in AGE_BANDS:
        if roll < share:
            age = rng.randrange(low, high)
            break
        roll -= share
    age = 30 if age is None else age
    # A birthday that makes them exactly `age` today: after the day they would turn age + 1 a year ago.
    earliest = add_years(today, -age - 1) + datetime.timedelta(days=1)
    born = earliest + datetime.timedelta(days=rng.randrange((add_years(today, -age) - earliest).days + 1))
    gender = "F" if rng.random() < 0.54 else "M"
    generation = "young" if age < 25 else "mid" if age < 60 else "old"
    name = rng.choice(SURNAMES) + rng.choice(GIVEN[(gender, generation)])
    area = region if rng.random() < 0.85 else rng.choice(ELSEWHERE)
    while True:
        sequence = rng.randrange(0, 500) * 2 + (1 if gender == "M" else 0)  # odd for men, even for women
        first17 = f"{area}{born:%Y%m%d}{sequence:03d}"
        id_number = first17 + id_check_char(first17)
        hashed = id_hash(id_number)
        if hashed not in ids_taken:
            ids_taken.add(hashed)
            break
    if age >= 75 and rng.random() < 0.12:
        phone = f"022-2{rng.randrange(0, 10**7):07d}"  # a landline at home
    elif age < 14:
        phone = ""  # children are reached through their guardians
    else:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"
    return Person(name, gender, born, id_number, hashed, phone, tuple(make_tags(rng, age, area != region)))


def make_tags(rng, age, migrant):
    tags = []
    if age >= 60:
        if rng.random() < (0.30 if age >= 80 else 0.15):
            tags.append("独居老人")
        elif rng.random() < 0.15:
            tags.append("空巢老人")
        if rng.random() < 0.03:
            tags.append("特困")
        if rng.random() < 0.005:
            tags.append("失独")
    if age < 18:
        if rng.random() < 0.06:
            tags.append("困境儿童")
        if migrant and rng.random() < 0.5:
            tags.append("流动儿童")
        elif rng.random() < 0.04:
            tags.append("留守儿童")
    if rng.random() < 0.07:
        tags.append("残疾")
    if rng.random() < 0.06:
        tags.append("低保")
    elif rng.random() < 0.03:
        tags.append("低保边缘")
    if rng.random() < 0.03:
        tags.append("重病")
    return tags


def make_address(rng, community):
    if community.village:
        return f"{community.name}{rng.randrange(1, 400)}号"
    building, door, floor, flat = (
        rng.randrange(1, 40),
        rng.randrange(1, 7),
        rng.randrange(1, 19),
        rng.randrange(1, 5),
    )
    return f"{community.name}{building}号楼{door}门{floor}0{flat}"


def make_phone(rng):
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(0, 10**8):08d}"


# --- requests -------------------------------------------------------------------------------------
def _cumulative(weighted):
    """[(value, weight)] → [(value, running total)], for `_weighted`."""
    return list(zip([v for v, _ in weighted], accumulate(w for _, w in weighted), strict=True))


REQUEST_COLUMNS = (
    "id",
    "reference",
    "station_id",
    "community_id",
    "resident_id",
    "reporter_name",
    "reporter_phone",
    "channel",
    "category_id",
    "description",
    "severity",
    "urgency",
    "priority",
    "due_at",
    "status",
    "assignee_id",
    "received_at",
    "resolved_at",
    "closed_at",
    "follow_up_due_on",
    "satisfaction",
    "close_reason",
    "close_kind",
    "created_by_id",
    "submission_token",
    "version",
)
EVENT_COLUMNS = ("request_id", "kind", "actor_id", "at", "from_status", "to_status", "text", "data")
REFERRAL_COLUMNS = (
    "id",
    "request_id",
    "organisation",
    "reason",
    "outcome",
    "outcome_note",
    "referred_at",
    "referred_by_id",
)

CHANNEL_WEIGHTS = _cumulative(
    [
        (Channel.WALK_IN, 22),
        (Channel.PHONE, 26),
        (Channel.HOME_VISIT, 20),
        (Channel.COMMITTEE, 14),
        (Channel.HOTLINE, 10),
        (Channel.QR, 8),
    ]
)
CATEGORY_WEIGHTS = {
    "生活照料": 22,
    "设施维修": 18,
    "救助帮扶": 12,
    "法律/司法救助": 4,
    "心理支持": 6,
    "政策咨询": 14,
    "矛盾调解": 8,
    "活动需求": 8,
    "环境治理": 6,
    "其他": 2,
}
DESCRIPTIONS = {
    "生活照料": [
        "老人腿脚不便，希望每周有人上门帮忙买菜、打扫卫生。",
        "独居老人吃饭不规律，申请社区助餐服务。",
        "老人需要定期去医院复查，子女在外地，希望有人陪同就医。",
        "家中老人失能卧床，家属想了解居家照护服务。",
        "老人想去老年食堂就餐，不会用手机线上报名。",
        "高龄老人洗澡困难，希望有助浴服务。",
    ],
    "设施维修": [
        "楼道声控灯坏了，老人晚上上下楼看不清。",
        "家里卫生间水管漏水，老人自己无法处理。",
        "单元门禁损坏，陌生人随意进出，居民担心安全。",
        "存车处只能停放电动自行车不能充电，居民带电瓶上楼有安全隐患。",
        "希望在卫生间和床边安装扶手，做适老化改造。",
        "楼道窗户玻璃破损，冬天漏风。",
    ],
    "救助帮扶": [
        "家中主要劳动力生病住院，生活一时困难，咨询临时救助。",
        "想申请低保，不清楚需要准备哪些材料。",
        "孩子上学费用有困难，希望得到助学帮扶。",
        "大病医疗费用负担重，咨询医疗救助。",
        "刚失业，家里还有老人要照顾，希望得到帮扶。",
    ],
    "法律/司法救助": [
        "困难儿童家庭遭遇侵害，需要申请司法救助。",
        "老人被骗购买保健品，想咨询法律援助。",
        "家庭赡养纠纷，希望了解通过法律途径解决的办法。",
        "务工报酬被拖欠，咨询如何维权。",
    ],
    "心理支持": [
        "老伴去世后老人情绪低落，很少出门。",
        "孩子厌学，和家长沟通困难，希望社工疏导。",
        "居民长期失业，情绪焦虑，睡眠不好。",
        "家中有精神障碍患者，家属照护压力大。",
    ],
    "政策咨询": [
        "咨询高龄津贴如何申领。",
        "咨询残疾人两项补贴政策。",
        "咨询居家养老服务补贴的条件。",
        "咨询困境儿童基本生活保障政策。",
        "咨询长期护理保险怎么办理。",
    ],
    "矛盾调解": [
        "楼上卫生间漏水到楼下，邻里协商不成。",
        "邻居饲养宠物夜间噪音扰民。",
        "子女之间对老人赡养问题有分歧，希望社工协调。",
        "与物业就停车收费发生纠纷。",
    ],
    "活动需求": [
        "社区希望举办重阳节敬老活动，请社工策划。",
        "希望暑期开设青少年手工学习班。",
        "老年合唱队缺少指导老师和排练场地。",
        "希望组织志愿者为高龄老人义剪、义诊。",
        "社区想办亲子阅读活动，请社工出方案。",
    ],
    "环境治理": [
        "小区绿化带长期无人修剪，遮挡视线。",
        "垃圾分类点异味大，影响周边居民。",
        "楼顶私搭乱建存在安全隐患。",
    ],
    "其他": ["希望了解社工站能提供哪些服务。", "咨询社区志愿者怎么报名。"],
}
REFERRAL_TARGETS = {
    "法律/司法救助": ["区法律援助中心", "街道司法所", "区人民检察院司法救助窗口"],
    "救助帮扶": ["街道社会救助所", "区慈善协会", "区民政局社会救助科"],
    "设施维修": ["物业服务企业", "社区便民维修志愿服务队", "街道城市管理办公室"],
    "心理支持": ["区心理援助热线", "社区卫生服务中心心理门诊"],
    "生活照料": ["社区老年日间照料中心", "居家养老服务机构", "社区卫生服务中心"],
    "矛盾调解": ["街道人民调解委员会", "社区法律顾问"],
}
RESOLUTION_NOTES = [
    "已协调解决，居民表示认可。",
    "已上门处理完毕。",
    "已链接相关资源，问题解决。",
    "已协助居民办理完成。",
    "已解答并协助准备材料。",
    "已联系相关部门处理完毕。",
]
REFERRAL_NOTES = {
    "accepted": "对方已接收，正在办理。",
    "done": "对方已办结。",
    "declined": "对方表示无法承接。",
}
SATISFACTION_WEIGHTS = _cumulative([("satisfied", 78), ("fairly", 17), ("dissatisfied", 5)])


def _weighted(rng, cumulative):
    roll = rng.random() * cumulative[-1][1]
    return cumulative[bisect([bound for _, bound in cumulative], roll)][0]


class _Cut(Exception):
    """The request's story has reached the present: later steps have not happened yet."""


class Story:
    """One request's life from intake to follow-up, cut off at `now`: its row's fields and the
    timeline events (and referral) that agree with them, as the workflow services would write them."""

    def __init__(self, city, now, follow_up_days, referral_keys, backlog=1):
        self.city, self.now = city, now
        self.follow_up = datetime.timedelta(days=follow_up_days)
        self.referral_keys = referral_keys
        self.backlog = BACKLOG * backlog
        self.untriaged = UNTRIAGED if backlog > 1 else 0

    def live(self, rng, pk, received, station, category, creator):
        self.pk, self.received, self.t, self.events, self.referral = pk, received, received, [], None
        self.status, self.assignee = Status.NEW, None
        self.resolved_at = self.closed_at = self.follow_up_due_on = None
        self.satisfaction = self.close_reason = self.close_kind = ""
        self.top, self.severity, self.urgency = category[1], category[3], category[4]
        self._set_priority()
        self.emit(Kind.CREATED, creator, to_status=Status.NEW)
        if not station.workers:
            return self  # nobody to take it: it waits, and shows as overdue
        worker, name = rng.choice(station.workers)
        fate = rng.random()
        recent = self.now - received < self.backlog
        if recent and 0.08 <= fate < 0.08 + self.untriaged:
            return self  # nobody has triaged it: new, unassigned, overdue once its due time passes
        try:
            self._triage_and_assign(rng, worker, name)
            if fate < 0.03:
                return self._close(rng, worker, Status.REJECTED, ("duplicate", "out_of_scope"))
            self.step(rng.uniform(0.2, 3 if self.priority <= 2 else 24))
            self.move(worker, Status.IN_PROGRESS)
            if rng.random() < 0.12:
                self._refer(rng, worker)
            if fate < 0.07:
                return self._close(rng, worker, Status.WITHDRAWN, ("resident", "duplicate"))
            if fate < 0.08 and recent:
                return self  # stalled: still open, overdue once its due time passes
            self._resolve(rng, worker)
            if rng.random() < 0.03:
                self.step(rng.uniform(24, 240))
                self.move(
                    worker, Status.IN_PROGRESS, "居民反映问题未彻底解决，重新办理。", kind=Kind.REOPENED
                )
                self.resolved_at = self.follow_up_due_on = None
                self._resolve(rng, worker)
            if rng.random() < 0.985 or not recent:  # the rest still wait for their follow-up call (回访到期)
                self._follow_up(rng, worker)
        except _Cut:
            pass
        return self

    # the steps, each as the matching service writes it
    def step(self, hours):
        self.t += datetime.timedelta(hours=hours)

    def emit(self, kind, actor, from_status="", to_status="", text="", data="{}"):
        if self.t > self.now:
            raise _Cut
        self.events.append((self.pk, kind, actor, self.t, from_status, to_status, text, data))

    def move(self, actor, to_status, text="", kind=Kind.STATUS, data="{}"):
        self.emit(kind, actor, self.status, to_status, text, data)
        self.status = to_status

    def _set_priority(self):
        self.priority = PRIORITY[self.severity, self.urgency]
        self.due_at = self.received + datetime.timedelta(hours=self.city.hours[self.priority])

    def _triage_and_assign(self, rng, worker, name):
        self.step(rng.uniform(0.3, 4) if self.priority <= 2 else rng.uniform(1, 48))
        severity, urgency, before = self.severity, self.urgency, self.priority
        if rng.random() < 0.25:  # the worker judges it differently from the category's default
            if rng.random() < 0.5:
                severity = Severity.MILD if severity == Severity.SEVERE else Severity.SEVERE
            else:
                urgency = Urgency.NOT_URGENT if urgency == Urgency.URGENT else Urgency.URGENT
        priority, labels = PRIORITY[severity, urgency], self.city.labels
        self.move(
            worker,
            Status.TRIAGED,
            timeline.triaged(labels[severity], labels[urgency], priority, before),
            kind=Kind.TRIAGED,
            data=f'{{"severity": "{severity}", "urgency": "{urgency}", "priority": {priority}}}',
        )
        self.severity, self.urgency = severity, urgency
        self._set_priority()
        self.step(rng.uniform(0.01, 0.5))
        self.emit(
            Kind.ASSIGNED,
            worker,
            text=timeline.assigned(name),
            data=f'{{"assignee": {worker}, "previous_assignee": null}}',
        )
        self.assignee = worker

    def _refer(self, rng, worker):
        self.step(rng.uniform(2, 72))
        organisation = rng.choice(REFERRAL_TARGETS.get(self.top, ["街道便民服务中心", "区民政局"]))
        reason = "需要专业机构协助办理。"
        pk = self.referral_keys.one()
        self.move(
            worker,
            Status.REFERRED,
            timeline.referred(organisation, reason),
            Kind.REFERRAL,
            f'{{"referral": {pk}}}',
        )
        self.referral = [pk, self.pk, organisation, reason, Referral.Outcome.PENDING, "", self.t, worker]
        self.step(rng.uniform(24, 24 * 14))
        outcome = _weighted(rng, REFERRAL_OUTCOME_WEIGHTS)
        note = REFERRAL_NOTES[outcome]
        self.emit(
            Kind.REFERRAL_OUTCOME,
            worker,
            text=timeline.referral_outcome(organisation, self.city.labels[outcome], note),
            data=f'{{"referral": {pk}, "outcome": "{outcome}"}}',
        )
        self.referral[4:6] = outcome, note
        if outcome == Referral.Outcome.DECLINED:
            self.step(rng.uniform(1, 48))
            self.move(worker, Status.IN_PROGRESS, timeline.RESUMED_AFTER_REFERRAL)

    def _resolve(self, rng, worker):
        self.step(self.city.hours[self.priority] * rng.lognormvariate(-0.6, 0.7))  # mostly on time
        self.move(worker, Status.RESOLVED, rng.choice(RESOLUTION_NOTES))
        self.resolved_at = self.t
        self.follow_up_due_on = self.t.date() + self.follow_up  # times here are local already

    def _follow_up(self, rng, worker):
        self.step(self.follow_up.days * 24 + rng.uniform(-48, 96))
        self.t = max(self.t, self.resolved_at + datetime.timedelta(hours=1))
        satisfaction = _weighted(rng, SATISFACTION_WEIGHTS)
        self.move(worker, Status.CLOSED, timeline.followed_up(self.city.labels[satisfaction]), Kind.FOLLOW_UP)
        self.closed_at, self.satisfaction = self.t, satisfaction

    def _close(self, rng, worker, to_status, kinds):
        self.step(rng.uniform(1, 72))
        kind = rng.choice(kinds)
        reason = CLOSE_REASONS[kind]
        self.move(worker, to_status, timeline.closed(self.city.labels[kind], reason))
        self.closed_at, self.close_kind, self.close_reason = self.t, kind, reason
        return self


REFERRAL_OUTCOME_WEIGHTS = _cumulative([("done", 70), ("accepted", 15), ("declined", 15)])
CLOSE_REASONS = {
    "duplicate": "与本站已登记的诉求重复。",
    "out_of_scope": "不属于社工站服务范围，已告知居民相关办理渠道。",
    "resident": "居民表示问题已自行解决。",
}


def seed_requests(city, target, history_days, references, rng, out, backlog=1):
    existing = Request.objects.count()
    missing = target - existing
    if missing <= 0:
        out.write(f"  requests: {existing:,} already, nothing to add")
        return
    now = timezone.localtime()
    story = Story(city, now, getattr(settings, "FOLLOW_UP_DAYS", 7), Keys(Referral), backlog)
    station_weights = list(
        accumulate(len(s.communities) ** 0.5 * rng.uniform(0.6, 1.4) for s in city.stations)
    )
    # Oldest first, so that reference numbers follow the calendar. The city takes requests at a steady
    # rate over the history: a bigger city of the same stations is an older one, not a busier one.
    offsets = sorted((history_days * 86400 * rng.random() for _ in range(missing)), reverse=True)
    request_keys = Keys(Request)
    requests = TableWriter(Request, REQUEST_COLUMNS)
    events = TableWriter(TimelineEvent, EVENT_COLUMNS)
    referrals = TableWriter(Referral, REFERRAL_COLUMNS)
    progress = Progress(out, "requests", missing)
    for start in range(0, missing, BATCH):
        chunk = offsets[start : start + BATCH]
        received_times = sorted(_office_hours(rng, now - datetime.timedelta(seconds=s), now) for s in chunk)
        rows, event_rows, referral_rows = [], [], []
        for pk, received in zip(request_keys.take(len(chunk)), received_times, strict=True):
            station = city.stations[bisect(station_weights, rng.random() * station_weights[-1])]
            community = rng.choice(station.communities)
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            category = city.category(rng)
            resident, reporter_name, reporter_phone = _who(rng, channel, community)
            creator = rng.choice(station.workers)[0] if station.workers and channel != Channel.QR else None
            story.live(rng, pk, received, station, category, creator)
            rows.append(
                (
                    pk,
                    references.next(station, received.year),
                    station.pk,
                    community.pk,
                    resident,
                    reporter_name,
                    reporter_phone,
                    channel,
                    category[0],
                    rng.choice(DESCRIPTIONS.get(category[1], DESCRIPTIONS["其他"])),
                    story.severity,
                    story.urgency,
                    story.priority,
                    story.due_at,
                    story.status,
                    story.assignee,
                    received,
                    story.resolved_at,
                    story.closed_at,
                    story.follow_up_due_on,
                    story.satisfaction,
                    story.close_reason,
                    story.close_kind,
                    creator,
                    None,
                    len(story.events),  # every step after intake bumped the version once
                )
            )
            event_rows.extend(story.events)
            if story.referral:
                referral_rows.append(tuple(story.referral))
        requests.write(rows)
        referrals.write(referral_rows)
        events.write(event_rows)
        progress.report(start + len(chunk))


def _office_hours(rng, moment, now):
    """Most requests come in between 8:00 and 18:00; never in the future."""
    if (moment.hour < 8 or moment.hour >= 18) and rng.random() < 0.85:
        moment = moment.replace(hour=rng.randrange(8, 18), minute=rng.randrange(60))
    return moment if moment < now else now - datetime.timedelta(minutes=rng.randrange(5, 240))


def _who(rng, channel, community):
    """(resident pk, reporter name, reporter phone): a registered resident where the worker met them,
    a name and phone where that is all there is. The QR form never links a resident."""
    residents = community.residents
    if channel == Channel.COMMITTEE:
        resident = rng.choice(residents) if residents and rng.random() < 0.6 else None
        return resident, f"{community.name}居委会", ""
    if channel in (Channel.QR, Channel.HOTLINE) or not residents or rng.random() < 0.15:
        resident = (
            rng.choice(residents) if channel == Channel.HOTLINE and residents and rng.random() < 0.5 else None
        )
        name = rng.choice(SURNAMES) + rng.choice(("先生", "女士", "阿姨", "大爷", "师傅"))
        return resident, name, make_phone(rng)
    return rng.choice(residents), "", ""
