"""Volunteers of the demo (志愿者): 果园新村's teams — the community's "手、腿、眼、耳" in the report — get
their members as people, with hours on the station's recent activities and visits and a proof issued to
one of them; and 朝阳里's e-bike charging requests, suggested as a cluster, became a project.

Story-sized (one station): the city's other teams keep the member count they declared (the typed number
the data migration kept), as a real city's would until its stations register their volunteers. A second
run adds nothing.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from projects import clusters, volunteering
from projects.models import Activity, Project, ServiceHours, TeamMembership, Volunteer, VolunteerTeam
from residents import services as request_services
from residents.models import Category, Request, Visit
from stations.models import Community, Station, User

# name, phone, skills, availability, which of the community's hands/legs/eyes/ears (手、腿、眼、耳)
PEOPLE = [
    ("刘淑珍", "13602201101", "缝补、理发", "周二、周四上午", "手：便民服务"),
    ("马德胜", "13602201102", "水电维修", "周末全天", "手：便民维修"),
    ("孙凤英", "13602201103", "陪同就医、代购", "工作日上午", "腿：跑腿代办"),
    ("高建华", "13602201104", "骑车送餐", "每天中午", "腿：助餐送餐"),
    ("王桂芝", "13602201105", "楼门长，熟悉独居老人", "随时", "眼：发现需求"),
    ("赵永利", "13602201106", "巡楼、消防安全", "每天傍晚", "眼：安全巡查"),
    ("李秀兰", "13602201107", "倾听陪伴", "周三下午", "耳：倾听陪伴"),
    ("陈卫东", "13602201108", "政策宣讲", "周末上午", "耳：收集意见"),
]

CHARGING = [
    "朝阳里3号楼车棚没有充电桩，电动车只能推上楼充电，楼道里不安全",
    "3号楼车棚能不能装电动车充电桩？现在有人从窗户拉电线充电",
    "朝阳里3号楼电动车充电难，私拉电线充电很危险，希望车棚安装充电桩",
]


def _station():
    return Station.objects.filter(streets__name="果园新村街道").first()


def _head(station):
    return (
        User.objects.filter(station=station, role=User.Role.STATION_HEAD, is_active=True)
        .order_by("pk")
        .first()
        or User.objects.filter(station=station, role__in=User.STATION_ROLES, is_active=True)
        .order_by("pk")
        .first()
    )


def seed(*, options, rng, out, today=None):
    today = today or timezone.localdate()
    station = _station()
    head = station and _head(station)
    if station is None or head is None:
        out.write("  果园新村 station or its staff not found, skipped")
        return
    if Volunteer.objects.filter(station=station).exists():
        out.write("  volunteers: already there")
        return
    out.write(f"  {_volunteers(station, head, rng, today)}")
    out.write(f"  {_charging_cluster(station, head, today)}")


def _volunteers(station, head, rng, today):
    teams = list(VolunteerTeam.objects.filter(station=station).order_by("founded_on", "pk")[:4])
    community = Community.objects.filter(street__station=station, name__startswith="朝阳里").first()
    people = []
    for i, (name, phone, skills, availability, role) in enumerate(PEOPLE):
        volunteer = Volunteer.objects.create(
            station=station,
            name=name,
            phone=phone,
            community=community,
            skills=skills,
            availability=availability,
            notes=f"社区的“{role}”",
            contact_consent_on=today - datetime.timedelta(days=200 - i),
            contact_consent_method=Volunteer.ConsentMethod.WRITTEN,
            created_by=head,
        )
        people.append(volunteer)
        if teams:
            team = teams[i // 2 % len(teams)]
            joined = max(team.founded_on, today - datetime.timedelta(days=365))
            TeamMembership.objects.create(team=team, volunteer=volunteer, joined_on=joined)
    activities = list(
        Activity.objects.filter(station=station, date__gte=today - datetime.timedelta(days=120)).order_by(
            "-date", "-pk"
        )[:10]
    )
    hours = []
    for activity in activities:
        for volunteer in rng.sample(people, 3):
            hours.append(
                ServiceHours(
                    station=station,
                    volunteer=volunteer,
                    activity=activity,
                    date=activity.date,
                    hours=Decimal(rng.choice(["1.5", "2.0", "2.5", "3.0"])),
                    recorded_by=head,
                )
            )
    visits = list(
        Visit.objects.filter(
            resident__community__street__station=station, outcome=Visit.Outcome.SEEN
        ).order_by("-visited_on", "-pk")[:6]
    )
    eyes = [p for p in people if "眼" in p.notes]
    for visit in visits:
        hours.append(
            ServiceHours(
                station=station,
                volunteer=rng.choice(eyes),
                visit=visit,
                date=visit.visited_on,
                hours=Decimal("1.0"),
                content="陪同社工入户探访独居老人",
                recorded_by=head,
            )
        )
    ServiceHours.objects.bulk_create(hours)
    proof = None
    served = ServiceHours.objects.filter(volunteer=people[4]).order_by("date").first()
    if served:
        proof = volunteering.issue_proof(
            acting_user=head, volunteer=people[4], period_start=served.date, period_end=today
        )
    return (
        f"volunteers: {len(people)} of 果园新村 in {len(teams)} teams, {len(hours)} service hours entries"
        + (f", proof {proof.serial}" if proof else "")
    )


def _charging_cluster(station, head, today):
    """Three requests about 3号楼's e-bike charging at 朝阳里, suggested together and made a project."""
    community = Community.objects.filter(street__station=station, name__startswith="朝阳里").first()
    category = Category.objects.filter(name="电动自行车充电").first()
    if community is None or category is None:
        return "朝阳里 or the charging category not found, cluster skipped"
    made = []
    for days_ago, text in zip((40, 25, 9), CHARGING, strict=True):
        request = request_services.create_request(
            acting_user=head,
            station=station,
            community=community,
            category=category,
            description=text,
            severity=category.default_severity,
            urgency=category.default_urgency,
            channel=Request.Channel.WALK_IN,
        )
        Request.objects.filter(pk=request.pk).update(
            received_at=timezone.now() - datetime.timedelta(days=days_ago)
        )
        made.append(request.pk)
    found = [c for c in clusters.suggest_clusters(head) if set(made) <= set(c.request_ids)]
    ids = found[0].request_ids if found else made
    project = clusters.project_from_cluster(
        acting_user=head,
        request_ids=ids,
        title="朝阳里3号楼车棚充电桩（民主协商）",
        theme=Project.Theme.GOVERNANCE,
        description="居民议事会协商：联系有资质的充电设施企业，在3号楼车棚安装具备自动断电功能的充电桩。",
    )
    return f"charging cluster at 朝阳里: {len(ids)} requests became the project “{project.title}”"
