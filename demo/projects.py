"""Demo data for station work; called by `manage.py seed_demo` after stations and residents.

The city's history of station work, as long as the residents' (`--history-days`, two years by default, in
`options["history_days"]`): projects, activities, partners and resources, volunteer teams, community social
organisations, community funds and an annual plan for every year, for every station, at a station's usual
yearly rate, so a five-year city has five times a one-year city's work. Nothing is dated before the station
was founded or before 2021-07-01, when stations started. The Tianjin Daily report's examples are themselves
within the last year (or the whole history when shorter), whatever its length:

- 果园新村街道: 徐芃泽's 老年智慧出行志愿服务行动 at 朝阳里社区 (助老暖心车站, 一键叫车 QR codes);
- 赤龙南街道: 5 community social organisations (邻里串门, 便民维修, 文艺指导 …), 18 volunteer teams
  (针锋裁缝, 助困陪诊, 爱心扫把 …) and ¥41,260 of charitable resources (4万余元);
- 金桥街道: a community fund fed by 彩票代售点注资, 社企联动 and 居民筹资, spent on 民政对象帮扶, 公益服务阵地
  and 培育社区社会组织, with two pilot communities' 便民服务站 and 为老服务站;
- 下朱庄街道: 在成长生活馆 for migrant children aged 0–12, running since August 2023, with its fund;
- 桃园街道: 43 sessions and 3,420 person-times, 52 partners, ¥135,700.00 mobilised, 8 volunteer teams;
- 五社联动: the city's five-society linkage projects, run through the stations, reach 140 communities
  with 486 social workers taking part (the report's municipal figure), spread over stations as
  `Project(theme=五社联动)` rows whose communities and `workers_involved` add up to those numbers;
- 广开街道: the e-bike charging project, linked to the station's charging requests if residents has any.

Everything is drawn from `rng` on every run and only stations without any project are written, so a
second run adds nothing. Rows go in with bulk inserts; progress is printed for the long tables.
"""

import datetime
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from demo.stories import EBIKE_COMPANY
from projects.models import (
    Activity,
    AnnualPlan,
    CommunityFund,
    CommunityOrganisation,
    FundEntry,
    GroupStatus,
    Partner,
    PlanEvent,
    Project,
    Resource,
    TargetGroup,
    VolunteerTeam,
)
from residents.models import Request, Resident
from stations.models import Community, Station, User

D = datetime.date
GUOYUAN = "120113001"
CHILONGNAN = "120111003"
JINQIAO = "120110009"
XIAZHUZHUANG = "120114002"
TAOYUAN = "120103003"
GUANGKAI = "120104004"

HISTORY_DAYS = 730  # `seed_demo --history-days`: the benchmark's city grows older as it grows bigger
STATIONS_STARTED = D(2021, 7, 1)  # 2021年7月启动: no station work before
PROGRESS_ROWS = 20000  # print progress while writing more rows than this

FIVE_SOCIETY_COMMUNITIES = 140  # “五社联动”项目共辐射140个社区
FIVE_SOCIETY_WORKERS = 486  # 有486名社工参与开展项目
FIVE_SOCIETY_PER_STATION = 5

P = Project.Theme
F = Project.Funding
M = Activity.Method

PROJECT_TEMPLATES = [
    (P.ELDERLY, "“银龄乐享”为老服务项目", ["elderly"], F.GOVERNMENT),
    (P.ELDERLY, "独居老人关爱探访计划", ["elderly", "hardship"], F.GOVERNMENT),
    (P.CHILDREN, "“四点半课堂”青少年成长项目", ["children"], F.GOVERNMENT),
    (P.CHILDREN, "困境儿童关爱保护项目", ["children", "hardship"], F.CHARITY),
    (P.DISABILITY, "“助残暖心”康复支持项目", ["disabled"], F.GOVERNMENT),
    (P.HARDSHIP, "困难家庭“微心愿”帮扶行动", ["hardship"], F.CHARITY),
    (P.VOLUNTEERING, "社区志愿者赋能计划", ["volunteers", "residents"], F.GOVERNMENT),
    (P.GOVERNANCE, "“楼门议事”社区协商项目", ["residents"], F.GOVERNMENT),
    (P.GOVERNANCE, "老旧小区环境微治理项目", ["residents"], F.COMMUNITY_FUND),
]
ACTIVITY_TITLES = {
    M.CASEWORK: [
        "独居老人个案探访",
        "困境儿童个案跟进",
        "残疾人家庭个案支持",
        "低保家庭个案辅导",
        "高龄老人入户评估",
    ],
    M.GROUP: [
        "老年人智能手机课堂",
        "亲子手工小组",
        "青少年手工学习班",
        "康复互助小组",
        "书法兴趣小组",
        "减压成长小组",
    ],
    M.COMMUNITY: [
        "社区义诊",
        "义剪便民服务",
        "新年联欢活动",
        "惠民政策宣传日",
        "环境清洁日",
        "敬老月主题活动",
    ],
}
# Activities people hold at one time of year: a New Year party in winter, 敬老月 in October (重阳节).
SEASONAL_TITLES = {"新年联欢活动": {12, 1, 2}, "敬老月主题活动": {10}}


def _title_for(rng, method, day):
    """A title of `method` that fits the month of `day`."""
    fitting = [t for t in ACTIVITY_TITLES[method] if day.month in SEASONAL_TITLES.get(t, (day.month,))]
    return rng.choice(fitting)


TEAM_NAMES = [
    "红马甲巡防队",
    "助老陪诊队",
    "小巷管家",
    "公益慈善服务队",
    "楼门长志愿队",
    "环境美化队",
    "文明引导队",
    "政策宣讲队",
    "义剪服务队",
    "法律援助志愿队",
    "心理陪伴队",
    "青少年护学岗",
    "应急救援志愿队",
    "银龄互助队",
    "书香志愿队",
    "健康义诊队",
    "邻里守望队",
    "爱心厨房志愿队",
]
TEAM_FOCUS = {
    "针锋裁缝": "为困难群众和高龄老人免费缝补衣物",
    "助困陪诊": "陪同困难群众、独居老人就医",
    "爱心扫把": "楼道和小区公共区域清扫",
    "小巷管家": "巡查背街小巷，发现并反馈问题",
    "公益慈善服务队": "义诊、义剪、助浴、助餐",
}
ORG_NAMES = [
    "社区合唱团",
    "太极拳协会",
    "书画社",
    "巧手编织社",
    "邻里互助会",
    "健康讲堂",
    "棋牌协会",
    "舞蹈队",
    "读书会",
    "家长互助会",
]
ORG_FOCUS = {
    "邻里串门": "邻里走访，关心独居和高龄老人",
    "便民维修": "为居民修理小家电、更换灯泡等",
    "文艺指导": "指导社区文艺队伍排练演出",
}
PARTNER_TEMPLATES = [
    (Partner.Kind.ENTERPRISE, "{street}{n}号便民超市"),
    (Partner.Kind.ENTERPRISE, "天津{word}物业服务有限公司"),
    (Partner.Kind.ENTERPRISE, "{word}医药连锁{street}店"),
    (Partner.Kind.CHARITY, "天津市{word}慈善基金会"),
    (Partner.Kind.CHARITY, "{district}慈善协会"),
    (Partner.Kind.INDIVIDUAL, "爱心居民{surname}女士"),
    (Partner.Kind.INDIVIDUAL, "爱心人士{surname}先生"),
    (Partner.Kind.LOTTERY_OUTLET, "中国福利彩票第{code}号代售点"),
    (Partner.Kind.GOVERNMENT, "{district}民政局"),
    (Partner.Kind.OTHER, "{street}辖区共建单位{n}"),
]
WORDS = ["和顺", "仁爱", "德馨", "同心", "阳光", "春晖", "惠民", "众诚", "康宁", "海河"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
IN_KIND = ["米面油", "冬衣棉被", "学习用品", "助行器", "防疫物资", "节日慰问品", "图书"]


@dataclass
class StationDraw:
    """What one station gets; `station` is the row, the rest are unsaved model instances."""

    station: Station
    partners: list = field(default_factory=list)
    projects: list = field(default_factory=list)  # (Project, [target group codes], [community ids])
    activities: list = field(default_factory=list)  # (Activity, [community ids], project index or None)
    resources: list = field(default_factory=list)  # (Resource, partner index, project index or None)
    teams: list = field(default_factory=list)  # (VolunteerTeam, [community ids])
    organisations: list = field(default_factory=list)  # (CommunityOrganisation, [community ids])
    funds: list = field(default_factory=list)  # (CommunityFund, [community ids], [(FundEntry, partner idx)])
    link_charging_requests: bool = False
    since: datetime.date | None = None  # the first day of the station's history


def _day(rng, lo: datetime.date, hi: datetime.date) -> datetime.date:
    if hi <= lo:
        return lo
    return lo + datetime.timedelta(days=rng.randrange((hi - lo).days + 1))


def split_total(rng, total: int, parts: int, minimum: int = 1) -> list[int]:
    """`parts` whole numbers, each at least `minimum`, adding up to exactly `total`."""
    spare = total - minimum * parts
    if spare < 0:
        raise ValueError("total too small")
    cuts = sorted(rng.randrange(spare + 1) for _ in range(parts - 1))
    bounds = [0, *cuts, spare]
    return [minimum + bounds[i + 1] - bounds[i] for i in range(parts)]


def _community_ids(communities, rng, k):
    ids = [c.pk for c in communities]
    return rng.sample(ids, min(k, len(ids))) if ids else []


def _group_status(rng):
    return rng.choices(list(GroupStatus), weights=[2, 5, 3])[0]


class Drawer:
    """Draws each station's history: `history_start` … `today`, never before the station was founded.

    `recent` is the report's year (the last 365 days, or the whole history when that is shorter): the
    report's examples are drawn there, as before the history grew, whatever its length.
    """

    def __init__(self, rng, today, history_days=HISTORY_DAYS):
        self.rng = rng
        self.today = today
        self.history_start = today - datetime.timedelta(days=max(1, history_days) - 1)
        self.year_ago = today - datetime.timedelta(days=364)
        self.recent = max(self.year_ago, self.history_start)

    def since(self, station) -> datetime.date:
        """The station's first day of history: not before its founding, nor before stations started."""
        first = max(self.history_start, station.founded_on or STATIONS_STARTED, STATIONS_STARTED)
        return min(first, self.today)  # a station opening later still gets today's first records

    def recent_for(self, station) -> datetime.date:
        return max(self.recent, self.since(station))

    def partners(self, draw: StationDraw, count: int):
        rng, station = self.rng, draw.station
        street = station.name.removeprefix(station.district.name).removesuffix("社工站")
        names = {p.name for p in draw.partners}
        while len(draw.partners) < count:
            kind, template = rng.choice(PARTNER_TEMPLATES)
            name = template.format(
                street=street,
                district=station.district.name,
                n=rng.randrange(1, 200),
                word=rng.choice(WORDS),
                surname=rng.choice(SURNAMES),
                code=f"{station.code[:6]}{rng.randrange(1000):03d}",
            )
            if name in names:  # draw another: two partners of one name read as one listed twice
                continue
            names.add(name)
            draw.partners.append(Partner(station=station, name=name, kind=kind))

    def activity(
        self, draw, *, day, method=None, project_index=None, communities=(), sessions=None, people=None
    ):
        rng = self.rng
        method = method or rng.choices(list(M), weights=[3, 4, 3])[0]
        if sessions is None:
            sessions = 1 if method != M.GROUP else rng.randint(1, 4)
        if people is None:
            per = {M.CASEWORK: (1, 3), M.GROUP: (8, 25), M.COMMUNITY: (30, 150)}[method]
            people = rng.randint(*per) * sessions
        activity = Activity(
            station=draw.station,
            date=day,
            title=_title_for(rng, method, day),
            method=method,
            sessions=sessions,
            person_times=people,
            volunteers=rng.randint(0, 12) if method != M.CASEWORK else rng.randint(0, 2),
            for_community_workers=False,
        )
        draw.activities.append((activity, list(communities), project_index))
        return activity

    def running_project(self, draw, day, chance):
        """With probability `chance`, the index of one of the station's projects under way on `day`."""
        if self.rng.random() >= chance:
            return None
        running = [
            i
            for i, (p, _, _) in enumerate(draw.projects)
            if p.status != Project.Status.PLANNING and p.start_date <= day and (p.end_date or day) >= day
        ]
        return self.rng.choice(running) if running else None

    def generic(self, draw: StationDraw, communities, since=None):
        """A typical station's history at a typical station's yearly rate, drawn from the templates.

        The history is cut into years counted back from today; the newest year is drawn as the demo always
        drew it (2–3 projects, mostly running), each older one gets its own projects, mostly closed by now.
        Activities, resources and partners follow the number of days, so five years are five times one.
        """
        rng, station, today = self.rng, draw.station, self.today
        since = max(since or self.since(station), self.since(station))
        draw.since = since
        years = ((today - since).days + 1) / 365
        self.partners(draw, max(2, round(rng.randint(3, 8) * years)))
        used = set()
        hi, newest = today, True
        while hi >= since:
            lo = max(since, hi - datetime.timedelta(days=364))
            count = rng.randint(2, 3) if newest else round(rng.randint(2, 3) * ((hi - lo).days + 1) / 365)
            for n, (theme, title, groups, funding) in enumerate(rng.sample(PROJECT_TEMPLATES, count)):
                if newest:
                    start = _day(rng, max(since, lo - datetime.timedelta(days=180)), today)
                    closed = rng.random() < 0.2 and start < today - datetime.timedelta(days=120)
                else:  # an older year's project: most have been wound up since
                    start = _day(rng, lo, hi)
                    closed = rng.random() < 0.85 and start < today - datetime.timedelta(days=120)
                last = min(start + datetime.timedelta(days=540), today)
                end = _day(rng, start + datetime.timedelta(days=60), last) if closed else None
                status = (
                    Project.Status.CLOSED
                    if closed
                    else rng.choice([Project.Status.ACTIVE, Project.Status.ACTIVE, Project.Status.PLANNING])
                )
                if status == Project.Status.PLANNING and not newest:
                    status = Project.Status.ACTIVE  # nothing stays in preparation for a year
                if title in used:  # the same template run again in a later year
                    title = f"{title}（{start.year}年）"
                    if title in used:
                        title = f"{title.removesuffix('）')}第{len(used)}期）"
                used.add(title)
                project = Project(
                    station=station,
                    title=title,
                    theme=theme,
                    start_date=start,
                    end_date=end,
                    status=status,
                    budget=Decimal(rng.randrange(20, 200) * 500),
                    funding_source=funding,
                    is_featured=n == 0,  # one featured (特色) project a year: the plan's “领办特色服务项目”
                )
                draw.projects.append((project, groups, _community_ids(communities, rng, rng.randint(1, 3))))
            hi, newest = lo - datetime.timedelta(days=1), False
        # The same yearly rate as a station's year always had, over every day of its history.
        per_year, training_per_year, resources_per_year = (
            rng.randint(30, 60),
            rng.randint(2, 6),
            rng.randint(2, 8),
        )
        for _ in range(max(1, round(per_year * years))):
            day = _day(rng, since, today)
            self.activity(
                draw,
                day=day,
                project_index=self.running_project(draw, day, 0.7),
                communities=_community_ids(communities, rng, 1),
            )
        for _ in range(max(1, round(training_per_year * years))):
            activity = self.activity(draw, day=_day(rng, since, today), method=M.GROUP)
            activity.title = rng.choice(["社区工作者专业能力培训", "社工督导会", "个案研讨会"])
            activity.for_community_workers = True
        for _ in range(max(1, round(resources_per_year * years))):
            self.resource(
                draw,
                rng.randrange(len(draw.partners)),
                amount=Decimal(rng.randrange(2, 120) * 100),
                day=_day(rng, since, today),
            )
        self.groups(draw, communities, teams=rng.randint(2, 6), organisations=rng.randint(1, 4))
        if rng.random() < 0.25:
            self.fund(
                draw,
                communities,
                f"{station.name.removesuffix('社工站')}社区基金",
                established=_day(rng, since, today - datetime.timedelta(days=60)),
                yearly=True,
            )

    def resource(self, draw, partner_index, *, amount, project_index=None, day=None):
        rng = self.rng
        kind = Resource.Kind.IN_KIND if rng.random() < 0.4 else Resource.Kind.MONEY
        resource = Resource(
            station=draw.station,
            date=day or _day(rng, self.recent_for(draw.station), self.today),
            kind=kind,
            amount=amount,
            description=rng.choice(IN_KIND) if kind == Resource.Kind.IN_KIND else "",
        )
        if project_index is None:
            project_index = self.running_project(draw, resource.date, 0.5)
        draw.resources.append((resource, partner_index, project_index))

    def groups(self, draw, communities, *, teams, organisations, team_names=(), org_names=()):
        rng, station = self.rng, draw.station
        floor = station.founded_on or self.year_ago
        names = list(team_names) + [n for n in rng.sample(TEAM_NAMES, len(TEAM_NAMES)) if n not in team_names]
        for name in names[:teams]:
            team = VolunteerTeam(
                station=station,
                name=name,
                focus=TEAM_FOCUS.get(name, ""),
                members_declared=rng.randint(6, 40),
                founded_on=_day(rng, floor, self.today),
                status=_group_status(rng),
            )
            draw.teams.append((team, _community_ids(communities, rng, rng.randint(1, 2))))
        names = list(org_names) + [n for n in rng.sample(ORG_NAMES, len(ORG_NAMES)) if n not in org_names]
        for name in names[:organisations]:
            organisation = CommunityOrganisation(
                station=station,
                name=name,
                focus=ORG_FOCUS.get(name, ""),
                members=rng.randint(8, 60),
                founded_on=_day(rng, floor, self.today),
                status=_group_status(rng),
            )
            draw.organisations.append((organisation, _community_ids(communities, rng, 1)))

    def fund(self, draw, communities, name, *, channels=None, purposes=None, established=None, yearly=False):
        """A fund with a few inflows and outflows that never overdraw it.

        `yearly`: a round of inflows and outflows for every year since it was established (a generic
        station's fund); otherwise the one round the report describes.
        """
        rng = self.rng
        established = established or _day(
            rng, self.recent_for(draw.station), self.today - datetime.timedelta(days=60)
        )
        fund = CommunityFund(station=draw.station, name=name, established_on=established)
        channels = channels or rng.sample(list(FundEntry.Channel)[:4], rng.randint(1, 3))
        purposes = purposes or rng.sample(list(FundEntry.Purpose)[:4], rng.randint(1, 2))
        rounds = 1 + (self.today - established).days // 365 if yearly else 1
        entries, balance, day = [], Decimal("0.00"), established
        for round_ in range(rounds):
            day = max(day, established + datetime.timedelta(days=365 * round_))
            balance = self._fund_round(draw, entries, balance, day, channels, purposes)
            day = entries[-1][0].date if entries else day
        draw.funds.append((fund, _community_ids(communities, rng, 2), entries))
        return fund

    def _fund_round(self, draw, entries, balance, day, channels, purposes):
        """One year's inflows then outflows (each 15–45 % of what is in the pool), dated in order."""
        rng = self.rng
        for channel in channels:
            day = _day(rng, day, min(day + datetime.timedelta(days=40), self.today))
            amount = Decimal(rng.randrange(20, 200) * 100)
            partner_index = None
            if channel == FundEntry.Channel.LOTTERY:
                partner_index = self._partner_of_kind(draw, Partner.Kind.LOTTERY_OUTLET)
            entries.append(
                (
                    FundEntry(direction="in", channel=channel, amount=amount, date=day, note="注资入池"),
                    partner_index,
                )
            )
            balance += amount
        for purpose in purposes:
            day = _day(rng, day, min(day + datetime.timedelta(days=60), self.today))
            amount = (balance * Decimal(rng.randint(15, 45)) / 100).quantize(Decimal("1"))
            if amount <= 0:
                continue
            entries.append((FundEntry(direction="out", purpose=purpose, amount=amount, date=day), None))
            balance -= amount
        return balance

    def _partner_of_kind(self, draw, kind):
        for index, partner in enumerate(draw.partners):
            if partner.kind == kind:
                return index
        street = draw.station.name.removeprefix(draw.station.district.name).removesuffix("社工站")
        draw.partners.append(
            Partner(
                station=draw.station, name=f"中国福利彩票{street}代售点", kind=Partner.Kind.LOTTERY_OUTLET
            )
        )
        return len(draw.partners) - 1


# --- The report's stations -----------------------------------------------------------------------------


def _by_name(communities, fragment):
    return [c.pk for c in communities if fragment in c.name]


def guoyuan(drawer: Drawer, draw: StationDraw, communities):
    """徐芃泽's 老年智慧出行志愿服务行动 at 朝阳里社区 (北辰区首批试点)."""
    drawer.generic(draw, communities)
    rng = drawer.rng
    chaoyangli = _by_name(communities, "朝阳里") or _community_ids(communities, rng, 1)
    project = Project(
        station=draw.station,
        title="老年智慧出行志愿服务行动",
        theme=P.ELDERLY,
        start_date=D(2023, 10, 1),  # 敬老月
        status=Project.Status.ACTIVE,
        budget=Decimal("12000.00"),
        funding_source=F.CHARITY,
        is_featured=True,
        description=(
            "贯彻全国老龄委“敬老月”活动要求，由中国老年学和老年医学学会、中国老龄事业发展基金会、网约车平台"
            "共同发起；朝阳里社区是北辰区首批试点之一。社区设置助老暖心车站，在楼门口张贴具备“一键叫车”"
            "功能的二维码，老人在社区扫码即可叫车。张贴位置要醒目、方便老人使用，逐户征求老人意见。"
        ),
    )
    draw.projects.insert(0, (project, ["elderly", "volunteers"], chaoyangli))
    # Indexes of generic activities/resources pointing at projects shift by one after the insert.
    draw.activities = [(a, c, None if i is None else i + 1) for a, c, i in draw.activities]
    draw.resources = [(r, p, None if i is None else i + 1) for r, p, i in draw.resources]
    for title, method, people in [
        ("“一键叫车”二维码张贴点位入户调研", M.CASEWORK, 12),
        ("助老暖心车站意见征求会", M.COMMUNITY, 46),
        ("老年人扫码叫车教学小组", M.GROUP, 18),
    ]:
        activity = drawer.activity(
            draw,
            day=_day(rng, drawer.recent_for(draw.station), drawer.today),
            method=method,
            project_index=0,
            communities=chaoyangli,
            sessions=1,
            people=people,
        )
        activity.title = title


def chilongnan(drawer: Drawer, draw: StationDraw, communities):
    """5 organisations, 18 volunteer teams, ¥41,260 of charitable resources (4万余元)."""
    rng = drawer.rng
    drawer.generic(draw, communities)
    draw.teams, draw.organisations, draw.resources = [], [], []
    drawer.groups(
        draw,
        communities,
        teams=18,
        organisations=5,
        team_names=["针锋裁缝", "助困陪诊", "爱心扫把"],
        org_names=["邻里串门", "便民维修", "文艺指导"],
    )
    drawer.partners(draw, max(len(draw.partners), 9))
    for partner_index, amount in enumerate(split_total(rng, 41260, 9, minimum=1500)):
        drawer.resource(draw, partner_index, amount=Decimal(amount))


def jinqiao(drawer: Drawer, draw: StationDraw, communities):
    """The community fund pool fed by three channels; two pilot communities' service stations."""
    rng = drawer.rng
    drawer.generic(draw, communities)
    draw.funds = []
    pilots = _community_ids(communities, rng, 2)
    for title, groups in [
        ("“便民服务站”共建项目", ["residents", "hardship"]),
        ("“为老服务站”共建项目", ["elderly"]),
    ]:
        project = Project(
            station=draw.station,
            title=title,
            theme=P.ELDERLY if "为老" in title else P.GOVERNANCE,
            start_date=_day(
                rng, drawer.recent_for(draw.station), drawer.today - datetime.timedelta(days=120)
            ),
            status=Project.Status.ACTIVE,
            budget=Decimal("30000.00"),
            funding_source=F.COMMUNITY_FUND,
            is_featured=True,
            description="将服务融入阵地、将阵地转换为服务场景，为困难群体、高龄老人开展义诊、义剪、助浴、助餐等服务。",
        )
        draw.projects.append((project, groups, pilots))
    names = {t.name for t, _ in draw.teams}
    for name in ("公益慈善服务队", "小巷管家"):
        if name not in names:
            draw.teams.append(
                (
                    VolunteerTeam(
                        station=draw.station,
                        name=name,
                        focus=TEAM_FOCUS[name],
                        members_declared=rng.randint(10, 30),
                        founded_on=_day(rng, draw.station.founded_on or drawer.year_ago, drawer.today),
                        status=GroupStatus.ACTIVE,
                    ),
                    pilots,
                )
            )
    C, U = FundEntry.Channel, FundEntry.Purpose
    drawer.fund(
        draw,
        communities,
        "金桥街道社区基金",
        channels=[C.LOTTERY, C.ENTERPRISE, C.RESIDENTS, C.LOTTERY, C.RESIDENTS],
        purposes=[U.RECIPIENT_AID, U.SERVICE_VENUE, U.ORGANISATIONS],
    )
    fund, _, entries = draw.funds[-1]
    draw.funds[-1] = (fund, pilots, entries)
    fund.purpose = "用于民政对象帮扶、打造公益服务阵地和培育社区社会组织。"


def xiazhuzhuang(drawer: Drawer, draw: StationDraw, communities):
    """在成长生活馆: a 180 m² space for migrant children aged 0–12, open since August 2023."""
    rng = drawer.rng
    drawer.generic(draw, communities)
    home = _community_ids(communities, rng, 1)
    project = Project(
        station=draw.station,
        title="在成长生活馆",
        theme=P.CHILDREN,
        start_date=D(2023, 8, 1),
        status=Project.Status.ACTIVE,
        budget=Decimal("80000.00"),
        funding_source=F.COMMUNITY_FUND,
        is_featured=True,
        description=(
            "面积180平方米，面向城市0—12岁流动儿童的社区公益空间，寓意流动儿童和城市一起成长。馆长和志愿者"
            "全年陪伴，儿童可随时到访阅读、写作业、玩游戏；定期开展防止家暴、学校霸凌等安全教育课程；及时"
            "发现特困儿童，提供社工帮扶。以场馆为载体募集社区基金，以基金支持场馆运行。"
        ),
    )
    draw.projects.insert(0, (project, ["migrant_children", "children"], home))
    draw.activities = [(a, c, None if i is None else i + 1) for a, c, i in draw.activities]
    draw.resources = [(r, p, None if i is None else i + 1) for r, p, i in draw.resources]
    opened = max(project.start_date, draw.since)
    per_kind = max(1, round(3 * ((drawer.today - opened).days + 1) / 365))  # three of each kind a year
    for title, method in [
        ("流动儿童个案帮扶", M.CASEWORK),
        ("防止家暴安全教育课", M.GROUP),
        ("防校园霸凌自我保护小组", M.GROUP),
        ("生活馆开放日社区活动", M.COMMUNITY),
    ]:
        for _ in range(per_kind):
            activity = drawer.activity(
                draw,
                day=_day(rng, opened, drawer.today),
                method=method,
                project_index=0,
                communities=home,
            )
            activity.title = title
    C, U = FundEntry.Channel, FundEntry.Purpose
    drawer.fund(
        draw,
        communities,
        "在成长生活馆社区基金",
        channels=[C.RESIDENTS, C.CHARITY, C.ENTERPRISE],
        purposes=[U.SERVICE_VENUE, U.ACTIVITIES],
        established=D(2023, 8, 1),
    )


def taoyuan(drawer: Drawer, draw: StationDraw, communities):
    """43 sessions, 3,420 person-times, 52 partners, ¥135,700.00 mobilised, 8 volunteer teams.

    The report's year only, however long the history: the activity list and resources show these totals
    unfiltered, so older work would change them.
    """
    rng = drawer.rng
    drawer.generic(draw, communities, since=drawer.recent_for(draw.station))
    draw.activities, draw.resources, draw.teams, draw.partners, draw.funds = [], [], [], [], []
    activity_count = 30
    sessions = split_total(rng, 43, activity_count, minimum=1)
    people = split_total(rng, 3420, activity_count, minimum=20)
    for s, p in zip(sessions, people, strict=True):
        day = _day(rng, draw.since, drawer.today)
        drawer.activity(
            draw,
            day=day,
            method=M.GROUP if s > 1 else rng.choice([M.CASEWORK, M.COMMUNITY]),
            project_index=drawer.running_project(draw, day, 0.7),
            communities=_community_ids(communities, rng, 1),
            sessions=s,
            people=p,
        )
    drawer.partners(draw, 52)
    for partner_index, amount in enumerate(split_total(rng, 1357, 52, minimum=5)):
        drawer.resource(draw, partner_index, amount=Decimal(amount * 100))
    drawer.groups(draw, communities, teams=8, organisations=0)


# The 广开街道 story (demo.stories): three residents of 桦林园 asked about charging some 150 days
# ago, were referred to a qualified company within days, and the chargers went in about six weeks later.
CHARGING_STORY_DAYS = 150
CHARGING_ACTIVITIES = [
    # days after the project began, method, title, sessions, person-times
    (2, M.CASEWORK, "存车处充电难入户走访", 3, 3),
    (12, M.COMMUNITY, "居民议事会：存车处充电设施安装方案", 1, 36),
    (45, M.COMMUNITY, "电动自行车安全充电宣传", 1, 120),
    (60, M.CASEWORK, "充电设施使用情况回访", 3, 3),
]


def guangkai(drawer: Drawer, draw: StationDraw, communities):
    """史博's e-bike charging project: chargers with automatic cut-off at the bike shed.

    It began when the residents' requests were referred (their story is in demo.stories), has
    its own activities, and is linked to those requests only (`_link_charging_requests`)."""
    rng = drawer.rng
    drawer.generic(draw, communities)
    start = max(drawer.since(draw.station), drawer.today - datetime.timedelta(days=CHARGING_STORY_DAYS - 5))
    project = Project(
        station=draw.station,
        title="存车处电动自行车安全充电设施项目",
        theme=P.GOVERNANCE,
        start_date=start,
        status=Project.Status.ACTIVE,
        budget=Decimal("45000.00"),
        funding_source=F.OTHER,
        is_featured=True,
        description=(
            "居民反映存车处只能存放不能充电，带电瓶上楼存在安全隐患。找到具备专业资质的单位，与街道办事处和"
            "居委会沟通，在存车处安装具备自动断电功能的充电设施。"
        ),
    )
    story = [c for c in communities if c.short_name.startswith("桦林园")] or communities[:1]
    others = [c.pk for c in communities if c not in story]
    community_ids = [c.pk for c in story] + rng.sample(others, min(1, len(others)))
    draw.projects.insert(0, (project, ["residents"], community_ids))
    draw.activities = [(a, c, None if i is None else i + 1) for a, c, i in draw.activities]
    draw.resources = [(r, p, None if i is None else i + 1) for r, p, i in draw.resources]
    for days, method, title, sessions, people in CHARGING_ACTIVITIES:
        day = start + datetime.timedelta(days=days)
        if day > drawer.today:
            break
        activity = drawer.activity(
            draw,
            day=day,
            method=method,
            project_index=0,
            communities=[c.pk for c in story],
            sessions=sessions,
            people=people,
        )
        activity.title = title
    draw.link_charging_requests = True


SPECIALS = {
    GUOYUAN: guoyuan,
    CHILONGNAN: chilongnan,
    JINQIAO: jinqiao,
    XIAZHUZHUANG: xiazhuzhuang,
    TAOYUAN: taoyuan,
    GUANGKAI: guangkai,
}


def five_society(drawer: Drawer, draws: list[StationDraw], communities_of):
    """五社联动 projects reaching 140 communities with 486 workers, on stations with ≥ 5 communities."""
    rng = drawer.rng
    eligible = [d for d in draws if len(communities_of[d.station.pk]) >= FIVE_SOCIETY_PER_STATION]
    wanted = -(-FIVE_SOCIETY_COMMUNITIES // FIVE_SOCIETY_PER_STATION)
    chosen = rng.sample(eligible, min(wanted, len(eligible)))
    if not chosen:
        return
    sizes = [FIVE_SOCIETY_PER_STATION] * len(chosen)
    if len(chosen) == wanted:  # exactly 140 when the whole city is there
        sizes[-1] = FIVE_SOCIETY_COMMUNITIES - FIVE_SOCIETY_PER_STATION * (wanted - 1)
    workers = split_total(rng, FIVE_SOCIETY_WORKERS, len(chosen), minimum=8)
    for draw, size, count in zip(chosen, sizes, workers, strict=True):
        project = Project(
            station=draw.station,
            title="“五社联动”社区服务项目",
            theme=P.FIVE_SOCIETY,
            start_date=_day(rng, drawer.recent_for(draw.station), drawer.today - datetime.timedelta(days=60)),
            status=Project.Status.ACTIVE,
            budget=Decimal(rng.randrange(60, 160) * 1000),
            funding_source=F.GOVERNMENT,
            workers_involved=count,
            description="社区、社会组织、社工、社会资源及社区自治组织联动，以居民需求为导向，通过政府购买服务开展。",
        )
        ids = rng.sample([c.pk for c in communities_of[draw.station.pk]], size)
        draw.projects.append((project, ["residents"], ids))


# --- Plans -----------------------------------------------------------------------------------------------


def _round_up(value, step):
    return max(step, -(-int(value) // step) * step)


def plan_season_year(today: datetime.date) -> int | None:
    """The plan year being written and decided on `today`: plans are written in January and decided within
    weeks (this year's, until the end of March), and written ahead for the coming year from November. In
    between no plan is in season, and every plan is decided."""
    if today.month <= 3:
        return today.year
    if today.month >= 11:
        return today.year + 1
    return None


def plans_for(drawer: Drawer, draw: StationDraw, residents: int, heads, reviewers, force_status=None):
    """A plan for every year of the station's history (and for the coming year from November): those out
    of season approved by the district, the one in season (`plan_season_year`) in any status, the report's
    果园新村 submitted, waiting for 北辰区's centre.

    Targets are near what the station does: its sessions and person-times a day over its whole history,
    times the days of the year it existed (a full year for this year's plan, as a plan is written in
    January); teams, organisations and featured projects as they stood that year.
    """
    rng, station, today = drawer.rng, draw.station, drawer.today
    since = draw.since or drawer.recent_for(station)
    days = (today - since).days + 1
    sessions = sum(a.sessions for a, _, _ in draw.activities) / days
    people = sum(a.person_times for a, _, _ in draw.activities) / days
    capacity = sum(a.sessions for a, _, _ in draw.activities if a.for_community_workers) / days
    result = []
    season = plan_season_year(today)
    last_year = today.year + 1 if season == today.year + 1 else today.year
    now = timezone.now()
    for plan_year in range(since.year, last_year + 1):
        current = plan_year >= today.year
        in_season = plan_year == season
        first, last = D(plan_year, 1, 1), D(plan_year, 12, 31)
        opened = max(first, station.founded_on or first)
        existed = (last - opened).days + 1
        teams = sum(1 for t, _ in draw.teams if t.founded_on <= last)
        organisations = sum(1 for o, _ in draw.organisations if o.founded_on <= last)
        featured = sum(
            1
            for p, _, _ in draw.projects
            if p.is_featured and p.start_date <= last and (p.end_date is None or p.end_date >= first)
        )
        plan = AnnualPlan(
            station=station,
            year=plan_year,
            target_volunteer_teams=teams + rng.randint(0, 2),
            target_organisations=organisations + rng.randint(0, 1),
            target_capacity_sessions=_round_up(capacity * existed * rng.uniform(0.8, 1.2), 2),
            # The registry is being built now: past years' plans had no baseline target yet.
            target_registered_residents=_round_up(residents * rng.uniform(0.9, 1.3), 10) if current else None,
            target_projects=featured + rng.randint(0, 1),
            target_activity_sessions=_round_up(sessions * existed * rng.uniform(0.8, 1.2), 5),
            target_person_times=_round_up(people * existed * rng.uniform(0.8, 1.2), 50),
            volunteer_text="发动居民骨干组建志愿服务队，建立积分激励和常态化服务机制。",
            organisations_text="孵化培育文化、互助、便民类社区社会组织，推动符合条件的组织登记备案。",
            capacity_text="面向社区工作者开展专业方法培训和个案督导，每季度至少两场。",
            baseline_text="入户走访“一老一小一残一困”对象，建立和更新居民档案，做到底数清、情况明。",
            projects_text="聚焦辖区需求领办特色服务项目，以项目带动活动和资源链接。",
        )
        status = force_status if (in_season and force_status) else None
        if not in_season:  # written, submitted and decided long ago: nothing waits out of season
            status = AnnualPlan.Status.APPROVED
        status = (
            status
            or rng.choices(
                [
                    AnnualPlan.Status.APPROVED,
                    AnnualPlan.Status.SUBMITTED,
                    AnnualPlan.Status.DRAFT,
                    AnnualPlan.Status.RETURNED,
                ],
                weights=[50, 25, 15, 10],
            )[0]
        )
        head, reviewer = heads.get(station.pk), reviewers.get(station.district_id)
        tz = timezone.get_current_timezone()
        # Written in January, or in the weeks after the station opened in its first year.
        written = max(
            D(plan_year, 1, rng.randint(5, 20)), opened + datetime.timedelta(days=rng.randint(5, 20))
        )
        written = min(written, max(opened, D(plan_year, 12, 1)))
        if in_season:  # being written and decided now: the last weeks, nothing after today
            written = min(written, today - datetime.timedelta(days=rng.randint(12, 25)))
        created = datetime.datetime.combine(written, datetime.time(9, 30), tzinfo=tz)
        submitted = created + datetime.timedelta(days=rng.randint(3, 15))
        decided = submitted + datetime.timedelta(days=rng.randint(2, 10))
        if in_season:
            submitted = min(submitted, now - datetime.timedelta(days=2))
            decided = min(decided, now - datetime.timedelta(hours=1))
        events = [(PlanEvent.Action.CREATED, head, created, "")]
        plan.status = status
        if status != AnnualPlan.Status.DRAFT:
            plan.submitted_at, plan.submitted_by_id = submitted, head
            events.append((PlanEvent.Action.SUBMITTED, head, submitted, ""))
        if status in (AnnualPlan.Status.APPROVED, AnnualPlan.Status.RETURNED) and reviewer:
            plan.decided_at, plan.decided_by_id = decided, reviewer
            if status == AnnualPlan.Status.RETURNED:
                plan.review_comment = "志愿服务和社区社会组织的目标偏低，请结合辖区需求细化措施后重新提交。"
                events.append((PlanEvent.Action.RETURNED, reviewer, decided, plan.review_comment))
            else:
                events.append((PlanEvent.Action.APPROVED, reviewer, decided, "同意。"))
        elif status in (AnnualPlan.Status.APPROVED, AnnualPlan.Status.RETURNED):
            plan.status = AnnualPlan.Status.SUBMITTED  # nobody to decide without a district centre account
        plan.created_by_id = head
        result.append((plan, events))
    return result


# --- Writing ----------------------------------------------------------------------------------------------


def draw_city(drawer: Drawer, stations, communities_of) -> list[StationDraw]:
    """Every station's history, unsaved: the generic one or the report's, then the 五社联动 projects."""
    draws = []
    for station in stations:
        draw = StationDraw(station=station)
        special = SPECIALS.get(station.code)
        if special:
            special(drawer, draw, communities_of[station.pk])
        else:
            drawer.generic(draw, communities_of[station.pk])
        draws.append(draw)
    five_society(drawer, draws, communities_of)
    return draws


def seed(*, options, rng, out):
    """Idempotent: a second run adds nothing twice. Progress goes to `out`."""
    TargetGroup.ensure_defaults()
    today = timezone.localdate()
    drawer = Drawer(rng, today, options.get("history_days") or HISTORY_DAYS)
    stations = list(Station.objects.select_related("district").order_by("code"))
    if not stations:
        out.write("服务项目：没有社工站，跳过。\n")
        return
    communities_of = defaultdict(list)
    committees = Community.objects.committees().filter(street__station__isnull=False).select_related("street")
    for community in committees.order_by("code"):
        communities_of[community.street.station_id].append(community)
    seeded = set(Project.objects.values_list("station_id", flat=True).distinct())
    if all(station.pk in seeded for station in stations):
        out.write("服务项目：已有数据，未重复生成。\n")
        return
    out.write(
        f"服务项目：{drawer.history_start} 至 {today}（{(today - drawer.history_start).days + 1} 天）……\n"
    )
    draws = draw_city(drawer, stations, communities_of)
    todo = [d for d in draws if d.station.pk not in seeded]
    heads = dict(
        User.objects.filter(role=User.Role.STATION_HEAD, station__isnull=False).values_list(
            "station_id", "pk"
        )
    )
    reviewers = {}
    for district_id, pk in (
        User.objects.filter(role=User.Role.DISTRICT_STAFF).order_by("pk").values_list("district_id", "pk")
    ):
        reviewers.setdefault(district_id, pk)
    residents = dict(
        Resident.objects.values_list("community__street__station")
        .annotate(n=Count("pk"))
        .values_list("community__street__station", "n")
    )
    groups = dict(TargetGroup.objects.values_list("code", "pk"))
    plans = [
        (
            draw,
            plans_for(
                drawer,
                draw,
                residents.get(draw.station.pk, 0),
                heads,
                reviewers,
                AnnualPlan.Status.SUBMITTED if draw.station.code == GUOYUAN else None,
            ),
        )
        for draw in todo
    ]
    _write(todo, plans, heads, groups, out)


def _bulk(model, rows, out, label, batch=2000):
    """bulk_create in batches, with a progress line every PROGRESS_ROWS rows when there are more."""
    started, total = time.monotonic(), len(rows)
    for at in range(0, total, PROGRESS_ROWS):
        model.objects.bulk_create(rows[at : at + PROGRESS_ROWS], batch_size=batch)
        if total > PROGRESS_ROWS:
            done = min(at + PROGRESS_ROWS, total)
            rate = done / max(time.monotonic() - started, 1e-6)
            out.write(f"  {label}：{done:,}/{total:,}（{rate:,.0f} 条/秒）\n")
    return rows


def _write(todo, plans, heads, groups, out):
    batch = 2000
    # Partners first: resources and fund entries point at them.
    partners = [p for d in todo for p in d.partners]
    Partner.objects.bulk_create(partners, batch_size=batch)
    for d in todo:
        head = heads.get(d.station.pk)
        for project, _, _ in d.projects:
            project.lead_id = head
            project.created_by_id = head
    Project.objects.bulk_create([p for d in todo for p, _, _ in d.projects], batch_size=batch)
    Project.target_groups.through.objects.bulk_create(
        [
            Project.target_groups.through(project_id=p.pk, targetgroup_id=groups[code])
            for d in todo
            for p, codes, _ in d.projects
            for code in codes
        ],
        batch_size=batch,
    )
    Project.communities.through.objects.bulk_create(
        [
            Project.communities.through(project_id=p.pk, community_id=cid)
            for d in todo
            for p, _, ids in d.projects
            for cid in dict.fromkeys(ids)
        ],
        batch_size=batch,
    )
    for d in todo:
        for activity, _, index in d.activities:
            activity.project = d.projects[index][0] if index is not None else None
            activity.created_by_id = heads.get(d.station.pk)
        for resource, partner_index, index in d.resources:
            resource.partner = d.partners[partner_index]
            resource.project = d.projects[index][0] if index is not None else None
            resource.created_by_id = heads.get(d.station.pk)
    _bulk(Activity, [a for d in todo for a, _, _ in d.activities], out, "活动")
    _bulk(
        Activity.communities.through,
        [
            Activity.communities.through(activity_id=a.pk, community_id=cid)
            for d in todo
            for a, ids, _ in d.activities
            for cid in ids
        ],
        out,
        "活动覆盖社区",
    )
    _bulk(Resource, [r for d in todo for r, _, _ in d.resources], out, "资源")
    for model, attr in ((VolunteerTeam, "teams"), (CommunityOrganisation, "organisations")):
        rows = [(g, ids) for d in todo for g, ids in getattr(d, attr)]
        model.objects.bulk_create([g for g, _ in rows], batch_size=batch)
        model.communities.through.objects.bulk_create(
            [
                model.communities.through(**{f"{model._meta.model_name}_id": g.pk, "community_id": cid})
                for g, ids in rows
                for cid in ids
            ],
            batch_size=batch,
        )
    funds = [(d, f, ids, entries) for d in todo for f, ids, entries in d.funds]
    CommunityFund.objects.bulk_create([f for _, f, _, _ in funds], batch_size=batch)
    CommunityFund.communities.through.objects.bulk_create(
        [
            CommunityFund.communities.through(communityfund_id=f.pk, community_id=cid)
            for _, f, ids, _ in funds
            for cid in ids
        ],
        batch_size=batch,
    )
    entries = []
    for d, fund, _, lines in funds:
        for entry, partner_index in lines:
            entry.fund = fund
            entry.partner = d.partners[partner_index] if partner_index is not None else None
            entry.recorded_by_id = heads.get(d.station.pk)
            entries.append(entry)
    FundEntry.objects.bulk_create(entries, batch_size=batch)
    plan_rows = [(plan, events) for _, station_plans in plans for plan, events in station_plans]
    AnnualPlan.objects.bulk_create([p for p, _ in plan_rows], batch_size=batch)
    PlanEvent.objects.bulk_create(
        [
            PlanEvent(plan=plan, action=action, actor_id=actor, at=at, comment=comment)
            for plan, events in plan_rows
            for action, actor, at, comment in events
        ],
        batch_size=batch,
    )
    linked = _link_charging_requests([d for d in todo if d.link_charging_requests])
    out.write(
        f"服务项目：{len(todo)} 个站点，项目 {sum(len(d.projects) for d in todo)} 个，"
        f"活动 {sum(len(d.activities) for d in todo)} 条，链接单位 {len(partners)} 家，"
        f"资源 {sum(len(d.resources) for d in todo)} 笔，志愿服务队 {sum(len(d.teams) for d in todo)} 支，"
        f"社区社会组织 {sum(len(d.organisations) for d in todo)} 个，"
        f"社区基金 {len(funds)} 个（{len(entries)} 笔收支），"
        f"实施方案 {len(plan_rows)} 份，关联充电诉求 {linked} 件。\n"
    )


def _link_charging_requests(draws) -> int:
    """Link the residents' e-bike charging requests of the story (if residents seeded them: the ones
    referred to the charging company) to the station's charging project; no other request that happens
    to mention 充电."""
    links = []
    for draw in draws:
        project = draw.projects[0][0]
        ids = (
            Request.objects.filter(station=draw.station, referrals__organisation=EBIKE_COMPANY)
            .distinct()
            .values_list("pk", flat=True)
        )
        links += [Project.requests.through(project_id=project.pk, request_id=pk) for pk in ids]
    Project.requests.through.objects.bulk_create(links)
    return len(links)
