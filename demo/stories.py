"""The report's cases, as themselves (Tianjin Daily on the city's social work stations).

果园新村街道 (徐芃泽's station): a child needing judicial aid, an elderly woman living alone whose light
bulbs need changing, a community asking for a special New Year activity plan. 广开街道: residents who
cannot charge their e-bikes at the bicycle shed, referred to a qualified company and resolved. Each
request is created once, keyed by its submission token; references come from the seeder's counters.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from residents import timeline
from residents.models import (
    Referral,
    Request,
    Resident,
    ResidentEvent,
    Severity,
    TimelineEvent,
    Urgency,
    priority_for,
)
from residents.validators import id_check_char
from stations.models import Community, Station, User

Status, Channel, Kind = Request.Status, Request.Channel, TimelineEvent.Kind

# Stable keys of the report's cases (also for other apps' demo data, e.g. the e-bike charging project).
STORY_TOKENS = {
    "judicial-aid": "demo-story-guoyuan-judicial-aid",
    "light-bulb": "demo-story-guoyuan-light-bulb",
    "new-year": "demo-story-guoyuan-new-year",
    "ebike": "demo-story-guangkai-ebike",
    "ebike-2": "demo-story-guangkai-ebike-2",
    "ebike-3": "demo-story-guangkai-ebike-3",
}
EBIKE_COMPANY = "天津津电新能源科技有限公司（具备充电设施安装资质）"


def seed_stories(city, references, rng, out):
    """The requests of the Tianjin Daily report, as themselves. Each is created once (by token)."""
    done = set(
        Request.objects.filter(submission_token__in=STORY_TOKENS.values()).values_list(
            "submission_token", flat=True
        )
    )
    if done >= set(STORY_TOKENS.values()):
        return "already there"
    made = []
    now = timezone.localtime()
    guoyuan = Station.objects.filter(streets__name="果园新村街道").first()
    if guoyuan is not None:
        xu = User.objects.filter(username="xupengze").first() or _head_of(guoyuan)
        made += _guoyuan_stories(city, references, now, guoyuan, xu, done)
    guangkai = Station.objects.filter(streets__name="广开街道").first()
    if guangkai is not None:
        made += _guangkai_stories(city, references, now, guangkai, _head_of(guangkai), done)
    return "、".join(made) or "stations 果园新村/广开 not found, skipped"


def _head_of(station):
    return (
        User.objects.filter(station=station, role__in=User.STATION_ROLES, is_active=True)
        .order_by("-role", "pk")
        .first()
    )


def _community(station, prefix):
    communities = Community.objects.filter(street__station=station).order_by("code")
    return communities.filter(name__startswith=prefix).first() or communities.first()


def _story_resident(*, name, gender, born, sequence, community, address, phone, tags, city, actor):
    """A resident of a story, found again by ID number (its keyed hash) on the next run."""
    region = community.code[:6]
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    id_number = first17 + id_check_char(first17)
    resident = Resident.objects.with_id_number(id_number).first()
    created = resident is None
    if created:
        resident = Resident.objects.create(
            id_number=id_number,
            name=name,
            gender=gender,
            birth_date=born,
            phone=phone,
            community=community,
            address=f"{community.short_name}{address}",
            created_by=actor,
        )
        resident.tags.set([city.tags[tag] for tag in tags if tag in city.tags])
        ResidentEvent.objects.create(resident=resident, kind=ResidentEvent.Kind.CREATED, actor=actor)
    return resident


def _tell(
    references, *, token, station, community, category, channel, received, description, steps, **fields
):
    """Write one story request: its final fields, and its timeline from `steps`, which are
    (hours after receipt, kind, actor, from status, to status, text, data)."""
    _, _, _, severity, urgency = category
    request = Request(
        reference=references.next(station, received.year),
        station=station,
        community=community,
        channel=channel,
        category_id=category[0],
        description=description,
        severity=fields.pop("severity", severity),
        urgency=fields.pop("urgency", urgency),
        received_at=received,
        submission_token=token,
        version=len(steps),
        **fields,
    )
    request.compute_priority()
    request.save()
    TimelineEvent.objects.bulk_create(
        TimelineEvent(
            request=request,
            kind=kind,
            actor=actor,
            at=received + datetime.timedelta(hours=hours),
            from_status=from_status,
            to_status=to_status,
            text=text,
            data=data,
        )
        for hours, kind, actor, from_status, to_status, text, data in steps
    )
    return request


def _triaged_and_assigned(actor, at, category, severity=None, urgency=None):
    severity, urgency = severity or category[3], urgency or category[4]
    priority = priority_for(severity, urgency)
    labels = {**dict(Severity.choices), **dict(Urgency.choices)}
    before = priority_for(category[3], category[4])
    return [
        (
            at,
            Kind.TRIAGED,
            actor,
            Status.NEW,
            Status.TRIAGED,
            timeline.triaged(labels[severity], labels[urgency], priority, before),
            {"severity": severity, "urgency": urgency, "priority": priority},
        ),
        (
            at + 0.1,
            Kind.ASSIGNED,
            actor,
            "",
            "",
            timeline.assigned(actor),
            {"assignee": actor.pk, "previous_assignee": None},
        ),
    ]


def _guoyuan_stories(city, references, now, station, xu, done):
    made = []
    follow_up_days = getattr(settings, "FOLLOW_UP_DAYS", 7)
    if STORY_TOKENS["judicial-aid"] not in done:
        community = _community(station, "新华里")
        category = city.category_named("司法救助", "法律/司法救助")
        child = _story_resident(
            name="韩宇轩",
            gender="M",
            born=datetime.date(now.year - 10, 7, 15),
            sequence=23,
            address="5号楼2门301",
            community=community,
            phone="",
            tags=["困境儿童"],
            city=city,
            actor=xu,
        )
        received = now - datetime.timedelta(hours=20)
        referral_at = received + datetime.timedelta(hours=6)
        request = _tell(
            references,
            token=STORY_TOKENS["judicial-aid"],
            station=station,
            community=community,
            category=category,
            channel=Channel.COMMITTEE,
            received=received,
            description=f"{community.short_name}发现一名困难儿童需要司法救助：孩子的监护人不清楚申请程序，请社工协助对接。",
            resident=child,
            reporter_name=f"{community.short_name}居委会",
            severity=Severity.SEVERE,
            urgency=Urgency.URGENT,
            status=Status.REFERRED,
            assignee=xu,
            created_by=xu,
            steps=[
                (0, Kind.CREATED, xu, "", Status.NEW, "", {}),
                *_triaged_and_assigned(xu, 0.5, category, Severity.SEVERE, Urgency.URGENT),
                (1, Kind.STATUS, xu, Status.TRIAGED, Status.IN_PROGRESS, "", {}),
                (2, Kind.NOTE, xu, "", "", "已入户了解情况，协助监护人整理司法救助申请材料。", {}),
            ],
        )
        referral = Referral.objects.create(
            request=request,
            organisation="北辰区法律援助中心",
            reason="困难儿童需要司法救助，请协助申请并提供法律援助。",
            referred_at=referral_at,
            referred_by=xu,
        )
        TimelineEvent.objects.create(
            request=request,
            kind=Kind.REFERRAL,
            actor=xu,
            at=referral_at,
            from_status=Status.IN_PROGRESS,
            to_status=Status.REFERRED,
            text=timeline.referred(referral.organisation, referral.reason),
            data={"referral": referral.pk},
        )
        Request.objects.filter(pk=request.pk).update(version=request.version + 1)
        made.append("困难儿童需要司法救助")
    if STORY_TOKENS["light-bulb"] not in done:
        community = _community(station, "朝阳里")
        category = city.category_named("照明灯具", "设施维修")
        elder = _story_resident(
            name="孙桂兰",
            gender="F",
            born=datetime.date(now.year - 84, 3, 12),
            sequence=42,
            address="12号楼1门102",
            community=community,
            phone="022-26391234",
            tags=["独居老人"],
            city=city,
            actor=xu,
        )
        received = (now - datetime.timedelta(days=follow_up_days + 1)).replace(hour=9, minute=40)
        resolved = received + datetime.timedelta(hours=3)
        _tell(
            references,
            token=STORY_TOKENS["light-bulb"],
            station=station,
            community=community,
            category=category,
            channel=Channel.PHONE,
            received=received,
            description="独居老人来电：卧室和厨房的灯泡坏了，自己够不着，请人帮忙换灯泡。",
            resident=elder,
            status=Status.RESOLVED,
            assignee=xu,
            created_by=xu,
            resolved_at=resolved,
            follow_up_due_on=resolved.date() + datetime.timedelta(days=follow_up_days),
            steps=[
                (0, Kind.CREATED, xu, "", Status.NEW, "", {}),
                *_triaged_and_assigned(xu, 0.2, category),
                (1, Kind.STATUS, xu, Status.TRIAGED, Status.IN_PROGRESS, "", {}),
                (
                    3,
                    Kind.STATUS,
                    xu,
                    Status.IN_PROGRESS,
                    Status.RESOLVED,
                    "已上门更换卧室和厨房灯泡，顺便检查了家中用电安全。",
                    {},
                ),
            ],
        )
        made.append("独居老人换灯泡")
    if STORY_TOKENS["new-year"] not in done:
        community = _community(station, "旭日里")
        category = city.category_named("社区文化活动", "活动需求")
        received = (now - datetime.timedelta(days=5)).replace(hour=10, minute=15)
        _tell(
            references,
            token=STORY_TOKENS["new-year"],
            station=station,
            community=community,
            category=category,
            channel=Channel.COMMITTEE,
            received=received,
            description=f"{community.short_name}想办一场有特色的新年活动，请社工站出策划方案。",
            reporter_name=f"{community.short_name}居委会",
            status=Status.IN_PROGRESS,
            assignee=xu,
            created_by=xu,
            steps=[
                (0, Kind.CREATED, xu, "", Status.NEW, "", {}),
                *_triaged_and_assigned(xu, 2, category),
                (26, Kind.STATUS, xu, Status.TRIAGED, Status.IN_PROGRESS, "", {}),
                (
                    50,
                    Kind.NOTE,
                    xu,
                    "",
                    "",
                    "与居委会商定初步方向：迎新春文艺汇演，加写春联、包饺子亲子活动，邀请社区文艺队参与。",
                    {},
                ),
            ],
        )
        made.append("特色新年活动策划")
    return made


def _guangkai_stories(city, references, now, station, worker, done):
    made = []
    category = city.category_named("电动自行车充电", "设施维修")
    community = _community(station, "桦林园")
    follow_up_days = getattr(settings, "FOLLOW_UP_DAYS", 7)
    residents = [
        ("ebike", "陈建华", "M", datetime.date(now.year - 52, 6, 8), 35, "13920461538"),
        ("ebike-2", "刘淑珍", "F", datetime.date(now.year - 67, 11, 2), 48, "13682035716"),
        ("ebike-3", "马立军", "M", datetime.date(now.year - 45, 1, 23), 57, "15122308849"),
    ]
    for n, (key, name, gender, born, sequence, phone) in enumerate(residents):
        if STORY_TOKENS[key] in done or worker is None:
            continue
        resident = _story_resident(
            name=name,
            gender=gender,
            born=born,
            sequence=sequence,
            address=f"{3 + n}号楼{1 + n}门{201 + 100 * n}",
            community=community,
            phone=phone,
            tags=[],
            city=city,
            actor=worker,
        )
        received = (now - datetime.timedelta(days=150 - 3 * n)).replace(hour=10, minute=0)
        # Referred within days; the charging points went in after about six weeks for all three.
        referral_hours, outcome_hours, resolve_hours = 48 + 3 * 24 * n, (40 - 3 * n) * 24, (42 - 3 * n) * 24
        follow_up_hours = resolve_hours + follow_up_days * 24
        resolved = received + datetime.timedelta(hours=resolve_hours)
        first = n == 0
        request = _tell(
            references,
            token=STORY_TOKENS[key],
            station=station,
            community=community,
            category=category,
            channel=Channel.HOME_VISIT,
            received=received,
            description=(
                "居民反映：社区存车处只能存放电动自行车，不能充电，带电瓶上楼充电又存在安全隐患，希望解决充电难。"
                if first
                else "存车处电动自行车充电难，晚上只能把电瓶拎回家充电，担心起火。"
            ),
            resident=resident,
            status=Status.CLOSED,
            assignee=worker,
            created_by=worker,
            resolved_at=resolved,
            closed_at=received + datetime.timedelta(hours=follow_up_hours),
            follow_up_due_on=resolved.date() + datetime.timedelta(days=follow_up_days),
            satisfaction=Request.Satisfaction.SATISFIED,
            steps=[
                (0, Kind.CREATED, worker, "", Status.NEW, "", {}),
                *_triaged_and_assigned(worker, 4, category),
                (24, Kind.STATUS, worker, Status.TRIAGED, Status.IN_PROGRESS, "", {}),
            ],
        )
        referral = Referral.objects.create(
            request=request,
            organisation=EBIKE_COMPANY,
            reason="存车处需安装具备自动断电功能的充电设施，需具备专业资质的单位施工；已与街道办事处、居委会沟通。",
            outcome=Referral.Outcome.DONE,
            outcome_note="存车处已安装具备自动断电功能的充电设施，投入使用。",
            referred_at=received + datetime.timedelta(hours=referral_hours),
            referred_by=worker,
        )

        def at(hours, received=received):
            return received + datetime.timedelta(hours=hours)

        TimelineEvent.objects.bulk_create(
            [
                TimelineEvent(
                    request=request,
                    kind=Kind.REFERRAL,
                    actor=worker,
                    at=at(hours=referral_hours),
                    from_status=Status.IN_PROGRESS,
                    to_status=Status.REFERRED,
                    text=timeline.referred(referral.organisation, referral.reason),
                    data={"referral": referral.pk},
                ),
                TimelineEvent(
                    request=request,
                    kind=Kind.REFERRAL_OUTCOME,
                    actor=worker,
                    at=at(hours=outcome_hours),
                    text=timeline.referral_outcome(
                        referral.organisation, referral.get_outcome_display(), referral.outcome_note
                    ),
                    data={"referral": referral.pk, "outcome": Referral.Outcome.DONE},
                ),
                TimelineEvent(
                    request=request,
                    kind=Kind.STATUS,
                    actor=worker,
                    at=at(hours=resolve_hours),
                    from_status=Status.REFERRED,
                    to_status=Status.RESOLVED,
                    text="与街道办事处、居委会多方协调，存车处充电设施已安装并投入使用，居民充电难问题解决。",
                ),
                TimelineEvent(
                    request=request,
                    kind=Kind.FOLLOW_UP,
                    actor=worker,
                    at=at(hours=follow_up_hours),
                    from_status=Status.RESOLVED,
                    to_status=Status.CLOSED,
                    text=timeline.followed_up(
                        Request.Satisfaction.SATISFIED.label, "居民表示在楼下就能充电，安全又方便。"
                    ),
                ),
            ]
        )
        Request.objects.filter(pk=request.pk).update(version=request.version + 4)
        made.append(f"存车处电动自行车充电难（{name}）")
    return made
