"""Demo data for the hierarchy, stations, staff and accounts; called first by `manage.py seed_demo`.

The city as the Tianjin Daily report describes it (October 2023): the real hierarchy, 249 stations serving
the 252 streets and townships (three merged offices), 396 resident workers (most stations two, the rest
one), a mix of certified and uncertified workers with deadlines near or passed, 1,466 community
workrooms (26.9% of the committees in the 252 streets), and accounts for every role. The report's people
appear as themselves: 徐芃泽 heads 北辰区果园新村街道社工站; 史博, formerly at 南开区广开街道社工站, is now
with 和平区's district centre.

The whole plan is drawn from `rng` on every run, then only what is missing is written, so a second run
adds nothing and leaves later seeders (which share `rng`) with the same random stream.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db.models import Q
from django.utils import timezone

from stations.divisions import import_divisions
from stations.groups import CITY_GROUP, DISTRICT_GROUP, ensure_groups
from stations.models import (
    Assignment,
    Certificate,
    Community,
    District,
    Operator,
    Station,
    Street,
    User,
    add_years,
)

D = datetime.date

# Merged offices (合署办公): the first (lowest-code) street names the station; the others are served too.
MERGED = {
    "120111003": ["120111004"],  # 西青区 赤龙南街道 + 赤龙北街道
    "120113006": ["120113007"],  # 北辰区 青源街道 + 广源街道
    "120114001": ["120114006"],  # 武清区 杨村街道 + 运河西街道
}
GUOYUAN = "120113001"  # 北辰区果园新村街道
GUANGKAI = "120104004"  # 南开区广开街道
HEPING = "120101"  # 和平区
# Stations the report names: always fully staffed in the demo, so their stories read right.
REPORTED = {GUOYUAN, GUANGKAI, "120111003", "120110009", "120114002", "120103003", "120104002", "120102006"}

RESIDENT_WORKERS = 396  # 派驻社工396人
WORKROOMS = 1466  # 1466个社区工作室
ROLLOUT = (D(2021, 7, 1), D(2023, 10, 31))  # 2021年7月启动 … 截至2023年10月
CONTRACT_YEARS = 3


OPERATORS = [
    ("天津市和合社会工作服务中心", "022-23301188"),
    ("天津市益民社会工作服务中心", "022-27412266"),
    ("天津市启航社会工作发展中心", "022-58816633"),
    ("天津市众合社会工作服务社", "022-24352210"),
    ("天津市仁心社会工作服务中心", "022-26687105"),
    ("天津市同心圆社会工作服务中心", "022-84371290"),
    ("天津市惠邻社会工作服务社", "022-29568803"),
    ("天津市乐群社会工作服务中心", "022-60527711"),
]

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江顾侯邵孟龙万段雷钱汤"
    "尹黎易常武乔贺赖龚文"
)
GIVEN_F = "静丽敏婷雪佳欣怡倩颖琳悦晨洁璐瑶萌雯晴妍薇蕾琪畅楠璇玥彤茜蓉岚慧莉娜燕霞梦"
GIVEN_M = "伟强磊军洋勇杰涛明超辉鹏浩宇博昊睿轩然泽帆航凯楠琦晨阳旭东峰斌亮晗哲恒"
ROADS = [
    "建设路",
    "新华路",
    "光明路",
    "友谊路",
    "胜利路",
    "团结路",
    "幸福道",
    "长江道",
    "黄河道",
    "珠江道",
    "红旗路",
    "复兴路",
    "解放路",
    "津塘路",
    "京津路",
    "北辰道",
    "万隆路",
    "福安大街",
    "育红路",
    "兴华道",
    "富民路",
    "和畅路",
    "安康路",
    "利民道",
    "迎宾路",
    "金华路",
    "文化路",
    "振华道",
    "惠民路",
    "永安道",
]


@dataclass
class WorkerPlan:
    username: str
    name: str
    is_head: bool
    start: datetime.date
    end: datetime.date | None = None
    certificate: tuple | None = None  # (level, issued_on)
    phone: str = ""


@dataclass
class StationPlan:
    code: str
    name: str
    district: District
    streets: list
    founded_on: datetime.date
    address: str
    phone: str
    operator: str
    contract_start: datetime.date
    contract_end: datetime.date
    workers: list = field(default_factory=list)


class Names:
    """Realistic, unique Chinese names (resident social workers are mostly young women)."""

    def __init__(self, rng, taken=()):
        self.rng, self.taken = rng, set(taken)

    def __call__(self, female=None):
        rng = self.rng
        female = rng.random() < 0.7 if female is None else female
        chars = GIVEN_F if female else GIVEN_M
        while True:
            given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.6 else "")
            name = rng.choice(SURNAMES) + given
            if name not in self.taken:
                self.taken.add(name)
                return name


def _between(rng, lo, hi):
    if hi <= lo:
        return lo
    return lo + datetime.timedelta(days=rng.randrange((hi - lo).days + 1))


def _mobile(rng):
    return f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"


def _contract(founded, today):
    """The current government-purchase contract: three-year cycles from the founding date."""
    start = founded
    while add_years(start, CONTRACT_YEARS) <= today:
        start = add_years(start, CONTRACT_YEARS)
    return start, add_years(start, CONTRACT_YEARS) - datetime.timedelta(days=1)


def _worker(rng, username, name, is_head, founded, today, state, cert_seq):
    """One resident worker in `state`: certified, pending, near (deadline ≤ 90 days) or passed."""
    two_years_ago = add_years(today, -2)
    if state == "certified":
        if is_head and rng.random() < 0.75:
            start = founded
        else:
            start = _between(rng, founded, today - datetime.timedelta(days=45))
        latest_after = min(add_years(start, 2), today) - datetime.timedelta(days=1)
        if rng.random() < 0.6 or latest_after <= start + datetime.timedelta(days=60):
            issued = _between(
                rng, start - datetime.timedelta(days=4 * 365), start - datetime.timedelta(days=30)
            )
        else:
            issued = _between(rng, start + datetime.timedelta(days=60), latest_after)
        level = rng.choices(["assistant", "social_worker", "senior"], weights=[70, 27, 3])[0]
        return WorkerPlan(username, name, is_head, start, certificate=(level, issued, cert_seq))
    if state == "passed":
        lo, hi = max(founded, two_years_ago - datetime.timedelta(days=400)), two_years_ago
        hi -= datetime.timedelta(days=1)
    elif state == "near":
        lo, hi = two_years_ago, two_years_ago + datetime.timedelta(days=90)
    else:  # pending: deadline more than 90 days away
        lo, hi = two_years_ago + datetime.timedelta(days=91), today - datetime.timedelta(days=14)
    start = _between(rng, max(lo, founded), hi)
    return WorkerPlan(username, name, is_head, start)


def plan_city(rng, today):
    """Every station, worker and workroom of the demo, drawn from `rng` (reads the hierarchy only)."""
    streets = list(Street.objects.townships().select_related("district").order_by("code"))
    by_short = {s.short_code: s for s in streets}
    secondary = {code for others in MERGED.values() for code in others}
    names = Names(rng, taken={"徐芃泽", "史博"})

    districts = sorted({s.district for s in streets}, key=lambda d: d.code)
    operators_of = {d.pk: rng.sample(OPERATORS, rng.choice([1, 2])) for d in districts}

    stations = []
    for street in streets:
        if street.short_code in secondary:
            continue
        served = [street] + [by_short[c] for c in MERGED.get(street.short_code, [])]
        span = (ROLLOUT[1] - ROLLOUT[0]).days
        founded = ROLLOUT[0] + datetime.timedelta(days=int(span * rng.random() ** 1.4))
        if street.short_code == GUOYUAN:
            founded = D(2023, 1, 10)  # 2023年1月挂牌成立
        elif street.short_code == GUANGKAI:
            founded = D(2021, 9, 28)
        district = street.district
        road = rng.choice(ROADS)
        contract_start, contract_end = _contract(founded, today)
        stations.append(
            StationPlan(
                code=street.short_code,
                name=f"{district.name}{street.name}社工站",
                district=district,
                streets=served,
                founded_on=founded,
                address=f"天津市{district.name}{road}{rng.randrange(1, 300)}号（{street.name}党群服务中心）",
                phone=f"022-{rng.choice('2268')}{rng.randrange(10**7):07d}",
                operator=rng.choice(operators_of[district.pk])[0],
                contract_start=contract_start,
                contract_end=contract_end,
            )
        )

    # 396 workers over 249 stations: 147 with two, 102 with one (never a station the report names).
    singles = set(
        rng.sample([p.code for p in stations if p.code not in REPORTED], len(stations) * 2 - RESIDENT_WORKERS)
    )
    seq = 0
    for plan in stations:
        seq += 1
        head_user = "xupengze" if plan.code == GUOYUAN else f"st-{plan.code}-1"
        head_state = rng.choices(["certified", "pending", "near", "passed"], weights=[88, 6, 3, 3])[0]
        second_state = rng.choices(["certified", "pending", "near", "passed"], weights=[52, 28, 10, 10])[0]
        if plan.code in REPORTED:
            head_state = "certified"
        if plan.code in (GUOYUAN, GUANGKAI):
            second_state = "certified"  # 果园新村: 有持证社工两人
        if plan.code == GUOYUAN:
            head = WorkerPlan(
                "xupengze", "徐芃泽", True, plan.founded_on, certificate=("assistant", D(2022, 6, 18), seq)
            )
        else:
            head = _worker(rng, head_user, names(), True, plan.founded_on, today, head_state, seq)
        head.phone = _mobile(rng)
        plan.workers.append(head)
        if plan.code in singles:
            continue
        seq += 1
        second = _worker(rng, f"st-{plan.code}-2", names(), False, plan.founded_on, today, second_state, seq)
        if plan.code == GUANGKAI:
            second.start = D(2023, 6, 1)  # took over from 史博
        second.phone = _mobile(rng)
        plan.workers.append(second)

    # Workrooms: 1,466 of the committees in the 252 streets, opened once the station was there.
    founded_by_street = {s.pk: p.founded_on for p in stations for s in p.streets}
    committees = list(
        Community.objects.committees()
        .filter(street__in=streets)
        .order_by("code")
        .values_list("pk", "street_id")
    )
    workrooms = {
        pk: _between(rng, max(D(2021, 9, 1), founded_by_street[street_id]), ROLLOUT[1])
        for pk, street_id in rng.sample(committees, WORKROOMS)
    }
    district_names = {d.pk: names() for d in districts}
    return stations, workrooms, district_names


def seed(*, options, rng, out):
    """Idempotent: a second run adds nothing twice. Progress goes to `out`."""
    today = timezone.localdate()
    out.write("区划：")
    import_divisions(out=out)
    stations, workrooms, district_names = plan_city(rng, today)
    password = make_password(options.get("password") or "sws-demo-2026")  # one hash: fast, same password

    # Operators and stations.
    Operator.objects.bulk_create(
        [Operator(name=n, contact_phone=p) for n, p in OPERATORS], ignore_conflicts=True
    )
    operator_ids = dict(Operator.objects.values_list("name", "pk"))
    existing = set(Station.objects.values_list("code", flat=True))
    new_stations = [
        Station(
            code=p.code,
            name=p.name,
            district=p.district,
            founded_on=p.founded_on,
            address=p.address,
            phone=p.phone,
            operator_id=operator_ids[p.operator],
            contract_start=p.contract_start,
            contract_end=p.contract_end,
        )
        for p in stations
        if p.code not in existing
    ]
    Station.objects.bulk_create(new_stations)
    station_ids = dict(Station.objects.values_list("code", "pk"))
    unserved = []
    for p in stations:
        for street in p.streets:
            if street.station_id is None:
                street.station_id = station_ids[p.code]
                unserved.append(street)
    Street.objects.bulk_update(unserved, ["station"])
    out.write(f"社工站：{len(stations)} 个（新增 {len(new_stations)}），新接入服务街道 {len(unserved)} 个。")

    groups = ensure_groups()

    # Accounts.
    districts = {d.code[:6]: d for d in District.objects.all()}
    guangkai = next(p for p in stations if p.code == GUANGKAI)
    accounts = [
        User(username="admin", name="系统管理员", role=User.Role.ADMIN, is_staff=True, is_superuser=True),
        User(username="city", name="市级指导中心", role=User.Role.CITY_STAFF, is_staff=True),
        User(username="auditor", name="安全审计员", role=User.Role.AUDITOR),
    ]
    for short, district in sorted(districts.items()):
        accounts.append(
            User(
                username=f"dc-{short}",
                name=district_names.get(district.pk, f"{district.name}指导中心"),
                role=User.Role.DISTRICT_STAFF,
                district=district,
                district_scope=district,
                is_staff=True,
            )
        )
    heping = districts[HEPING]
    accounts.append(
        User(
            username="shibo",
            name="史博",
            role=User.Role.DISTRICT_STAFF,
            district=heping,
            district_scope=heping,
            is_staff=True,
            phone=_mobile(rng),
        )
    )
    for p in stations:
        for w in p.workers:
            accounts.append(
                User(
                    username=w.username,
                    name=w.name,
                    phone=w.phone,
                    role=User.Role.STATION_HEAD if w.is_head else User.Role.STATION_WORKER,
                    station_id=station_ids[p.code],
                    district_scope=p.district,
                )
            )
    # The reporters of 果园新村 (issue #21): 朝阳里's 居委会 member and a volunteer reporter (信息员).
    guoyuan_id = station_ids.get(GUOYUAN)
    chaoyangli = (
        Community.objects.filter(street__station_id=guoyuan_id, name__contains="朝阳里").first()
        if guoyuan_id
        else None
    )
    if chaoyangli is not None:
        beichen = districts[GUOYUAN[:6]]
        accounts += [
            User(
                username=f"jwh-{chaoyangli.code}",
                name="刘敏",
                role=User.Role.COMMUNITY_STAFF,
                community=chaoyangli,
                station_id=guoyuan_id,
                district_scope=beichen,
            ),
            User(
                username=f"xxy-{GUOYUAN}-1",
                name="孙立",
                role=User.Role.VOLUNTEER_REPORTER,
                station_id=guoyuan_id,
                district_scope=beichen,
            ),
        ]
    usernames = [u.username for u in accounts]
    known = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    new_users = [u for u in accounts if u.username not in known]
    for user in new_users:
        user.password = password
    User.objects.bulk_create(new_users)
    updated = User.objects.filter(username__in=known).update(password=password)
    user_ids = dict(User.objects.filter(username__in=usernames).values_list("username", "pk"))
    created = {u.username for u in new_users}
    memberships = [
        User.groups.through(user_id=user_ids[u.username], group_id=groups[CITY_GROUP].pk)
        for u in new_users
        if u.username == "city"
    ] + [
        User.groups.through(user_id=user_ids[u.username], group_id=groups[DISTRICT_GROUP].pk)
        for u in new_users
        if u.role == User.Role.DISTRICT_STAFF
    ]
    User.groups.through.objects.bulk_create(memberships)

    # Assignments and certificates, for the accounts created now.
    assignments, certificates = [], []
    for p in stations:
        for w in p.workers:
            if w.username not in created:
                continue
            user_id = user_ids[w.username]
            assignments.append(
                Assignment(
                    user_id=user_id, station_id=station_ids[p.code], start_date=w.start, is_head=w.is_head
                )
            )
            if w.certificate:
                level, issued, seq = w.certificate
                certificates.append(_certificate(user_id, level, issued, seq))
    if "shibo" in created:
        # 史博: 广开街道社工站's resident worker until she joined 和平区's district centre.
        assignments.append(
            Assignment(
                user_id=user_ids["shibo"],
                station_id=station_ids[guangkai.code],
                start_date=guangkai.founded_on,
                end_date=D(2023, 5, 31),
            )
        )
        certificates.append(_certificate(user_ids["shibo"], "social_worker", D(2020, 10, 24), 9000))
    Assignment.objects.bulk_create(assignments)
    Certificate.objects.bulk_create(certificates)
    active = Assignment.objects.active(today).count()
    out.write(
        f"账号：{len(accounts)} 个（新增 {len(new_users)}，更新密码 {updated}）；"
        f"新增驻站安排 {len(assignments)}、证书 {len(certificates)}；在岗驻站社工 {active} 人。"
    )

    # Community workrooms.
    to_open = list(Community.objects.filter(pk__in=workrooms, workroom_opened_on__isnull=True))
    for community in to_open:
        community.workroom_opened_on = workrooms[community.pk]
    Community.objects.bulk_update(to_open, ["workroom_opened_on"], batch_size=500)
    total = Community.objects.with_workroom().count()
    committees = Community.objects.committees().filter(~Q(street__kind=Street.Kind.OTHER)).count()
    share = total / committees if committees else 0
    out.write(f"社区工作室：{total:,} 个（新增 {len(to_open):,}），占街道乡镇社区（村）{share:.1%}。")


def _certificate(user_id, level, issued, seq):
    prefix = {"assistant": "ZL", "social_worker": "SG", "senior": "GJ"}[level]
    return Certificate(
        user_id=user_id, level=level, issued_on=issued, number=f"{prefix}{issued.year}12{seq:05d}"
    )


DEFAULT_ADDRESS = "127.0.0.1:8000"


def split_address(address: str | None) -> tuple[str, int]:
    """runserver's `[addr:]port` (`8001`, `127.0.0.1:8001`, `0.0.0.0:8001`, `[::1]:8001`) as (addr, port)."""
    address = (address or DEFAULT_ADDRESS).strip()
    host, _, port = address.rpartition(":")
    return (host.strip("[]") or "127.0.0.1"), int(port)


def browser_address(address: str | None) -> str:
    """The address to open in a browser for runserver's `address`: all interfaces are opened locally."""
    host, port = split_address(address)
    if host in ("0.0.0.0", "::", "0"):
        host = "127.0.0.1"
    return f"http://{f'[{host}]' if ':' in host else host}:{port}"


def print_accounts(*, options, out):
    """Print the demo usernames (and the password) at the end of seeding, and the address the demo will
    serve (`--address`, the HOST that `make demo` passes to runserver)."""
    password = options.get("password") or "sws-demo-2026"
    base = browser_address(options.get("address"))
    stations = {
        s.code: s for s in Station.objects.filter(code__in=[GUOYUAN, GUANGKAI, "120113006", "120111003"])
    }
    lines = [
        "",
        "演示账号（所有账号的密码都是：" + password + "）",
        "  admin                 系统管理员（超级用户，可进入 /admin/）",
        "  city                  市级指导中心（全市）",
        "  auditor               安全审计员（只读审计记录：/audit/）",
        "  dc-<区6位代码>        区级指导中心，例如 dc-120113 北辰区、dc-120104 南开区：",
    ]
    districts = list(District.objects.order_by("code"))
    for i in range(0, len(districts), 4):
        lines.append("      " + "  ".join(f"dc-{d.short_code} {d.name}" for d in districts[i : i + 4]))
    lines += [
        "  shibo                 史博，和平区指导中心（原南开区广开街道社工站驻站社工）",
        "  xupengze              徐芃泽，北辰区果园新村街道社工站站长",
        "  dd-120113             孟秋华，北辰区个案督导（区级指导中心，签批高风险与未成年人个案结案）",
        "  pg-zhoumin            周敏，第三方评估员（只读其受聘的考核评估：果园新村2026年度）",
        "  st-<街道9位代码>-1    各社工站站长；-2 为第二名驻站社工（部分站只有一名）",
    ]
    reporters = User.objects.filter(
        role__in=[User.Role.COMMUNITY_STAFF, User.Role.VOLUNTEER_REPORTER]
    ).select_related("community", "station")
    for reporter in reporters.order_by("username"):
        where = reporter.community.name if reporter.community_id else reporter.station.name
        lines.append(
            f"  {reporter.username:<22}{reporter.name}，{where}{reporter.get_role_display()}（上报需求）"
        )
    examples = [GUOYUAN, GUANGKAI, "120113006", "120111003"]
    heads = {code: "xupengze" if code == GUOYUAN else f"st-{code}-1" for code in examples}
    wanted = [*heads.values(), *(f"st-{code}-2" for code in examples)]
    existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
    for code in examples:
        station = stations.get(code)
        if station:
            names = [n for n in (heads[code], f"st-{code}-2") if n in existing]
            lines.append(f"      {'、'.join(names):<32}{station.name}")
    lines.append(f"  登录：{base}/login/   数据维护：{base}/admin/")
    for line in lines:
        out.write(line)
