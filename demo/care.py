"""The visit programme of every station (探访关爱): households, support statuses, risk tiers, visits.

Each station puts its oldest residents in the programme (about a dozen, more where it has many), with
tiers as the default rules suggest (独居 and 80 or older → 一级 …), a household each, support statuses
from their tags, and the visits of the last three months; about one in six is overdue now. The report's
elderly woman living alone at 果园新村 (孙桂兰, 朝阳里) is 一级 with a weekly visit history, the visit that
found her light bulbs broken linked to that request. Idempotent: a database with plans gets nothing more.
Written in bulk (the visit log and tier history are append-only inserts).

`target` (seed_demo --visit-plans; the benchmark's city: 300,000 of 1,000,000 requests' residents) puts
that many residents in the programme, spread over the stations, oldest first. Beyond the first dozen of
each station, a resident gets the plan, its tier record and the one visit that set the plan's dates
(no household, statuses or longer history): the visit list's rows at city scale, seeded in minutes.
"""

import datetime

from django.db.models import Count
from django.utils import timezone

from residents.models import (
    Household,
    HouseholdMembership,
    Request,
    Resident,
    RiskTierChange,
    SupportStatus,
    SupportStatusType,
    Visit,
    VisitPlan,
    VisitRule,
)
from stations.models import Station, User, add_years

PER_STATION = 12
HISTORY_DAYS = 90
STORY_ELDER = "孙桂兰"
TAG_STATUS = {
    "独居老人": "living-alone",
    "空巢老人": "empty-nest",
    "低保": "dibao",
    "特困": "tekun",
    "残疾": "disability",
}
FINDINGS = [
    ("身体尚可，按时服药", "整洁", "", "good"),
    ("腿脚不便，行动需扶", "较乱", "卫生间无扶手", "fair"),
    ("血压偏高", "整洁", "燃气灶老化", "fair"),
    ("精神不错", "整洁", "", "good"),
    ("近期睡眠不好", "一般", "楼道灯不亮", "poor"),
]


def seed_care(rng, out, today=None, target=None):
    today = today or timezone.localdate()
    if VisitPlan.objects.exists():
        out.write("  visit programme: already there")
        return
    intervals = VisitRule.intervals()
    kinds = dict(SupportStatusType.objects.values_list("code", "pk"))
    workers = {}
    for pk, station_id in (
        User.objects.filter(station__isnull=False, role__in=User.STATION_ROLES, is_active=True)
        .order_by("station_id", "pk")
        .values_list("pk", "station_id")
    ):
        workers.setdefault(station_id, []).append(pk)
    elderly = add_years(today, -60)
    chosen, bulk = [], []
    station_ids = [
        pk for pk in Station.objects.order_by("code").values_list("pk", flat=True) if pk in workers
    ]
    quotas = _quotas(station_ids, target)
    for station_id in station_ids:
        oldest = Resident.objects.filter(community__street__station_id=station_id, birth_date__isnull=False)
        if not target:
            oldest = oldest.filter(birth_date__lte=elderly)
        residents = list(
            oldest.order_by("birth_date", "pk").values_list(
                "pk", "name", "birth_date", "community_id", "address"
            )[: quotas[station_id]]
        )
        bulk += [(station_id, *row) for row in residents[PER_STATION:]]
        residents = residents[:PER_STATION]
        story = Resident.objects.filter(
            community__street__station_id=station_id, name=STORY_ELDER, tags__name="独居老人"
        ).values_list("pk", "name", "birth_date", "community_id", "address")
        for row in story:
            if row not in residents:
                residents.append(row)
            bulk = [b for b in bulk if b[1] != row[0]]  # the story's elder keeps her full history
        chosen += [(station_id, *row) for row in residents]
    tags = {}
    for resident_id, tag in Resident.tags.through.objects.filter(
        resident_id__in=[row[1] for row in chosen]
    ).values_list("resident_id", "vulnerabilitytag__name"):
        tags.setdefault(resident_id, set()).add(tag)

    plans, changes, statuses, households, visits = [], [], [], [], []
    for station_id, pk, name, born, community_id, address in chosen:
        age = (today - born).days // 365
        tagged = tags.get(pk, set())
        alone = "独居老人" in tagged or (name != STORY_ELDER and rng.random() < 0.3)
        tier = 1 if (alone and age >= 80) or name == STORY_ELDER else 2 if alone or age >= 80 else 3
        worker = rng.choice(workers[station_id])
        interval = intervals[tier]
        enrolled = today - datetime.timedelta(days=HISTORY_DAYS + rng.randint(0, 60))
        overdue = name != STORY_ELDER and rng.random() < 0.17
        codes = {TAG_STATUS[t] for t in tagged if t in TAG_STATUS} | ({"living-alone"} if alone else set())
        codes |= {"elderly-allowance"} if age >= 80 else set()
        statuses += [
            SupportStatus(
                resident_id=pk,
                kind_id=kinds[code],
                start_date=enrolled - datetime.timedelta(days=rng.randint(30, 900)),
                grade="二级" if code == "disability" else "",
                category="肢体" if code == "disability" else "",
                source=SupportStatus.Source.CIVIL_AFFAIRS,
            )
            for code in sorted(codes)
            if code in kinds
        ]
        households.append((pk, community_id, address or "（未填住址）", enrolled))
        history, last_seen = _history(rng, pk, worker, enrolled, today, interval, overdue)
        visits += history
        next_due = (last_seen or enrolled) + datetime.timedelta(days=interval)
        if name == STORY_ELDER:
            next_due = today + datetime.timedelta(days=2)
        plans.append(
            VisitPlan(
                resident_id=pk,
                community_id=community_id,
                tier=tier,
                worker_id=worker,
                enrolled_on=enrolled,
                last_visited_on=last_seen,
                next_due_on=next_due,
            )
        )
        reason = (
            "独居，八旬以上，行动不便"
            if tier == 1
            else "独居或高龄，需定期关注"
            if tier == 2
            else "老年人，常规关爱"
        )
        changes.append(
            RiskTierChange(resident_id=pk, tier=tier, suggested_tier=tier, reason=reason, actor_id=worker)
        )
    VisitPlan.objects.bulk_create(plans, batch_size=2000)
    RiskTierChange.objects.bulk_create(changes, batch_size=2000)
    SupportStatus.objects.bulk_create(statuses, batch_size=2000)
    made = Household.objects.bulk_create(
        [Household(community_id=c, address=a) for _pk, c, a, _d in households], batch_size=2000
    )
    HouseholdMembership.objects.bulk_create(
        [
            HouseholdMembership(
                household=h, resident_id=pk, relation=HouseholdMembership.Relation.HEAD, start_date=d
            )
            for h, (pk, _c, _a, d) in zip(made, households, strict=True)
        ],
        batch_size=2000,
    )
    _link_story_request(visits)
    Visit.objects.bulk_create(visits, batch_size=2000)
    out.write(f"  visit programme: {len(plans):,} residents, {len(visits):,} visits")
    if bulk:
        _seed_bulk(rng, out, bulk, workers, intervals, today)


def _quotas(station_ids, target) -> dict:
    """Residents each station puts in the programme: a dozen, or with `target` its share of the target in
    proportion to its registry (an even split would leave small stations short and the total under it)."""
    if not target:
        return dict.fromkeys(station_ids, PER_STATION)
    sizes = dict(
        Resident.objects.filter(birth_date__isnull=False, community__street__station_id__in=station_ids)
        .values_list("community__street__station_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    total = max(1, sum(sizes.values()))
    return {pk: max(PER_STATION, -(-target * sizes.get(pk, 0) // total)) for pk in station_ids}


def _seed_bulk(rng, out, rows, workers, intervals, today):
    """The city-scale rest of the programme: plan, tier record, last visit; about one in six overdue."""
    batch = 5000
    for start in range(0, len(rows), batch):
        plans, changes, visits = [], [], []
        for station_id, pk, _name, born, community_id, _address in rows[start : start + batch]:
            age = (today - born).days // 365 if born else 60
            tier = 1 if age >= 85 else 2 if age >= 75 else 3
            interval = intervals[tier]
            worker = rng.choice(workers[station_id])
            late = rng.random() < 0.17
            seen = today - datetime.timedelta(
                days=interval + rng.randint(1, 20) if late else rng.randint(0, interval - 1)
            )
            plans.append(
                VisitPlan(
                    resident_id=pk,
                    community_id=community_id,
                    tier=tier,
                    worker_id=worker,
                    enrolled_on=seen,
                    last_visited_on=seen,
                    next_due_on=seen + datetime.timedelta(days=interval),
                )
            )
            changes.append(
                RiskTierChange(
                    resident_id=pk, tier=tier, suggested_tier=tier, reason="高龄，定期关爱", actor_id=worker
                )
            )
            health, living, hazards, mood = rng.choice(FINDINGS)
            visits.append(
                Visit(
                    resident_id=pk,
                    visited_on=seen,
                    due_on=seen,
                    form="home",
                    outcome="seen",
                    visitor_id=worker,
                    health=health,
                    living_conditions=living,
                    safety_hazards=hazards,
                    mood=mood,
                )
            )
        VisitPlan.objects.bulk_create(plans, batch_size=batch)
        RiskTierChange.objects.bulk_create(changes, batch_size=batch)
        Visit.objects.bulk_create(visits, batch_size=batch)
        out.write(f"  visit programme (city scale): {min(start + batch, len(rows)):,} / {len(rows):,}")


def _history(rng, resident_id, worker, enrolled, today, interval, overdue):
    """Visits every `interval` days since enrolment, now and then nobody home; an overdue plan's last
    visit is one interval and a bit ago."""
    visits, last_seen = [], None
    due = enrolled
    stop = today - datetime.timedelta(days=interval + rng.randint(3, 10)) if overdue else today
    while due <= stop:
        day = min(due + datetime.timedelta(days=rng.choice([-2, -1, 0, 0, 1, 3])), today)
        failed = rng.random() < 0.08
        health, living, hazards, mood = rng.choice(FINDINGS)
        visits.append(
            Visit(
                resident_id=resident_id,
                visited_on=day,
                due_on=due,
                form=rng.choice(["home", "home", "home", "phone", "neighbour"]),
                outcome="nobody_home" if failed else "seen",
                visitor_id=worker,
                health="" if failed else health,
                living_conditions="" if failed else living,
                safety_hazards="" if failed else hazards,
                mood="" if failed else mood,
            )
        )
        if failed:
            due = day + datetime.timedelta(days=2)
            continue
        last_seen = day
        due = day + datetime.timedelta(days=interval)
    for visit in visits:
        if visit.form == "neighbour":
            visit.volunteer_name = "邻里志愿者"
    return visits, last_seen


def _link_story_request(visits):
    """The visit that found 孙桂兰's light bulbs broken opened the request of the report."""
    request = Request.objects.filter(submission_token="demo-story-guoyuan-light-bulb").first()
    visitor = request and (request.created_by_id or request.assignee_id)
    if request is None or not request.resident_id or not visitor:
        return
    day = timezone.localdate(request.received_at)
    visits.append(
        Visit(
            resident_id=request.resident_id,
            visited_on=day,
            due_on=day,
            form="home",
            outcome="seen",
            visitor_id=visitor,
            health="身体尚可",
            living_conditions="独居，屋内昏暗",
            safety_hazards="厨房和卫生间灯泡坏了，夜间起身易摔倒",
            mood="fair",
            need_found="更换灯泡",
            request=request,
        )
    )
    # A plan's last-seen date is its resident's latest seen visit (the dashboards count coverage from it).
    VisitPlan.objects.filter(resident_id=request.resident_id, last_visited_on__lt=day).update(
        last_visited_on=day
    )
